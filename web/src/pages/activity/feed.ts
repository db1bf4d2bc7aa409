/**
 * The activity feed's items: the journal's answer (`GET /api/activity`) and
 * the live events of `/ws`, in one shape, filtered by one rule, merged
 * without duplicates (an event is its stream and seq).
 */
import type { Schemas } from "../../api/client";
import type { LiveEvent } from "../../live/socket";

export type Severity = "info" | "warning" | "error";

export const SEVERITIES: readonly Severity[] = ["info", "warning", "error"];

export interface FeedItem {
  stream: string;
  seq: number;
  type: string;
  /** The event's own time (session time for a session's events). */
  time: string | null;
  /** When it was committed; live events do not carry it. */
  recordedAt: string | null;
  sessionId: string | null;
  severity: Severity;
  message: string;
}

export interface FeedFilter {
  /** This severity and above. */
  severity: Severity;
  session: string | null;
  /** Only these kinds (none: every kind). */
  types: readonly string[];
}

export const NO_FILTER: FeedFilter = { severity: "info", session: null, types: [] };

export function itemKey(item: { stream: string; seq: number }): string {
  return `${item.stream}#${item.seq}`;
}

export function fromActivity(item: Schemas["ActivityPublic"]): FeedItem {
  return {
    stream: item.stream,
    seq: item.seq,
    type: item.type,
    time: item.time,
    recordedAt: item.recorded_at,
    sessionId: item.session_id,
    severity: item.severity,
    message: item.message,
  };
}

/** A live event as a feed item; `null` for what is not activity (an agent's log lines). */
export function fromLive(event: LiveEvent): FeedItem | null {
  if (event.stream.startsWith("log:")) {
    return null;
  }
  return {
    stream: event.stream,
    seq: event.seq,
    type: event.kind,
    time: event.time,
    recordedAt: null,
    sessionId: event.session_id,
    severity: event.severity ?? "info",
    message: event.message ?? event.kind,
  };
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The server's filter of `GET /api/activity`, applied to an item here. */
export function matches(item: FeedItem, filter: FeedFilter): boolean {
  if (severityRank(item.severity) < severityRank(filter.severity)) {
    return false;
  }
  if (filter.session !== null && item.sessionId !== filter.session) {
    return false;
  }
  return filter.types.length === 0 || filter.types.includes(item.type);
}

/** `live` (newest first) on top of `fetched`, leaving out what `fetched` already has. */
export function combine(live: readonly FeedItem[], fetched: readonly FeedItem[]): FeedItem[] {
  if (live.length === 0) {
    return [...fetched];
  }
  const seen = new Set(fetched.map(itemKey));
  return [...live.filter((item) => !seen.has(itemKey(item))), ...fetched];
}

/** Drop repeats (the same stream and seq), keeping the first. */
export function unique(items: readonly FeedItem[]): FeedItem[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = itemKey(item);
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}
