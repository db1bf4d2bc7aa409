/**
 * Alerts and warnings: what is wrong now (sessions and agents in error,
 * stale feeds, an unreachable database) and the latest warning and error
 * events, the journal's first and the live ones on top.
 */
import {
  Box,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import { ErrorAlert } from "../../components/ErrorAlert";
import { formatTime } from "../../format/time";
import { useLive } from "../../live/LiveContext";
import { combine, type FeedFilter, fromActivity, itemKey } from "../activity/feed";
import { SessionLink, useSessionNames } from "../activity/SessionLink";
import { SeverityLabel } from "../activity/SeverityLabel";
import { useLiveSince } from "../activity/useLiveSince";
import type { Health, Status } from "./queries";

const LATEST = 20;
const WARNINGS: FeedFilter = { severity: "warning", session: null, types: [] };

interface Problem {
  key: string;
  sessionId: string | null;
  what: string;
  message: string;
}

export function problemsOf(status: Status, health: Health | undefined): Problem[] {
  const problems: Problem[] = [
    ...status.errors.sessions.map((fault) => ({
      key: `session-${fault.session_id}`,
      sessionId: fault.session_id,
      what: `${fault.type} session ${fault.state === "error" ? "in error" : "unavailable"}`,
      message: `${fault.name}: ${fault.reason || "no reason recorded"}`,
    })),
    ...status.errors.agents.map((fault) => ({
      key: `agent-${fault.agent_id}`,
      sessionId: fault.session_id,
      what: "agent in error",
      message: `${fault.name}: ${fault.error || "no error recorded"}`,
    })),
  ];
  if (health !== undefined) {
    for (const feed of health.feeds.filter((feed) => feed.stale || !feed.connected)) {
      problems.push({
        key: `feed-${feed.session_id}`,
        sessionId: feed.session_id,
        what: feed.connected ? "feed stale" : "feed disconnected",
        message: `${feed.name}: ${feed.type} feed, no data for ${Math.round(feed.stale_seconds)} s${feed.last_error === null ? "" : ` (${feed.last_error})`}`,
      });
    }
    if (!health.database.reachable) {
      problems.push({
        key: "database",
        sessionId: null,
        what: "database unreachable",
        message: health.database.error ?? "the database does not answer",
      });
    }
  }
  return problems;
}

export function Alerts({ status, health }: { status: Status; health: Health | undefined }) {
  const { events } = useLive();
  const latest = useQuery({
    queryKey: keys.activity("alerts", LATEST),
    queryFn: async () => {
      const liveBefore = new Set(events.snapshot().map(itemKey));
      const items = await call(api.GET("/api/activity", { params: { query: { severity: "warning", limit: LATEST } } }));
      return { items: items.map(fromActivity), liveBefore };
    },
  });
  const data = latest.data;
  const live = useLiveSince(data?.liveBefore, WARNINGS);
  const items = useMemo(() => combine(live.slice(0, LATEST), data?.items ?? []).slice(0, LATEST), [live, data]);
  const problems = problemsOf(status, health);
  const names = useSessionNames();
  const nameOf = (id: string | null) => (id === null ? undefined : names.get(id));

  return (
    <Paper variant="outlined" component="section" aria-labelledby="alerts-title" sx={{ p: 2 }}>
      <Typography id="alerts-title" variant="h6" component="h2" gutterBottom>
        Alerts and warnings
      </Typography>
      {latest.isError && <ErrorAlert error={latest.error} title="Recent warnings could not be read" />}
      {problems.length === 0 && items.length === 0 ? (
        <Typography color="text.secondary" role="status">
          {latest.isPending ? "Reading recent warnings…" : "No problems now and no recent warnings or errors."}
        </Typography>
      ) : (
        <Box sx={{ overflowX: "auto" }}>
          <Table size="small" aria-label="Alerts and warnings">
            <TableHead>
              <TableRow>
                <TableCell>Severity</TableCell>
                <TableCell>Time</TableCell>
                <TableCell>Session</TableCell>
                <TableCell>Kind</TableCell>
                <TableCell>Message</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {problems.map((problem) => (
                <TableRow key={problem.key}>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    <SeverityLabel severity="error" />
                  </TableCell>
                  <TableCell>now</TableCell>
                  <TableCell>
                    <SessionLink sessionId={problem.sessionId} name={nameOf(problem.sessionId)} />
                  </TableCell>
                  <TableCell>{problem.what}</TableCell>
                  <TableCell>{problem.message}</TableCell>
                </TableRow>
              ))}
              {items.map((item) => (
                <TableRow key={itemKey(item)}>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    <SeverityLabel severity={item.severity} />
                  </TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    <Tooltip title={item.recordedAt === null ? "recorded: just now (live)" : `recorded ${formatTime(item.recordedAt)}`}>
                      <span>{formatTime(item.time)}</span>
                    </Tooltip>
                  </TableCell>
                  <TableCell>
                    <SessionLink sessionId={item.sessionId} name={nameOf(item.sessionId)} />
                  </TableCell>
                  <TableCell sx={{ fontFamily: "monospace" }}>{item.type}</TableCell>
                  <TableCell>{item.message}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      )}
    </Paper>
  );
}
