import { Box, Button, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { useState } from "react";

import { Money } from "../../components/Money";
import { StatusChip } from "../../components/StatusChip";
import { SessionLink } from "../activity/SessionLink";
import { useResetBreaker } from "./api";
import { OkChip } from "./OkChip";
import { ResetBreakerDialog } from "./ResetBreakerDialog";
import type { RiskOverviewRow } from "./types";
import { UsageBar } from "./UsageBar";

/** Every session's risk at a glance; a tripped breaker is reset here with a reason. */
export function OverviewTable({ rows }: { rows: RiskOverviewRow[] }) {
  const reset = useResetBreaker();
  const [asking, setAsking] = useState<{ row: RiskOverviewRow; breaker: string } | null>(null);
  if (rows.length === 0) {
    return <Typography color="text.secondary">No session yet.</Typography>;
  }
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" aria-label="Risk by session">
        <TableHead>
          <TableRow>
            <TableCell>Session</TableCell>
            <TableCell>Type</TableCell>
            <TableCell>State</TableCell>
            <TableCell>Entries</TableCell>
            <TableCell>Tripped breakers</TableCell>
            <TableCell align="right">Equity</TableCell>
            <TableCell align="right">Gross</TableCell>
            <TableCell align="right">Net</TableCell>
            <TableCell sx={{ minWidth: 180 }}>Most used limit</TableCell>
            <TableCell align="right">Denials today</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.session_id}>
              <TableCell component="th" scope="row">
                <SessionLink sessionId={row.session_id} name={row.name} />
              </TableCell>
              <TableCell>{row.type}</TableCell>
              <TableCell>
                <StatusChip status={row.state} />
              </TableCell>
              <TableCell>
                <OkChip ok={!row.halted} label={row.halted ? "halted" : "taken"} />
              </TableCell>
              <TableCell>
                <Stack direction="row" sx={{ gap: 1, flexWrap: "wrap" }}>
                  {row.tripped.length === 0 && "none"}
                  {row.tripped.map((breaker) => (
                    <Button
                      key={breaker}
                      size="small"
                      color="warning"
                      variant="outlined"
                      aria-label={`Reset ${breaker} of ${row.name}`}
                      sx={{ textTransform: "none" }}
                      disabled={reset.isPending}
                      onClick={() => {
                        setAsking({ row, breaker });
                      }}
                    >
                      Reset {breaker}
                    </Button>
                  ))}
                </Stack>
              </TableCell>
              <TableCell align="right">
                <Money value={row.equity} />
              </TableCell>
              <TableCell align="right">
                <Money value={row.gross} />
              </TableCell>
              <TableCell align="right">
                <Money value={row.net} />
              </TableCell>
              <TableCell>
                <UsageBar ratio={row.max_usage_ratio} label={`Most used limit of ${row.name}`} />
              </TableCell>
              <TableCell align="right">{row.denials_today}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <ResetBreakerDialog
        reset={reset}
        sessionId={asking?.row.session_id ?? ""}
        name={asking?.row.name ?? ""}
        breaker={asking?.breaker ?? null}
        onClose={() => {
          setAsking(null);
        }}
      />
    </Box>
  );
}
