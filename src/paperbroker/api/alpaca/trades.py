"""Alpaca-compatible trades and quotes, derived from the bars as of the session's clock.

- ``GET /v2/stocks/trades`` and ``/v2/stocks/quotes``: the derived trades
  (quotes) of several symbols, sorted by symbol then time, paged like bars
  (``limit`` counted across all symbols, ``page_token``); ``start`` defaults
  to 00:00 New York of the session's day and ``end`` is cut at its time;
- ``GET /v2/stocks/trades/latest`` and ``/v2/stocks/quotes/latest``: each
  symbol's latest, which ``alpaca-py``'s ``get_stock_latest_trade`` and
  ``get_stock_latest_quote`` read;
- ``/v2/stocks/{symbol}/trades``, ``/quotes``, ``/trades/latest`` and
  ``/quotes/latest``: the same for one symbol, as ``alpaca-trade-api`` asks.

How a bar becomes trades and quotes, and why nothing is served before the
clock reaches it, is :mod:`.derived`. Every item is flagged ``"c":
["derived"]`` and ``"derived": true``; ``x``, ``z`` (and ``bx``, ``ax``)
are empty: no exchange printed them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Final, TypeVar

from fastapi import APIRouter, Depends
from pydantic import Field

from paperbroker.api.alpaca import derived
from paperbroker.api.alpaca.market_data import (
    DEFAULT_LIMIT,
    PAGE_RULES,
    LimitQuery,
    SeriesLookup,
    Sort,
    query_window,
    series_lookup,
)
from paperbroker.api.alpaca.paging import Cursor, read_token, token
from paperbroker.api.alpaca.target import MarketTarget, Target
from paperbroker.api.contract import answers
from paperbroker.api.formats import time_text
from paperbroker.api.params import IgnoredQuery, PageTokenQuery, SymbolPath, SymbolsQuery
from paperbroker.api.params import TimeOrDateQuery as TimeQuery
from paperbroker.api.params import symbol_names as _symbols
from paperbroker.api.responses import ResponseModel
from paperbroker.core.errors import NotFound
from paperbroker.data.series import BarSeries, IntArray

router = APIRouter(prefix="/v2/stocks", tags=["alpaca"])

_DERIVED: Final = [derived.DERIVED]


class AlpacaTrade(ResponseModel):
    """A derived trade: ``t`` its time, ``p`` its price, ``s`` its size, ``i`` a stable id."""

    t: str = Field(examples=["2012-01-04T21:00:00Z"])
    x: str = Field(default="", description="Exchange: none, the trade is derived.")
    p: float
    s: int | float = Field(description="Size: the bar's volume at its close, 0 at its open.")
    c: list[str] = Field(default_factory=lambda: list(_DERIVED))
    i: int
    z: str = Field(default="", description="Tape: none.")
    derived: bool = Field(default=True, description="paperbroker: derived from a bar.")


class AlpacaQuote(ResponseModel):
    """A derived quote: ``bp``/``ap`` the bid and ask at time ``t``; sizes are 0."""

    t: str = Field(examples=["2012-01-04T21:00:00Z"])
    bx: str = ""
    bp: float
    bs: int = 0
    ax: str = ""
    ap: float
    as_: int = Field(default=0, alias="as")
    c: list[str] = Field(default_factory=lambda: list(_DERIVED))
    z: str = ""
    derived: bool = Field(default=True, description="paperbroker: derived from a bar.")


class TradesPage(ResponseModel):
    """A page of derived trades by symbol; ``next_page_token`` is null on the last page."""

    trades: dict[str, list[AlpacaTrade]]
    next_page_token: str | None


class QuotesPage(ResponseModel):
    """A page of derived quotes by symbol; ``next_page_token`` is null on the last page."""

    quotes: dict[str, list[AlpacaQuote]]
    next_page_token: str | None


class SymbolTradesPage(ResponseModel):
    """A page of one symbol's derived trades."""

    trades: list[AlpacaTrade]
    symbol: str
    next_page_token: str | None


class SymbolQuotesPage(ResponseModel):
    """A page of one symbol's derived quotes."""

    quotes: list[AlpacaQuote]
    symbol: str
    next_page_token: str | None


class LatestTrades(ResponseModel):
    """Each symbol's latest derived trade (symbols without one left out)."""

    trades: dict[str, AlpacaTrade]


class LatestQuotes(ResponseModel):
    """Each symbol's latest derived quote (symbols without one left out)."""

    quotes: dict[str, AlpacaQuote]


