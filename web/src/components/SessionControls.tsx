/**
 * A session's lifecycle buttons — pause, resume, stop, restart, kill — for
 * every session type (`POST /v1/sessions/{id}/<verb>`). `compact` draws icon
 * buttons for a table row; the default draws labelled buttons for a page.
 * A button the session's state does not allow is disabled and says why; stop,
 * kill and a restart that ends a live run ask first; any refusal shows the
 * server's own message.
 */
import PauseIcon from "@mui/icons-material/Pause";
import PlayArrowIcon from "@mui/icons-material/PlayArrow";
import ReplayIcon from "@mui/icons-material/Replay";
import StopIcon from "@mui/icons-material/Stop";
import DangerousIcon from "@mui/icons-material/Dangerous";
import { Alert, Box, Button, type ButtonProps, IconButton, Snackbar, Tooltip } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactElement, useState } from "react";
import { useNavigate } from "react-router";

import { api, call, type Schemas } from "../api/client";
import { keys } from "../api/keys";
import { ConfirmDialog } from "./ConfirmDialog";

type Session = Pick<Schemas["SessionPublic"], "id" | "name" | "state"> & { type?: string };

export type Verb = "pause" | "resume" | "stop" | "restart" | "kill";

const ENDED = new Set(["stopped", "killed", "completed"]);

/**
 * Why `verb` cannot be done in `state`, or `null` if it can. The rules are the
 * server's session lifecycle (docs/operations.md); the server still decides.
 */
export function whyNot(verb: Verb, state: string, type = ""): string | null {
  const is = `the session is ${state}`;
  if (verb === "restart" && type === "live") {
    return "a live session does not restart (its broker account has moved on since): create a new one";
  }
  switch (verb) {
    case "pause":
      return state === "running" ? null : `${is}; only a running session pauses`;
    case "resume":
      return state === "paused" || state === "error" ? null : `${is}; only a paused or failed session resumes`;
    case "stop":
      if (ENDED.has(state)) return `${is}; it has already ended`;
      return state === "stopping" ? `${is} already` : null;
    case "kill":
      return ENDED.has(state) ? `${is}; it has already ended` : null;
    case "restart":
      return state === "stopping" ? `${is}; restart it once it has stopped` : null;
  }
}

interface Look {
  label: string;
  icon: ReactElement;
  color: ButtonProps["color"];
}

const LOOK: Record<Verb, Look> = {
  pause: { label: "Pause", icon: <PauseIcon />, color: "warning" },
  resume: { label: "Resume", icon: <PlayArrowIcon />, color: "success" },
  stop: { label: "Stop", icon: <StopIcon />, color: "error" },
  restart: { label: "Restart", icon: <ReplayIcon />, color: "primary" },
  kill: { label: "Kill", icon: <DangerousIcon />, color: "error" },
};

const VERBS: readonly Verb[] = ["pause", "resume", "stop", "restart", "kill"];

/** What the confirmation says (`null`: the verb does not ask). */
function question(verb: Verb, session: Session): { title: string; text: string } | null {
  const name = `'${session.name}'`;
  switch (verb) {
    case "stop":
      return {
        title: `Stop session ${name}?`,
        text: "Its open orders are canceled and its positions closed at market, then the session ends.",
      };
    case "kill":
      return {
        title: `Kill session ${name}?`,
        text: "It ends now. Its open orders and positions stay as they are.",
      };
    case "restart":
      return ENDED.has(session.state)
        ? null
        : {
            title: `Restart session ${name}?`,
            text:
              "This run is stopped first: its open orders are canceled and its positions closed at market. " +
              "A new run with the same configuration starts, paused.",
          };
    default:
      return null;
  }
}

function send(verb: Verb, sessionId: string): Promise<Schemas["SessionPublic"]> {
  const params = { params: { path: { sessionId } } };
  switch (verb) {
    case "pause":
      return call(api.POST("/v1/sessions/{sessionId}/pause", params));
    case "resume":
      return call(api.POST("/v1/sessions/{sessionId}/resume", params));
    case "stop":
      return call(api.POST("/v1/sessions/{sessionId}/stop", params));
    case "restart":
      return call(api.POST("/v1/sessions/{sessionId}/restart", params));
    case "kill":
      return call(api.POST("/v1/sessions/{sessionId}/kill", params));
  }
}

