import ArticleIcon from "@mui/icons-material/Article";
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import StopIcon from "@mui/icons-material/Stop";
import { Box, Button, Tooltip } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { keys } from "../../api/keys";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { RequestError } from "../../components/RequestError";
import { type Agent, startAgent, stopAgent } from "./api";

const STARTABLE = new Set(["stopped", "error"]);
const STOPPABLE = new Set(["starting", "running", "error"]);

/** Start (green), Stop (red, asks first) and Logs; a refused move shows the server's reason. */
export function AgentControls({
  agent,
  onLogs,
  locked,
}: {
  agent: Agent;
  onLogs: (agent: Agent) => void;
  /** Why no agent of the session may move (it is completed), if so. */
  locked?: string | undefined;
}) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const command = useMutation({
    mutationFn: (move: "start" | "stop") => (move === "start" ? startAgent(agent.id) : stopAgent(agent.id)),
    onSettled: () => {
      void client.invalidateQueries({ queryKey: keys.agents });
      void client.invalidateQueries({ queryKey: keys.session(agent.session_id) });
    },
  });
  const canStart = locked === undefined && STARTABLE.has(agent.status);
  const canStop = locked === undefined && STOPPABLE.has(agent.status);
  return (
    <Box className="nodrag nopan" sx={{ mt: 1 }}>
      <Box sx={{ display: "flex", gap: 1 }}>
        <Tooltip
          title={canStart ? "" : (locked ?? `It is ${agent.status}: only a stopped agent or one in error starts`)}
        >
          <span>
            <Button
              size="small"
              variant="contained"
              color="success"
              startIcon={<PlayArrowIcon />}
              disabled={!canStart || command.isPending}
              aria-label={`Start ${agent.name}`}
              onClick={() => {
                command.reset();
                command.mutate("start");
              }}
            >
              Start
            </Button>
          </span>
        </Tooltip>
        <Tooltip title={canStop ? "" : (locked ?? `It is ${agent.status} already`)}>
          <span>
            <Button
              size="small"
              variant="contained"
              color="error"
              startIcon={<StopIcon />}
              disabled={!canStop || command.isPending}
              aria-label={`Stop ${agent.name}`}
              onClick={() => {
                setConfirming(true);
              }}
            >
              Stop
            </Button>
          </span>
        </Tooltip>
        <Button
          size="small"
          variant="outlined"
          startIcon={<ArticleIcon />}
          aria-label={`Logs of ${agent.name}`}
          onClick={() => {
            onLogs(agent);
          }}
        >
          Logs
        </Button>
      </Box>
      <RequestError
        error={command.error}
        sx={{ mt: 1, py: 0 }}
        onClose={() => {
          command.reset();
        }}
      />
      <ConfirmDialog
        open={confirming}
        title={`Stop agent '${agent.name}'?`}
        text={`It stops hearing the bus: ${stopConsequence(agent.type)}`}
        confirmLabel="Stop agent"
        onConfirm={() => {
          command.reset();
          command.mutate("stop");
        }}
        onClose={() => {
          setConfirming(false);
        }}
      />
    </Box>
  );
}

function stopConsequence(type: string): string {
  switch (type) {
    case "data":
      return "no bars or headlines reach the pipeline until it starts again.";
    case "sentiment":
      return "headlines are no longer scored, and strategies keep the last score they heard.";
    case "strategy":
      return "its strategy makes no new orders; open positions stay open.";
    case "risk":
    case "execution":
      return "every order intent is rejected 'not_routed' until it starts again; open positions stay open.";
    default:
      return "it handles no messages until it starts again.";
  }
}
