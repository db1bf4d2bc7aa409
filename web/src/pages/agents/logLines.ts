/**
 * An agent's log as the drawer shows it: the lines the server returned for
 * the filters, followed by the lines the live stream brought since, without
 * duplicates (a live line is known by its line number, and one the latest
 * read already holds is dropped by its text, which carries its millisecond).
 */
import type { LiveEvent } from "../../live/socket";

export const LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] as const;

export interface Line {
  /** The line number for a live line; null for a line read over HTTP. */
  seq: number | null;
  level: string;
  text: string;
}

export interface Filters {
  level: string;
  search: string;
}

/** The server's rule: a level filter keeps that level and above, and no unlevelled line. */
export function passes(line: Line, { level, search }: Filters): boolean {
  if (level !== "") {
    const floor = LEVELS.indexOf(level as (typeof LEVELS)[number]);
    const own = LEVELS.indexOf(line.level as (typeof LEVELS)[number]);
    if (floor > 0 && own < floor) {
      return false;
    }
  }
  return search === "" || line.text.includes(search);
}

/** A `logs` event of `agentId`'s stream as a line, or null for any other event. */
export function liveLine(event: LiveEvent, agentId: string): Line | null {
  if (event.stream !== `log:${agentId}`) {
    return null;
  }
  const { line, level } = event.data as { line?: unknown; level?: unknown };
  if (typeof line !== "string") {
    return null;
  }
  return { seq: event.seq, level: typeof level === "string" ? level : "", text: line };
}

/** Add `arrived` to `known` (by line number), oldest first; the same map if nothing is new. */
export function addLive(known: ReadonlyMap<number, Line>, arrived: readonly Line[]): ReadonlyMap<number, Line> {
  const fresh = arrived.filter((line) => line.seq !== null && !known.has(line.seq));
  if (fresh.length === 0) {
    return known;
  }
  const next = new Map(known);
  for (const line of fresh) {
    next.set(line.seq ?? 0, line);
  }
  return new Map([...next.entries()].sort(([a], [b]) => a - b));
}

/**
 * The read lines, then the live ones after them that pass the filters; at
 * most `cap`. A live line the read holds marks where the read ends: it and
 * every live line before it are left out (the read has them, or they did
 * not pass its filters, or fell before its last `lines`).
 */
export function merge(read: readonly Line[], live: ReadonlyMap<number, Line>, filters: Filters, cap = 10_000): Line[] {
  const held = new Set(read.map((line) => line.text));
  let end = -Infinity;
  for (const [seq, line] of live) {
    if (held.has(line.text)) {
      end = Math.max(end, seq);
    }
  }
  const merged = [...read];
  for (const [seq, line] of live) {
    if (seq > end && !held.has(line.text) && passes(line, filters)) {
      merged.push(line);
    }
  }
  return merged.length > cap ? merged.slice(merged.length - cap) : merged;
}

/** `text` cut around each occurrence of `search` (case-sensitive, as the server searches). */
export function highlightParts(text: string, search: string): { text: string; hit: boolean }[] {
  if (search === "") {
    return [{ text, hit: false }];
  }
  const parts: { text: string; hit: boolean }[] = [];
  let from = 0;
  for (let at = text.indexOf(search); at !== -1; at = text.indexOf(search, from)) {
    if (at > from) {
      parts.push({ text: text.slice(from, at), hit: false });
    }
    parts.push({ text: search, hit: true });
    from = at + search.length;
  }
  if (from < text.length) {
    parts.push({ text: text.slice(from), hit: false });
  }
  return parts;
}
