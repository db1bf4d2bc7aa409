/**
 * Where each agent's card goes: left to right along the bus (a longest-path
 * layering of the pipeline's edges, so data → sentiment → strategy → risk →
 * execution), and where the user dragged them (kept per session in
 * localStorage).
 */

export interface XY {
  x: number;
  y: number;
}

export interface Wire {
  source: string;
  target: string;
}

export const COLUMN_WIDTH = 420;
export const ROW_HEIGHT = 320;

/**
 * Each node's rank: 0 for a node nothing publishes to, else one more than the
 * highest rank publishing to it. A cycle (the bus allows none today) is
 * broken by stopping after as many passes as there are nodes.
 */
export function ranks(nodes: readonly string[], edges: readonly Wire[]): Map<string, number> {
  const rank = new Map(nodes.map((node) => [node, 0]));
  for (let pass = 0; pass < nodes.length; pass += 1) {
    let moved = false;
    for (const { source, target } of edges) {
      const from = rank.get(source);
      const to = rank.get(target);
      if (from === undefined || to === undefined || source === target) {
        continue;
      }
      if (to < from + 1) {
        rank.set(target, from + 1);
        moved = true;
      }
    }
    if (!moved) {
      break;
    }
  }
  return rank;
}

/**
 * Columns by rank, rows in the given order within a column, each column
 * centred. A wire that skips columns (data's bars straight to the strategy,
 * past the sentiment agent) keeps a free row in each column it crosses, so
 * it never runs behind a card.
 */
export function layered(nodes: readonly string[], edges: readonly Wire[]): Map<string, XY> {
  const rank = ranks(nodes, edges);
  const columns = new Map<number, (string | null)[]>();
  const column = (r: number) => {
    const found = columns.get(r) ?? [];
    columns.set(r, found);
    return found;
  };
  for (const { source, target } of edges) {
    const from = rank.get(source);
    const to = rank.get(target);
    if (from !== undefined && to !== undefined) {
      for (let r = from + 1; r < to; r += 1) {
        column(r).push(null);
      }
    }
  }
  for (const node of nodes) {
    column(rank.get(node) ?? 0).push(node);
  }
  const tallest = Math.max(1, ...[...columns.values()].map((slots) => slots.length));
  const positions = new Map<string, XY>();
  for (const [r, slots] of columns) {
    const offset = ((tallest - slots.length) * ROW_HEIGHT) / 2;
    slots.forEach((node, row) => {
      if (node !== null) {
        positions.set(node, { x: r * COLUMN_WIDTH, y: offset + row * ROW_HEIGHT });
      }
    });
  }
  return positions;
}

export function storageKey(sessionId: string): string {
  return `paperbroker.flow.${sessionId}`;
}

/** The positions the user left the cards at, or an empty map (nothing kept, or unreadable). */
export function loadPositions(sessionId: string): Map<string, XY> {
  const kept = new Map<string, XY>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(localStorage.getItem(storageKey(sessionId)) ?? "{}");
  } catch {
    return kept;
  }
  if (typeof parsed !== "object" || parsed === null) {
    return kept;
  }
  for (const [id, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value === "object" && value !== null) {
      const { x, y } = value as { x?: unknown; y?: unknown };
      if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) {
        kept.set(id, { x, y });
      }
    }
  }
  return kept;
}

export function savePositions(sessionId: string, positions: ReadonlyMap<string, XY>): void {
  try {
    localStorage.setItem(storageKey(sessionId), JSON.stringify(Object.fromEntries(positions)));
  } catch {
    // Storage full or refused: the layout is simply not kept.
  }
}

export function forgetPositions(sessionId: string): void {
  try {
    localStorage.removeItem(storageKey(sessionId));
  } catch {
    // nothing kept, nothing to forget
  }
}

/** The kept position of each node, else its layered one. */
export function initialPositions(
  sessionId: string,
  nodes: readonly string[],
  edges: readonly Wire[],
): Map<string, XY> {
  const kept = loadPositions(sessionId);
  const computed = layered(nodes, edges);
  return new Map(nodes.map((node) => [node, kept.get(node) ?? computed.get(node) ?? { x: 0, y: 0 }]));
}
