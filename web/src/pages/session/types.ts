/**
 * The shapes this page reads. Most come from the generated API types; the
 * fills and metrics routes are read through small normalisers so the page
 * shows what the server sends even as those answers gain fields.
 */
import type { Schemas } from "../../api/client";

/** The session view, with the fields newer servers add (read when present). */
export type SessionView = Schemas["SessionPublic"] & {
  symbols?: string[];
  exposure?: string;
  strategy?: { name: string } | null;
};
export type Order = Schemas["OrderPublic"];
export type Position = Schemas["PositionPublic"];
export type Bar = Schemas["AlpacaBar"];
export type PortfolioHistory = Schemas["PortfolioHistory"];

/** One execution, as the fills route (or, before it, an order's fill summary) tells it. */
export interface FillRow {
  id: string;
  orderId: string | null;
  symbol: string;
  side: "buy" | "sell";
  qty: string;
  price: string;
  /** RFC 3339. */
  time: string;
  referencePrice: string | null;
  slippage: string | null;
  fee: string | null;
  rule: string | null;
  explanation: string | null;
  /** True when made from an order's totals (no fills route): one row per order. */
  fromOrder: boolean;
}

function text(value: unknown): string | null {
  if (typeof value === "string") {
    return value;
  }
  if (typeof value === "number" && Number.isFinite(value)) {
    return String(value);
  }
  return null;
}

/** A fill as the server sends it → a row (tolerates `ts`/`timestamp`/`time`, `rule`/`explanation`). */
export function fillFrom(raw: Record<string, unknown>, index: number): FillRow {
  const side = raw.side === "sell" || raw.side === "sell_short" ? "sell" : "buy";
  return {
    id: text(raw.id) ?? `fill-${index}`,
    orderId: text(raw.order_id),
    symbol: text(raw.symbol) ?? "",
    side,
    qty: text(raw.qty) ?? "0",
    price: text(raw.price) ?? "0",
    time: text(raw.time) ?? text(raw.timestamp) ?? text(raw.ts) ?? text(raw.transaction_time) ?? "",
    referencePrice: text(raw.reference_price),
    slippage: text(raw.slippage),
    fee: text(raw.fee),
    rule: text(raw.rule),
    explanation: text(raw.explanation),
    fromOrder: false,
  };
}

/** Before the fills route: one row per order that filled (its total and average price). */
export function fillsFromOrders(orders: readonly Order[]): FillRow[] {
  const rows: FillRow[] = [];
  for (const order of orders) {
    if (order.filled_at === null || order.filled_avg_price === null || Number(order.filled_qty) === 0) {
      continue;
    }
    rows.push({
      id: order.id,
      orderId: order.id,
      symbol: order.symbol,
      side: order.side === "sell" ? "sell" : "buy",
      qty: order.filled_qty,
      price: order.filled_avg_price,
      time: order.filled_at,
      referencePrice: null,
      slippage: null,
      fee: null,
      rule: null,
      explanation: `order ${order.type} ${order.time_in_force}`,
      fromOrder: true,
    });
  }
  return rows.sort((a, b) => a.time.localeCompare(b.time));
}

/** What `GET /v1/sessions/{id}/metrics` answers, read loosely: named numbers and a trade log. */
export interface Metrics {
  values: Record<string, unknown>;
  trades: Record<string, unknown>[];
}

export function metricsFrom(raw: unknown): Metrics {
  if (typeof raw !== "object" || raw === null) {
    return { values: {}, trades: [] };
  }
  const record = raw as Record<string, unknown>;
  const nested = record.metrics;
  const values =
    typeof nested === "object" && nested !== null ? { ...record, ...(nested as Record<string, unknown>) } : record;
  const trades = Array.isArray(record.trades) ? (record.trades as Record<string, unknown>[]) : [];
  return { values, trades };
}
