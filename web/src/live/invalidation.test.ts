import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";

import { keys } from "../api/keys";
import { Invalidator } from "./invalidation";
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
