import { describe, expect, it } from "vitest";

import { problemOf } from "./serverErrors";

// Bodies as the server answers them (POST /v1/sessions and /api/paper-trading/sessions).
const cases: [string, Record<string, unknown>, number | null, string | null][] = [
  [
    "a parameter, named in field",
    { message: "parameter 'lookback': Input should be greater than or equal to 1", field: "strategy.params.lookback" },
    1,
    "param:lookback",
  ],
  [
    "a rule across parameters",
    { message: "invalid parameters for MeanReversion: oversold do(es) not apply to mode 'bollinger'", field: "strategy.params" },
    1,
    "params",
  ],
  ["the period", { message: "endTime must be after startTime" }, 2, "end"],
  [
    "the backtest's cash",
    { message: "field initialCash: must be an amount above 0 and under 1,000,000,000,000 with at most 10 decimal places, got '-5'" },
    2,
    "initialCash",
  ],
  ["the paper session's cash", { message: "field initial_cash: must be an amount above 0, got '0'" }, 2, "initialCash"],
  ["a symbol without data", { message: "no bars of ZZZZ in the session's window 2012-01-01 – 2012-02-01; the data has ZZZZ: no data" }, 2, "symbols"],
  ["slippage", { message: "execution.slippage.bps: must not be negative, got -1" }, 2, "execution.slippage"],
  ["the feed's speed", { message: "feed field 'speed': Input should be greater than 0" }, 2, "feed.speed"],
  ["an alpaca feed without keys", { message: "an alpaca feed needs the server's PAPERBROKER_ALPACA_KEY_ID and PAPERBROKER_ALPACA_SECRET_KEY" }, 2, "feed.type"],
  ["a missing field", { message: "field startTime is required" }, 2, "start"],
  ["the name", { message: "field name: String should have at most 200 characters" }, 2, "name"],
  ["a risk rule", { message: "risk.limits.max_order_qty: must be positive, got -1" }, 3, "risk.limits.max_order_qty"],
  ["a risk rule named by the body", { message: "Input should be greater than 0", field: "risk.breakers.daily_loss" }, 3, "risk.breakers.daily_loss"],
  ["a blackout", { message: "risk.hours.blackouts.1: end must be after start" }, 3, "risk.hours.blackouts.1"],
  ["a risk group", { message: "risk.hours: hours.end must be after hours.start" }, 3, "risk.hours"],
  ["nothing it can place", { message: "the server is busy" }, null, null],
];

describe("problemOf", () => {
  it.each(cases)("places %s", (_what, body, step, field) => {
    const message = String(body.message);
    expect(problemOf({ code: 42210000, ...body }, message)).toEqual({ step, field, message });
  });
});
