/**
 * One agent's log for the drawer: the last lines read over HTTP for the
 * filters, plus — while tailing — the lines the live connection brings
 * (`logs` topic of /ws), merged without duplicates. While the connection is
 * down the read is repeated every few seconds instead, as the socket cannot
 * bring the lines then.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";

import { keys } from "../../api/keys";
import { useLive } from "../../live/LiveContext";
import { type LogQuery, readLog } from "./api";
import { addLive, type Line, liveLine, merge } from "./logLines";

export const FALLBACK_REFRESH_MS = 3000;

export function useAgentLog(agentId: string, query: LogQuery, tail: boolean) {
  const { socket, state, events } = useLive();
  const live = socket !== null && state.status === "open";
  const read = useQuery({
    queryKey: keys.agent(agentId, "logs", query),
    queryFn: () => readLog(agentId, query),
    // No live stream to follow: read again, only while tailing.
    refetchInterval: tail && !live ? FALLBACK_REFRESH_MS : false,
  });

  useEffect(() => {
    if (!tail || socket === null) {
      return undefined;
    }
    socket.followLog(agentId);
    return () => {
      socket.unfollowLog(agentId);
    };
  }, [socket, agentId, tail]);

  // Kept here as they arrive: the tab's store holds only its latest events.
  const [arrived, setArrived] = useState<ReadonlyMap<number, Line>>(() => new Map());
  useEffect(() => {
    if (!tail) {
      return undefined;
    }
    const take = () => {
      const lines: Line[] = [];
      for (const event of events.snapshot()) {
        const line = liveLine(event, agentId);
        if (line !== null) {
          lines.push(line);
        }
      }
      setArrived((known) => addLive(known, lines));
    };
    return events.subscribe(take);
  }, [events, agentId, tail]);

  const snapshot = read.data;
  const lines = useMemo(
    () => merge(snapshot ?? [], arrived, { level: query.level, search: query.search }),
    [snapshot, arrived, query.level, query.search],
  );
  return { read, lines, live };
}
