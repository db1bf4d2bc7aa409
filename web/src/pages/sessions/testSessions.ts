/** Sessions as `GET /v1/sessions` sends them, for this page's tests. */
import type { Session } from "./rows";

export function session(overrides: Partial<Session> & { id: string; name: string }): Session {
  return {
    status: "active",
    simulation_start: "2012-01-03T14:30:00Z",
    simulation_end: "2012-03-30T21:00:00Z",
    current_time: "2012-01-03T14:30:00Z",
    playback_state: "paused",
    playback_speed: 1,
    initial_cash: "100000",
    total_realized_pnl: "0",
    total_unrealized_pnl: "0",
    created_at: "2026-12-06T19:00:00Z",
    execution: { preset: "ideal", seed: 0 },
    account: { type: "cash", leverage: "1", intraday_leverage: "1" },
    execution_quality: {
      fills: 0,
      orders: 0,
      ordered_qty: "0",
      filled_qty: "0",
      fill_ratio: null,
      slippage_cost: "0",
      slippage_bps: null,
      average_latency_ms: null,
      fees: "0",
    },
    default_account_id: `acct-${overrides.id}`,
    state: "paused",
    type: "backtest",
    restarted_from: null,
    state_reason: null,
    data_notes: [],
    strategy: null,
    symbols: ["AAPL"],
    exposure: "0",
    started_at: null,
    ended_at: null,
    left_open: null,
    broker: null,
    real_money: false,
    ...overrides,
  };
}

/** `count` backtests named s00000, s00001, … created a minute apart. */
export function manySessions(count: number): Session[] {
  const base = Date.parse("2026-01-01T00:00:00Z");
  return Array.from({ length: count }, (_, i) =>
    session({
      id: `id-${i}`,
      name: `s${String(i).padStart(5, "0")}`,
      created_at: new Date(base + i * 60_000).toISOString(),
    }),
  );
}
