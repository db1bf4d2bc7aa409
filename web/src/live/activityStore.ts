/**
 * The live events of this tab, newest first, bounded: what the activity
 * feed, the alerts and the log drawers read as they arrive. Subscribers are
 * told at most once per animation frame, however fast events come.
 */
import type { LiveEvent } from "./socket";

export const KEEP = 2000;

type Listener = () => void;

export class EventStore {
  private items: readonly LiveEvent[] = [];
  private pending: LiveEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private scheduled = false;
  private readonly keep: number;
  private readonly schedule: (flush: () => void) => void;

  constructor(keep = KEEP, schedule: (flush: () => void) => void = frame) {
    this.keep = keep;
    this.schedule = schedule;
  }

  add(event: LiveEvent): void {
    this.pending.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => {
        this.flush();
      });
    }
  }

  /** Newest first. The same array until something arrives (safe for useSyncExternalStore). */
  snapshot = (): readonly LiveEvent[] => this.items;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  clear(): void {
    this.items = [];
    this.pending = [];
    this.notify();
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) {
      return;
    }
    const arrived = this.pending.reverse();
    this.pending = [];
    this.items = [...arrived, ...this.items].slice(0, this.keep);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }
}

function frame(flush: () => void): void {
  if (typeof requestAnimationFrame === "function" && document.visibilityState === "visible") {
    requestAnimationFrame(flush);
  } else {
    setTimeout(flush, 100);
  }
}
