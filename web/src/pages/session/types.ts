/** The shapes this page reads, from the generated API types. */
import type { Schemas } from "../../api/client";
import { formatDecimal } from "../../format/numbers";

/** The session view. */
export type SessionView = Schemas["SessionPublic"];
export type Order = Schemas["OrderPublic"];
export type Position = Schemas["PositionPublic"];
export type Bar = Schemas["AlpacaBar"];
export type PortfolioHistory = Schemas["PortfolioHistory"];
export type Fill = Schemas["FillPublic"];
export type SessionMetrics = Schemas["SessionMetricsPublic"];
export type Trade = Schemas["TradePublic"];

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

/** A fill as the fills route sends it → a row; the explanation names how it was priced. */
export function fillRow(fill: Fill): FillRow {
  return {
    id: fill.id,
    orderId: fill.order_id,
    symbol: fill.symbol,
    side: fill.side,
    qty: fill.qty,
    price: fill.price,
    time: fill.time,
    referencePrice: fill.reference_price,
    slippage: fill.slippage,
    fee: fill.fee,
    rule: fill.rule,
    explanation: `${fill.liquidity}, path ${fill.intrabar_path}, ${fill.slippage_model}, latency ${formatDecimal(fill.latency_ms, { places: 1 })} ms`,
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
