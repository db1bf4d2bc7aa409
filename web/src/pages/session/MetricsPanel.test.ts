import { describe, expect, it } from "vitest";

import { ratioPercent } from "./MetricsPanel";

describe("ratioPercent", () => {
  it("reads the server's decimal ratios as percentages without binary rounding", () => {
    expect(ratioPercent("0.001518246")).toBe("0.15 %");
    expect(ratioPercent("-0.000229399")).toBe("−0.02 %");
    expect(ratioPercent("1")).toBe("100.00 %");
    expect(ratioPercent("0.8888888889")).toBe("88.89 %");
    expect(ratioPercent("0.125")).toBe("12.50 %");
    expect(ratioPercent("inf")).toBe("∞");
    expect(ratioPercent(null)).toBe("—");
  });
});
