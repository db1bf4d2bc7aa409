/**
 * Pause or resume every paper session of the key at once
 * (`POST /api/paper-trading/sessions/pause-all|resume-all`), and what each
 * session answered.
 */
import PauseIcon from "@mui/icons-material/Pause";
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import { Alert, Box, Button, Tooltip } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import { RequestError } from "../../components/RequestError";
import type { Session } from "./rows";

type Bulk = "pause" | "resume";

function send(bulk: Bulk): Promise<{ results: Record<string, string> }> {
  return bulk === "pause"
    ? call(api.POST("/api/paper-trading/sessions/pause-all"))
    : call(api.POST("/api/paper-trading/sessions/resume-all"))
}

function summary(bulk: Bulk, results: Record<string, string>, names: Map<string, string>): { ok: string; failed: string[] } {
  const entries = Object.entries(results);
  const failed = entries
    .filter(([, outcome]) => outcome.startsWith("error"))
    .map(([id, outcome]) => `${names.get(id) ?? id}: ${outcome.replace(/^error:\s*/, "")}`);
  const done = entries.length - failed.length;
  const verb = bulk === "pause" ? "Paused" : "Resumed";
  const ok =
    entries.length === 0
      ? `No ${bulk === "pause" ? "running" : "paused"} paper sessions to ${bulk}.`
      : `${verb} ${done} paper session${done === 1 ? "" : "s"}${failed.length > 0 ? `; ${failed.length} refused` : ""}.`;
  return { ok, failed };
}

export function PaperBulkControls({ sessions }: { sessions: readonly Session[] }) {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: send,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: keys.sessions });
    },
  });
  const paper = sessions.filter((session) => session.type === "paper");
  const running = paper.filter((session) => session.state === "running").length;
  const paused = paper.filter((session) => session.state === "paused").length;
  const names = new Map(paper.map((session) => [session.id, session.name]));
  const result = mutation.isSuccess ? summary(mutation.variables, mutation.data.results, names) : null;

  const button = (bulk: Bulk, count: number) => {
    const label = bulk === "pause" ? "Pause all paper sessions" : "Resume all paper sessions";
    const reason = count === 0 ? `No ${bulk === "pause" ? "running" : "paused"} paper sessions` : null;
    return (
      <Tooltip title={reason ?? `${count.toLocaleString()} ${bulk === "pause" ? "running" : "paused"}`} describeChild>
        <span>
          <Button
            variant="outlined"
            color={bulk === "pause" ? "warning" : "success"}
            startIcon={bulk === "pause" ? <PauseIcon /> : <PlayArrowIcon />}
            disabled={reason !== null || mutation.isPending}
            onClick={() => {
              mutation.mutate(bulk);
            }}
          >
            {label}
          </Button>
        </span>
      </Tooltip>
    );
  };

  return (
    <Box sx={{ display: "flex", flexDirection: "column", gap: 1 }}>
      <Box sx={{ display: "flex", gap: 1 }}>
        {button("pause", running)}
        {button("resume", paused)}
      </Box>
      <RequestError error={mutation.error} onClose={() => { mutation.reset(); }} />
      {result !== null && (
        <Alert severity={result.failed.length > 0 ? "warning" : "success"} role="status" onClose={() => { mutation.reset(); }}>
          {result.ok}
          {result.failed.map((line) => (
            <div key={line}>{line}</div>
          ))}
        </Alert>
      )}
    </Box>
  );
}
