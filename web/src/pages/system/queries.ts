/** What system control reads: status (counts, faults) and health (score and its inputs). */
import { useQuery } from "@tanstack/react-query";

import { api, call, type Schemas } from "../../api/client";
import { keys } from "../../api/keys";

export type Status = Schemas["StatusPublic"];
export type Health = Schemas["HealthPublic"];

/** Refreshed by the live events (every event invalidates `["system"]`). */
export function useSystemStatus() {
  return useQuery({ queryKey: keys.systemStatus, queryFn: () => call(api.GET("/api/system/status")) });
}

/**
 * Refreshed by the live events too, and every 10 s besides: event-loop lag,
 * CPU and memory move with no event to say so.
 */
export function useSystemHealth() {
  return useQuery({
    queryKey: keys.systemHealth,
    queryFn: () => call(api.GET("/api/system/health")),
    refetchInterval: 10_000,
  });
}
