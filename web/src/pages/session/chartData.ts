/**
 * Data shaping for the charts, kept apart from lightweight-charts so it can be
 * tested without a canvas: bars → candles, fills → one marker per bar, equity
 * → drawdown.
 */
import type { Bar, FillRow } from "./types";

export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** Seconds since the epoch (lightweight-charts' UTCTimestamp). */
export function toSeconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

export function candlesFrom(bars: readonly Bar[]): Candle[] {
  return bars.map((bar) => ({ time: toSeconds(bar.t), open: bar.o, high: bar.h, low: bar.l, close: bar.c }));
}

/** Exact sum of decimal strings (quantities), without binary floating point. */
export function addDecimals(values: readonly string[]): string {
  let scale = 0;
  for (const value of values) {
    const dot = value.indexOf(".");
    scale = Math.max(scale, dot < 0 ? 0 : value.length - dot - 1);
  }
  let total = 0n;
  for (const value of values) {
    const negative = value.startsWith("-");
    const [whole = "0", frac = ""] = value.replace(/^[+-]/, "").split(".");
    const units = BigInt((whole || "0") + frac.padEnd(scale, "0"));
    total += negative ? -units : units;
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? digits.slice(digits.length - scale).replace(/0+$/, "") : "";
  return `${negative ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
}

export interface FillMarker {
  /** The bar's time (seconds), where the marker sits. */
  time: number;
  side: "buy" | "sell" | "mixed";
  position: "belowBar" | "aboveBar" | "inBar";
  shape: "arrowUp" | "arrowDown" | "circle";
  text: string;
  /** The fills it stands for (the tooltip lists them). */
  fills: FillRow[];
}

/** The index of the last bar starting at or before `time`, or -1. */
function barIndex(barTimes: readonly number[], time: number): number {
  let low = 0;
  let high = barTimes.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if ((barTimes[mid] ?? Infinity) <= time) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

function label(side: "B" | "S", fills: readonly FillRow[]): string {
  const qty = addDecimals(fills.map((fill) => fill.qty));
  return fills.length > 1 ? `${side} ${qty} (${fills.length})` : `${side} ${qty}`;
}

/**
 * At most one marker per bar: a bar's fills become one arrow (up for buys,
 * down for sells; a circle when both) labelled with the total quantity and,
 * when several, their count. Only the latest `cap` bars with fills keep a
 * marker, so tens of thousands of fills stay a few hundred markers.
 */
export function fillMarkers(
  fills: readonly FillRow[],
  barTimes: readonly number[],
  symbol: string,
  cap = 500,
): FillMarker[] {
  const byBar = new Map<number, FillRow[]>();
  for (const fill of fills) {
    if (fill.symbol !== symbol) {
      continue;
    }
    const index = barIndex(barTimes, toSeconds(fill.time));
    const time = barTimes[index];
    if (time === undefined) {
      continue;
    }
    const list = byBar.get(time);
    if (list === undefined) {
      byBar.set(time, [fill]);
    } else {
      list.push(fill);
    }
  }
  const markers: FillMarker[] = [];
  for (const [time, list] of [...byBar.entries()].sort((a, b) => a[0] - b[0])) {
    const buys = list.filter((fill) => fill.side === "buy");
    const sells = list.filter((fill) => fill.side === "sell");
    if (sells.length === 0) {
      markers.push({ time, side: "buy", position: "belowBar", shape: "arrowUp", text: label("B", buys), fills: list });
    } else if (buys.length === 0) {
      markers.push({
        time,
        side: "sell",
        position: "aboveBar",
        shape: "arrowDown",
        text: label("S", sells),
        fills: list,
      });
    } else {
      markers.push({
        time,
        side: "mixed",
        position: "inBar",
        shape: "circle",
        text: `${label("B", buys)} / ${label("S", sells)}`,
        fills: list,
      });
    }
  }
  return markers.length > cap ? markers.slice(markers.length - cap) : markers;
}

/** Drawdown at each point: the fall from the running peak, as a fraction (0 or negative). */
export function drawdown(equity: readonly number[]): number[] {
  let peak = -Infinity;
  return equity.map((value) => {
    peak = Math.max(peak, value);
    return peak > 0 ? value / peak - 1 : 0;
  });
}

/** An arm's daily equity (the arms report's RFC 3339 times and decimal strings) as the chart's seconds and numbers. */
export function armCurve(points: readonly { t: string; v: string }[]): { times: number[]; equity: number[] } {
  return {
    times: points.map((point) => toSeconds(point.t)),
    equity: points.map((point) => Number(point.v)),
  };
}