class SymbolLatestTrade(ResponseModel):
    symbol: str
    trade: AlpacaTrade


class SymbolLatestQuote(ResponseModel):
    symbol: str
    quote: AlpacaQuote


class _PageQuery:
    """The query of a page of trades or quotes, as ``GET /v2/stocks/bars`` reads its own;
    ``feed``, ``asof`` and ``currency`` are read and ignored (there is one feed)."""

    def __init__(
        self,
        start: TimeQuery = None,
        end: TimeQuery = None,
        limit: LimitQuery = DEFAULT_LIMIT,
        page_token: PageTokenQuery = None,
        sort: Sort = "asc",
        feed: IgnoredQuery = None,
        asof: IgnoredQuery = None,
        currency: IgnoredQuery = None,
    ) -> None:
        self.start, self.end, self.limit = start, end, limit
        self.page_token, self.sort = page_token, sort


PageQuery = Annotated[_PageQuery, Depends()]
#: What a paged route refuses although its schema lets it through.
_PAGED: Final = answers(rules=PAGE_RULES)
_Item = TypeVar("_Item", AlpacaTrade, AlpacaQuote)
#: Renders the derived trades (or quotes) picked from a series.
_Render = Callable[[BarSeries, derived.Ticks], list[_Item]]


def trade_items(series: BarSeries, picked: derived.Ticks) -> list[AlpacaTrade]:
    return [
        AlpacaTrade(t=time_text(trade.t), p=trade.price, s=_size(trade.size), i=trade.id)
        for trade in derived.trades(series, picked)
    ]


def quote_renderer(target: Target) -> Callable[[BarSeries, derived.Ticks], list[AlpacaQuote]]:
    """Quotes with the half spread the session's slippage model charges (see :mod:`.derived`)."""
    cost = derived.half_spread_cost(target.runtime.kernel.venue.config.slippage)

    def render(series: BarSeries, picked: derived.Ticks) -> list[AlpacaQuote]:
        return [
            AlpacaQuote(t=time_text(quote.t), bp=quote.bid, ap=quote.ask)
            for quote in derived.quotes(series, picked, cost)
        ]

    return render


@router.get("/trades", summary="Historical trades (derived from bars)", responses=_PAGED)
def get_trades(
    target: MarketTarget,
    symbols: SymbolsQuery,
    query: PageQuery,
) -> TradesPage:
    """The derived trades of ``symbols`` from ``start`` to ``end``, at most ``limit`` a page."""
    page, cursor = _pages(target, _symbols(symbols), trade_items, query)
    return TradesPage(trades=page, next_page_token=cursor)


@router.get("/quotes", summary="Historical quotes (derived from bars)", responses=_PAGED)
def get_quotes(
    target: MarketTarget,
    symbols: SymbolsQuery,
    query: PageQuery,
) -> QuotesPage:
    """The derived quotes of ``symbols`` from ``start`` to ``end``, at most ``limit`` a page."""
    render = quote_renderer(target)
    page, cursor = _pages(target, _symbols(symbols), render, query)
    return QuotesPage(quotes=page, next_page_token=cursor)


