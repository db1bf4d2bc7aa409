/**
 * The sessions table's rows: the filters and the sort read from the page's
 * query string (so a filtered, sorted view has a stable URL), applied to the
 * list as the server sends it.
 */
import type { Schemas } from "../../api/client";
import { formatTime } from "../../format/time";

export type Session = Schemas["SessionPublic"];

export type SortKey = "type" | "name" | "strategy" | "state" | "realized" | "unrealized" | "exposure" | "uptime" | "created";
export type SortDir = "asc" | "desc";

export const SORT_KEYS: readonly SortKey[] = [
  "type",
  "name",
  "strategy",
  "state",
  "realized",
  "unrealized",
  "exposure",
  "uptime",
  "created",
];

/** The strategy filter's value for sessions traded by hand (no strategy). */
export const NO_STRATEGY = "none";

export interface View {
  type: string;
  state: string;
  strategy: string;
  q: string;
  sort: SortKey;
  dir: SortDir;
}

export function readView(params: URLSearchParams): View {
  const sort = params.get("sort") ?? "created";
  return {
    type: params.get("type") ?? "",
    state: params.get("state") ?? "",
    strategy: params.get("strategy") ?? "",
    q: params.get("q") ?? "",
    sort: (SORT_KEYS as readonly string[]).includes(sort) ? (sort as SortKey) : "created",
    dir: params.get("dir") === "asc" ? "asc" : "desc",
  };
}

/** The query string for `view` (defaults left out, so the plain page is `/sessions`). */
export function writeView(view: View): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ["type", "state", "strategy", "q"] as const) {
    if (view[key] !== "") {
      params.set(key, view[key]);
    }
  }
  if (view.sort !== "created" || view.dir !== "desc") {
    params.set("sort", view.sort);
    params.set("dir", view.dir);
  }
  return params;
}

/** When the current run began: `started_at`, else `created_at` (ms). */
function startMs(session: Session): number {
  return new Date(session.started_at ?? session.created_at).getTime();
}

/**
 * How long the session has run, in seconds: to now while it runs, to
 * `ended_at` once its run ended; `null` for one that never ran.
 */
export function uptimeSeconds(session: Session, now: number): number | null {
  if (session.state === "running") {
    return Math.max(0, (now - startMs(session)) / 1000);
  }
  if (session.ended_at !== null) {
    return Math.max(0, (new Date(session.ended_at).getTime() - startMs(session)) / 1000);
  }
  return null;
}

export function strategyName(session: Session): string {
  return session.strategy?.name ?? "";
}

type Sortable = string | number;

function sortValue(session: Session, key: SortKey, now: number): Sortable {
  switch (key) {
    case "type":
      return session.type;
    case "name":
      return session.name.toLowerCase();
    case "strategy":
      return strategyName(session);
    case "state":
      return session.state;
    // Sorting only compares (display always formats the exact decimal string).
    case "realized":
      return Number(session.total_realized_pnl);
    case "unrealized":
      return Number(session.total_unrealized_pnl);
    case "exposure":
      return Number(session.exposure);
    case "uptime":
      return uptimeSeconds(session, now) ?? -1;
    case "created":
      return session.created_at;
  }
}

function compare(a: Sortable, b: Sortable): number {
  if (typeof a === "number" && typeof b === "number") {
    return a - b;
  }
  return String(a).localeCompare(String(b));
}

export function matches(session: Session, view: View): boolean {
  if (view.type !== "" && session.type !== view.type) {
    return false;
  }
  if (view.state !== "" && session.state !== view.state) {
    return false;
  }
  if (view.strategy !== "") {
    const name = strategyName(session);
    if (view.strategy === NO_STRATEGY ? name !== "" : name !== view.strategy) {
      return false;
    }
  }
  const q = view.q.trim().toLowerCase();
  return q === "" || session.name.toLowerCase().includes(q) || session.id.toLowerCase().includes(q);
}

/** The sessions `view` shows, in its order (ties by creation, then id, so the order is stable). */
export function visibleRows(sessions: readonly Session[], view: View, now: number): Session[] {
  const sign = view.dir === "asc" ? 1 : -1;
  const keyed = sessions
    .filter((session) => matches(session, view))
    .map((session) => ({ session, value: sortValue(session, view.sort, now) }));
  keyed.sort(
    (a, b) =>
      sign * compare(a.value, b.value) ||
      compare(b.session.created_at, a.session.created_at) ||
      compare(a.session.id, b.session.id),
  );
  return keyed.map(({ session }) => session);
}

/** A time to the minute, `2026-12-06 19:32Z` (the table's Created column; the cell's title has the seconds). */
export function formatMinute(iso: string): string {
  return formatTime(iso).replace(/(\d\d:\d\d):\d\d(\.\d+)?Z$/, "$1Z");
}
