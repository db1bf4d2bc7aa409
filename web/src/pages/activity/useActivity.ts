/**
 * The journal's pages of the feed, newest first: the first page, then
 * earlier ones on demand ("Load earlier") with the `before` cursor of
 * `GET /api/activity`: `<stream>:<seq>` of the oldest item shown, so pages
 * never repeat or skip an event (docs/events.md).
 */
import { useInfiniteQuery } from "@tanstack/react-query";

import { api, call } from "../../api/client";
import { keys } from "../../api/keys";
import { useLive } from "../../live/LiveContext";
import { type FeedFilter, type FeedItem, fromActivity, itemKey } from "./feed";

export const PAGE_SIZE = 200;

interface Page {
  items: FeedItem[];
  /** The live events the tab had when this page was asked for (its answer covers them). */
  liveBefore: ReadonlySet<string>;
}

/** Where the page before `oldest` starts. */
export function cursorOf(oldest: FeedItem): string {
  return `${oldest.stream}:${oldest.seq}`;
}

async function fetchPage(filter: FeedFilter, before: string | undefined, limit: number): Promise<FeedItem[]> {
  const query = {
    severity: filter.severity,
    session_id: filter.session ?? undefined,
    type: filter.types.length > 0 ? [...filter.types] : undefined,
    limit,
    before,
  };
  const items = await call(api.GET("/api/activity", { params: { query } }));
  return items.map(fromActivity);
}

export function useActivity(filter: FeedFilter, limit = PAGE_SIZE) {
  const { events } = useLive();
  return useInfiniteQuery({
    queryKey: keys.activity(filter, limit),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }): Promise<Page> => {
      const liveBefore = new Set(pageParam === undefined ? events.snapshot().map(itemKey) : []);
      return { items: await fetchPage(filter, pageParam, limit), liveBefore };
    },
    getNextPageParam: (last: Page) => {
      const oldest = last.items.at(-1);
      return last.items.length < limit || oldest === undefined ? undefined : cursorOf(oldest);
    },
  });
}
