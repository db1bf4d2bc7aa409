import type { Theme } from "@mui/material";
import type { DeepPartial, ChartOptions } from "lightweight-charts";

/** The chart's colours and fonts from the MUI theme, so both themes read well. */
export function chartOptions(theme: Theme, height: number): DeepPartial<ChartOptions> {
  return {
    height,
    autoSize: true,
    layout: {
      background: { color: theme.palette.background.paper },
      textColor: theme.palette.text.secondary,
      fontFamily: theme.typography.fontFamily ?? "sans-serif",
      attributionLogo: false,
    },
    grid: {
      vertLines: { color: theme.palette.divider },
      horzLines: { color: theme.palette.divider },
    },
    rightPriceScale: { borderColor: theme.palette.divider },
    timeScale: { borderColor: theme.palette.divider, timeVisible: false },
  };
}
