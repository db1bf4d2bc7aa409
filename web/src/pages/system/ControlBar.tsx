/**
 * The page's head: the system's state, the master stop/start, and pausing or
 * resuming every paper session; each action's outcome stays shown until
 * dismissed.
 */
import CircleIcon from "@mui/icons-material/Circle";
import PauseIcon from "@mui/icons-material/Pause";
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import PowerSettingsNewIcon from "@mui/icons-material/PowerSettingsNew";
import { Alert, Box, Button, Chip, Stack, Tooltip, Typography } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorAlert } from "../../components/ErrorAlert";
import { describeResults, plural, type SystemState, type SystemSummary } from "./systemState";

const LOOK: Record<SystemState, { color: "success" | "warning" | "default"; meaning: string }> = {
  RUNNING: { color: "success", meaning: "sessions or agents are running" },
  PAUSED: { color: "warning", meaning: "nothing runs; some sessions are paused" },
  STOPPED: { color: "default", meaning: "no session is running or paused, no agent runs" },
};

interface Outcome {
  severity: "success" | "warning";
  text: string;
  failures: string[];
}

function outcomeOf(parts: ReturnType<typeof describeResults>[]): Outcome {
  const failures = parts.flatMap((part) => part.failures);
  const done = parts.filter((part, index) => index === 0 || part.done > 0).map((part) => part.text);
  return {
    severity: failures.length > 0 ? "warning" : "success",
    text: done.join(", ") + (failures.length > 0 ? `; ${plural(failures.length, "failure")}` : ""),
    failures,
  };
}

export function ControlBar({ summary }: { summary: SystemSummary }) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: keys.system });
    void client.invalidateQueries({ queryKey: keys.sessions });
  };

  const control = useMutation({
    mutationFn: (verb: "stop" | "start") =>
      verb === "stop" ? call(api.POST("/api/system/stop")) : call(api.POST("/api/system/start")),
    onSuccess: (result, verb) => {
      const stop = verb === "stop";
      setOutcome(
        outcomeOf([
          describeResults(result.sessions, "session", stop ? "Paused" : "Resumed"),
          describeResults(result.agents, "agent", stop ? "stopped" : "started"),
        ]),
      );
    },
    onSettled: refresh,
  });
  const bulk = useMutation({
    mutationFn: (verb: "pause" | "resume") =>
      verb === "pause"
        ? call(api.POST("/api/paper-trading/sessions/pause-all"))
        : call(api.POST("/api/paper-trading/sessions/resume-all")),
    onSuccess: (result, verb) => {
      setOutcome(outcomeOf([describeResults(result.results, "session", verb === "pause" ? "Paused" : "Resumed")]));
    },
    onSettled: refresh,
  });
  const busy = control.isPending || bulk.isPending;
  const clear = () => {
    setOutcome(null);
    control.reset();
    bulk.reset();
  };
  const error = control.error ?? bulk.error;
  const look = LOOK[summary.state];

  return (
    <Box sx={{ mb: 3 }}>
      <Stack direction="row" spacing={2} sx={{ alignItems: "center", flexWrap: "wrap", rowGap: 1, mb: 2 }}>
        <Typography variant="h4" component="h1">
          System control
        </Typography>
        <Tooltip title={`${summary.state}: ${look.meaning}`}>
          <Chip
            icon={<CircleIcon />}
            label={summary.state}
            color={look.color}
            variant="outlined"
            aria-label={`System ${summary.state.toLowerCase()}: ${look.meaning}`}
            sx={{ fontWeight: 700, letterSpacing: 1 }}
          />
        </Tooltip>
        <Box sx={{ flex: 1 }} />
        {summary.state === "RUNNING" ? (
          <Button
            color="error"
            variant="contained"
            startIcon={<PowerSettingsNewIcon />}
            disabled={busy}
            onClick={() => {
              setConfirming(true);
            }}
          >
            Stop system
          </Button>
        ) : (
          <Button
            color="success"
            variant="contained"
            startIcon={<PlayArrowIcon />}
            disabled={busy}
            onClick={() => {
              clear();
              control.mutate("start");
            }}
          >
            Start system
          </Button>
        )}
      </Stack>
      <Stack direction="row" spacing={1} sx={{ flexWrap: "wrap", rowGap: 1 }}>
        <Button
          color="warning"
          variant="outlined"
          startIcon={<PauseIcon />}
          disabled={busy}
          onClick={() => {
            clear();
            bulk.mutate("pause");
          }}
        >
          Pause all paper sessions
        </Button>
        <Button
          color="success"
          variant="outlined"
          startIcon={<PlayArrowIcon />}
          disabled={busy}
          onClick={() => {
            clear();
            bulk.mutate("resume");
          }}
        >
          Resume all paper sessions
        </Button>
      </Stack>
      {outcome !== null && (
        <Alert
          severity={outcome.severity}
          role="status"
          onClose={() => {
            setOutcome(null);
          }}
          sx={{ mt: 2 }}
        >
          {outcome.text}
          {outcome.failures.map((failure) => (
            <div key={failure}>{failure}</div>
          ))}
        </Alert>
      )}
      {error !== null && (
        <Box sx={{ mt: 2 }}>
          <ErrorAlert error={error} title="The action failed" />
        </Box>
      )}
      <ConfirmDialog
        open={confirming}
        title="Stop the system?"
        text={`Pause ${plural(summary.runningSessions, "running session")} and stop ${plural(summary.runningAgents, "agent")}? Positions are kept, open orders stay open; Start system resumes them.`}
        confirmLabel="Stop system"
        onConfirm={() => {
          clear();
          control.mutate("stop");
        }}
        onClose={() => {
          setConfirming(false);
        }}
      />
    </Box>
  );
}
