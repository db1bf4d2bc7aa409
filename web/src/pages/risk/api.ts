/**
 * What the dashboard reads and does about risk, as TanStack Query hooks: a
 * session's risk view (under `["session", id]`, so the session's events
 * refresh it), the overview and audit of every session (under `["risk"]`),
 * and the commands: settings, overrides, breaker resets, emergency actions.
 * Every command refreshes what it changes when it is done.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import type {
  AuditPage,
  EmergencyRequest,
  EmergencyResult,
  RiskOverview,
  RiskSettingsPatch,
  RiskView,
  SystemEmergencyResult,
} from "./types";

const session = (sessionId: string) => ({ params: { path: { sessionId } } });

export function useRiskView(sessionId: string) {
  return useQuery({
    queryKey: keys.sessionPart(sessionId, "risk"),
    queryFn: (): Promise<RiskView> => call(api.GET("/v1/sessions/{sessionId}/risk", session(sessionId))),
  });
}

export function useRiskOverview() {
  return useQuery({ queryKey: keys.riskOverview, queryFn: (): Promise<RiskOverview> => call(api.GET("/v1/risk")) });
}

export const AUDIT_PAGE = 50;

/** The audit of risk commands, newest first, a page at a time (`next` is the cursor). */
export function useRiskAudit(sessionId: string | null) {
  return useInfiniteQuery({
    queryKey: keys.riskAudit(sessionId),
    initialPageParam: null as number | null,
    queryFn: ({ pageParam }): Promise<AuditPage> =>
      call(api.GET("/v1/risk/audit", { params: { query: { limit: AUDIT_PAGE, session_id: sessionId, before: pageParam } } })),
    getNextPageParam: (last: AuditPage) => last.next ?? undefined,
  });
}

/** A risk command: when it is done, the session's answers and the risk page's are read again. */
function useRiskMutation<TArgs, TResult>(sessionId: string | null, run: (args: TArgs) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: sessionId === null ? ["session"] : keys.session(sessionId) }),
        client.invalidateQueries({ queryKey: keys.risk }),
      ]);
    },
  });
}

export function useConfigureRisk(sessionId: string) {
  return useRiskMutation(sessionId, (body: { settings: RiskSettingsPatch; reason: string }) =>
    call(api.PATCH("/v1/sessions/{sessionId}/risk", { ...session(sessionId), body })),
  );
}

export function useSetOverride(sessionId: string) {
  return useRiskMutation(sessionId, (body: { settings: RiskSettingsPatch; minutes: number; reason: string }) =>
    call(api.POST("/v1/sessions/{sessionId}/risk/override", { ...session(sessionId), body })),
  );
}

export function useClearOverride(sessionId: string) {
  return useRiskMutation(sessionId, () => call(api.DELETE("/v1/sessions/{sessionId}/risk/override", session(sessionId))));
}

/** Reset a breaker (`all`: every one) of a session, with the operator's reason. */
export function useResetBreaker() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ sessionId, breaker, reason }: { sessionId: string; breaker: string; reason: string }) =>
      call(
        api.POST("/v1/sessions/{sessionId}/risk/breakers/{name}/reset", {
          params: { path: { sessionId, name: breaker } },
          body: { reason },
        }),
      ),
    onSettled: async (_data, _error, { sessionId }) => {
      await Promise.all([
        client.invalidateQueries({ queryKey: keys.session(sessionId) }),
        client.invalidateQueries({ queryKey: keys.risk }),
      ]);
    },
  });
}

export function useEmergency(sessionId: string) {
  return useRiskMutation(sessionId, (body: EmergencyRequest): Promise<EmergencyResult> =>
    call(api.POST("/v1/sessions/{sessionId}/emergency", { ...session(sessionId), body })),
  );
}

export function useSystemEmergency() {
  return useRiskMutation(null, (body: EmergencyRequest): Promise<SystemEmergencyResult> =>
    call(api.POST("/v1/risk/emergency", { body })),
  );
}
