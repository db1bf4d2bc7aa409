/** Answers as the server sends them, for the session page's component tests. */
import type { Order, Position, SessionView } from "./types";

export const SESSION_ID = "s-1";
export const ACCOUNT_ID = "acc-1";

export function sessionView(patch: Partial<SessionView> = {}): SessionView {
  return {
    id: SESSION_ID,
    name: "momentum-paper",
    status: "active",
    simulation_start: "2012-01-03T14:30:00Z",
    simulation_end: "2012-03-30T21:00:00Z",
    current_time: "2012-01-06T14:30:00Z",
    playback_state: "paused",
    playback_speed: 1,
    initial_cash: "100000",
    total_realized_pnl: "0",
    total_unrealized_pnl: "85.8",
    created_at: "2026-12-06T19:25:44Z",
    execution: { preset: "equities_realistic" },
    account: { type: "cash", leverage: "1", intraday_leverage: "1" },
    execution_quality: {
      fills: 1,
      orders: 1,
      ordered_qty: "10",
      filled_qty: "10",
      fill_ratio: "1",
      slippage_cost: "0.45",
      slippage_bps: "1.11",
      average_latency_ms: "33.8",
      fees: "1.00",
    },
    default_account_id: ACCOUNT_ID,
    state: "paused",
    type: "backtest",
    restarted_from: null,
    state_reason: null,
    data_notes: [],
    symbols: ["AAPL", "MSFT"],
    exposure: "4180.30",
    ...patch,
  };
}

export function order(patch: Partial<Order> = {}): Order {
  return {
    id: "o-1",
    client_order_id: "o-1",
    account_id: ACCOUNT_ID,
    symbol: "AAPL",
    side: "sell",
    type: "limit",
    order_type: "limit",
    order_class: "simple",
    qty: "4",
    notional: null,
    filled_qty: "0",
    filled_avg_price: null,
    limit_price: "999.0000",
    stop_price: null,
    trail_price: null,
    trail_percent: null,
    hwm: null,
    time_in_force: "gtc",
    extended_hours: false,
    status: "accepted",
    created_at: "2012-01-06T14:30:00Z",
    updated_at: "2012-01-06T14:30:00Z",
    submitted_at: "2012-01-06T14:30:00Z",
    filled_at: null,
    canceled_at: null,
    expired_at: null,
    failed_at: null,
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    legs: null,
    reject_reason: null,
    reject_message: null,
    ...patch,
  };
}

export const POSITION: Position = {
  symbol: "AAPL",
  qty: "10",
  side: "long",
  avg_entry_price: "409.4500",
  cost_basis: "4094.50",
  market_value: "4180.30",
  current_price: "418.03",
  unrealized_pnl: "85.80",
};

export const FILL = {
  id: "f-1",
  order_id: "o-0",
  symbol: "AAPL",
  side: "buy",
  qty: "10",
  price: "409.45",
  fee: "1.00",
  timestamp: "2012-01-03T14:30:00.05Z",
  rule: "market_at_arrival",
  reference_price: "409.40",
  slippage: "0.05",
  explanation: "market order at the open plus half the spread",
};
