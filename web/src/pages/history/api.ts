/** What the History and Compare pages read of the history route. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { keys } from "../../api/keys";
import { request } from "../../api/untyped";
import { historyQuery, type HistoryView } from "./query";
import type { HistoryPage } from "./types";

export function useHistory(view: HistoryView) {
  const query = historyQuery(view);
  return useQuery({
    queryKey: keys.history(query),
    queryFn: () => request<HistoryPage>("GET", "/v1/history", { query }),
    // A new page or sort keeps the rows shown until its answer is in.
    placeholderData: keepPreviousData,
  });
}
