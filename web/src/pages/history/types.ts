/** The shapes the History page reads (`GET /v1/history`), from the generated API types. */
import type { Schemas } from "../../api/client";

/** Every metric of a session, by name (ratios as decimal strings, counts as numbers). */
export type Metrics = Record<string, unknown>;

export type SessionSummary = Schemas["SessionSummaryPublic"];
export type HistoryPage = Schemas["HistoryPublic"];
export type HistorySort = "ended_at" | "total_return" | "max_drawdown" | "pnl" | "sharpe" | "trades" | "name";

/** A metrics object of the API (or none) as a record to look names up in. */
export function metricsRecord(metrics: Schemas["MetricsPublic"] | Record<string, unknown> | null | undefined): Metrics {
  return metrics ?? {};
}
