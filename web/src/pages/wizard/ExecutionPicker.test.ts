import { describe, expect, it } from "vitest";

import { describeModel, presetSummary } from "./ExecutionPicker";
import presets from "./fixtures/presets.json";

describe("presetSummary", () => {
  it("tells each model of the server's equities_realistic preset in words, nested ones included", () => {
    const preset = presets.find((item) => item.name === "equities_realistic");
    expect(preset).toBeDefined();
    expect(presetSummary(preset!)).toEqual([
      "Slippage: half_spread (spread_bps 2) + sqrt_impact (k 1.0, max_cost 0.05)",
      "Fees: schedule: per_share (per_share 0.005, minimum 1.00, maximum_pct 0.01, round_to 0.01) + regulatory (sec_rate_per_million 27.80, taf_per_share 0.000166, taf_max 8.30)",
      "Fill quantity: volume_participation (max_share 0.05)",
      "Latency: jittered (base_ms 50, jitter_ms 20)",
      "Intrabar path: adaptive",
    ]);
  });

  it("names a model without settings by its name", () => {
    expect(describeModel({ model: "none" })).toBe("none");
    expect(describeModel([{ model: "fixed_bps", bps: "5" }, { model: "none" }])).toBe("fixed_bps (bps 5) + none");
  });
});
