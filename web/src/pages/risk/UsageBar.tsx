import { Box, LinearProgress, Typography } from "@mui/material";

/** The colour of a limit's usage: green under 70 %, amber under 90 %, red from there. */
export function usageColor(ratio: number): "success" | "warning" | "error" {
  return ratio < 0.7 ? "success" : ratio < 0.9 ? "warning" : "error";
}

/** How much of a limit is used, as a bar (full at the limit) and its percentage; `—` without a limit. */
export function UsageBar({ ratio, label }: { ratio: string | number | null; label: string }) {
  if (ratio === null) {
    return <Typography variant="body2">—</Typography>;
  }
  const value = Number(ratio);
  const percent = `${(value * 100).toFixed(0)} %`;
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 1, minWidth: 140 }}>
      <LinearProgress
        variant="determinate"
        color={usageColor(value)}
        value={Math.min(Math.max(value, 0), 1) * 100}
        aria-label={label}
        aria-valuetext={percent}
        sx={{ flexGrow: 1, height: 8, borderRadius: 4 }}
      />
      <Typography variant="body2" sx={{ fontVariantNumeric: "tabular-nums", minWidth: 48, textAlign: "right" }}>
        {percent}
      </Typography>
    </Box>
  );
}
