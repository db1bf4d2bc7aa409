/**
 * A session's checkpoints (any type of session): how many, the newest (its
 * time and journal seq), their total size, how the last restore in this
 * server went, and the newest few. "Checkpoint now" writes one; "Clean up"
 * deletes all but the newest `keep` (asked for, confirmed).
 */
import CleaningServicesIcon from "@mui/icons-material/CleaningServices";
import SaveIcon from "@mui/icons-material/Save";
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from "@mui/material";
import { useId, useState } from "react";

import { ErrorAlert } from "../../components/ErrorAlert";
import { formatDecimal } from "../../format/numbers";
import { formatTime } from "../../format/time";
import { Section } from "../session/Section";
import { useCheckpointNow, useCheckpoints, useCleanupCheckpoints } from "./api";
import type { Checkpoints } from "./types";

/** A size in bytes as people read it: `812 B`, `14.2 KB`, `3.1 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} B`;
  if (bytes < 1024 * 1024) return `${formatDecimal(bytes / 1024, { places: 1 })} KB`;
  return `${formatDecimal(bytes / (1024 * 1024), { places: 1 })} MB`;
}

/** How many the newest shown are. */
const SHOWN = 5;

export function CheckpointsPanel({ sessionId, name }: { sessionId: string; name: string }) {
  const checkpoints = useCheckpoints(sessionId);
  const create = useCheckpointNow(sessionId);
  const cleanup = useCleanupCheckpoints(sessionId);
  const [cleaning, setCleaning] = useState(false);
  const count = checkpoints.data?.stats.count ?? 0;
  return (
    <Section
      title="Checkpoints"
      actions={
        <>
          <Button
            startIcon={<SaveIcon />}
            disabled={create.isPending}
            onClick={() => {
              cleanup.reset();
              create.mutate(undefined);
            }}
          >
            {create.isPending ? "Writing…" : "Checkpoint now"}
          </Button>
          <Tooltip
            title={count < 2 ? "Nothing to clean up: the newest checkpoint is always kept" : "Delete all but the newest"}
            describeChild
          >
            {/* A span, so the tooltip shows on a disabled button too. */}
            <span>
              <Button
                startIcon={<CleaningServicesIcon />}
                disabled={cleanup.isPending || count < 2}
                onClick={() => {
                  create.reset();
                  setCleaning(true);
                }}
              >
                Clean up
              </Button>
            </span>
          </Tooltip>
        </>
      }
    >
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        The session's whole state at a journal seq: a restart begins from the newest one that verifies and replays only the
        journal after it.
      </Typography>
      {create.isError && <ErrorAlert error={create.error} title="No checkpoint was written" />}
      {create.isSuccess && (
        <Alert severity="success" role="status" sx={{ mb: 1 }}>
          Checkpoint at seq {create.data.seq} ({formatBytes(create.data.size)}).
        </Alert>
      )}
      {cleanup.isError && <ErrorAlert error={cleanup.error} title="The checkpoints were not cleaned up" />}
      {cleanup.isSuccess && (
        <Alert severity="success" role="status" sx={{ mb: 1 }}>
          Deleted {cleanup.data.deleted} checkpoint(s).
        </Alert>
      )}
      {checkpoints.isPending && <Typography color="text.secondary">Loading checkpoints…</Typography>}
      {checkpoints.isError && <ErrorAlert error={checkpoints.error} onRetry={() => void checkpoints.refetch()} />}
      {checkpoints.data !== undefined && <Figures data={checkpoints.data} />}
      <CleanupDialog
        open={cleaning}
        name={name}
        count={count}
        onClose={() => {
          setCleaning(false);
        }}
        onConfirm={(keep) => {
          cleanup.mutate(keep);
        }}
      />
    </Section>
  );
}

function Figures({ data }: { data: Checkpoints }) {
  const { stats } = data;
  const restore = stats.last_restore;
  const facts: [string, string][] = [
    ["Checkpoints", String(stats.count)],
    ["Latest", stats.latest_at === null ? "none yet" : `${formatTime(stats.latest_at)} at seq ${String(stats.latest_seq)}`],
    ["Total size", formatBytes(stats.total_size)],
    [
      "Last restore",
      restore === null
        ? "none in this server run"
        : `${formatTime(restore.at)}: ${
            restore.checkpoint_seq === null ? "the whole journal" : `from seq ${String(restore.checkpoint_seq)}`
          }, ${String(restore.replayed)} events replayed in ${formatDecimal(restore.seconds, { places: 3 })} s${
            restore.skipped > 0 ? `, ${String(restore.skipped)} newer skipped` : ""
          }`,
    ],
  ];
  return (
    <>
      <Box
        component="dl"
        aria-label="Checkpoint figures"
        sx={{ display: "grid", gridTemplateColumns: "max-content 1fr", columnGap: 3, rowGap: 0.75, m: 0, mb: 1 }}
      >
        {facts.map(([term, value]) => (
          <Box key={term} sx={{ display: "contents" }}>
            <Typography component="dt" variant="body2" color="text.secondary">
              {term}
            </Typography>
            <Typography component="dd" variant="body2" sx={{ m: 0 }}>
              {value}
            </Typography>
          </Box>
        ))}
      </Box>
      {data.checkpoints.length > 0 && (
        <Table size="small" aria-label="Newest checkpoints">
          <TableHead>
            <TableRow>
              <TableCell>Written</TableCell>
              <TableCell align="right">Seq</TableCell>
              <TableCell>Reason</TableCell>
              <TableCell align="right">Size</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.checkpoints.slice(0, SHOWN).map((checkpoint) => (
              <TableRow key={checkpoint.id}>
                <TableCell>{formatTime(checkpoint.created_at)}</TableCell>
                <TableCell align="right">{checkpoint.seq}</TableCell>
                <TableCell>{checkpoint.reason}</TableCell>
                <TableCell align="right">{formatBytes(checkpoint.size)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}

function CleanupDialog({
  open,
  name,
  count,
  onClose,
  onConfirm,
}: {
  open: boolean;
  name: string;
  count: number;
  onClose: () => void;
  onConfirm: (keep: number) => void;
}) {
  const id = useId();
  const [keep, setKeep] = useState("10");
  const valid = /^\d+$/.test(keep.trim()) && Number(keep) >= 1 && Number(keep) <= 1_000_000;
  const deleting = valid ? Math.max(0, count - Number(keep)) : 0;
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`}>
      <DialogTitle id={`${id}-title`}>Clean up the checkpoints of '{name}'?</DialogTitle>
      <DialogContent>
        <DialogContentText id={`${id}-text`}>
          Keeps the newest ones and deletes the rest: {deleting} of {count} would be deleted. The newest is always kept.
        </DialogContentText>
        <TextField
          autoFocus
          margin="normal"
          label="Keep the newest"
          required
          value={keep}
          error={!valid}
          helperText={valid ? "How many checkpoints to keep" : "A whole number from 1 to 1000000"}
          slotProps={{ htmlInput: { inputMode: "numeric" } }}
          onChange={(event) => {
            setKeep(event.target.value);
          }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="error"
          variant="contained"
          disabled={!valid}
          onClick={() => {
            onConfirm(Number(keep.trim()));
            onClose();
          }}
        >
          {`Delete ${String(deleting)}`}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
