"""Alpaca-compatible snapshots: a symbol's market at a glance, as of the session's clock.

- ``GET /v2/stocks/snapshots?symbols=``: ``{symbol: snapshot}`` (``alpaca-py``'s
  ``get_stock_snapshot``), symbols without data left out;
- ``GET /v2/stocks/{symbol}/snapshot``: one, with its ``symbol`` (older clients).

A snapshot holds:

- ``latestTrade`` and ``latestQuote``: derived from the bars (:mod:`.derived`);
- ``minuteBar``: the latest stored bar that has closed, as
  ``/v2/stocks/bars/latest`` serves it (on minute data, the last minute);
- ``dailyBar``: the latest New York day with a closed bar, aggregated from
  that day's closed bars only, as ``/v2/stocks/bars?timeframe=1Day`` would
  serve it now (on minute data, the day so far); ``prevDailyBar`` the day
  before it that has bars.

Every part is ``null`` until there is something to show.
"""

from __future__ import annotations

import numpy as np
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from paperbroker.api.alpaca.market_data import (
    AlpacaBar,
    alpaca_bars,
    latest_bar,
    series_lookup,
)
from paperbroker.api.alpaca.target import MarketTarget, Target
from paperbroker.api.alpaca.trades import (
    AlpacaQuote,
    AlpacaTrade,
    latest_item,
    quote_renderer,
    trade_items,
)
from paperbroker.api.params import IgnoredQuery, SymbolPath, SymbolsQuery, symbol_names
from paperbroker.api.responses import ResponseModel
from paperbroker.core.errors import NotFound
from paperbroker.data.aggregate import TimeFrame, Unit, aggregate, bucket_starts
from paperbroker.data.series import BarSeries

router = APIRouter(prefix="/v2/stocks", tags=["alpaca"])

_DAY = TimeFrame(1, Unit.DAY)


class Snapshot(ResponseModel):
    """A symbol's latest trade, quote, bar and day bars as of the session's time."""

    latest_trade: AlpacaTrade | None = Field(serialization_alias="latestTrade")
    latest_quote: AlpacaQuote | None = Field(serialization_alias="latestQuote")
    minute_bar: AlpacaBar | None = Field(serialization_alias="minuteBar")
    daily_bar: AlpacaBar | None = Field(serialization_alias="dailyBar")
    prev_daily_bar: AlpacaBar | None = Field(serialization_alias="prevDailyBar")


class SymbolSnapshot(Snapshot):
    """One symbol's snapshot, naming it (``/v2/stocks/{symbol}/snapshot``)."""

    symbol: str


@router.get("/snapshots", summary="Snapshots", response_model=dict[str, Snapshot])
def get_snapshots(
    target: MarketTarget,
    symbols: SymbolsQuery,
    feed: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> JSONResponse:
    """Each symbol's snapshot as of the session's time (symbols without data left out)."""
    found = {}
    for symbol in sorted(set(symbol_names(symbols))):
        snapshot = snapshot_of(target, symbol)
        if snapshot is not None:
            found[symbol] = snapshot.model_dump(mode="json", by_alias=True)
    return JSONResponse(found)


@router.get("/{symbol}/snapshot", summary="Snapshot of one symbol")
def get_symbol_snapshot(
    target: MarketTarget,
    symbol: SymbolPath,
    feed: IgnoredQuery = None,
    currency: IgnoredQuery = None,
) -> SymbolSnapshot:
    """The symbol's snapshot as of the session's time; 404 for a symbol without data."""
    name = symbol.upper()
    snapshot = snapshot_of(target, name)
    if snapshot is None:
        raise NotFound(f"no data for {name}")
    parts = {field: getattr(snapshot, field) for field in Snapshot.model_fields}
    return SymbolSnapshot(symbol=name, **parts)


def snapshot_of(target: Target, symbol: str) -> Snapshot | None:
    """``symbol``'s snapshot as of the session's time (``None``: the session has no data)."""
    lookup = series_lookup(target)
    series = lookup(symbol)
    if series is None:
        return None
    now = target.runtime.now_ns
    previous, daily = day_bars(series, now)
    return Snapshot(
        latest_trade=latest_item(lookup, symbol, now, trade_items),
        latest_quote=latest_item(lookup, symbol, now, quote_renderer(target)),
        minute_bar=latest_bar(series, now),
        daily_bar=daily,
        prev_daily_bar=previous,
    )


def day_bars(series: BarSeries, now_ns: int) -> tuple[AlpacaBar | None, AlpacaBar | None]:
    """The day bars before and of the latest New York day with a bar closed by ``now_ns``."""
    last = int(np.searchsorted(series.ts, now_ns, side="right")) - 1
    if last < 0 or series.duration_ns > _DAY.min_width_ns:
        return None, None
    opens = series.ts[: last + 1] - series.duration_ns
    today = int(bucket_starts(opens[last:], _DAY)[0])
    first_today = int(np.searchsorted(opens, today, side="left"))
    start = first_today
    if first_today > 0:
        yesterday = int(bucket_starts(opens[first_today - 1 : first_today], _DAY)[0])
        start = int(np.searchsorted(opens, yesterday, side="left"))
    days = alpaca_bars(aggregate(series.between(int(series.ts[start]), now_ns), _DAY))
    return (days[-2] if len(days) > 1 else None), days[-1]
