/**
 * The History page's view in its address: filters, sort, order and page,
 * so a view can be shared and the back button goes back to it.
 */
import type { HistorySort } from "./types";

export interface HistoryView {
  type: string;
  strategy: string;
  state: string;
  /** `YYYY-MM-DD` or empty. */
  since: string;
  until: string;
  sort: HistorySort;
  order: "asc" | "desc";
  page: number;
  perPage: number;
}

const SORTS: readonly HistorySort[] = ["ended_at", "total_return", "max_drawdown", "pnl", "sharpe", "trades", "name"];
export const PER_PAGE = [10, 25, 50, 100] as const;

export function readHistoryView(params: URLSearchParams): HistoryView {
  const sort = params.get("sort") as HistorySort | null;
  const perPage = Number(params.get("per_page") ?? "25");
  return {
    type: params.get("type") ?? "",
    strategy: params.get("strategy") ?? "",
    state: params.get("state") ?? "",
    since: params.get("since") ?? "",
    until: params.get("until") ?? "",
    sort: sort !== null && SORTS.includes(sort) ? sort : "ended_at",
    order: params.get("order") === "asc" ? "asc" : "desc",
    page: Math.max(0, Number(params.get("page") ?? "0") || 0),
    perPage: (PER_PAGE as readonly number[]).includes(perPage) ? perPage : 25,
  };
}

export function writeHistoryView(view: HistoryView): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ["type", "strategy", "state", "since", "until"] as const) {
    if (view[key] !== "") params.set(key, view[key]);
  }
  if (view.sort !== "ended_at") params.set("sort", view.sort);
  if (view.order !== "desc") params.set("order", view.order);
  if (view.page > 0) params.set("page", String(view.page));
  if (view.perPage !== 25) params.set("per_page", String(view.perPage));
  return params;
}

/** The query of `GET /v1/history` for a view (dates as whole UTC days). */
export function historyQuery(view: HistoryView): Record<string, string | number | undefined> {
  return {
    type: view.type || undefined,
    strategy: view.strategy || undefined,
    state: view.state || undefined,
    since: view.since === "" ? undefined : `${view.since}T00:00:00Z`,
    until: view.until === "" ? undefined : `${view.until}T23:59:59Z`,
    sort: view.sort,
    order: view.order,
    limit: view.perPage,
    offset: view.page * view.perPage,
  };
}
