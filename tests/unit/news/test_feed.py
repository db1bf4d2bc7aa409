"""NewsFeed: each item once, never before its time, live items in order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.news import NewsFeed, NewsItem, load_sample_news, parse_rfc3339


def item(ts: int, name: str, symbol: str = "AAPL") -> NewsItem:
    return NewsItem(ts, (symbol,), f"Headline {name}", id=name)


def ids(items: list[NewsItem]) -> list[str]:
    return [news.id for news in items]


def test_until_hands_out_each_item_once_and_never_early() -> None:
    feed = NewsFeed([item(30, "c"), item(10, "a"), item(20, "b1"), item(20, "b2")])
    assert len(feed) == 4
    assert NewsFeed().cursor is None
    assert feed.until(9) == []
    assert ids(feed.until(10)) == ["a"]
    assert ids(feed.until(10)) == []
    assert ids(feed.until(25)) == ["b1", "b2"]  # equal times: the order given
    assert (feed.pending, feed.cursor) == (1, 25)
    assert ids(feed.until(10**12)) == ["c"]
    assert (feed.pending, feed.cursor) == (0, 10**12)


def test_cursor_never_moves_backwards() -> None:
    feed = NewsFeed([item(10, "a")])
    feed.until(20)
    with pytest.raises(InvalidRequest, match="cannot move backwards from 20 to 19"):
        feed.until(19)


def test_live_items_keep_time_order() -> None:
    feed = NewsFeed([item(10, "a"), item(40, "d")])
    assert ids(feed.until(15)) == ["a"]
    feed.add(item(30, "c"))
    feed.add(item(20, "b"))
    feed.add(item(40, "d2"))  # after the earlier item of the same time
    assert ids(feed.until(35)) == ["b", "c"]
    assert ids(feed.until(40)) == ["d", "d2"]


def test_late_item_is_delivered_by_the_next_call_first() -> None:
    feed = NewsFeed([item(10, "a"), item(50, "e")])
    assert ids(feed.until(30)) == ["a"]
    feed.add(item(25, "late2"))
    feed.add(item(5, "late1"))
    feed.add(item(30, "now"))  # at the cursor: not yet delivered either
    delivered = feed.until(30)
    assert ids(delivered) == ["late1", "late2", "now"]
    assert [news.ts for news in delivered] == [5, 25, 30]  # they keep their own times
    assert ids(feed.until(60)) == ["e"]


def test_ids_are_unique_in_a_feed() -> None:
    with pytest.raises(InvalidRequest, match="news id 'a' appears twice"):
        NewsFeed([item(10, "a"), item(20, "a")])
    feed = NewsFeed([item(10, "a")])
    feed.until(10)
    with pytest.raises(Conflict, match="news id 'a' is already in the feed"):
        feed.add(item(30, "a"))


def test_sample_feed_day_by_day() -> None:
    feed = NewsFeed(load_sample_news())
    open_0124 = parse_rfc3339("2012-01-24T14:30:00Z")
    before = feed.until(open_0124)
    assert before[-1].id == "sample-010"  # the AAPL supplier warning, 12:00Z that day
    assert all(news.ts <= open_0124 for news in before)
    assert feed.until(parse_rfc3339("2012-01-24T21:00:00Z")) == []


@settings(max_examples=200, deadline=None)
@given(
    initial=st.lists(st.integers(0, 100), max_size=15),
    steps=st.lists(
        st.tuples(st.integers(0, 20), st.lists(st.integers(0, 100), max_size=3)), max_size=12
    ),
)
def test_every_item_delivered_once_never_early(
    initial: list[int], steps: list[tuple[int, list[int]]]
) -> None:
    count = 0

    def make(ts: int) -> NewsItem:
        nonlocal count
        count += 1
        return item(ts, f"n{count}")

    first = [make(ts) for ts in initial]
    feed = NewsFeed(first)
    posted = {news.id: news for news in first}
    delivered: list[NewsItem] = []
    now = 0
    for gap, live in steps:
        now += gap
        for ts in live:
            news = make(ts)
            posted[news.id] = news
            feed.add(news)
        batch = feed.until(now)
        assert all(news.ts <= now for news in batch)
        assert [news.ts for news in batch] == sorted(news.ts for news in batch)
        delivered.extend(batch)
    delivered.extend(feed.until(now + 1000))
    assert sorted(ids(delivered)) == sorted(posted)
