import { Button, Chip, Tooltip } from "@mui/material";
import { useEffect, useState } from "react";

import { useLive } from "../live/LiveContext";

/** The live connection at a glance: live, connecting, retrying in N s (with "retry now"). */
export function ConnectionIndicator() {
  const { state, socket } = useLive();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (state.status !== "retrying") {
      return undefined;
    }
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 500);
    return () => {
      clearInterval(timer);
    };
  }, [state.status]);

  switch (state.status) {
    case "open":
      return <Chip size="small" color="success" label="● Live" aria-label="live updates connected" />;
    case "connecting":
      return <Chip size="small" color="info" label="Connecting…" aria-label="live updates connecting" />;
    case "retrying": {
      const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      return (
        <Tooltip title={state.reason}>
          <span>
            <Chip
              size="small"
              color="warning"
              label={`Offline: retrying in ${seconds} s`}
              aria-label="live updates disconnected"
            />
            <Button size="small" color="inherit" onClick={() => socket?.retryNow()}>
              Retry now
            </Button>
          </span>
        </Tooltip>
      );
    }
    case "refused":
      return (
        <Tooltip title={state.reason}>
          <Chip size="small" color="error" label="Live updates refused" />
        </Tooltip>
      );
    default:
      return <Chip size="small" label="Not connected" />;
  }
}
