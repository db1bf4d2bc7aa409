/**
 * A symbol's candles with a marker per bar where the account traded, and a
 * popover listing those fills (price, qty, reference, slippage, fee, rule)
 * when the crosshair is on that bar. Loaded lazily: lightweight-charts is its
 * own chunk.
 */
import { Box, Paper, Typography, useTheme } from "@mui/material";
import {
  CandlestickSeries,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type MouseEventParams,
  type Time,
  type UTCTimestamp,
  createChart,
  createSeriesMarkers,
} from "lightweight-charts";
import { useEffect, useMemo, useRef, useState } from "react";

import { formatDecimal, formatMoney } from "../../format/numbers";
import { formatTime } from "../../format/time";
import { chartOptions } from "./chartTheme";
import type { Candle, FillMarker } from "./chartData";

const HEIGHT = 360;

interface Hover {
  marker: FillMarker;
  x: number;
  y: number;
  /** The chart's width: the popover opens leftwards past the middle. */
  width: number;
}

export default function CandleChart({
  symbol,
  candles,
  markers,
  intraday = false,
}: {
  symbol: string;
  candles: Candle[];
  markers: FillMarker[];
  /** Bars shorter than a day: the time axis shows times too. */
  intraday?: boolean;
}) {
  const theme = useTheme();
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const plugin = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  const byTime = useMemo(() => new Map(markers.map((marker) => [marker.time, marker])), [markers]);
  const byTimeRef = useRef(byTime);
  useEffect(() => {
    byTimeRef.current = byTime;
  }, [byTime]);

  useEffect(() => {
    if (box.current === null) {
      return;
    }
    const options = chartOptions(theme, HEIGHT);
    const made = createChart(box.current, {
      ...options,
      // A few bars do not stretch into slabs.
      timeScale: { ...options.timeScale, timeVisible: intraday, maxBarSpacing: 40 },
    });
    const candlesSeries = made.addSeries(CandlestickSeries, {
      upColor: theme.palette.success.main,
      downColor: theme.palette.error.main,
      borderVisible: false,
      wickUpColor: theme.palette.success.main,
      wickDownColor: theme.palette.error.main,
    });
    chart.current = made;
    series.current = candlesSeries;
    plugin.current = createSeriesMarkers(candlesSeries, []);
    const onMove = (param: MouseEventParams) => {
      const marker = param.time === undefined ? undefined : byTimeRef.current.get(param.time as number);
      const width = box.current?.clientWidth ?? 0;
      setHover(
        marker === undefined || param.point === undefined
          ? null
          : { marker, x: param.point.x, y: param.point.y, width },
      );
    };
    made.subscribeCrosshairMove(onMove);
    return () => {
      made.unsubscribeCrosshairMove(onMove);
      made.remove();
      chart.current = null;
      series.current = null;
      plugin.current = null;
    };
  }, [theme, intraday]);

  useEffect(() => {
    series.current?.setData(candles.map((candle) => ({ ...candle, time: candle.time as UTCTimestamp })));
    chart.current?.timeScale().fitContent();
  }, [candles, theme, intraday]);

  useEffect(() => {
    const colour = { buy: theme.palette.success.main, sell: theme.palette.error.main, mixed: theme.palette.info.main };
    plugin.current?.setMarkers(
      markers.map((marker) => ({
        time: marker.time as UTCTimestamp,
        position: marker.position,
        shape: marker.shape,
        color: colour[marker.side],
        text: marker.text,
      })),
    );
  }, [markers, theme, intraday]);

  return (
    <Box sx={{ position: "relative" }}>
      <Box ref={box} role="img" aria-label={`${symbol} candles with the account's fills`} sx={{ height: HEIGHT }} />
      {hover !== null && <FillPopover hover={hover} />}
    </Box>
  );
}

function FillPopover({ hover }: { hover: Hover }) {
  const shown = hover.marker.fills.slice(0, 5);
  return (
    <Paper
      elevation={6}
      role="tooltip"
      sx={{
        position: "absolute",
        ...(hover.x > hover.width / 2
          ? { right: Math.max(8, hover.width - hover.x + 16) }
          : { left: Math.max(8, hover.x + 16) }),
        top: Math.max(8, hover.y - 40),
        p: 1,
        width: 300,
        pointerEvents: "none",
        zIndex: 2,
      }}
    >
      <Typography variant="subtitle2">{hover.marker.text}</Typography>
      {shown.map((fill) => (
        <Box key={fill.id} sx={{ mt: 0.5, fontSize: 12 }}>
          <div>
            {fill.side === "buy" ? "Bought" : "Sold"} {formatDecimal(fill.qty)} at {formatDecimal(fill.price, { prefix: "$" })} —{" "}
            {formatTime(fill.time)}
          </div>
          {fill.referencePrice !== null && (
            <div>
              reference {formatDecimal(fill.referencePrice, { prefix: "$" })}, slippage {formatDecimal(fill.slippage ?? "0")}, fee{" "}
              {formatMoney(fill.fee)}
            </div>
          )}
          {fill.rule !== null && <div>rule: {fill.rule}</div>}
          {fill.explanation !== null && <div>{fill.explanation}</div>}
        </Box>
      ))}
      {hover.marker.fills.length > shown.length && (
        <Typography variant="caption">and {hover.marker.fills.length - shown.length} more fills</Typography>
      )}
    </Paper>
  );
}
