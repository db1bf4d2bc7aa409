import { Box, Button, MenuItem, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from "@mui/material";
import { useState } from "react";

import { ErrorAlert } from "../../components/ErrorAlert";
import { formatTime } from "../../format/time";
import { SessionLink } from "../activity/SessionLink";
import { useRiskAudit } from "./api";
import { OkChip } from "./OkChip";
import type { RiskOverviewRow } from "./types";

function describeParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([key, value]) => `${key} ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

/** Every risk command of the key's sessions, newest first, a page at a time. */
export function AuditTable({ sessions }: { sessions: RiskOverviewRow[] }) {
  const [sessionId, setSessionId] = useState<string | null>(null);
  const audit = useRiskAudit(sessionId);
  const names = new Map(sessions.map((row) => [row.session_id, row.name]));
  const entries = audit.data?.pages.flatMap((page) => page.entries) ?? [];
  return (
    <Box>
      <TextField
        select
        size="small"
        label="Session"
        value={sessionId ?? ""}
        onChange={(event) => {
          setSessionId(event.target.value === "" ? null : event.target.value);
        }}
        slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true } }}
        sx={{ minWidth: 260, mb: 2 }}
      >
        <MenuItem value="">Every session</MenuItem>
        {sessions.map((row) => (
          <MenuItem key={row.session_id} value={row.session_id}>
            {row.name}
          </MenuItem>
        ))}
      </TextField>
      {audit.isError && <ErrorAlert error={audit.error} onRetry={() => void audit.refetch()} />}
      {audit.isPending && <Typography color="text.secondary">Reading the audit…</Typography>}
      {audit.isSuccess && entries.length === 0 && (
        <Typography color="text.secondary">No risk command yet: changes, overrides, resets and emergency actions show here.</Typography>
      )}
      {entries.length > 0 && (
        <Box sx={{ overflowX: "auto" }}>
          <Table size="small" aria-label="Risk audit">
            <TableHead>
              <TableRow>
                <TableCell>When (UTC)</TableCell>
                <TableCell>Who</TableCell>
                <TableCell>Session</TableCell>
                <TableCell>Action</TableCell>
                <TableCell>Parameters</TableCell>
                <TableCell>Reason</TableCell>
                <TableCell>Outcome</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {entries.map((entry) => (
                <TableRow key={entry.id}>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>{formatTime(entry.at)}</TableCell>
                  <TableCell title={entry.by}>{entry.by_name || entry.by}</TableCell>
                  <TableCell>
                    <SessionLink sessionId={entry.session_id} name={entry.session_id === null ? undefined : names.get(entry.session_id)} />
                  </TableCell>
                  <TableCell>{entry.action}</TableCell>
                  <TableCell sx={{ maxWidth: 320, overflowWrap: "anywhere" }}>{describeParams(entry.params)}</TableCell>
                  <TableCell>{entry.reason}</TableCell>
                  <TableCell>
                    <OkChip ok={entry.outcome === "ok"} label={entry.outcome} />{" "}
                    {entry.message}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
      {audit.hasNextPage && (
        <Button sx={{ mt: 1 }} disabled={audit.isFetchingNextPage} onClick={() => void audit.fetchNextPage()}>
          {audit.isFetchingNextPage ? "Loading…" : "Load earlier"}
        </Button>
      )}
    </Box>
  );
}
