/** Summaries and comparisons as the server sends them, for the page tests. */
import type { Comparison } from "../compare/types";
import { METRIC_VALUES } from "../session/testData";
import type { SessionSummary } from "./types";

export function summary(fields: Partial<SessionSummary> & Pick<SessionSummary, "session_id" | "name">): SessionSummary {
  return {
    type: "backtest",
    state: "completed",
    strategy: "sma_crossover",
    params: { fast: 3, slow: 10 },
    symbols: ["AAPL"],
    start: "2012-01-03T14:30:00Z",
    end: "2012-03-30T21:00:00Z",
    ended_at: "2026-12-06T10:00:00Z",
    initial_equity: "100000",
    final_equity: "101234.5",
    pnl: "1234.5",
    total_return: "0.012345",
    max_drawdown: "-0.034",
    sharpe: "1.25",
    trades: 7,
    metrics: { ...METRIC_VALUES, sharpe: "1.25", total_return: "0.012345" },
    ...fields,
  };
}

export const COMPARISON: Comparison = {
  sessions: [
    {
      session_id: "a",
      name: "fast",
      type: "backtest",
      strategy: "sma_crossover",
      metrics: null,
      equity: [
        { t: "2012-01-03T00:00:00Z", v: "100000" },
        { t: "2012-01-04T00:00:00Z", v: "100500" },
      ],
      drawdown: [
        { t: "2012-01-03T00:00:00Z", v: "0" },
        { t: "2012-01-04T00:00:00Z", v: "0" },
      ],
      returns_by_month: [{ period: "2012-01", value: "0.005" }],
      returns_by_year: [{ period: "2012", value: "0.005" }],
    },
    {
      session_id: "b",
      name: "slow",
      type: "backtest",
      strategy: "sma_crossover",
      metrics: null,
      equity: [
        { t: "2012-01-03T00:00:00Z", v: "100000" },
        { t: "2012-01-04T00:00:00Z", v: "99000" },
      ],
      drawdown: [
        { t: "2012-01-03T00:00:00Z", v: "0" },
        { t: "2012-01-04T00:00:00Z", v: "-0.01" },
      ],
      returns_by_month: [{ period: "2012-01", value: "-0.01" }],
      returns_by_year: [{ period: "2012", value: "-0.01" }],
    },
  ],
  benchmark: null,
  regimes: [{ regime: "up", sessions: { a: "0.02", b: "-0.01" } }],
};
