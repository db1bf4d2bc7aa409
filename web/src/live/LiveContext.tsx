/**
 * The tab's live connection, for every page: its state (for the indicator),
 * the store of recent events, and log following. Events refresh the cached
 * answers they make stale (see invalidation.ts).
 */
import { useQueryClient } from "@tanstack/react-query";
import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useMemo,
  useState,
  useSyncExternalStore,
} from "react";

import type { ApiKey } from "../api/client";
import { EventStore } from "./activityStore";
import { Invalidator } from "./invalidation";
import { type ConnectionState, EventSocket, type LiveEvent } from "./socket";

interface Live {
  socket: EventSocket | null;
  state: ConnectionState;
  events: EventStore;
}

const LiveContext = createContext<Live | null>(null);

export function LiveProvider({ apiKey, children }: { apiKey: ApiKey; children: ReactNode }) {
  const client = useQueryClient();
  const events = useMemo(() => new EventStore(), []);
  const socket = useMemo(() => new EventSocket(apiKey), [apiKey]);
  const [state, setState] = useState<ConnectionState>(socket.state);

  useEffect(() => {
    const invalidator = new Invalidator(client);
    const unsubscribers = [
      socket.onState(setState),
      socket.onEvent((event) => {
        events.add(event);
        invalidator.push(event);
      }),
      socket.onResume(() => {
        invalidator.all();
      }),
    ];
    socket.start();
    return () => {
      for (const unsubscribe of unsubscribers) {
        unsubscribe();
      }
      socket.stop();
      invalidator.dispose();
      events.clear();
    };
  }, [client, socket, events]);

  const value = useMemo(() => ({ socket, state, events }), [socket, state, events]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  const live = useContext(LiveContext);
  if (live === null) {
    throw new Error("useLive outside <LiveProvider>");
  }
  return live;
}

/** The recent live events (newest first), re-rendering at most once a frame. */
export function useLiveEvents(): readonly LiveEvent[] {
  const { events } = useLive();
  return useSyncExternalStore(events.subscribe, events.snapshot);
}

/** A live context for tests and pages outside the signed-in shell. */
export function StaticLiveProvider({
  children,
  state,
  events,
}: {
  children: ReactNode;
  state?: ConnectionState;
  /** The store a test adds events to (default: an empty one). */
  events?: EventStore;
}) {
  const value = useMemo(
    () => ({ socket: null, state: state ?? ({ status: "closed" } as const), events: events ?? new EventStore() }),
    [state, events],
  );
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

/** Hear `topic` on the socket while the calling page is shown. */
export function useFollowTopic(topic: string): void {
  const { socket } = useLive();
  useEffect(() => {
    if (socket === null) {
      return;
    }
    socket.followTopic(topic);
    return () => {
      socket.unfollowTopic(topic);
    };
  }, [socket, topic]);
}
