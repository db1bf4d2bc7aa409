import { Alert, Box, Chip, Paper, Stack, Typography } from "@mui/material";

import { StatusChip } from "../../components/StatusChip";
import { formatAge } from "../../format/time";
import { type Agent } from "./api";
import { AgentControls } from "./AgentControls";
import { metricLabel, type Score, WARNING_METRICS } from "./metrics";

export interface AgentCardProps {
  agent: Agent;
  /** The time ages are told from (ms): the wall clock of a paper session, a backtest's own clock. */
  now: number;
  /** A sentiment agent's latest score: none yet (null), or still being read. */
  score?: Score | null | "loading";
  onLogs: (agent: Agent) => void;
  /** Why its controls are off (a completed session), if they are. */
  locked?: string | undefined;
}

/** One agent: what it is, its state, what it covers and counted, and its controls. */
export function AgentCard({ agent, now, score, onLogs, locked }: AgentCardProps) {
  const metrics = Object.entries(agent.metrics);
  return (
    <Paper
      component="section"
      aria-label={`Agent ${agent.name}`}
      variant="outlined"
      sx={{ p: 1.5, width: 290, borderWidth: 2, borderColor: borderFor(agent.status) }}
    >
      <Box sx={{ display: "flex", alignItems: "center", gap: 1, justifyContent: "space-between" }}>
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="subtitle1" component="h2" noWrap sx={{ fontWeight: 600 }}>
            {agent.name}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            {agent.type} agent
          </Typography>
        </Box>
        <StatusChip status={agent.status} />
      </Box>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
        last active{" "}
        <span title={agent.last_active ?? undefined}>{formatAge(agent.last_active, Math.max(now, 0))}</span>
      </Typography>
      <Typography variant="body2" sx={{ mt: 0.5 }}>
        Symbols: {agent.symbols.length === 0 ? "every symbol" : agent.symbols.join(", ")}
      </Typography>
      {score !== undefined && (
        <Typography variant="body2" sx={{ mt: 0.5 }} title={typeof score === "object" ? score?.headline : undefined}>
          Latest score:{" "}
          {score === null ? (
            "none yet"
          ) : score === "loading" ? (
            "…"
          ) : (
            <Box
              component="span"
              sx={{ fontFamily: "monospace", color: score.score.startsWith("-") ? "error.main" : "success.main" }}
            >
              {score.score} {score.symbols}
            </Box>
          )}
        </Typography>
      )}
      {metrics.length > 0 && (
        <Box component="dl" sx={{ display: "grid", gridTemplateColumns: "1fr auto", columnGap: 1, my: 1 }}>
          {metrics.map(([name, value]) => (
            <Stack key={name} direction="row" sx={{ display: "contents" }}>
              <Typography component="dt" variant="body2" color="text.secondary">
                {metricLabel(name)}
              </Typography>
              <Typography
                component="dd"
                variant="body2"
                sx={{
                  m: 0,
                  textAlign: "right",
                  fontVariantNumeric: "tabular-nums",
                  color: value > 0 && WARNING_METRICS.has(name) ? "warning.main" : undefined,
                }}
              >
                {value.toLocaleString("en-US")}
              </Typography>
            </Stack>
          ))}
        </Box>
      )}
      {agent.error !== null && agent.error !== "" && (
        <Alert severity="error" sx={{ py: 0, my: 1, wordBreak: "break-word" }}>
          {agent.error}
        </Alert>
      )}
      {Object.keys(agent.config).length > 0 && (
        <Box sx={{ display: "flex", flexWrap: "wrap", gap: 0.5, mb: 0.5 }}>
          {Object.entries(agent.config)
            .filter(([, value]) => value !== null && typeof value !== "object")
            .map(([name, value]) => (
              <Chip key={name} size="small" variant="outlined" label={`${name}: ${String(value)}`} />
            ))}
        </Box>
      )}
      <AgentControls agent={agent} onLogs={onLogs} locked={locked} />
    </Paper>
  );
}

function borderFor(status: string): string {
  switch (status) {
    case "running":
      return "success.main";
    case "error":
      return "error.main";
    case "starting":
    case "stopping":
      return "info.main";
    default:
      return "divider";
  }
}
