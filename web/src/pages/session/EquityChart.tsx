/**
 * The account's equity over the session (portfolio history) and, in a pane
 * below, its drawdown from the running peak. Loaded lazily with the candles.
 */
import { Box, useTheme } from "@mui/material";
import { AreaSeries, LineSeries, type UTCTimestamp, createChart } from "lightweight-charts";
import { useEffect, useRef } from "react";

import { chartOptions } from "./chartTheme";
import { drawdown } from "./chartData";

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
      priceFormat: { type: "price", precision: 2, minMove: 0.01 },
    });
    const fall = chart.addSeries(
      AreaSeries,
      {
        lineColor: theme.palette.error.main,
        // Filled from the line up to 0 %: the fall from the peak.
        invertFilledArea: true,
        topColor: theme.palette.error.main,
        bottomColor: "rgba(0,0,0,0)",
        lineWidth: 1,
        title: "Drawdown %",
        priceFormat: { type: "percent", precision: 2, minMove: 0.01 },
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
