/** Sweeps: the list, one sweep, its results and heatmap; launch, cancel, open a result as a session. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { keys } from "../../api/keys";
import { request } from "../../api/untyped";
import type { Heatmap, Sweep, SweepCreate, SweepList, SweepResults } from "./types";

export const ACTIVE: ReadonlySet<string> = new Set(["queued", "running"]);

export function useSweeps() {
  return useQuery({
    queryKey: keys.sweeps,
    queryFn: () => request<SweepList>("GET", "/v1/sweeps"),
    // The socket's `sweeps` topic refreshes it; a slow poll covers a server that sends nothing.
    refetchInterval: (query) => (query.state.data?.items.some((sweep) => ACTIVE.has(sweep.status)) === true ? 3000 : false),
  });
}

export function useSweep(id: string) {
  return useQuery({
    queryKey: keys.sweep(id),
    queryFn: () => request<Sweep>("GET", "/v1/sweeps/{sweepId}", { path: { sweepId: id } }),
    refetchInterval: (query) => (query.state.data !== undefined && ACTIVE.has(query.state.data.status) ? 2000 : false),
  });
}

export function useSweepResults(id: string, order: "asc" | "desc", done: number) {
  return useQuery({
    // `done` in the key: each finished run reads the results again.
    queryKey: keys.sweep(id, "results", order, done),
    queryFn: () =>
      request<SweepResults>("GET", "/v1/sweeps/{sweepId}/results", {
        path: { sweepId: id },
        query: { sort: "score", order, limit: 500, offset: 0 },
      }),
    placeholderData: (previous) => previous,
  });
}

export function useHeatmap(id: string, x: string, y: string, metric: string, done: number) {
  return useQuery({
    queryKey: keys.sweep(id, "heatmap", x, y, metric, done),
    enabled: x !== "" && y !== "" && x !== y,
    queryFn: () =>
      request<Heatmap>("GET", "/v1/sweeps/{sweepId}/heatmap", { path: { sweepId: id }, query: { x, y, metric } }),
    placeholderData: (previous) => previous,
  });
}

export function useLaunchSweep() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SweepCreate) => request<Sweep>("POST", "/v1/sweeps", { body }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.sweeps }),
  });
}

export function useCancelSweep() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => request<null>("DELETE", "/v1/sweeps/{sweepId}", { path: { sweepId: id } }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.sweeps }),
  });
}

/** A result's parameters as a backtest session, run to its end; the session's id. */
export function useOpenResult(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (idx: number) =>
      (
        await request<{ id: string }>("POST", "/v1/sweeps/{sweepId}/results/{idx}/session", {
          path: { sweepId: id, idx },
          body: {},
        })
      ).id,
    onSuccess: () => client.invalidateQueries({ queryKey: keys.sessions }),
  });
}
