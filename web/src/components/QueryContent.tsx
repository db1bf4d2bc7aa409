import { Paper } from "@mui/material";
import type { ReactNode } from "react";

import { ErrorAlert } from "./ErrorAlert";
import { PageLoading } from "./PageLoading";

/** What `QueryContent` reads of a query (TanStack Query's result has it all). */
export interface QueryState<T> {
  isPending: boolean;
  data: T | undefined;
  error: unknown;
  refetch: () => unknown;
}

/**
 * A list page's body from its query: `loading` while the first answer is on
 * its way, the error with a retry while there is no answer at all, `empty`
 * (in an outlined box) when the answer has nothing to show, else `children`
 * with the answer. A refresh that fails keeps the last answer on screen: the
 * page may say so with the query's error.
 */
export function QueryContent<T>({
  query,
  loading,
  isEmpty,
  empty,
  children,
}: {
  query: QueryState<T>;
  loading: string;
  isEmpty: (data: T) => boolean;
  empty: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return <PageLoading label={loading} />;
  }
  if (query.data === undefined) {
    return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  }
  if (isEmpty(query.data)) {
    return (
      <Paper variant="outlined" sx={{ p: 4, textAlign: "center" }}>
        {empty}
      </Paper>
    );
  }
  return children(query.data);
}
