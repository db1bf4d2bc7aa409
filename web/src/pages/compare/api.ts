import { useQuery } from "@tanstack/react-query";

import { keys } from "../../api/keys";
import { request } from "../../api/untyped";
import type { HistoryPage } from "../history/types";
import type { Comparison } from "./types";

export function useComparison(sessions: string[], benchmark: string) {
  return useQuery({
    queryKey: keys.compare(sessions, benchmark),
    enabled: sessions.length >= 2,
    queryFn: () =>
      request<Comparison>("GET", "/v1/compare", {
        query: { sessions: sessions.join(","), benchmark: benchmark || undefined },
      }),
  });
}

/** The latest ended sessions, to pick from. */
export function usePickable() {
  const query = { sort: "ended_at", order: "desc", limit: 200, offset: 0 };
  return useQuery({
    queryKey: keys.history(query),
    queryFn: () => request<HistoryPage>("GET", "/v1/history", { query }),
  });
}
