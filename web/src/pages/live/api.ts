/**
 * What the dashboard reads and does about live sessions, as TanStack Query
 * hooks: a live session's own view (its feed's health), its reconciliation
 * runs (run one now, approve a halted one) and every session's checkpoints
 * (write one now, clean up). Their keys start with `["session", id]`, so the
 * session's live events refresh them; every command refreshes the session.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import type { CheckpointCleanup, Checkpoint, Checkpoints, LiveSession, Reconciliation } from "./types";

const session = (sessionId: string) => ({ params: { path: { sessionId } } });

/** `GET /api/live-trading/sessions/{id}`: a live session with its feed's health. */
export function useLiveSession(sessionId: string) {
  return useQuery({
    queryKey: keys.sessionPart(sessionId, "live"),
    queryFn: (): Promise<LiveSession> => call(api.GET("/api/live-trading/sessions/{sessionId}", session(sessionId))),
  });
}

/** How often, at most, a running session's runs are read again (a clean run says nothing on the socket). */
export const RUNS_POLL_SECONDS = 10;

/**
 * The session's reconciliation runs, newest first. A run that adopts or halts
 * is heard on the event stream; a clean one (at start, after a reconnection,
 * at the interval) is not, so while the session runs the list is also read
 * again every `intervalSeconds` (its reconciliation interval), at most every
 * {@link RUNS_POLL_SECONDS}.
 */
export function useReconciliations(sessionId: string, intervalSeconds: number | null) {
  return useQuery({
    queryKey: keys.sessionPart(sessionId, "reconciliations"),
    queryFn: (): Promise<Reconciliation[]> =>
      call(api.GET("/v1/sessions/{sessionId}/reconciliations", { params: { path: { sessionId }, query: { limit: 100 } } })),
    refetchInterval: intervalSeconds === null ? false : Math.min(intervalSeconds, RUNS_POLL_SECONDS) * 1000,
  });
}

/** A command about the session: when it is done, everything about the session is read again. */
function useSessionCommand<TArgs, TResult>(sessionId: string, run: (args: TArgs) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: keys.session(sessionId) }),
        client.invalidateQueries({ queryKey: keys.sessions }),
      ]);
    },
  });
}

export function useReconcileNow(sessionId: string) {
  return useSessionCommand(sessionId, (): Promise<Reconciliation> =>
    call(api.POST("/v1/sessions/{sessionId}/reconciliations", session(sessionId))),
  );
}

export function useApproveRun(sessionId: string) {
  return useSessionCommand(sessionId, (runId: string): Promise<Reconciliation> =>
    call(api.POST("/v1/sessions/{sessionId}/reconciliations/{runId}/approve", { params: { path: { sessionId, runId } } })),
  );
}

export function useCheckpoints(sessionId: string) {
  return useQuery({
    queryKey: keys.sessionPart(sessionId, "checkpoints"),
    queryFn: (): Promise<Checkpoints> => call(api.GET("/v1/sessions/{sessionId}/checkpoints", session(sessionId))),
  });
}

export function useCheckpointNow(sessionId: string) {
  return useSessionCommand(sessionId, (): Promise<Checkpoint> =>
    call(api.POST("/v1/sessions/{sessionId}/checkpoints", session(sessionId))),
  );
}

export function useCleanupCheckpoints(sessionId: string) {
  return useSessionCommand(sessionId, (keepCount: number): Promise<CheckpointCleanup> =>
    call(api.DELETE("/v1/sessions/{sessionId}/checkpoints", { params: { path: { sessionId }, query: { keep_count: keepCount } } })),
  );
}