@router.get("/trades/latest", summary="Latest trades (derived from bars)")
def get_latest_trades(
    target: MarketTarget,
    symbols: SymbolsQuery,
    feed: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> LatestTrades:
    """Each symbol's latest derived trade as of the session's time."""
    return LatestTrades(trades=_latest(target, _symbols(symbols), trade_items))


@router.get("/quotes/latest", summary="Latest quotes (derived from bars)")
def get_latest_quotes(
    target: MarketTarget,
    symbols: SymbolsQuery,
    feed: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> LatestQuotes:
    """Each symbol's latest derived quote as of the session's time."""
    return LatestQuotes(quotes=_latest(target, _symbols(symbols), quote_renderer(target)))


@router.get("/{symbol}/trades", summary="Historical trades of one symbol", responses=_PAGED)
def get_symbol_trades(
    target: MarketTarget,
    symbol: SymbolPath,
    query: PageQuery,
) -> SymbolTradesPage:
    """One symbol's derived trades, as ``GET /v2/stocks/trades`` gives them."""
    name = symbol.upper()
    page, cursor = _pages(target, [name], trade_items, query)
    return SymbolTradesPage(trades=page.get(name, []), symbol=name, next_page_token=cursor)


@router.get("/{symbol}/quotes", summary="Historical quotes of one symbol", responses=_PAGED)
def get_symbol_quotes(
    target: MarketTarget,
    symbol: SymbolPath,
    query: PageQuery,
) -> SymbolQuotesPage:
    """One symbol's derived quotes, as ``GET /v2/stocks/quotes`` gives them."""
    name = symbol.upper()
    render = quote_renderer(target)
    page, cursor = _pages(target, [name], render, query)
    return SymbolQuotesPage(quotes=page.get(name, []), symbol=name, next_page_token=cursor)


@router.get("/{symbol}/trades/latest", summary="Latest trade of one symbol")
def get_symbol_latest_trade(
    target: MarketTarget,
    symbol: SymbolPath,
    feed: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> SymbolLatestTrade:
    """The symbol's latest derived trade; 404 before its first bar opened."""
    name = symbol.upper()
    return SymbolLatestTrade(symbol=name, trade=_one_latest(target, name, trade_items))


@router.get("/{symbol}/quotes/latest", summary="Latest quote of one symbol")
def get_symbol_latest_quote(
    target: MarketTarget,
    symbol: SymbolPath,
    feed: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> SymbolLatestQuote:
    """The symbol's latest derived quote; 404 before its first bar opened."""
    name = symbol.upper()
    return SymbolLatestQuote(symbol=name, quote=_one_latest(target, name, quote_renderer(target)))


def latest_item(
    lookup: SeriesLookup, symbol: str, now_ns: int, render: _Render[_Item]
) -> _Item | None:
    """``symbol``'s latest derived trade or quote at ``now_ns`` (``None``: none yet)."""
    series = lookup(symbol)
    if series is None:
        return None
    items = render(series, derived.latest_tick(series, now_ns))
    return items[0] if items else None


def _latest(target: Target, symbols: Sequence[str], render: _Render[_Item]) -> dict[str, _Item]:
    lookup, now = series_lookup(target), target.runtime.now_ns
    found = {}
    for symbol in sorted(set(symbols)):
        item = latest_item(lookup, symbol, now, render)
        if item is not None:
            found[symbol] = item
    return found


def _one_latest(target: Target, symbol: str, render: _Render[_Item]) -> _Item:
    item = latest_item(series_lookup(target), symbol, target.runtime.now_ns, render)
    if item is None:
        raise NotFound(f"no trade of {symbol} by the session's time")
    return item


def _pages(
    target: Target,
    symbols: list[str],
    render: _Render[_Item],
    query: _PageQuery,
) -> tuple[dict[str, list[_Item]], str | None]:
    """One page of ``symbols``' derived items (in symbol, then time order) and the next token."""
    now_ns = target.runtime.now_ns
    start_ns, end_ns = query_window(query.start, query.end, now_ns)
    sort, limit = query.sort, query.limit
    cursor = read_token(query.page_token) if query.page_token else None  # "" is no token
    lookup = series_lookup(target)
    page: dict[str, list[_Item]] = {}
    room = limit
    last: Cursor | None = None
    for symbol in sorted(set(symbols)):
        if cursor is not None and symbol < cursor.symbol:
            continue
        series = lookup(symbol)
        if series is None:
            continue
        picked = derived.ticks(series, start_ns, end_ns, now_ns)
        if cursor is not None and symbol == cursor.symbol:
            picked = picked.take(_after(picked, cursor, sort))
        if picked.size == 0:
            continue
        if last is not None and room == 0:  # the page is full and more items follow
            return page, token(last)
        if sort == "desc":
            picked = picked.take(slice(None, None, -1))
        served = picked.take(slice(0, room))
        page[symbol] = render(series, served)
        room -= served.size
        last = Cursor(symbol, int(served.t[-1]), int(served.kind[-1]))
        if served.size < picked.size:
            return page, token(last)
    return page, None


def _after(picked: derived.Ticks, cursor: Cursor, sort: Sort) -> IntArray:
    """The positions of ``picked`` beyond ``cursor`` in the page's direction."""
    later = (picked.t > cursor.t) | ((picked.t == cursor.t) & (picked.kind > cursor.kind))
    earlier = (picked.t < cursor.t) | ((picked.t == cursor.t) & (picked.kind < cursor.kind))
    mask = later if sort == "asc" else earlier
    positions: IntArray = mask.nonzero()[0]
    return positions


def _size(size: float) -> int | float:
    return int(size) if size.is_integer() else size
