/**
 * Events → cached answers. An event of a session refreshes that session's
 * queries (its risk view among them), the session list, the system tiles, the
 * agents and the risk overview; a risk event (a denial, a trip, a command, an
 * automatic adjustment) the risk audit too; a system event refreshes the list
 * and tiles. Refreshes are coalesced (at most one per key
 * every `intervalMs`), so 50 events a second cost a few requests a second.
 */
import type { QueryClient, QueryKey } from "@tanstack/react-query";

import { keys } from "../api/keys";
import type { LiveEvent } from "./socket";

/** The events of a session's risk layer. */
export const RISK_KINDS: ReadonlySet<string> = new Set(["OrderDenied", "BreakerTripped", "RiskCommanded", "RiskAdjusted"]);

export function keysFor(event: LiveEvent): QueryKey[] {
  const touched: QueryKey[] = [keys.sessions, keys.system];
  if (event.session_id !== null) {
    touched.push(keys.session(event.session_id));
    touched.push(RISK_KINDS.has(event.kind) ? keys.risk : keys.riskOverview);
  }
  if (event.topic === "agents" || event.topic === "sessions" || event.stream.startsWith("system:")) {
    touched.push(keys.agents);
  }
  if (event.topic === "sweeps" || event.kind.startsWith("Sweep")) {
    touched.push(keys.sweeps);
  }
  if (event.kind === "SessionStateChanged") {
    touched.push(keys.history()); // an ended session joins the history
  }
  if (event.topic === "fills" || event.topic === "orders") {
    touched.push(keys.agents); // trading agents' counters move with orders
  }
  return touched;
}

/** `["agents", id, "logs", …]`: a log read, which the log's own stream keeps current. */
function isLogRead(key: QueryKey): boolean {
  return key[0] === "agents" && key[2] === "logs";
}

export class Invalidator {
  private readonly client: QueryClient;
  private readonly intervalMs: number;
  private readonly waiting = new Map<string, QueryKey>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(client: QueryClient, intervalMs = 250) {
    this.client = client;
    this.intervalMs = intervalMs;
  }

  push(event: LiveEvent): void {
    if (event.stream.startsWith("log:")) {
      return; // log lines live in the event store only
    }
    for (const key of keysFor(event)) {
      this.waiting.set(JSON.stringify(key), key);
    }
    this.timer ??= setTimeout(() => {
      this.flush();
    }, this.intervalMs);
  }

  /** Refresh everything (after a reconnect: what happened meanwhile). */
  all(): void {
    void this.client.invalidateQueries();
  }

  flush(): void {
    this.timer = undefined;
    const due = [...this.waiting.entries()];
    this.waiting.clear();
    for (const [id, queryKey] of due) {
      // An answer still on its way is not canceled for a new one (a list that takes
      // longer than the events' interval would never arrive): ask again once it is in.
      if (this.client.isFetching({ queryKey }) > 0) {
        this.waiting.set(id, queryKey);
        continue;
      }
      // An agent's log is read anew by its own stream (the `logs` topic), not by every order.
      void this.client.invalidateQueries({ queryKey, predicate: (query) => !isLogRead(query.queryKey) });
    }
    if (this.waiting.size > 0) {
      this.timer = setTimeout(() => {
        this.flush();
      }, this.intervalMs);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.waiting.clear();
  }
}
