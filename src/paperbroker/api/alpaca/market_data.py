"""Alpaca-compatible Market Data v2 bars, as of the session's current time.

- ``GET /v2/stocks/bars``: bars of several symbols, sorted by symbol then
  time, paged with ``limit`` (counted across all symbols) and ``page_token``;
- ``GET /v2/stocks/{symbol}/bars``: the same for one symbol;
- ``GET /v2/stocks/bars/latest``: each symbol's last bar, stamped as ``/bars`` stamps
  it (a daily bar at 00:00 New York); ``/v2/stocks/{symbol}/bars/latest`` one symbol's.

**No look-ahead.** Only stored bars whose close time is at or before the
session's current time are served; an ``end`` later than that is cut there.
Coarser timeframes are aggregated from those bars alone (see
:mod:`paperbroker.data.aggregate` for bucket alignment), so a bucket still in
progress holds only its bars that have closed: at Wednesday's close the
week's bar covers Monday to Wednesday, and it grows as the session advances.

Bars are stamped at their bucket's start (``t``); ``start``/``end`` select
bars by that stamp, both included.
``n`` (trade count) and ``vw`` (VWAP) are always ``null``: the stored data
has neither. Every symbol with data is served, FX pairs included; a
well-formed symbol without data has no bars.
``adjustment``, ``feed``, ``asof`` and ``currency`` are accepted and ignored:
the stored prices are what they are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Annotated, Final, Literal

import numpy as np
from fastapi import APIRouter, Query
from pydantic import Field

from paperbroker.api.alpaca.paging import Cursor, read_token, token
from paperbroker.api.alpaca.target import MarketTarget, Target
from paperbroker.api.contract import answers
from paperbroker.api.formats import time_text
from paperbroker.api.params import (
    NEW_YORK,
    IgnoredQuery,
    PageTokenQuery,
    SymbolPath,
    SymbolsQuery,
    TimeframeQuery,
    symbol_names,
)
from paperbroker.api.params import TimeOrDateQuery as TimeQuery
from paperbroker.api.responses import ResponseModel
from paperbroker.core.clock import datetime_to_ns, ns_to_datetime
from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.data.aggregate import (
    Bars,
    TimeFrame,
    Unit,
    aggregate,
    bucket_starts,
    check_timeframe,
)
from paperbroker.data.series import BarSeries

router = APIRouter(prefix="/v2/stocks", tags=["alpaca"])

MAX_LIMIT: Final = 10_000
DEFAULT_LIMIT: Final = 1_000
_FAR_NS: Final = 2**62  # about 146 years from 1970, either way
_MINUTE_NS: Final = 60_000_000_000

#: A symbol's bars as a session has them (``None``: it has none).
SeriesLookup = Callable[[str], BarSeries | None]

Sort = Literal["asc", "desc"]


class AlpacaBar(ResponseModel):
    """One bar: ``t`` its start (RFC 3339 UTC), prices, volume; ``n`` and ``vw`` are null."""

    t: str = Field(examples=["2012-01-03T05:00:00Z"])
    o: float
    h: float
    l: float  # noqa: E741 - Alpaca's field name
    c: float
    v: int | float = Field(description="Volume: an integer when whole, as Alpaca's.")
    n: int | None = Field(default=None, description="Trade count: not in the stored data.")
    vw: float | None = Field(
        default=None, description="Volume-weighted price: not in the stored data."
    )


class BarsPage(ResponseModel):
    """A page of bars by symbol; ``next_page_token`` is null on the last page."""

    bars: dict[str, list[AlpacaBar]]
    next_page_token: str | None


class SymbolBarsPage(ResponseModel):
    """A page of one symbol's bars; ``next_page_token`` is null on the last page."""

    bars: list[AlpacaBar]
    symbol: str
    next_page_token: str | None


class LatestBars(ResponseModel):
    """Each symbol's last bar as of the session's current time (symbols without one left out)."""

    bars: dict[str, AlpacaBar]


class SymbolLatestBar(ResponseModel):
    """One symbol's last bar as of the session's current time."""

    symbol: str
    bar: AlpacaBar


LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
#: What a paged route refuses although its schema lets it through.
PAGE_RULES: Final = ("an end before start", "a page_token this route did not give")
#: What a bars route refuses although its schema lets it through.
BAR_ANSWERS: Final = answers(
    rules=[
        "a timeframe finer than the stored bars of a symbol, or one they straddle "
        "(2Hour of 90-minute bars)",
        *PAGE_RULES,
    ]
)


