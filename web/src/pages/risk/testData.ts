/** Risk answers as the server sends them, for the component tests. */
import type { AuditEntry, RiskOverviewRow, RiskSettings, RiskView } from "./types";

type Full<T> = { [K in keyof T]-?: NonNullable<T[K]> };

export function settings(patch: Partial<RiskSettings> = {}): Full<RiskSettings> {
  return {
    limits: {
      max_position_qty: null,
      max_position_value: null,
      max_gross_exposure: null,
      max_net_exposure: null,
      max_gross_exposure_pct: null,
      max_net_exposure_pct: null,
      max_order_qty: null,
      max_order_value: null,
      max_open_orders: null,
      max_orders_per_minute: null,
      min_bar_volume: null,
      max_volume_share_pct: null,
      volume_lookback: 20,
      sector_max_pct: null,
    },
    hours: { regular_hours_only: false, start: null, end: null, blackouts: [] },
    symbols: { enabled: null, disabled: [], allow_short: true },
    safeguards: { stop_loss_pct: null, take_profit_pct: null, trailing_stop_pct: null, max_holding_minutes: null },
    breakers: {
      daily_loss: null,
      daily_loss_pct: null,
      max_drawdown_pct: null,
      consecutive_losses: null,
      volatility_multiple: null,
      volatility_lookback: 20,
      cancel_entries: true,
    },
    scaling: {
      enabled: false,
      initial: "1",
      step: "0.25",
      minimum: "0.25",
      maximum: "2",
      window_days: 5,
      min_sharpe: "1",
      max_drawdown_pct: "5",
    },
    ...patch,
  };
}

const RULES = settings({
  limits: { ...settings().limits, max_position_qty: "100", max_gross_exposure: "50000" },
  breakers: { ...settings().breakers, daily_loss: "2000" },
});

export function riskView(patch: Partial<RiskView> = {}): RiskView {
  return {
    session_id: "s-1",
    settings: RULES,
    effective: RULES,
    override: null,
    halted: false,
    breakers: [
      { name: "daily_loss", tripped: false, tripped_at: null, value: null, limit: null, message: "" },
      { name: "max_drawdown_pct", tripped: false, tripped_at: null, value: null, limit: null, message: "" },
      { name: "kill_switch", tripped: false, tripped_at: null, value: null, limit: null, message: "" },
    ],
    usage: [
      { rule: "limits.max_position_qty", value: "95", limit: "100", ratio: "0.95" },
      { rule: "limits.max_gross_exposure", value: "4180.30", limit: "50000", ratio: "0.083606" },
    ],
    exposure: {
      equity: "100085.80",
      gross: "4180.30",
      net: "4180.30",
      gross_pct: "4.18",
      net_pct: "4.18",
      positions: [
        {
          symbol: "AAPL",
          qty: "10",
          value: "4180.30",
          weight_pct: "4.1767",
          sector: "Information Technology",
          days_to_exit: "0.000001",
          stop_price: "388.93",
          stop_distance_pct: "6.96",
          held_over_close: true,
        },
      ],
      sectors: [],
    },
    correlation: { symbols: [], matrix: [], effective_bets: null },
    gap_risk: { overnight_exposure: "0", pct: null },
    denials: [
      {
        ts: "2012-01-06T14:30:00Z",
        order_id: "0d3c1e2a-77aa-4b51-9d54-1f7f6d0f2c11",
        symbol: "AAPL",
        rule: "limits.max_position_qty",
        limit: "100",
        value: "150",
        message: "position in AAPL would be 150, over the limit of 100",
      },
    ],
    scaling: { enabled: false, multiplier: "1" },
    ...patch,
  };
}

export function tripped(): Partial<RiskView> {
  return {
    halted: true,
    breakers: [
      {
        name: "daily_loss",
        tripped: true,
        tripped_at: "2012-01-06T15:00:00Z",
        value: "2150.00",
        limit: "2000",
        message: "equity fell 2150.00 below the day's start, over 2000",
      },
      { name: "max_drawdown_pct", tripped: false, tripped_at: null, value: null, limit: null, message: "" },
      { name: "kill_switch", tripped: false, tripped_at: null, value: null, limit: null, message: "" },
    ],
  };
}

export function overviewRow(patch: Partial<RiskOverviewRow> = {}): RiskOverviewRow {
  return {
    session_id: "s-1",
    name: "momentum-paper",
    type: "paper",
    state: "running",
    halted: false,
    tripped: [],
    gross: "4180.30",
    net: "-1200.00",
    equity: "100085.80",
    max_usage_ratio: "0.95",
    denials_today: 3,
    ...patch,
  };
}

export function auditEntry(patch: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 7,
    at: "2026-12-06T21:05:00Z",
    session_id: "s-1",
    by: "PKADMIN",
    by_name: "admin",
    action: "reset_breaker",
    params: { breaker: "daily_loss" },
    reason: "loss understood, resuming",
    outcome: "ok",
    message: "daily_loss reset",
    ...patch,
  };
}
