/**
 * Every session of the key (`GET /v1/sessions`: backtests and paper sessions
 * alike), filtered and sorted from the query string, each row with its
 * lifecycle controls; paper sessions can be paused or resumed all at once.
 */
import AddIcon from "@mui/icons-material/Add";
import { Box, Button, Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import { ErrorAlert } from "../../components/ErrorAlert";
import { LastUpdated } from "../../components/LastUpdated";
import { QueryContent } from "../../components/QueryContent";
import { PaperBulkControls } from "./PaperBulkControls";
import { readView, type SortKey, strategyName, type View, visibleRows, writeView } from "./rows";
import { SessionsFilters } from "./SessionsFilters";
import { SessionsTable } from "./SessionsTable";

export default function SessionsPage() {
  const [params, setParams] = useSearchParams();
  const view = readView(params);
  const query = useQuery({
    queryKey: keys.sessions,
    queryFn: () => call(api.GET("/v1/sessions")),
  });
  const sessions = query.data;

  const setView = (change: Partial<View>) => {
    // Typing in the search replaces the history entry instead of adding one per key.
    setParams(writeView({ ...view, ...change }), { replace: true });
  };
  const onSort = (key: SortKey) => {
    const dir = view.sort === key && view.dir === "asc" ? "desc" : "asc";
    setView({ sort: key, dir });
  };

  // Sorting by uptime measures it when the list arrived; the column itself ticks.
  const { type, state, strategy, q, sort, dir } = view;
  const at = query.dataUpdatedAt;
  const rows = useMemo(
    () => (sessions === undefined ? [] : visibleRows(sessions, { type, state, strategy, q, sort, dir }, at)),
    [sessions, type, state, strategy, q, sort, dir, at],
  );
  const strategies = useMemo(
    () => [...new Set((sessions ?? []).map(strategyName).filter((name) => name !== ""))],
    [sessions],
  );

  return (
    <Stack spacing={2}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 2, flexWrap: "wrap" }}>
        <Typography variant="h4" component="h1" sx={{ flexGrow: 1 }}>
          Sessions
        </Typography>
        {sessions !== undefined && sessions.length > 0 && <PaperBulkControls sessions={sessions} />}
        <Button component={RouterLink} to="/sessions/new" variant="contained" startIcon={<AddIcon />}>
          New session
        </Button>
      </Box>
      <QueryContent
        query={query}
        loading="Loading sessions…"
        isEmpty={(data) => data.length === 0}
        empty={
          <>
            <Typography variant="h6" component="p" gutterBottom>
              No sessions yet
            </Typography>
            <Typography color="text.secondary" sx={{ mb: 2 }}>
              A session is a backtest or a paper-trading run. Create one to see it here.
            </Typography>
            <Button component={RouterLink} to="/sessions/new" variant="contained" startIcon={<AddIcon />}>
              Create a session
            </Button>
          </>
        }
      >
        {(data) => (
          <>
            {/* A refresh that failed: the list shown is the last one the server sent. */}
            {query.isError && <ErrorAlert error={query.error} title="Could not refresh the sessions" />}
            <SessionsFilters view={view} strategies={strategies} onChange={setView} />
            <Box sx={{ display: "flex", gap: 2, alignItems: "baseline" }}>
              <Typography variant="body2" role="status">
                {rows.length === data.length
                  ? `${rows.length.toLocaleString()} ${rows.length === 1 ? "session" : "sessions"}`
                  : `${rows.length.toLocaleString()} of ${data.length.toLocaleString()} ${data.length === 1 ? "session" : "sessions"}`}
              </Typography>
              <LastUpdated at={query.dataUpdatedAt} />
            </Box>
            {rows.length === 0 ? (
              <Typography color="text.secondary">
                No session matches these filters.{" "}
                <Button
                  size="small"
                  onClick={() => {
                    setParams(writeView({ ...view, type: "", state: "", strategy: "", q: "" }), { replace: true });
                  }}
                >
                  Clear filters
                </Button>
              </Typography>
            ) : (
              <SessionsTable rows={rows} sort={view.sort} dir={view.dir} onSort={onSort} />
            )}
          </>
        )}
      </QueryContent>
    </Stack>
  );
}
