/**
 * A backtest's clock: advance by minutes (1m / 1h / 1d or any number), advance
 * to a time, play and pause, and the playback speed.
 */
import PauseIcon from "@mui/icons-material/Pause";
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import {
  Button,
  ButtonGroup,
  Card,
  CardContent,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Stack,
  TextField,
  Tooltip,
  Typography,
} from "@mui/material";
import { type SyntheticEvent, type ReactNode, useState } from "react";

import { api, call } from "../../api/client";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useSessionMutation } from "./queries";
import type { SessionView } from "./types";

const STEPS = [
  { label: "+1m", minutes: 1, name: "Advance 1 minute" },
  { label: "+1h", minutes: 60, name: "Advance 1 hour" },
  { label: "+1d", minutes: 1440, name: "Advance 1 day" },
];
const SPEEDS = [1, 10, 100, 1000];

/** The offered speeds, and the session's own if it was set to another. */
function speedsWith(current: number): number[] {
  return [...new Set([...SPEEDS, current])].sort((a, b) => a - b);
}

export type AdvanceBody = { duration: number } | { targetTime: string };

/** Why the clock cannot be moved by hand, or `null` when it can. */
export function clockLocked(session: SessionView): string | null {
  if (session.type !== "backtest") {
    return "A paper session follows the market's clock.";
  }
  if (session.status === "completed" || ["completed", "stopped", "killed", "error"].includes(session.state)) {
    return `The session is ${session.state}: its clock no longer moves.`;
  }
  return null;
}

/** A disabled control still says why on hover. */
function Why({ reason, children }: { reason: string | null; children: ReactNode }) {
  return reason === null ? (
    children
  ) : (
    <Tooltip title={reason}>
      <span>{children}</span>
    </Tooltip>
  );
}

export function ClockControls({ session }: { session: SessionView }) {
  const id = session.id;
  const [minutes, setMinutes] = useState("30");
  const [until, setUntil] = useState("");
  const advance = useSessionMutation(id, (body: AdvanceBody) =>
    call(api.POST("/v1/sessions/{sessionId}/time/advance", { params: { path: { sessionId: id } }, body })),
  );
  const playback = useSessionMutation(id, (playing: boolean) =>
    playing
      ? call(api.POST("/v1/sessions/{sessionId}/time/play", { params: { path: { sessionId: id } } }))
      : call(api.POST("/v1/sessions/{sessionId}/time/pause", { params: { path: { sessionId: id } } })),
  );
  const speed = useSessionMutation(id, (value: number) =>
    call(api.PUT("/v1/sessions/{sessionId}/time/speed", { params: { path: { sessionId: id } }, body: { speed: value } })),
  );
  const locked = clockLocked(session);
  const busy = advance.isPending;
  const playing = session.playback_state === "playing";
  const error = advance.error ?? playback.error ?? speed.error;

  const byMinutes = (event: SyntheticEvent) => {
    event.preventDefault();
    const value = Number(minutes);
    if (Number.isFinite(value) && value > 0) {
      advance.mutate({ duration: value });
    }
  };
  const toTime = (event: SyntheticEvent) => {
    event.preventDefault();
    if (until !== "") {
      // The field is read as UTC, like the session clock shown above.
      advance.mutate({ targetTime: `${until.length === 16 ? `${until}:00` : until}Z` });
    }
  };

  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="h6" component="h2" gutterBottom>
          Clock
        </Typography>
        {locked !== null && (
          <Typography color="text.secondary" sx={{ mb: 1 }}>
            {locked}
          </Typography>
        )}
        <Stack direction="row" sx={{ gap: 2, flexWrap: "wrap", alignItems: "center" }}>
          <Why reason={locked}>
            <ButtonGroup variant="outlined" aria-label="Advance the clock" disabled={locked !== null || busy}>
              {STEPS.map((step) => (
                <Button
                  key={step.label}
                  aria-label={step.name}
                  onClick={() => {
                    advance.mutate({ duration: step.minutes });
                  }}
                >
                  {step.label}
                </Button>
              ))}
            </ButtonGroup>
          </Why>
          <Stack component="form" direction="row" onSubmit={byMinutes} sx={{ gap: 1, alignItems: "center" }}>
            <TextField
              label="Minutes"
              type="number"
              size="small"
              value={minutes}
              onChange={(event) => {
                setMinutes(event.target.value);
              }}
              slotProps={{ htmlInput: { min: 0.001, step: "any" } }}
              sx={{ width: 110 }}
            />
            <Why reason={locked}>
              <Button type="submit" variant="outlined" disabled={locked !== null || busy || !(Number(minutes) > 0)}>
                Advance
              </Button>
            </Why>
          </Stack>
          <Stack component="form" direction="row" onSubmit={toTime} sx={{ gap: 1, alignItems: "center" }}>
            <TextField
              label="Advance to (UTC)"
              type="datetime-local"
              size="small"
              value={until}
              onChange={(event) => {
                setUntil(event.target.value);
              }}
              slotProps={{ inputLabel: { shrink: true } }}
            />
            <Why reason={locked}>
              <Button type="submit" variant="outlined" disabled={locked !== null || busy || until === ""}>
                Go
              </Button>
            </Why>
          </Stack>
          <Why reason={locked}>
            <Button
              variant="contained"
              color={playing ? "warning" : "success"}
              startIcon={playing ? <PauseIcon /> : <PlayArrowIcon />}
              disabled={locked !== null || playback.isPending}
              onClick={() => {
                playback.mutate(!playing);
              }}
            >
              {playing ? "Pause" : "Play"}
            </Button>
          </Why>
          <FormControl size="small" sx={{ minWidth: 110 }} disabled={locked !== null}>
            <InputLabel id="speed-label">Speed</InputLabel>
            <Select
              labelId="speed-label"
              label="Speed"
              value={session.playback_speed}
              onChange={(event) => {
                speed.mutate(event.target.value);
              }}
            >
              {speedsWith(session.playback_speed).map((value) => (
                <MenuItem key={value} value={value}>
                  ×{value}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
        </Stack>
        {error !== null && (
          <ErrorAlert error={error} title="The clock did not move" />
        )}
      </CardContent>
    </Card>
  );
}
