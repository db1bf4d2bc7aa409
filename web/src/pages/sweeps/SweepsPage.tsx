/**
 * Parameter sweeps (`/v1/sweeps`): each with its status and progress (live
 * over the socket's `sweeps` topic), and a form to launch one.
 */
import CancelIcon from "@mui/icons-material/Cancel";
import DeleteIcon from "@mui/icons-material/Delete";
import {
  IconButton,
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from "@mui/material";
import { Link as RouterLink } from "react-router";

import { QueryContent } from "../../components/QueryContent";
import { RequestError } from "../../components/RequestError";
import { StatusChip } from "../../components/StatusChip";
import { plainRatio } from "../../format/metrics";
import { formatTime } from "../../format/time";
import { useFollowTopic } from "../../live/LiveContext";
import { Section } from "../session/Section";
import { ACTIVE, useCancelSweep, useSweeps } from "./api";
import { LaunchSweepForm } from "./LaunchSweepForm";
import { SweepProgress } from "./SweepProgress";

export default function SweepsPage() {
  useFollowTopic("sweeps");
  const sweeps = useSweeps();
  const cancel = useCancelSweep();
  return (
    <Stack spacing={2}>
      <Typography variant="h4" component="h1">
        Sweeps
      </Typography>
      <Section title="Launch a sweep">
        <LaunchSweepForm />
      </Section>
      <RequestError error={cancel.error} onClose={() => { cancel.reset(); }} />
      <QueryContent
        query={sweeps}
        loading="Loading sweeps…"
        isEmpty={(data) => data.items.length === 0}
        empty={<Typography>No sweeps yet: launch one above.</Typography>}
      >
        {(data) => (
          <TableContainer sx={{ border: 1, borderColor: "divider", borderRadius: 1 }}>
            <Table size="small" aria-label="Sweeps">
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell>Strategy</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell>Progress</TableCell>
                  <TableCell align="right">Best score</TableCell>
                  <TableCell>Created</TableCell>
                  <TableCell align="right">Actions</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((sweep) => {
                  const active = ACTIVE.has(sweep.status);
                  return (
                    <TableRow key={sweep.id} hover>
                      <TableCell>
                        <Link component={RouterLink} to={`/sweeps/${sweep.id}`}>
                          {sweep.name}
                        </Link>
                      </TableCell>
                      <TableCell>{sweep.strategy}</TableCell>
                      <TableCell>
                        <StatusChip status={sweep.status} />
                      </TableCell>
                      <TableCell>
                        <SweepProgress sweep={sweep} />
                      </TableCell>
                      <TableCell align="right">{plainRatio(sweep.best?.score)}</TableCell>
                      <TableCell sx={{ whiteSpace: "nowrap" }}>{formatTime(sweep.created_at)}</TableCell>
                      <TableCell align="right">
                        <Tooltip title={active ? "Cancel" : "Delete"}>
                          <IconButton
                            aria-label={`${active ? "Cancel" : "Delete"} sweep ${sweep.name}`}
                            disabled={cancel.isPending}
                            onClick={() => { cancel.mutate(sweep.id); }}
                          >
                            {active ? <CancelIcon /> : <DeleteIcon />}
                          </IconButton>
                        </Tooltip>
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </TableContainer>
        )}
      </QueryContent>
    </Stack>
  );
}
