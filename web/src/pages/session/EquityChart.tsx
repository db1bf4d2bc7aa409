/**
 * The account's equity over the session (portfolio history) and, in a pane
 * below, its drawdown from the running peak. Loaded lazily with the candles.
 */
import { Box, useTheme } from "@mui/material";
import { BaselineSeries, LineSeries, type UTCTimestamp, createChart } from "lightweight-charts";
import { useEffect, useRef } from "react";

import { chartOptions } from "./chartTheme";
import { drawdown } from "./chartData";

/** The axis's money: thousands separators, cents (a display of the server's floats). */
function money(value: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

export default function EquityChart({ times, equity }: { times: number[]; equity: number[] }) {
  const theme = useTheme();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (box.current === null) {
      return;
    }
    const chart = createChart(box.current, chartOptions(theme, 300));
    const line = chart.addSeries(LineSeries, {
      color: theme.palette.primary.main,
      lineWidth: 2,
      title: "Equity",
      priceFormat: { type: "custom", minMove: 0.01, formatter: money },
    });
    // The fall from the peak, shaded between the curve and 0 %.
    const fall = chart.addSeries(
      BaselineSeries,
      {
        baseValue: { type: "price", price: 0 },
        bottomLineColor: theme.palette.error.main,
        bottomFillColor1: theme.palette.error.main,
        bottomFillColor2: "rgba(0,0,0,0)",
        topLineColor: theme.palette.error.main,
        topFillColor1: "rgba(0,0,0,0)",
        topFillColor2: "rgba(0,0,0,0)",
        lineWidth: 1,
        title: "Drawdown",
        priceFormat: { type: "custom", minMove: 0.01, formatter: (value: number) => `${value.toFixed(2)} %` },
      },
      1,
    );
    const points = times.map((time, index) => ({ time: time as UTCTimestamp, value: equity[index] ?? 0 }));
    line.setData(points);
    const falls = drawdown(equity);
    fall.setData(times.map((time, index) => ({ time: time as UTCTimestamp, value: (falls[index] ?? 0) * 100 })));
    chart.panes()[1]?.setHeight(90);
    chart.timeScale().fitContent();
    return () => {
      chart.remove();
    };
  }, [theme, times, equity]);

  return <Box ref={box} role="img" aria-label="Equity and drawdown over the session" sx={{ height: 300 }} />;
}
