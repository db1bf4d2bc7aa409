import AccountTreeIcon from "@mui/icons-material/AccountTree";
import { Box, Button, Stack, Typography } from "@mui/material";
import type { ReactNode } from "react";
import { Link as RouterLink } from "react-router";

import { BrokerMarker } from "../../components/BrokerMarker";
import { LastUpdated } from "../../components/LastUpdated";
import { StatusChip } from "../../components/StatusChip";
import { formatTime } from "../../format/time";
import type { SessionView } from "./types";

/**
 * The session's name, type, state (and why), its clock, a link to its agent
 * flow, and `actions`: the lifecycle controls (pause, resume, stop, …) go there.
 */
export function SessionHeader({
  session,
  updatedAt,
  actions,
}: {
  session: SessionView;
  updatedAt: number;
  actions?: ReactNode;
}) {
  return (
    <Box component="header">
      <Stack direction="row" sx={{ alignItems: "center", gap: 2, flexWrap: "wrap" }}>
        <Typography variant="h4" component="h1" sx={{ wordBreak: "break-word" }}>
          {session.name}
        </Typography>
        <Typography variant="overline" color="text.secondary" aria-label="Session type">
          {session.type}
        </Typography>
        <BrokerMarker session={session} size="medium" />
        <StatusChip status={session.state} size="medium" />
        <Box sx={{ flexGrow: 1 }} />
        {actions}
        <Button component={RouterLink} to={`/sessions/${session.id}/agents`} startIcon={<AccountTreeIcon />}>
          Agent flow
        </Button>
      </Stack>
      {session.state_reason !== null && session.state_reason !== undefined && session.state_reason !== "" && (
        <Typography color="text.secondary" sx={{ mt: 0.5 }}>
          {session.state_reason}
        </Typography>
      )}
      <Stack direction="row" sx={{ gap: 3, mt: 1, flexWrap: "wrap", alignItems: "baseline" }}>
        <Typography>
          Session clock:{" "}
          <Box component="time" dateTime={session.current_time} sx={{ fontWeight: 600, fontVariantNumeric: "tabular-nums" }}>
            {formatTime(session.current_time)}
          </Box>
        </Typography>
        <Typography color="text.secondary">
          {formatTime(session.simulation_start)} → {formatTime(session.simulation_end)}
        </Typography>
        {session.type === "backtest" && (
          <Typography color="text.secondary">
            Playback: {session.playback_state} at ×{session.playback_speed}
          </Typography>
        )}
        <LastUpdated at={updatedAt} />
      </Stack>
    </Box>
  );
}