@router.get("/bars", summary="Historical bars", responses=BAR_ANSWERS)
def get_bars(
    target: MarketTarget,
    symbols: SymbolsQuery,
    timeframe: TimeframeQuery,
    start: TimeQuery = None,
    end: TimeQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    page_token: PageTokenQuery = None,
    sort: Sort = "asc",
    adjustment: IgnoredQuery = None,
    feed: IgnoredQuery = None,
    asof: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> BarsPage:
    """Bars of ``symbols`` from ``start`` to ``end``, at most ``limit`` per page in all.

    ``start`` defaults to 00:00 New York of the session's current day,
    ``end`` to the session's current time (and is cut there).
    """
    return _bar_pages(
        series_lookup(target), target.runtime.now_ns, sorted(set(symbol_names(symbols))),
        TimeFrame.parse(timeframe), start, end, limit, page_token, sort,
    )  # fmt: skip


@router.get("/bars/latest", summary="Latest bars")
def get_latest_bars(
    target: MarketTarget,
    symbols: SymbolsQuery,
    feed: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> LatestBars:
    """Each symbol's last stored bar that has closed, stamped as ``/bars`` stamps it."""
    lookup, now = series_lookup(target), target.runtime.now_ns
    latest: dict[str, AlpacaBar] = {}
    for symbol in sorted(set(symbol_names(symbols))):
        series = lookup(symbol)
        bar = None if series is None else latest_bar(series, now)
        if bar is not None:
            latest[symbol] = bar
    return LatestBars(bars=latest)


@router.get("/{symbol}/bars/latest", summary="Latest bar of one symbol")
def get_symbol_latest_bar(
    target: MarketTarget,
    symbol: SymbolPath,
    feed: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> SymbolLatestBar:
    """The symbol's last stored bar that has closed (older clients); 404 without one."""
    name = symbol.upper()
    series = series_lookup(target)(name)
    bar = None if series is None else latest_bar(series, target.runtime.now_ns)
    if bar is None:
        raise NotFound(f"no bar for {name} by the session's time")
    return SymbolLatestBar(symbol=name, bar=bar)


@router.get("/{symbol}/bars", summary="Historical bars of one symbol", responses=BAR_ANSWERS)
def get_symbol_bars(
    target: MarketTarget,
    symbol: SymbolPath,
    timeframe: TimeframeQuery,
    start: TimeQuery = None,
    end: TimeQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    page_token: PageTokenQuery = None,
    sort: Sort = "asc",
    adjustment: IgnoredQuery = None,
    feed: IgnoredQuery = None,
    asof: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> SymbolBarsPage:
    """One symbol's bars, as ``GET /v2/stocks/bars`` gives them."""
    name = symbol.upper()
    page = _bar_pages(
        series_lookup(target), target.runtime.now_ns, [name],
        TimeFrame.parse(timeframe), start, end, limit, page_token, sort,
    )  # fmt: skip
    return SymbolBarsPage(
        bars=page.bars.get(name, []), symbol=name, next_page_token=page.next_page_token
    )


def _bar_pages(
    lookup: SeriesLookup,
    now_ns: int,
    symbols: list[str],
    timeframe: TimeFrame,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    page_token: str | None,
    sort: Sort,
) -> BarsPage:
    """One page of ``symbols``' bars (in symbol order) as of ``now_ns``."""
    start_ns, end_ns = query_window(start, end, now_ns)
    cursor = read_token(page_token) if page_token else None  # "" is no token
    page: dict[str, list[AlpacaBar]] = {}
    room = limit
    last: Cursor | None = None  # the last bar put on the page
    for symbol in symbols:
        if cursor is not None and symbol < cursor.symbol:
            continue
        series = lookup(symbol)
        if series is None:
            continue
        check_timeframe(series, timeframe)
        lo, hi = start_ns, end_ns
        if cursor is not None and symbol == cursor.symbol:
            # Resume strictly after the last bar served, in the page's direction.
            lo, hi = (max(lo, cursor.t + 1), hi) if sort == "asc" else (lo, min(hi, cursor.t - 1))
        bars = _bars_between(series, timeframe, lo, hi, now_ns)
        if bars.size == 0:
            continue
        if last is not None and room == 0:  # the page is full and more bars follow
            return BarsPage(bars=page, next_page_token=token(last))
        if sort == "desc":
            bars = bars.take(slice(None, None, -1))
        served = bars.take(slice(0, room))
        page[symbol] = alpaca_bars(served)
        room -= served.size
        last = Cursor(symbol, int(served.t[-1]))
        if served.size < bars.size:
            return BarsPage(bars=page, next_page_token=token(last))
    return BarsPage(bars=page, next_page_token=None)


def query_window(start: datetime | None, end: datetime | None, now_ns: int) -> tuple[int, int]:
    """The ``[start, end]`` a query asks for, in ns: ``start`` by default 00:00 New York of
    the session's day, ``end`` the session's time and never later.

    Raises:
        InvalidRequest: for an ``end`` before ``start``.
    """
    start_ns = _new_york_midnight_ns(now_ns) if start is None else datetime_to_ns(start)
    if end is not None and datetime_to_ns(end) < start_ns:
        raise InvalidRequest("end: is before start")
    end_ns = now_ns if end is None else min(datetime_to_ns(end), now_ns)
    return min(max(start_ns, -_FAR_NS), _FAR_NS), max(end_ns, -_FAR_NS)


def _bars_between(
    series: BarSeries, timeframe: TimeFrame, start_ns: int, end_ns: int, now_ns: int
) -> Bars:
    """``series`` aggregated to ``timeframe``: the buckets stamped in ``[start_ns, end_ns]``,
    built from the bars closed by ``now_ns``."""
    # A bucket stamped at or after start_ns holds bars opening at or after it;
    # one stamped by end_ns holds bars opening before end_ns + its width.
    first_close = start_ns + series.duration_ns
    last_close = min(now_ns, end_ns + timeframe.max_width_ns + series.duration_ns)
    bars = aggregate(series.between(first_close, last_close), timeframe)
    return bars.take((bars.t >= start_ns) & (bars.t <= end_ns))


def series_lookup(target: Target) -> SeriesLookup:
    """Each symbol's bars as the session has them (a paper session's as they arrived).

    A session sees the server's data up to its end, and a paper session the
    bars its feed has brought; the clock decides which of them have closed.
    """
    by_symbol = {series.symbol: series for series in target.runtime.kernel.feed.series}
    return by_symbol.get


def latest_bar(series: BarSeries, now_ns: int) -> AlpacaBar | None:
    """The last bar of ``series`` closed by ``now_ns``, stamped as ``/bars`` stamps its kind.

    A stored bar is stamped as the bucket of its own timeframe (see
    :func:`native_timeframe`): a minute bar at its minute, a daily bar at
    00:00 New York, as ``/bars?timeframe=1Day`` stamps that day.
    """
    last = int(np.searchsorted(series.ts, now_ns, side="right")) - 1
    if last < 0:
        return None
    return AlpacaBar(
        t=time_text(bar_stamp(series, last)),
        o=float(series.open[last]),
        h=float(series.high[last]),
        l=float(series.low[last]),
        c=float(series.close[last]),
        v=_volume(float(series.volume[last])),
    )


def native_timeframe(duration_ns: int) -> TimeFrame:
    """The Alpaca timeframe of stored bars ``duration_ns`` long: ``{n}Min`` under an hour,
    ``{n}Hour`` under a day, else ``1Day`` (a session-long bar, 09:30 to 16:00, is a day's)."""
    minutes, rest = divmod(duration_ns, _MINUTE_NS)
    if not rest and minutes < 60:
        return TimeFrame(int(minutes), Unit.MINUTE)
    hours, rest = divmod(duration_ns, 60 * _MINUTE_NS)
    if not rest and hours < 24:
        return TimeFrame(int(hours), Unit.HOUR)
    return TimeFrame(1, Unit.DAY)


def bar_stamp(series: BarSeries, row: int) -> int:
    """The ``t`` of stored bar ``row``: the start of its bucket in its own timeframe."""
    opened = np.array([int(series.ts[row]) - series.duration_ns], dtype=np.int64)
    return int(bucket_starts(opened, native_timeframe(series.duration_ns))[0])


def alpaca_bars(bars: Bars) -> list[AlpacaBar]:
    return [
        AlpacaBar(t=time_text(int(t)), o=o, h=h, l=low, c=c, v=_volume(v))
        for t, o, h, low, c, v in zip(
            bars.t.tolist(),
            bars.open.tolist(),
            bars.high.tolist(),
            bars.low.tolist(),
            bars.close.tolist(),
            bars.volume.tolist(),
            strict=True,
        )
    ]


def _volume(volume: float) -> int | float:
    return int(volume) if volume.is_integer() else volume


def _new_york_midnight_ns(ts_ns: int) -> int:
    day = ns_to_datetime(ts_ns).astimezone(NEW_YORK).date()
    return datetime_to_ns(datetime.combine(day, time(0), tzinfo=NEW_YORK))
