import { Typography } from "@mui/material";
import { useEffect, useState } from "react";

import { formatAge } from "../format/time";

/** "updated 5 s ago", ticking; says "stale" past `staleAfterMs`. */
export function LastUpdated({ at, staleAfterMs = 60_000 }: { at: number; staleAfterMs?: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  if (at === 0) {
    return null;
  }
  const stale = now - at > staleAfterMs;
  return (
    <Typography variant="caption" color={stale ? "warning.main" : "text.secondary"}>
      {stale ? "stale: " : ""}updated {formatAge(new Date(at).toISOString(), now)}
    </Typography>
  );
}
