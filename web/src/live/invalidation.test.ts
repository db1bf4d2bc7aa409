import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { keys } from "../api/keys";
import { Invalidator, keysFor } from "./invalidation";
import type { LiveEvent } from "./socket";

const EVENT: LiveEvent = {
  stream: "session:s1",
  seq: 1,
  topic: "orders",
  kind: "OrderFilled",
  time: null,
  session_id: "s1",
  data: {},
};

afterEach(() => {
  vi.useRealTimers();
});

describe("Invalidator", () => {
  it("does not cancel a refresh on its way for each event, and asks again once it is in", async () => {
    vi.useFakeTimers();
    const client = new QueryClient();
    let fetches = 0;
    let finish: (value: string[]) => void = () => undefined;
    // A page showing the list (an active query).
    const observer = new QueryObserver(client, {
      queryKey: keys.sessions,
      queryFn: () => {
        fetches += 1;
        if (fetches === 1) {
          return Promise.resolve(["s0"]);
        }
        return new Promise<string[]>((resolve) => {
          finish = resolve;
        });
      },
    });
    const unsubscribe = observer.subscribe(() => undefined);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.getQueryData(keys.sessions)).toEqual(["s0"]);
    const invalidator = new Invalidator(client, 250);
    for (let i = 0; i < 8; i++) {
      invalidator.push({ ...EVENT, seq: i });
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(fetches).toBe(2); // one refresh, left to arrive
    finish(["s1"]);
    await vi.advanceTimersByTimeAsync(0);
    expect(client.getQueryData(keys.sessions)).toEqual(["s1"]);
    await vi.advanceTimersByTimeAsync(250);
    expect(fetches).toBe(3); // then asked again
    unsubscribe();
    invalidator.dispose();
  });
});

function fill(sessionId: string, seq: number): LiveEvent {
  return { stream: `session:${sessionId}`, seq, topic: "fills", kind: "OrderFilled", time: null, session_id: sessionId, data: {} };
}

describe("Invalidator: which answers an event makes stale", () => {
  let client: QueryClient;

  beforeEach(() => {
    vi.useFakeTimers();
    client = new QueryClient();
    for (const key of [
      ["session", "s1", "orders"],
      ["session", "s1", "risk"],
      ["session", "s2"],
      ["sessions"],
      ["agents"],
      ["agents", "a1", "logs", {}],
      ["risk", "overview"],
      ["risk", "audit", null],
    ]) {
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

  it.each(["OrderDenied", "BreakerTripped", "RiskCommanded", "RiskAdjusted"])(
    "refreshes the session's risk, the risk overview and the audit on %s",
    (kind) => {
      const invalidator = new Invalidator(client, 250);
      invalidator.push({ ...fill("s1", 1), topic: "risk", kind });
      vi.advanceTimersByTime(250);
      expect(stale(["session", "s1", "risk"])).toBe(true);
      expect(stale(["risk", "overview"])).toBe(true);
      expect(stale(["risk", "audit", null])).toBe(true);
      expect(stale(["session", "s2"])).toBe(false);
    },
  );

  it("refreshes the risk overview, not the audit, on a fill", () => {
    const invalidator = new Invalidator(client, 250);
    invalidator.push(fill("s1", 1));
    vi.advanceTimersByTime(250);
    expect(stale(["session", "s1", "risk"])).toBe(true);
    expect(stale(["risk", "overview"])).toBe(true);
    expect(stale(["risk", "audit", null])).toBe(false);
  });

  it("refreshes a session's reconciliations and checkpoints on its reconciliation and its pause", () => {
    for (const kind of ["ReconciliationApplied", "SessionStateChanged"]) {
      const touched = keysFor({ ...EVENT, topic: "sessions", kind }).map((key) => JSON.stringify(key));
      // Every part of the session page is under the session's key.
      expect(touched).toContain(JSON.stringify(keys.session("s1")));
      expect(keys.sessionPart("s1", "reconciliations").slice(0, 2)).toEqual(keys.session("s1"));
      expect(keys.sessionPart("s1", "checkpoints").slice(0, 2)).toEqual(keys.session("s1"));
    }
  });

  it("ignores log lines", () => {
    const invalidator = new Invalidator(client, 250);
    invalidator.push({ ...fill("s1", 1), stream: "log:a1", topic: "logs", session_id: null });
    vi.advanceTimersByTime(250);
    expect(stale(["sessions"])).toBe(false);
  });
});

describe("keysFor the analytics pages", () => {
  it("refreshes the sweeps on a sweep's progress, and the history when a session's state changes", () => {
    const base = { stream: "system:k", seq: 1, time: null, session_id: null, data: {} };
    const sweep = keysFor({ ...base, topic: "sweeps", kind: "SweepProgress" }).map((key) => JSON.stringify(key));
    expect(sweep).toContain(JSON.stringify(["sweeps"]));
    const ended = keysFor({ ...base, stream: "session:s1", topic: "sessions", kind: "SessionStateChanged", session_id: "s1" }).map((key) =>
      JSON.stringify(key),
    );
    expect(ended).toContain(JSON.stringify(["history"]));
  });
});
