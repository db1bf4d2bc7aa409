import { Box, LinearProgress, Typography } from "@mui/material";

import { formatDuration } from "../../format/time";
import type { Sweep } from "./types";

/** A sweep's runs done of its total, as a bar and in words, with the time left while it runs. */
export function SweepProgress({ sweep, wide = false }: { sweep: Pick<Sweep, "name" | "done" | "total" | "eta_seconds" | "status">; wide?: boolean }) {
  const percent = sweep.total > 0 ? Math.min(100, (sweep.done / sweep.total) * 100) : 0;
  const eta = sweep.eta_seconds === null ? null : Number(sweep.eta_seconds);
  return (
    <Box sx={{ minWidth: wide ? 320 : 160 }}>
      <LinearProgress
        variant="determinate"
        value={percent}
        aria-label={`Progress of ${sweep.name}`}
        color={sweep.status === "failed" ? "error" : sweep.status === "completed" ? "success" : "primary"}
      />
      <Typography variant="caption" color="text.secondary">
        {sweep.done.toLocaleString("en-US")} of {sweep.total.toLocaleString("en-US")} runs
        {(sweep.status === "running" || sweep.status === "queued") && eta !== null && Number.isFinite(eta)
          ? ` · about ${formatDuration(eta)} left`
          : ""}
      </Typography>
    </Box>
  );
}
