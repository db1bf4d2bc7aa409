import { Box } from "@mui/material";
import { useEffect, useState } from "react";

import { formatDuration } from "../../format/time";
import { type Session, uptimeSeconds } from "./rows";

/** How long the session has run; ticks each second while it runs. */
export function Uptime({ session }: { session: Session }) {
  const running = session.state === "running";
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) {
      return undefined;
    }
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, [running]);
  const seconds = uptimeSeconds(session, now);
  return (
    <Box component="span" sx={{ fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" }}>
      {seconds === null ? "—" : formatDuration(seconds)}
    </Box>
  );
}
