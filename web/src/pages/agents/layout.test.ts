import { describe, expect, it } from "vitest";

import { PIPELINE } from "./fixtures";
import { wires } from "./FlowGraph";
import {
  COLUMN_WIDTH,
  forgetPositions,
  initialPositions,
  layered,
  loadPositions,
  ranks,
  savePositions,
  storageKey,
} from "./layout";

const names = ["data", "sentiment", "strategy", "risk", "execution"];
const edges = PIPELINE.edges;

describe("layering", () => {
  it("ranks the standard pipeline along the bus", () => {
    const rank = ranks(names, edges);
    expect(names.map((name) => rank.get(name))).toEqual([0, 1, 2, 3, 4]);
  });

  it("takes the longest path, whatever order the edges come in", () => {
    const rank = ranks(["a", "b", "c", "d"], [
      { source: "c", target: "d" },
      { source: "a", target: "d" },
      { source: "b", target: "c" },
      { source: "a", target: "b" },
    ]);
    expect(Object.fromEntries(rank)).toEqual({ a: 0, b: 1, c: 2, d: 3 });
  });

  it("ends on a cycle and ignores edges to unknown nodes", () => {
    const rank = ranks(["a", "b"], [
      { source: "a", target: "b" },
      { source: "b", target: "a" },
      { source: "a", target: "ghost" },
    ]);
    expect(rank.size).toBe(2);
  });

  it("places columns left to right and keeps a skipped column's wire clear of its card", () => {
    const at = layered(names, edges);
    expect(names.map((name) => at.get(name)?.x)).toEqual([0, 1, 2, 3, 4].map((r) => r * COLUMN_WIDTH));
    // bars runs from data to the strategy past the sentiment column: its card sits lower
    expect(at.get("sentiment")?.y).toBeGreaterThan(at.get("data")?.y ?? Infinity);
    expect(at.get("data")?.y).toBe(at.get("strategy")?.y);
  });

  it("joins the topics of one publisher and subscriber into one wire, by agent id", () => {
    const joined = wires(PIPELINE);
    expect(joined).toHaveLength(5);
    const riskToExecution = joined.find((wire) => wire.topics.length === 2);
    expect(riskToExecution?.topics).toEqual(["approved_intents", "denied_intents"]);
    expect(riskToExecution?.source).toBe(PIPELINE.nodes[3]?.id);
  });
});

describe("kept positions", () => {
  it("restores the positions kept for the session, and lays out the rest", () => {
    savePositions("s1", new Map([["risk", { x: 5, y: 7 }]]));
    expect(localStorage.getItem(storageKey("s1"))).toBe('{"risk":{"x":5,"y":7}}');
    const at = initialPositions("s1", names, edges);
    expect(at.get("risk")).toEqual({ x: 5, y: 7 });
    expect(at.get("execution")?.x).toBe(4 * COLUMN_WIDTH);
    expect(initialPositions("s2", names, edges).get("risk")?.x).toBe(3 * COLUMN_WIDTH);
  });

  it("ignores what it cannot read, and forgets on reset", () => {
    localStorage.setItem(storageKey("s1"), "{not json");
    expect(loadPositions("s1").size).toBe(0);
    localStorage.setItem(storageKey("s1"), '{"a":{"x":"1","y":2},"b":{"x":1,"y":2}}');
    expect([...loadPositions("s1").keys()]).toEqual(["b"]);
    forgetPositions("s1");
    expect(localStorage.getItem(storageKey("s1"))).toBeNull();
  });
});
