"""A cursor over news in time order that never hands out an item from the future."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.news.items import NewsItem


def _time(item: NewsItem) -> int:
    return item.ts


class NewsFeed:
    """News in time order, handed out once each as time moves forward.

    ``until(ts)`` returns every item with ``item.ts <= ts`` not returned
    before, in time order (equal times in the order they were given), and
    never an item stamped after ``ts``.  The cursor only moves forward.

    ``add(item)`` posts an item live.  An item stamped at or after the cursor
    is delivered when time reaches it.  An item stamped *before* the cursor
    (it arrived late) is delivered by the next call to ``until``, first, with
    its own ``ts``: it cannot be delivered in the past, and dropping it would
    lose it.  Ids are unique within a feed.

    Deterministic: the same items and calls give the same deliveries.  Not
    thread-safe; the owner (a session, under its lock) serialises calls.
    """

    __slots__ = ("_cursor", "_ids", "_items", "_next")

    def __init__(self, items: Iterable[NewsItem] = ()) -> None:
        """Start a feed over ``items`` (sorted here, stably by time).

        Raises:
            InvalidRequest: if two items share an id.
        """
        self._items: list[NewsItem] = sorted(items, key=_time)
        self._ids: set[str] = set()
        for item in self._items:
            if item.id in self._ids:
                raise InvalidRequest(f"news id {item.id!r} appears twice")
            self._ids.add(item.id)
        self._next = 0  # items[:_next] have been delivered
        self._cursor: int | None = None

    @property
    def cursor(self) -> int | None:
        """The time of the last ``until`` call, or None before the first."""
        return self._cursor

    @property
    def pending(self) -> int:
        """How many items have not been delivered yet."""
        return len(self._items) - self._next

    def __len__(self) -> int:
        return len(self._items)

    def to_state(self) -> dict[str, int | None]:
        """How far the feed has handed out its items, for a checkpoint (the items are
        the file's, read again)."""
        return {"next": self._next, "cursor": self._cursor, "items": len(self._items)}

    def from_state(self, state: dict[str, int | None]) -> None:
        """Take the position :meth:`to_state` wrote, into a feed over the same items.

        Raises:
            ValueError: if the feed holds another number of items.
        """
        if state["items"] != len(self._items) or state["next"] is None:
            raise ValueError("the news feed's items differ from the checkpoint's")
        self._next = int(state["next"])
        self._cursor = state["cursor"]

    def until(self, ts_ns: int) -> list[NewsItem]:
        """The items with ``ts <= ts_ns`` not returned before, oldest first.

        Raises:
            InvalidRequest: if ``ts_ns`` lies before the previous call's time.
        """
        if self._cursor is not None and ts_ns < self._cursor:
            raise InvalidRequest(
                f"news cursor cannot move backwards from {self._cursor} to {ts_ns}"
            )
        self._cursor = ts_ns
        end = bisect_right(self._items, ts_ns, lo=self._next, key=_time)
        delivered = self._items[self._next : end]
        self._next = end
        return delivered

    def add(self, item: NewsItem) -> None:
        """Post ``item``; it is delivered by the first ``until`` call at or after its time.

        Raises:
            Conflict: if the feed already holds an item with this id.
        """
        if item.id in self._ids:
            raise Conflict(f"news id {item.id!r} is already in the feed")
        self._ids.add(item.id)
        # Among undelivered items only, after any with the same time: a late
        # item lands first in the pending part and goes out with the next call.
        position = bisect_right(self._items, item.ts, lo=self._next, key=_time)
        self._items.insert(position, item)
