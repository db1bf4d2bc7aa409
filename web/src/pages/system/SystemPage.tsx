/**
 * System control: the state of every session and agent the key steers, the
 * master stop and start, health, and what needs attention.
 */
import { Box, Typography } from "@mui/material";

import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import { formatDuration, formatTime } from "../../format/time";
import { Alerts } from "./Alerts";
import { ControlBar } from "./ControlBar";
import { useSystemHealth, useSystemStatus } from "./queries";
import { summarize } from "./systemState";
import { Tiles } from "./Tiles";

export default function SystemPage() {
  const status = useSystemStatus();
  const health = useSystemHealth();

  if (status.isPending) {
    return (
      <Box>
        <Typography variant="h4" component="h1" gutterBottom>
          System control
        </Typography>
        <PageLoading label="Reading the system's status…" />
      </Box>
    );
  }
  if (status.isError) {
    return (
      <Box>
        <Typography variant="h4" component="h1" gutterBottom>
          System control
        </Typography>
        <ErrorAlert error={status.error} onRetry={() => void status.refetch()} />
      </Box>
    );
  }
  const data = status.data;
  const summary = summarize(data);
  return (
    <Box>
      <ControlBar summary={summary} />
      {data.sessions.total === 0 && (
        <Typography role="status" color="text.secondary" sx={{ mb: 2 }}>
          No sessions yet: create one from Sessions, and its agents and trades show here.
        </Typography>
      )}
      <Tiles
        status={data}
        statusAt={status.dataUpdatedAt}
        summary={summary}
        health={health.data}
        healthAt={health.dataUpdatedAt}
      />
      {health.isError && (
        <Box sx={{ mb: 2 }}>
          <ErrorAlert error={health.error} title="Health could not be measured" />
        </Box>
      )}
      <Alerts status={data} health={health.data} />
      <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 2 }}>
        paperbroker {data.version} · up {formatDuration(data.uptime_seconds)} since {formatTime(data.started_at)} ·{" "}
        {data.owners} key{data.owners === 1 ? "" : "s"} owning the sessions counted
      </Typography>
    </Box>
  );
}
