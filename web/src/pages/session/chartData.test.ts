import { describe, expect, it } from "vitest";

import { addDecimals, armCurve, candlesFrom, drawdown, fillMarkers, toSeconds } from "./chartData";
import type { FillRow } from "./types";

const DAY = 86_400;
const BARS = [0, 1, 2, 3].map((day) => toSeconds("2012-01-03T05:00:00Z") + day * DAY);

function fill(time: string, side: "buy" | "sell", qty: string, symbol = "AAPL"): FillRow {
  return {
    id: `${time}-${side}-${qty}`,
    orderId: null,
    symbol,
    side,
    qty,
    price: "410",
    time,
    referencePrice: null,
    slippage: null,
    fee: null,
    rule: null,
    explanation: null,
    fromOrder: false,
  };
}

describe("fillMarkers", () => {
  it("puts one arrow per bar: up for buys below, down for sells above", () => {
    const markers = fillMarkers(
      [fill("2012-01-03T14:30:00Z", "buy", "10"), fill("2012-01-05T15:00:00Z", "sell", "10")],
      BARS,
      "AAPL",
    );
    expect(markers.map(({ time, shape, position, text }) => ({ time, shape, position, text }))).toEqual([
      { time: BARS[0], shape: "arrowUp", position: "belowBar", text: "B 10" },
      { time: BARS[2], shape: "arrowDown", position: "aboveBar", text: "S 10" },
    ]);
  });

  it("aggregates a bar's fills into one marker with their count and total quantity", () => {
    const markers = fillMarkers(
      [
        fill("2012-01-04T14:30:00Z", "buy", "10"),
        fill("2012-01-04T15:30:00Z", "buy", "2.5"),
        fill("2012-01-04T16:30:00Z", "buy", "0.5"),
        fill("2012-01-05T14:30:00Z", "buy", "1"),
        fill("2012-01-05T14:31:00Z", "sell", "4"),
      ],
      BARS,
      "AAPL",
    );
    expect(markers.map((m) => [m.time, m.text, m.fills.length])).toEqual([
      [BARS[1], "B 13 (3)", 3],
      [BARS[2], "B 1 / S 4", 2],
    ]);
    expect(markers[1]?.shape).toBe("circle");
  });

  it("keeps other symbols' fills and fills before the first bar off the chart", () => {
    const markers = fillMarkers(
      [fill("2012-01-03T14:30:00Z", "buy", "10", "MSFT"), fill("2011-12-30T14:30:00Z", "buy", "1")],
      BARS,
      "AAPL",
    );
    expect(markers).toEqual([]);
  });

  it("turns 20,000 fills into at most one marker per bar and caps them at the latest", () => {
    const bars = Array.from({ length: 2000 }, (_, index) => index * 60);
    const fills = Array.from({ length: 20_000 }, (_, index) =>
      fill(new Date(index * 6 * 1000).toISOString(), index % 2 === 0 ? "buy" : "sell", "1"),
    );
    const started = performance.now();
    const markers = fillMarkers(fills, bars, "AAPL", 500);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(markers).toHaveLength(500);
    expect(markers[0]?.time).toBe(bars[1500]);
    expect(markers.at(-1)?.text).toBe("B 5 (5) / S 5 (5)");
    expect(new Set(markers.map((m) => m.time)).size).toBe(500);
  });
});

describe("chart data", () => {
  it("adds decimal quantities exactly", () => {
    expect(addDecimals(["0.1", "0.2"])).toBe("0.3");
    expect(addDecimals(["10", "2.50", "-0.5"])).toBe("12");
    expect(addDecimals([])).toBe("0");
  });

  it("measures drawdown from the running peak", () => {
    expect(drawdown([100, 110, 99, 121, 121])).toEqual([0, 0, 99 / 110 - 1, 0, 0]);
  });

  it("turns bars into candles at their start times in seconds", () => {
    expect(
      candlesFrom([{ t: "2012-01-03T05:00:00Z", o: 1, h: 2, l: 0.5, c: 1.5, v: 10, n: null, vw: null }]),
    ).toEqual([{ time: BARS[0], open: 1, high: 2, low: 0.5, close: 1.5 }]);
  });

  it("reads an arm's daily equity as seconds and numbers, in its order", () => {
    expect(
      armCurve([
        { t: "2012-01-03T05:00:00Z", v: "50000" },
        { t: "2012-01-04T05:00:00Z", v: "50010.25" },
      ]),
    ).toEqual({ times: [BARS[0], BARS[1]], equity: [50000, 50010.25] });
    expect(armCurve([])).toEqual({ times: [], equity: [] });
  });
});
