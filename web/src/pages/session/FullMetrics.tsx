/** Every metric the server computed for the session, grouped: returns, risk, trades, execution, benchmark. */
import { Box, Typography } from "@mui/material";

import { formatMetric, METRIC_GROUPS } from "../../format/metrics";

export function FullMetrics({ metrics }: { metrics: Record<string, unknown> }) {
  const groups = METRIC_GROUPS.map((group) => ({
    ...group,
    metrics: group.metrics.filter((spec) => metrics[spec.name] !== undefined),
  })).filter((group) => group.metrics.length > 0);
  if (groups.length === 0) {
    return null;
  }
  return (
    <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", md: "1fr 1fr", xl: "repeat(3, 1fr)" }, mt: 2 }}>
      {groups.map((group) => (
        <Box key={group.title} component="section" aria-label={`${group.title} metrics`}>
          <Typography variant="subtitle1" component="h3">
            {group.title}
          </Typography>
          <Box component="dl" sx={{ display: "grid", gridTemplateColumns: "auto auto", columnGap: 2, rowGap: 0.25, m: 0 }}>
            {group.metrics.map((spec) => (
              <Box key={spec.name} sx={{ display: "contents" }}>
                <Typography component="dt" variant="body2" color="text.secondary">
                  {spec.label}
                </Typography>
                <Typography component="dd" variant="body2" sx={{ m: 0, textAlign: "right", fontVariantNumeric: "tabular-nums" }}>
                  {formatMetric(spec.kind, metrics[spec.name])}
                </Typography>
              </Box>
            ))}
          </Box>
        </Box>
      ))}
    </Box>
  );
}
