/**
 * Everything the session page reads and does, as TanStack Query hooks. Every
 * key starts with `["session", id]`, so the live socket's invalidation of a
 * session refreshes the whole page when its events arrive.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { ApiError, api, call } from "../../api/client";
import { keys } from "../../api/keys";
import {
  type Bar,
  type FillRow,
  type Metrics,
  type Order,
  type PortfolioHistory,
  type Position,
  type SessionView,
  fillFrom,
  fillsFromOrders,
  metricsFrom,
} from "./types";

/** For routes newer than the generated types: same client, same key, same errors. */
const loose = api as unknown as {
  GET: (
    path: string,
    init: { params?: { header?: Record<string, string> } },
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
};

export function useSession(id: string) {
  return useQuery({
    queryKey: keys.sessionPart(id, "view"),
    queryFn: async (): Promise<SessionView> =>
      call(api.GET("/v1/sessions/{sessionId}", { params: { path: { sessionId: id } } })),
    // A playing backtest's clock ticks are not sent on the socket (only its
    // orders and fills are), so while it plays the view is read once a second
    // to move the clock; paused or live, the socket's events are enough.
    refetchInterval: (query) => (query.state.data?.playback_state === "playing" ? 1000 : false),
  });
}

const trading = (id: string, accountId: string) => ({
  path: { accountId },
  header: { "X-Session-Id": id },
});

export function usePositions(id: string, accountId: string | undefined) {
  return useQuery({
    queryKey: keys.sessionPart(id, "positions", accountId),
    enabled: accountId !== undefined,
    queryFn: async (): Promise<Position[]> =>
      call(api.GET("/v1/trading/accounts/{accountId}/positions", { params: trading(id, accountId ?? "") })),
  });
}

export function useOrders(id: string, accountId: string | undefined, status: "open" | "closed" | "all") {
  return useQuery({
    queryKey: keys.sessionPart(id, "orders", accountId, status),
    enabled: accountId !== undefined,
    queryFn: async (): Promise<Order[]> =>
      call(
        api.GET("/v1/trading/accounts/{accountId}/orders", {
          params: { ...trading(id, accountId ?? ""), query: { status } },
        }),
      ),
  });
}

/** A 404 from a route this server may not have yet: `null` instead of an error. */
async function optional(path: string, header?: Record<string, string>): Promise<unknown> {
  try {
    return await call(loose.GET(path, { params: header ? { header } : {} }));
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) {
      return null;
    }
    throw error;
  }
}

/**
 * The account's fills (`GET /v1/trading/accounts/{id}/fills`); on a server
 * without that route, one row per filled order from the order list.
 */
export function useFills(id: string, accountId: string | undefined) {
  return useQuery({
    queryKey: keys.sessionPart(id, "fills", accountId),
    enabled: accountId !== undefined,
    queryFn: async (): Promise<{ rows: FillRow[]; fromOrders: boolean }> => {
      const account = accountId ?? "";
      const answer = await optional(`/v1/trading/accounts/${encodeURIComponent(account)}/fills`, {
        "X-Session-Id": id,
      });
      if (answer !== null) {
        const list = Array.isArray(answer)
          ? answer
          : ((answer as { fills?: unknown[] } | null)?.fills ?? []);
        const rows = (list as Record<string, unknown>[]).map(fillFrom);
        return { rows: rows.sort((a, b) => a.time.localeCompare(b.time)), fromOrders: false };
      }
      const orders = await call(
        api.GET("/v1/trading/accounts/{accountId}/orders", {
          params: { ...trading(id, account), query: { status: "all" } },
        }),
      );
      return { rows: fillsFromOrders(orders), fromOrders: true };
    },
  });
}

/** `GET /v1/sessions/{id}/metrics`, or `null` where the server has no such route. */
export function useMetrics(id: string) {
  return useQuery({
    queryKey: keys.sessionPart(id, "metrics"),
    queryFn: async (): Promise<Metrics | null> => {
      const answer = await optional(`/v1/sessions/${encodeURIComponent(id)}/metrics`);
      return answer === null ? null : metricsFrom(answer);
    },
  });
}

const MAX_BAR_PAGES = 20;

/** A symbol's bars from `start` to the session's time (the server serves none later), every page. */
export function useBars(id: string, symbol: string, timeframe: string, start: string, end: string) {
  return useQuery({
    queryKey: keys.sessionPart(id, "bars", symbol, timeframe, start, end),
    enabled: symbol !== "",
    queryFn: async (): Promise<Bar[]> => {
      const bars: Bar[] = [];
      let token: string | null = null;
      for (let page = 0; page < MAX_BAR_PAGES; page += 1) {
        const answer: { bars: Bar[]; next_page_token: string | null } = await call(
          api.GET("/sessions/{sessionId}/v2/stocks/{symbol}/bars", {
            params: {
              path: { sessionId: id, symbol },
              query: { timeframe, start, end, limit: 10_000, ...(token === null ? {} : { page_token: token }) },
            },
          }),
        );
        bars.push(...answer.bars);
        token = answer.next_page_token;
        if (token === null) {
          break;
        }
      }
      return bars;
    },
  });
}

export function usePortfolioHistory(id: string, start: string, timeframe: "1D" | "1H" | "15Min") {
  return useQuery({
    queryKey: keys.sessionPart(id, "history", start, timeframe),
    queryFn: async (): Promise<PortfolioHistory> =>
      call(
        api.GET("/sessions/{sessionId}/v2/account/portfolio/history", {
          params: { path: { sessionId: id }, query: { start, timeframe } },
        }),
      ),
  });
}

/** A mutation that refreshes everything about the session when it is done. */
export function useSessionMutation<TArgs, TResult>(id: string, run: (args: TArgs) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSettled: () => client.invalidateQueries({ queryKey: keys.session(id) }),
  });
}
