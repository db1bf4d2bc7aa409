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
  type Fill,
  type FillRow,
  type Order,
  type PortfolioHistory,
  type Position,
  type SessionMetrics,
  type SessionView,
  fillRow,
  fillsFromOrders,
} from "./types";

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

const FILLS_PAGE = 500;
const MAX_FILL_PAGES = 200;

/** A server without the fills route (or the metrics route) answers 404 or 405. */
function missingRoute(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 405);
}

/**
 * Every fill of the account, oldest first (`GET /v1/trading/accounts/{id}/fills`,
 * paged by fill id); on a server without that route, one row per filled order.
 */
export function useFills(id: string, accountId: string | undefined) {
  return useQuery({
    queryKey: keys.sessionPart(id, "fills", accountId),
    enabled: accountId !== undefined,
    queryFn: async (): Promise<{ rows: FillRow[]; fromOrders: boolean }> => {
      const params = trading(id, accountId ?? "");
      const rows: FillRow[] = [];
      try {
        let after: string | undefined;
        for (let page = 0; page < MAX_FILL_PAGES; page += 1) {
          const fills: Fill[] = await call(
            api.GET("/v1/trading/accounts/{accountId}/fills", {
              params: { ...params, query: { direction: "asc", limit: FILLS_PAGE, ...(after ? { page_token: after } : {}) } },
            }),
          );
          rows.push(...fills.map(fillRow));
          after = fills.at(-1)?.id;
          if (fills.length < FILLS_PAGE || after === undefined) {
            break;
          }
        }
        return { rows, fromOrders: false };
      } catch (error) {
        if (!missingRoute(error) || rows.length > 0) {
          throw error;
        }
      }
      const orders = await call(
        api.GET("/v1/trading/accounts/{accountId}/orders", { params: { ...params, query: { status: "all" } } }),
      );
      return { rows: fillsFromOrders(orders), fromOrders: true };
    },
  });
}

/** `GET /v1/sessions/{id}/metrics` of one of its accounts, or `null` where the server has no such route. */
export function useMetrics(id: string, accountId: string | undefined) {
  return useQuery({
    queryKey: keys.sessionPart(id, "metrics", accountId),
    enabled: accountId !== undefined,
    queryFn: async (): Promise<SessionMetrics | null> => {
      try {
        return await call(
          api.GET("/v1/sessions/{sessionId}/metrics", {
            params: { path: { sessionId: id }, query: { accountId: accountId ?? "" } },
          }),
        );
      } catch (error) {
        if (missingRoute(error)) {
          return null;
        }
        throw error;
      }
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

/** The default account's portfolio history (the only one `/sessions/{id}/v2` reads); `enabled` false: none. */
export function usePortfolioHistory(id: string, start: string, timeframe: "1D" | "1H" | "15Min", enabled = true) {
  return useQuery({
    queryKey: keys.sessionPart(id, "history", start, timeframe),
    enabled,
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
