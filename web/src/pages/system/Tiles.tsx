/** The counts that matter at a glance, each saying when it was read. */
import InfoOutlinedIcon from "@mui/icons-material/InfoOutlined";
import { Box, IconButton, Paper, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { useState } from "react";

import { LastUpdated } from "../../components/LastUpdated";
import { StatusChip } from "../../components/StatusChip";
import { HealthRuleDialog } from "./HealthRuleDialog";
import type { Health, Status } from "./queries";
import type { SystemSummary } from "./systemState";

const count = (value: number) => value.toLocaleString("en-US");

function Tile({
  title,
  value,
  detail,
  updatedAt,
  action,
}: {
  title: string;
  value: ReactNode;
  detail: ReactNode;
  updatedAt: number;
  action?: ReactNode;
}) {
  return (
    <Paper variant="outlined" component="section" aria-label={title} sx={{ p: 2, display: "flex", flexDirection: "column", gap: 0.5 }}>
      <Box sx={{ display: "flex", alignItems: "center", minHeight: 28 }}>
        <Typography variant="subtitle2" component="h2" color="text.secondary" sx={{ flex: 1 }}>
          {title}
        </Typography>
        {action}
      </Box>
      <Typography variant="h4" component="p" sx={{ fontVariantNumeric: "tabular-nums" }}>
        {value}
      </Typography>
      <Typography variant="body2" color="text.secondary" component="div">
        {detail}
      </Typography>
      <LastUpdated at={updatedAt} />
    </Paper>
  );
}

export function Tiles({
  status,
  statusAt,
  summary,
  health,
  healthAt,
}: {
  status: Status;
  statusAt: number;
  summary: SystemSummary;
  health: Health | undefined;
  healthAt: number;
}) {
  const [rule, setRule] = useState(false);
  return (
    <Box
      sx={{
        display: "grid",
        gridTemplateColumns: "repeat(auto-fit, minmax(190px, 1fr))",
        gap: 2,
        mb: 3,
      }}
    >
      <Tile
        title="Active agents"
        value={count(summary.runningAgents)}
        detail={`of ${status.agents.total} agents; ${status.agents.by_status.error ?? 0} in error`}
        updatedAt={statusAt}
      />
      <Tile
        title="Active sessions"
        value={count(summary.runningSessions)}
        detail={`running, of ${status.sessions.total} sessions; ${summary.pausedSessions} paused`}
        updatedAt={statusAt}
      />
      <Tile
        title="Fills since midnight UTC"
        value={count(status.fills_today)}
        detail="by the wall clock, whatever the sessions' own time"
        updatedAt={statusAt}
      />
      <Tile
        title="Open orders"
        value={count(status.open_orders)}
        detail="working orders across the sessions"
        updatedAt={statusAt}
      />
      <Tile
        title="Health"
        value={health === undefined ? "…" : `${health.health}%`}
        detail={
          health === undefined ? (
            "measuring…"
          ) : (
            <Box sx={{ display: "flex", alignItems: "center", gap: 1 }}>
              <StatusChip status={health.status} /> 100% is perfect health
            </Box>
          )
        }
        updatedAt={healthAt}
        action={
          <IconButton
            size="small"
            aria-label="How the health % is computed"
            disabled={health === undefined}
            onClick={() => {
              setRule(true);
            }}
          >
            <InfoOutlinedIcon fontSize="small" />
          </IconButton>
        }
      />
      {health !== undefined && (
        <HealthRuleDialog
          open={rule}
          health={health}
          onClose={() => {
            setRule(false);
          }}
        />
      )}
    </Box>
  );
}
