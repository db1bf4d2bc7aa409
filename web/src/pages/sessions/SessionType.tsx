import BoltIcon from "@mui/icons-material/Bolt";
import HistoryIcon from "@mui/icons-material/History";
import SensorsIcon from "@mui/icons-material/Sensors";
import { Box } from "@mui/material";
import type { ReactElement } from "react";

const TYPES: Record<string, { label: string; icon: ReactElement }> = {
  backtest: { label: "Backtest", icon: <HistoryIcon fontSize="small" /> },
  paper: { label: "Paper", icon: <SensorsIcon fontSize="small" /> },
  live: { label: "Live", icon: <BoltIcon fontSize="small" /> },
};

/** A session's type as an icon and its name. */
export function SessionType({ type }: { type: string }) {
  const look = TYPES[type] ?? { label: type, icon: <HistoryIcon fontSize="small" /> };
  return (
    <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 0.75, verticalAlign: "middle" }}>
      <Box component="span" aria-hidden sx={{ display: "inline-flex", color: "text.secondary" }}>
        {look.icon}
      </Box>
      {look.label}
    </Box>
  );
}

export const TYPE_LABELS: Record<string, string> = Object.fromEntries(
  Object.entries(TYPES).map(([type, { label }]) => [type, label]),
);

/** The session types as a filter's choices. */
export const TYPE_OPTIONS = Object.entries(TYPE_LABELS).map(([value, label]) => ({ value, label }));
