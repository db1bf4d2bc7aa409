import { describe, expect, it } from "vitest";

import { describeRules, emptyRiskForm, riskBody, riskChanges, riskErrors, riskFormOf, ruleLabel } from "./riskForm";
import { settings } from "./testData";

const SET = settings({
  limits: { ...settings().limits, max_open_orders: 5 },
  hours: {
    regular_hours_only: true,
    start: "09:45:00",
    end: "15:30:00",
    blackouts: [{ start: "2012-02-01T13:00:00Z", end: "2012-02-01T15:30:00Z", reason: "FOMC" }],
  },
  symbols: { enabled: null, disabled: ["TSLA"], allow_short: false },
});

describe("the risk form", () => {
  it("shows a session's rules as typed: times of day, blackouts in UTC, flags", () => {
    const form = riskFormOf(SET);
    expect(form.values["limits.max_open_orders"]).toBe("5");
    expect(form.values["hours.start"]).toBe("09:45");
    expect(form.values["hours.regular_hours_only"]).toBe(true);
    expect(form.values["symbols.allow_short"]).toBe(false);
    expect(form.values["symbols.disabled"]).toEqual(["TSLA"]);
    expect(form.blackouts).toEqual([{ start: "2012-02-01T13:00", end: "2012-02-01T15:30", reason: "FOMC" }]);
    expect(riskChanges(form, SET)).toEqual({}); // unchanged: nothing to send
  });

  it("sends a change as the partial document, null turning a rule off", () => {
    const form = riskFormOf(SET);
    form.values["limits.max_open_orders"] = "";
    form.values["hours.end"] = "16:00";
    form.values["symbols.allow_short"] = true;
    form.blackouts = [];
    expect(riskChanges(form, SET)).toEqual({
      limits: { max_open_orders: null },
      hours: { end: "16:00", blackouts: [] },
      symbols: { allow_short: true },
    });
    expect(describeRules(riskChanges(form, SET))).toEqual([
      "Max open orders: off",
      "Until (exchange time) 16:00",
      "Allow short positions: on",
      "Blackouts: none",
    ]);
  });

  it("sends nothing for an empty form, and flags only when they differ from their defaults", () => {
    expect(riskBody(emptyRiskForm())).toBeUndefined();
    const form = emptyRiskForm();
    form.values["breakers.cancel_entries"] = false;
    expect(riskBody(form)).toEqual({ breakers: { cancel_entries: false } });
  });

  it("checks the schema's bounds and the order of times", () => {
    const form = emptyRiskForm();
    form.values["limits.max_position_value"] = "-5";
    form.values["safeguards.take_profit_pct"] = "250"; // above 100 is allowed here
    form.values["breakers.daily_loss_pct"] = "100.5";
    form.values["hours.start"] = "15:00";
    form.values["hours.end"] = "09:30";
    form.blackouts = [{ start: "2012-02-01T15:00", end: "2012-02-01T13:00", reason: "" }];
    expect(riskErrors(form)).toEqual({
      "risk.limits.max_position_value": "Enter a number",
      "risk.breakers.daily_loss_pct": "Must be at most 100",
      "risk.hours.end": "Must be after the start",
      "risk.hours.blackouts.0": "The end must be after the start",
    });
  });

  it("sends allowed symbols, sector caps, and scaling only while it is on, with only what differs from its defaults", () => {
    const form = emptyRiskForm();
    expect(form.values["scaling.step"]).toBe("0.25"); // the schema's defaults, shown
    form.values["scaling.step"] = "0.5"; // scaling off: not sent
    expect(riskBody(form)).toBeUndefined();
    form.values["symbols.enabled"] = ["AAPL", "MSFT"];
    form.sectors = [
      { sector: "Energy", pct: "5" },
      { sector: " Utilities ", pct: "10 " },
    ];
    form.values["scaling.enabled"] = true;
    form.values["scaling.window_days"] = "10";
    form.values["scaling.min_sharpe"] = "-0.5";
    form.values["scaling.maximum"] = ""; // empty: the default
    expect(riskErrors(form)).toEqual({});
    expect(riskBody(form)).toEqual({
      limits: { sector_max_pct: { Energy: "5", Utilities: "10" } },
      symbols: { enabled: ["AAPL", "MSFT"] },
      scaling: { enabled: true, step: "0.5", window_days: 10, min_sharpe: "-0.5" },
    });
    expect(describeRules(riskBody(form))).toEqual([
      "Allowed symbols: AAPL, MSFT",
      "Scale order quantities: on",
      "Step 0.5",
      "Window (trading days) 10",
      "Min Sharpe to step up -0.5",
      "Max sector exposure (% of equity): Energy 5, Utilities 10",
    ]);
  });

  it("checks sector caps and the scaling bounds, and not a hidden field", () => {
    const form = emptyRiskForm();
    form.values["scaling.window_days"] = "0"; // scaling off: not checked
    expect(riskErrors(form)).toEqual({});
    form.values["scaling.enabled"] = true;
    form.values["scaling.initial"] = "3"; // above the maximum of 2
    form.values["scaling.min_sharpe"] = "high";
    form.sectors = [
      { sector: "Energy", pct: "5" },
      { sector: "energy", pct: "6" },
      { sector: "", pct: "5" },
      { sector: "Utilities", pct: "120" },
    ];
    expect(riskErrors(form)).toEqual({
      "risk.scaling.window_days": "A whole number, at least 1",
      "risk.scaling.min_sharpe": "Enter a number",
      "risk.scaling.initial": "Between the minimum and the maximum",
      "risk.limits.sector_max_pct.1": "This sector is named twice",
      "risk.limits.sector_max_pct.2": "Name the sector",
      "risk.limits.sector_max_pct.3": "A percentage above 0, at most 100",
    });
  });

  it("changes a session's sector caps, allowed symbols and scaling, null turning them off", () => {
    const set = settings({
      limits: { ...settings().limits, sector_max_pct: { Energy: "5" } },
      symbols: { enabled: ["AAPL"], disabled: [], allow_short: true },
      scaling: { ...settings().scaling, enabled: true, step: "0.5" },
    });
    const form = riskFormOf(set);
    expect(form.sectors).toEqual([{ sector: "Energy", pct: "5" }]);
    expect(form.values["scaling.step"]).toBe("0.5");
    expect(form.values["scaling.initial"]).toBe("1");
    expect(riskChanges(form, set)).toEqual({});
    form.sectors = [];
    form.values["symbols.enabled"] = [];
    form.values["scaling.step"] = ""; // back to the default
    expect(riskChanges(form, set)).toEqual({
      limits: { sector_max_pct: null },
      symbols: { enabled: null },
      scaling: { step: "0.25" },
    });
    form.values["scaling.enabled"] = false; // off: its settings are not sent
    expect(riskChanges(form, set)).toEqual({
      limits: { sector_max_pct: null },
      symbols: { enabled: null },
      scaling: { enabled: false },
    });
  });

  it("names a rule as people read it", () => {
    expect(ruleLabel("limits.max_position_qty")).toBe("Max position (qty)");
    expect(ruleLabel("breakers.kill_switch")).toBe("kill switch");
    expect(ruleLabel("limits.sector_max_pct.Energy")).toBe("Max sector exposure (% of equity): Energy");
  });
});
