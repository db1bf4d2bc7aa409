/**
 * The live events that arrived since a page of the journal was asked for,
 * matching a filter, newest first, kept here as they arrive: the tab's
 * store keeps only its latest events, a feed keeps what it has shown.
 */
import { useEffect, useState } from "react";

import { useLive } from "../../live/LiveContext";
import type { LiveEvent } from "../../live/socket";
import { type FeedFilter, type FeedItem, fromLive, itemKey, matches } from "./feed";

/** At most this many live items are kept (the oldest go first). */
export const KEEP_LIVE = 20_000;

interface Kept {
  baseline: ReadonlySet<string> | undefined;
  filter: FeedFilter;
  items: FeedItem[];
}

/**
 * `baseline`: the keys of the live events the tab had when the page was
 * asked for (the page covers them); `undefined` while there is no page.
 */
export function useLiveSince(baseline: ReadonlySet<string> | undefined, filter: FeedFilter): FeedItem[] {
  const { events } = useLive();
  const [kept, setKept] = useState<Kept>({ baseline, filter, items: [] });

  useEffect(() => {
    if (baseline === undefined) {
      return;
    }
    let head: LiveEvent | undefined;
    let items: FeedItem[] = [];
    const take = () => {
      const snapshot = events.snapshot();
      const fresh: FeedItem[] = [];
      for (const event of snapshot) {
        // Newest first: from the last one seen, or one the page covers, on, all is older.
        if (event === head || baseline.has(itemKey(event))) {
          break;
        }
        const item = fromLive(event);
        if (item !== null && matches(item, filter)) {
          fresh.push(item);
        }
      }
      head = snapshot[0] ?? head;
      if (fresh.length > 0) {
        items = [...fresh, ...items].slice(0, KEEP_LIVE);
        setKept({ baseline, filter, items });
      }
    };
    take();
    return events.subscribe(take);
  }, [events, baseline, filter]);

  // Kept for another page or filter: nothing has arrived for this one yet.
  return kept.baseline === baseline && kept.filter === filter ? kept.items : [];
}
