/**
 * The activity feed: the journal's events (`GET /api/activity`) with the
 * live ones of `/ws` merged on top, filtered alike, the filter in the
 * address, earlier pages on demand.
 */
import { Box, Button, Typography } from "@mui/material";
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";

import { ErrorAlert } from "../../components/ErrorAlert";
import { PageLoading } from "../../components/PageLoading";
import { ActivityFilters } from "./ActivityFilters";
import { ActivityList } from "./ActivityList";
import { combine, type FeedFilter, type FeedItem, unique } from "./feed";
import { filterFromParams, paramsFromFilter } from "./filters";
import { useActivity } from "./useActivity";
import { useLiveSince } from "./useLiveSince";

/** The kinds the journal's pages hold (choices for the kind filter), the same array while they do not change. */
function useKinds(items: readonly FeedItem[]): readonly string[] {
  const joined = [...new Set(items.map((item) => item.type))].sort().join(" ");
  return useMemo(() => (joined === "" ? [] : joined.split(" ")), [joined]);
}

export default function ActivityPage() {
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFromParams(params), [params]);
  const feed = useActivity(filter);
  const pages = feed.data?.pages;
  const fetched = useMemo(() => unique((pages ?? []).flatMap((page) => page.items)), [pages]);
  const live = useLiveSince(pages?.[0]?.liveBefore, filter);
  const items = useMemo(() => combine(live, fetched), [live, fetched]);
  const seenKinds = useKinds(fetched);
  const onFilter = useCallback(
    (next: FeedFilter) => {
      setParams(paramsFromFilter(next), { replace: true });
    },
    [setParams],
  );

  return (
    <Box>
      <Typography variant="h4" component="h1" gutterBottom>
        Activity
      </Typography>
      <ActivityFilters
        filter={filter}
        seenKinds={seenKinds}
        onChange={onFilter}
      />
      {feed.isPending ? (
        <PageLoading label="Loading activity…" />
      ) : feed.isError && pages === undefined ? (
        <ErrorAlert error={feed.error} onRetry={() => void feed.refetch()} />
      ) : items.length === 0 ? (
        <Typography role="status" color="text.secondary" sx={{ p: 3 }}>
          No events match these filters yet. New events appear here as they happen.
        </Typography>
      ) : (
        <>
          <ActivityList items={items} label="Activity events, newest first" />
          <Box sx={{ display: "flex", alignItems: "center", gap: 2, mt: 1 }}>
            <Typography variant="body2" color="text.secondary">
              {items.length} event{items.length === 1 ? "" : "s"} shown
            </Typography>
            {feed.hasNextPage ? (
              <Button
                onClick={() => void feed.fetchNextPage()}
                disabled={feed.isFetchingNextPage}
                variant="outlined"
                size="small"
              >
                {feed.isFetchingNextPage ? "Loading earlier…" : "Load earlier"}
              </Button>
            ) : (
              <Typography variant="body2" color="text.secondary">
                The beginning of the journal for these filters.
              </Typography>
            )}
          </Box>
          {feed.isFetchNextPageError && <ErrorAlert error={feed.error} title="Earlier events could not be read" />}
        </>
      )}
    </Box>
  );
}
