/** Helpers of the activity and system tests: feed items as the server sends them, and a sized viewport. */
import { afterAll, beforeAll } from "vitest";

import type { Schemas } from "../../api/client";
import type { LiveEvent } from "../../live/socket";

export const SESSION = "3b0c52e4-0000-4000-8000-000000000001";

export function activity(seq: number, extra: Partial<Schemas["ActivityPublic"]> = {}): Schemas["ActivityPublic"] {
  return {
    time: "2012-01-03T21:00:00Z",
    recorded_at: `2026-11-21T19:46:${String(seq % 60).padStart(2, "0")}.000Z`,
    session_id: SESSION,
    stream: `session:${SESSION}`,
    seq,
    type: "OrderFilled",
    severity: "info",
    message: `buy ${seq} AAPL filled at 409.4`,
    data: {},
    ...extra,
  };
}

export function liveEvent(seq: number, extra: Partial<LiveEvent> = {}): LiveEvent {
  return {
    stream: `session:${SESSION}`,
    seq,
    topic: "fills",
    kind: "OrderFilled",
    time: "2012-01-03T21:01:00Z",
    session_id: SESSION,
    severity: "info",
    message: `live ${seq} filled`,
    data: {},
    ...extra,
  };
}

/** jsdom lays nothing out: give scrolling boxes a size so the virtualized list renders rows. */
export function withViewport(height = 800, width = 1200): void {
  const saved = {
    h: Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientHeight"),
    w: Object.getOwnPropertyDescriptor(HTMLElement.prototype, "clientWidth"),
  };
  beforeAll(() => {
    Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => height });
    Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => width });
  });
  afterAll(() => {
    if (saved.h) Object.defineProperty(HTMLElement.prototype, "clientHeight", saved.h);
    if (saved.w) Object.defineProperty(HTMLElement.prototype, "clientWidth", saved.w);
  });
}
