import { QueryClient } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { Invalidator, keysFor } from "./invalidation";
import type { LiveEvent } from "./socket";

function fill(sessionId: string, seq: number): LiveEvent {
  return { stream: `session:${sessionId}`, seq, topic: "fills", kind: "OrderFilled", time: null, session_id: sessionId, data: {} };
}

describe("Invalidator", () => {
  let client: QueryClient;

  beforeEach(() => {
    vi.useFakeTimers();
    client = new QueryClient();
    for (const key of [["session", "s1", "orders"], ["session", "s2"], ["sessions"], ["agents"], ["agents", "a1", "logs", {}]]) {
      client.setQueryData(key, 1);
    }
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  const stale = (key: unknown[]) => client.getQueryState(key)?.isInvalidated;

  it("marks stale what a session's event touches, and not other sessions or agents' log reads", () => {
    const invalidator = new Invalidator(client, 250);
    invalidator.push(fill("s1", 1));
    expect(stale(["session", "s1", "orders"])).toBe(false); // coalesced: not yet
    vi.advanceTimersByTime(250);
    expect(stale(["session", "s1", "orders"])).toBe(true);
    expect(stale(["sessions"])).toBe(true);
    expect(stale(["agents"])).toBe(true);
    expect(stale(["session", "s2"])).toBe(false);
    expect(stale(["agents", "a1", "logs", {}])).toBe(false);
  });

  it("coalesces a burst into one refresh per key", () => {
    const spy = vi.spyOn(client, "invalidateQueries");
    const invalidator = new Invalidator(client, 250);
    for (let seq = 1; seq <= 50; seq += 1) {
      invalidator.push(fill("s1", seq));
    }
    vi.advanceTimersByTime(250);
    const distinct = new Set(keysFor(fill("s1", 1)).map((key) => JSON.stringify(key)));
    expect(spy.mock.calls.length).toBe(distinct.size);
  });

  it("ignores log lines", () => {
    const invalidator = new Invalidator(client, 250);
    invalidator.push({ ...fill("s1", 1), stream: "log:a1", topic: "logs", session_id: null });
    vi.advanceTimersByTime(250);
    expect(stale(["sessions"])).toBe(false);
  });
});
