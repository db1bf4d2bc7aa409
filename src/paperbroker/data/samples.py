"""Small real data sets shipped with the package (see ``files/ATTRIBUTION.md``).

- ``stocks``: daily bars of AAPL, FB, GOOG, IBM and MSFT, 2000-03-01 to
  2013-03-01 (FB from its 2012-05-18 listing, GOOG from 2004-08-19).  The raw
  prices are unadjusted; by default splits are detected from the source's
  adjusted close and earlier bars are back-adjusted to the latest basis.
  Dividends are not adjusted for.
- ``eurusd``: hourly EURUSD ask bars for 2017, stamped at the bar open in UTC.

Samples are parsed once per process and cached; the series are immutable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal, NamedTuple

import numpy as np

from paperbroker.core.clock import ns_to_datetime
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.loaders import load_bars, load_bars_with_columns
from paperbroker.data.series import BarSeries, FloatArray
from paperbroker.model.instrument import Instrument

Adjust = Literal["splits", "none"]

SPLIT_THRESHOLD = 1.25
"""A day-over-day change of Close/AdjClose beyond this factor (either way) is a split."""

SAMPLE_TICK = "0.0001"
"""The stocks' tick: the source's raw prices have up to four decimals (19.301, 14.2675)."""

#: The primary listing of each bundled stock.
STOCK_EXCHANGES = {
    "AAPL": "NASDAQ",
    "FB": "NASDAQ",
    "GOOG": "NASDAQ",
    "IBM": "NYSE",
    "MSFT": "NASDAQ",
}

_FILES = {"stocks": "stocks.csv.gz", "eurusd": "FOREX_EURUSD_1H_ASK.csv"}
_DESCRIPTIONS = {
    "stocks": "daily AAPL, FB, GOOG, IBM, MSFT bars 2000-03-01..2013-03-01 (Quandl WIKI)",
    "eurusd": "hourly EURUSD ask bars for 2017 (gym-anytrading)",
}


class Split(NamedTuple):
    """A split taking effect on the bar at position ``row`` (its ex-date is ``day``).

    ``ratio`` is new shares per old share: 2 for a 2-for-1 split, 1/10 for a
    1-for-10 reverse split.
    """

    row: int
    day: date
    ratio: Fraction


def available_samples() -> dict[str, str]:
    """The bundled sample names, each with a short description."""
    return dict(_DESCRIPTIONS)


def sample_symbols() -> dict[str, tuple[str, date, date]]:
    """Every bundled symbol mapped to (sample name, first date, last date).

    The dates are the UTC dates of the first bar's open and the last bar's close.
    """
    result: dict[str, tuple[str, date, date]] = {}
    for name in _FILES:
        for symbol, series in _load(name, "none").items():
            first = _utc_date(int(series.ts[0]) - series.duration_ns)
            result[symbol] = (name, first, _utc_date(int(series.ts[-1])))
    return dict(sorted(result.items()))


def load_sample(
    name: str,
    *,
    symbols: str | Iterable[str] | None = None,
    adjust: Adjust = "splits",
) -> dict[str, BarSeries]:
    """Load a bundled sample as one series per symbol, optionally only ``symbols``.

    For ``stocks``, ``adjust="splits"`` back-adjusts bars before each detected
    split (prices divided by the cumulative ratio and rounded to 4 decimals,
    volume multiplied); ``adjust="none"`` returns the raw prices.  Both are on
    a 0.0001 tick, the raw prices' own.  ``eurusd`` has no splits; both
    settings return the same bars.  Symbols are matched case-insensitively.

    Raises:
        InvalidRequest: if ``name``, a symbol or ``adjust`` is unknown.
    """
    if adjust not in ("splits", "none"):
        raise InvalidRequest(f"adjust must be 'splits' or 'none', not {adjust!r}")
    data = _load(_check_name(name), adjust)
    if symbols is None:
        return dict(data)
    wanted = [symbols] if isinstance(symbols, str) else list(symbols)
    result: dict[str, BarSeries] = {}
    for symbol in wanted:
        key = symbol.strip().upper()
        if key not in data:
            raise InvalidRequest(
                f"sample {name!r} has no symbol {symbol!r}; symbols: {', '.join(data)}"
            )
        result[key] = data[key]
    return result


def sample_splits() -> dict[str, list[Split]]:
    """The splits detected in the ``stocks`` sample, per symbol (empty lists included)."""
    return {symbol: list(splits) for symbol, (_, splits) in _stocks().items()}


def detect_splits(series: BarSeries, adj_close: FloatArray) -> list[Split]:
    """Find splits as jumps in the factor ``close / adj_close`` between consecutive bars.

    Dividends move the factor by about a percent; a move beyond
    ``SPLIT_THRESHOLD`` either way is a split, whose ratio is the nearest
    fraction with a denominator of at most 10.

    Raises:
        InvalidRequest: if ``adj_close`` does not match the series or is not positive.
    """
    if adj_close.shape != series.close.shape or not np.all(adj_close > 0):
        raise InvalidRequest(f"{series.symbol}: adjusted close must be positive, one per bar")
    factor = series.close / adj_close
    change = factor[:-1] / factor[1:]
    jumps = np.flatnonzero((change > SPLIT_THRESHOLD) | (change < 1 / SPLIT_THRESHOLD))
    splits = []
    for jump in jumps.tolist():
        ratio = Fraction(float(change[jump])).limit_denominator(10)
        row = jump + 1
        splits.append(Split(row, _utc_date(int(series.ts[row])), ratio))
    return splits


def adjust_for_splits(series: BarSeries, splits: Iterable[Split]) -> BarSeries:
    """Back-adjust the bars before each split to the latest share basis.

    Prices are divided by the product of the later splits' ratios and rounded
    to 4 decimals; volumes are multiplied by it.  The result uses the
    sample's equity instrument (:func:`stock_instrument`, a 0.0001 tick).
    """
    divisor = np.ones(len(series), dtype=np.float64)
    cumulative = Fraction(1)
    for split in sorted(splits, key=lambda item: item.row, reverse=True):
        cumulative *= split.ratio
        divisor[: split.row] = float(cumulative)

    def scaled(prices: FloatArray) -> FloatArray:
        return np.round(prices / divisor, 4)

    return BarSeries(
        stock_instrument(series.symbol),
        series.ts.copy(),
        scaled(series.open),
        scaled(series.high),
        scaled(series.low),
        scaled(series.close),
        series.volume * divisor,
        series.duration_ns,
    )


def stock_instrument(symbol: str) -> Instrument:
    """A bundled stock: an equity on a 0.0001 tick, traded in fractions, on its exchange."""
    # Large caps trade in fractions at US brokers (Alpaca among them).
    return Instrument.equity(
        symbol, tick_size=SAMPLE_TICK, fractionable=True, exchange=STOCK_EXCHANGES.get(symbol, "")
    )


def _check_name(name: str) -> str:
    key = name.strip().lower()
    if key not in _FILES:
        raise InvalidRequest(f"unknown sample {name!r}; available: {', '.join(_FILES)}")
    return key


@cache
def _load(name: str, adjust: Adjust) -> dict[str, BarSeries]:
    if name == "eurusd":
        with resources.as_file(_resource(name)) as path:
            return load_bars(
                path,
                symbol="EURUSD",
                instrument=Instrument.fx("EURUSD"),
                timestamp="open",
                bar_duration=timedelta(hours=1),
                timezone="UTC",
            )
    stocks = _stocks()
    if adjust == "none":
        return {symbol: series for symbol, (series, _) in stocks.items()}
    return {symbol: adjust_for_splits(*item) for symbol, item in stocks.items()}


@cache
def _stocks() -> dict[str, tuple[BarSeries, list[Split]]]:
    with resources.as_file(_resource("stocks")) as path:
        loaded = load_bars_with_columns(path, ["Adj Close"], instrument=stock_instrument)
    return {
        symbol: (item.series, detect_splits(item.series, item.extra["Adj Close"]))
        for symbol, item in loaded.items()
    }


def _resource(name: str) -> Traversable:
    return resources.files("paperbroker.data").joinpath("files").joinpath(_FILES[name])


def _utc_date(ts_ns: int) -> date:
    return ns_to_datetime(ts_ns).date()
