import { describe, expect, it } from "vitest";

import { ALL_METRICS, bestIndexes, formatMetric, metricNumber, plainRatio, ratioPercent } from "./metrics";

const spec = (name: string) => ALL_METRICS.find((metric) => metric.name === name)!;

describe("metrics", () => {
  it("names every metric once", () => {
    const names = ALL_METRICS.map((metric) => metric.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("reads each kind of value", () => {
    expect(ratioPercent("0.1234")).toBe("12.34 %");
    expect(ratioPercent("-0.05")).toBe("−5.00 %");
    expect(formatMetric("ratio", "inf")).toBe("∞");
    expect(formatMetric("money", "-12.5")).toBe("−$12.50");
    expect(formatMetric("seconds", "90")).toBe("1m 30s");
    expect(formatMetric("bps", "1.5")).toBe("1.50 bps");
    expect(formatMetric("percent", null)).toBe("—");
  });

  it("reads infinite ratios and missing values alike in every reader", () => {
    for (const read of [ratioPercent, plainRatio]) {
      expect(read("inf")).toBe("∞");
      expect(read("-inf")).toBe("−∞");
    }
    for (const missing of [null, undefined, ""]) {
      expect(ratioPercent(missing)).toBe("—");
      expect(plainRatio(missing)).toBe("—");
      expect(formatMetric("count", missing)).toBe("—");
      expect(metricNumber(missing)).toBeNull();
    }
    expect(metricNumber("-inf")).toBe(-Infinity);
  });

  it("finds the best value of a row by the metric's better side, ties included", () => {
    expect([...bestIndexes(spec("sharpe"), ["1.2", "0.4", "1.2"])]).toEqual([0, 2]);
    expect([...bestIndexes(spec("fees"), ["3", "1", null])]).toEqual([1]);
    expect([...bestIndexes(spec("max_drawdown"), ["-0.2", "-0.05"])]).toEqual([1]);
    expect(bestIndexes(spec("beta"), ["1", "2"]).size).toBe(0);
    expect(bestIndexes(spec("sharpe"), ["1", null]).size).toBe(0);
  });
});
