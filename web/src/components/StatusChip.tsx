import CheckCircleIcon from "@mui/icons-material/CheckCircle";
import DoneAllIcon from "@mui/icons-material/DoneAll";
import ErrorIcon from "@mui/icons-material/Error";
import HourglassEmptyIcon from "@mui/icons-material/HourglassEmpty";
import PauseCircleIcon from "@mui/icons-material/PauseCircle";
import PlayCircleIcon from "@mui/icons-material/PlayCircle";
import StopCircleIcon from "@mui/icons-material/StopCircle";
import { Chip, type ChipProps } from "@mui/material";
import type { ReactElement } from "react";

type Tone = ChipProps["color"];

const LOOK: Record<string, { color: Tone; icon: ReactElement }> = {
  running: { color: "success", icon: <PlayCircleIcon /> },
  active: { color: "success", icon: <PlayCircleIcon /> },
  healthy: { color: "success", icon: <CheckCircleIcon /> },
  ok: { color: "success", icon: <CheckCircleIcon /> },
  paused: { color: "warning", icon: <PauseCircleIcon /> },
  degraded: { color: "warning", icon: <PauseCircleIcon /> },
  created: { color: "info", icon: <HourglassEmptyIcon /> },
  starting: { color: "info", icon: <HourglassEmptyIcon /> },
  idle: { color: "default", icon: <HourglassEmptyIcon /> },
  completed: { color: "default", icon: <DoneAllIcon /> },
  stopped: { color: "default", icon: <StopCircleIcon /> },
  killed: { color: "error", icon: <ErrorIcon /> },
  error: { color: "error", icon: <ErrorIcon /> },
  failed: { color: "error", icon: <ErrorIcon /> },
  unhealthy: { color: "error", icon: <ErrorIcon /> },
};

/** A state as operators read it: colour, icon and label together (never colour alone). */
export function StatusChip({ status, size = "small" }: { status: string; size?: ChipProps["size"] }) {
  const look = LOOK[status.toLowerCase()] ?? { color: "default" as Tone, icon: <HourglassEmptyIcon /> };
  return <Chip size={size} color={look.color} icon={look.icon} label={status} variant="outlined" />;
}
