/**
 * A session's analytics: its trades reviewed (MAE/MFE, slippage), its
 * strategies' arms and attribution (multi-strategy sessions), and the
 * actions that make a new session from it. A route this server does not
 * have (or a session it does not apply to) reads as `null`: the part hides.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { ApiError } from "../../api/client";
import { keys } from "../../api/keys";
import { request } from "../../api/untyped";
import type { Arms, Attribution, TradeReviewList } from "./analyticsTypes";

/** 404 (no such route, or nothing yet), 405, or 422 (not a session it applies to): nothing to show. */
async function orNull<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof ApiError && [404, 405, 422].includes(error.status)) return null;
    throw error;
  }
}

export function useTradeReview(id: string) {
  return useQuery({
    queryKey: keys.sessionPart(id, "trade-review"),
    queryFn: () => orNull(request<TradeReviewList>("GET", "/v1/sessions/{sessionId}/trades", { path: { sessionId: id } })),
  });
}

export function useArms(id: string) {
  return useQuery({
    queryKey: keys.sessionPart(id, "arms"),
    queryFn: () => orNull(request<Arms>("GET", "/v1/sessions/{sessionId}/arms", { path: { sessionId: id } })),
  });
}

export function useAttribution(id: string) {
  return useQuery({
    queryKey: keys.sessionPart(id, "attribution"),
    queryFn: () => orNull(request<Attribution>("GET", "/v1/sessions/{sessionId}/attribution", { path: { sessionId: id } })),
  });
}

export type DerivedAction =
  | { kind: "clone"; changes: Record<string, unknown> }
  | { kind: "rerun" }
  | { kind: "promote"; to: "paper" | "live"; extra: Record<string, unknown> };

/** Make a new session from this one (clone, rerun, promote); the new session's id. */
export function useDerivedSession(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (action: DerivedAction) => {
      const path = { sessionId: id };
      const answer =
        action.kind === "clone"
          ? request<{ id: string }>("POST", "/v1/sessions/{sessionId}/clone", { path, body: { changes: action.changes } })
          : action.kind === "rerun"
            ? request<{ id: string }>("POST", "/v1/sessions/{sessionId}/rerun", { path, body: {} })
            : request<{ id: string }>("POST", "/v1/sessions/{sessionId}/promote", { path, body: { ...action.extra, to: action.to } });
      return (await answer).id;
    },
    onSuccess: () => client.invalidateQueries({ queryKey: keys.sessions }),
  });
}
