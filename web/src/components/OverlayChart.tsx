/**
 * Several lines over one time axis (sessions' equity curves, their
 * drawdowns, a benchmark), drawn with the dashboard's chart library.
 * Loaded lazily: the chart code is its own chunk.
 */
import { Box, useTheme } from "@mui/material";
import { LineSeries, LineStyle, createChart } from "lightweight-charts";
import { useEffect, useRef } from "react";

import { chartOptions } from "../pages/session/chartTheme";
import { chartPoints, type Line } from "./chartPoints";

export default function OverlayChart({
  lines,
  label,
  height = 300,
  percent = false,
}: {
  lines: Line[];
  label: string;
  height?: number;
  /** Values are fractions shown as percentages. */
  percent?: boolean;
}) {
  const theme = useTheme();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (box.current === null) {
      return;
    }
    const colors = [
      theme.palette.primary.main,
      theme.palette.secondary.main,
      theme.palette.success.main,
      theme.palette.warning.main,
      theme.palette.info.main,
      theme.palette.error.main,
    ];
    const chart = createChart(box.current, chartOptions(theme, height));
    lines.forEach((line, index) => {
      const series = chart.addSeries(LineSeries, {
        color: line.dashed === true ? theme.palette.text.secondary : colors[index % colors.length],
        lineWidth: 2,
        lineStyle: line.dashed === true ? LineStyle.Dashed : LineStyle.Solid,
        title: line.label,
        priceFormat: percent
          ? { type: "custom", minMove: 0.01, formatter: (value: number) => `${value.toFixed(2)} %` }
          : { type: "custom", minMove: 0.01, formatter: (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 2 }) },
      });
      series.setData(chartPoints(line.points, percent ? 100 : 1));
    });
    chart.timeScale().fitContent();
    return () => {
      chart.remove();
    };
  }, [theme, lines, height, percent]);

  return <Box ref={box} role="img" aria-label={label} sx={{ height }} />;
}