interface Notice {
  severity: "success" | "error";
  text: string;
  /** The new run after a restart, to open. */
  openId?: string;
}

export function SessionControls({
  session,
  compact = false,
  followRestart = !compact,
}: {
  session: Session;
  /** Icon buttons (a table row) instead of labelled buttons. */
  compact?: boolean;
  /** After a restart, go to the new run (otherwise a notice offers to open it). */
  followRestart?: boolean;
}) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const [asking, setAsking] = useState<Verb | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const mutation = useMutation({
    mutationFn: (verb: Verb) => send(verb, session.id),
    onSuccess: (answer, verb) => {
      if (verb === "restart") {
        void client.invalidateQueries({ queryKey: keys.sessions });
        if (followRestart) {
          void navigate(`/sessions/${answer.id}`);
        } else {
          setNotice({ severity: "success", text: `Restarted '${session.name}' as a new run.`, openId: answer.id });
        }
      } else {
        setNotice({ severity: "success", text: `Session '${session.name}' is ${answer.state}.` });
      }
    },
    onError: (error) => {
      setNotice({ severity: "error", text: error.message });
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: keys.sessions });
      void client.invalidateQueries({ queryKey: keys.session(session.id) });
    },
  });

  const act = (verb: Verb) => {
    if (question(verb, session) !== null) {
      setAsking(verb);
    } else {
      mutation.mutate(verb);
    }
  };

  const asked = asking === null ? null : question(asking, session);

  return (
    <Box
      role="group"
      aria-label={`Controls of session ${session.name}`}
      sx={{ display: "flex", gap: compact ? 0 : 1, flexWrap: "wrap", alignItems: "center" }}
    >
      {VERBS.map((verb) => {
        const look = LOOK[verb];
        const reason = whyNot(verb, session.state, session.type);
        const busy = mutation.isPending;
        const disabled = reason !== null || busy;
        const name = compact ? `${look.label} session ${session.name}` : undefined;
        const button = compact ? (
          <IconButton
            size="small"
            color={look.color}
            aria-label={name}
            disabled={disabled}
            onClick={() => {
              act(verb);
            }}
          >
            {look.icon}
          </IconButton>
        ) : (
          <Button
            variant="outlined"
            color={look.color}
            startIcon={look.icon}
            disabled={disabled}
            onClick={() => {
              act(verb);
            }}
          >
            {look.label}
          </Button>
        );
        const tip = reason !== null ? `Cannot ${verb}: ${reason}` : busy ? "Waiting for the server…" : look.label;
        return (
          <Tooltip key={verb} title={tip} describeChild>
            {/* A span, so the tooltip shows on a disabled button too. */}
            <span>{button}</span>
          </Tooltip>
        );
      })}
      <ConfirmDialog
        open={asked !== null}
        title={asked?.title ?? ""}
        text={asked?.text ?? ""}
        confirmLabel={asking === null ? "" : `${LOOK[asking].label} session`}
        onConfirm={() => {
          if (asking !== null) {
            mutation.mutate(asking);
          }
        }}
        onClose={() => {
          setAsking(null);
        }}
      />
      <Snackbar
        open={notice !== null}
        autoHideDuration={notice?.severity === "error" ? null : 6000}
        onClose={(_event, why) => {
          if (why !== "clickaway") setNotice(null);
        }}
      >
        <Alert
          severity={notice?.severity ?? "success"}
          role={notice?.severity === "error" ? "alert" : "status"}
          variant="filled"
          onClose={() => {
            setNotice(null);
          }}
          action={
            notice?.openId !== undefined ? (
              <Button
                color="inherit"
                size="small"
                onClick={() => {
                  void navigate(`/sessions/${notice.openId ?? ""}`);
                }}
              >
                Open new run
              </Button>
            ) : undefined
          }
        >
          {notice?.text}
        </Alert>
      </Snackbar>
    </Box>
  );
}
