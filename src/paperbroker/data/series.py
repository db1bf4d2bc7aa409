"""Columnar bar storage: one instrument's bars as NumPy arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.model.instrument import Instrument

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class QuoteArrays(NamedTuple):
    """Bid and ask OHLC of a series' bars: float64 arrays, one value per bar.

    Each side is a bar of its own: ``bid_high`` is the highest bid during the
    bar, ``ask_low`` the lowest ask, and so on.  A buyer crossing the spread
    pays the ask and a seller receives the bid, so these are the prices a
    market order meets; the trade or mid prices of the series only describe
    where the market was.
    """

    bid_open: FloatArray
    bid_high: FloatArray
    bid_low: FloatArray
    bid_close: FloatArray
    ask_open: FloatArray
    ask_high: FloatArray
    ask_low: FloatArray
    ask_close: FloatArray

    def sliced(self, lo: int, hi: int) -> QuoteArrays:
        """Copies of rows ``lo:hi`` of every column."""
        return QuoteArrays(*(column[lo:hi].copy() for column in self))

    def mid(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Mid ``(open, high, low, close)``: the mean of bid and ask, field by field.

        The mid high is ``(bid_high + ask_high) / 2``, the mean of the two
        sides' extremes, which need not have happened at the same moment; it
        bounds the mid open and close because each side's high bounds its own.
        """
        return (
            (self.bid_open + self.ask_open) / 2,
            (self.bid_high + self.ask_high) / 2,
            (self.bid_low + self.ask_low) / 2,
            (self.bid_close + self.ask_close) / 2,
        )


QUOTE_COLUMNS: tuple[str, ...] = QuoteArrays._fields
"""The quote column names, in :class:`QuoteArrays` order (``bid_open`` .. ``ask_close``)."""


@dataclass(frozen=True, eq=False)
class BarSeries:
    """The bars of one instrument in time order.

    ``ts`` holds close times (epoch ns, strictly increasing); ``duration_ns``
    is the nominal bar length, so a bar opens at ``ts - duration_ns``.  The
    arrays are made read-only on construction: a series is a fact about the
    past and nothing downstream may edit it.

    ``quotes`` optionally adds bid and ask OHLC per bar (see
    :class:`QuoteArrays`).  For a series built from quotes alone
    (:meth:`from_quotes`), ``open``/``high``/``low``/``close`` are the mid
    prices of :meth:`QuoteArrays.mid`; when the source also had trade prices
    they are the trades.

    Raises:
        InvalidRequest: on construction, if the columns disagree in length,
            the times are not strictly increasing, a price is missing or not
            positive, a high/low does not bound its open and close, or a
            volume is negative; for quotes, if a quote column has the wrong
            length, a quote is missing or not positive, a side's high/low
            does not bound that side's open and close, or the bid is above
            the ask at the open, high, low or close.  The message names the
            symbol and first bad row.
    """

    instrument: Instrument
    ts: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    duration_ns: int
    quotes: QuoteArrays | None = None

    def __post_init__(self) -> None:
        _validate(self)
        for column in (self.ts, self.open, self.high, self.low, self.close, self.volume):
            column.flags.writeable = False
        for column in self.quotes or ():
            column.flags.writeable = False

    @classmethod
    def from_quotes(
        cls,
        instrument: Instrument,
        ts: IntArray,
        quotes: QuoteArrays,
        duration_ns: int,
        volume: FloatArray | None = None,
    ) -> BarSeries:
        """A series of quote bars whose ``open``/``high``/``low``/``close`` are the mids.

        Mid open and close are ``(bid + ask) / 2``; mid high is
        ``(bid_high + ask_high) / 2`` and mid low ``(bid_low + ask_low) / 2``.
        ``volume`` defaults to zeros.

        Raises:
            InvalidRequest: as the constructor; a bad quote is reported as
                such, not as a bad mid.
        """
        n = ts.shape[0]
        _check_quote_columns(instrument.symbol, quotes, n)  # the mids need equal lengths
        if volume is None:
            volume = np.zeros(n, dtype=np.float64)
        return cls(instrument, ts, *quotes.mid(), volume, duration_ns, quotes)

    @property
    def symbol(self) -> str:
        return self.instrument.symbol

    @property
    def complete(self) -> bool:
        """Whether every bar is known (history); a live series grows as bars arrive."""
        return True

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def bar(self, index: int) -> Bar:
        """The bar at ``index`` as a :class:`Bar` (for inspection, not hot loops)."""
        return Bar(
            self.symbol,
            int(self.ts[index]),
            float(self.open[index]),
            float(self.high[index]),
            float(self.low[index]),
            float(self.close[index]),
            float(self.volume[index]),
        )

    def between(self, start_ns: int | None = None, end_ns: int | None = None) -> BarSeries:
        """The bars whose close time lies in ``[start_ns, end_ns]`` (either bound optional)."""
        lo = 0 if start_ns is None else int(np.searchsorted(self.ts, start_ns, side="left"))
        hi = len(self) if end_ns is None else int(np.searchsorted(self.ts, end_ns, side="right"))
        if lo == 0 and hi == len(self):
            return self  # immutable, so the whole series can be shared
        return BarSeries(
            self.instrument,
            self.ts[lo:hi].copy(),
            self.open[lo:hi].copy(),
            self.high[lo:hi].copy(),
            self.low[lo:hi].copy(),
            self.close[lo:hi].copy(),
            self.volume[lo:hi].copy(),
            self.duration_ns,
            None if self.quotes is None else self.quotes.sliced(lo, hi),
        )


def _validate(series: BarSeries) -> None:
    symbol = series.instrument.symbol
    n = series.ts.shape[0]
    columns = {
        "open": series.open,
        "high": series.high,
        "low": series.low,
        "close": series.close,
        "volume": series.volume,
    }
    for name, column in columns.items():
        if column.shape != (n,):
            raise InvalidRequest(f"{symbol}: column {name} has {column.shape[0]} rows, ts has {n}")
        if column.dtype != np.float64:
            raise InvalidRequest(f"{symbol}: column {name} must be float64, got {column.dtype}")
    if series.ts.dtype != np.int64:
        raise InvalidRequest(f"{symbol}: ts must be int64 epoch nanoseconds, got {series.ts.dtype}")
    if series.duration_ns <= 0:
        raise InvalidRequest(f"{symbol}: bar duration must be positive")
    if series.quotes is not None:
        _check_quote_columns(symbol, series.quotes, n)
    if n == 0:
        return
    _first_bad(symbol, "times are not strictly increasing", np.diff(series.ts) <= 0, offset=1)
    if series.quotes is not None:
        # Before the trade prices: mids derived from bad quotes would fail
        # there with a message about the wrong columns.
        _check_quote_rows(symbol, series.quotes)
    for name in ("open", "high", "low", "close"):
        column = columns[name]
        _first_bad(symbol, f"{name} is missing or not positive", ~(column > 0))
    _first_bad(symbol, "volume is missing or negative", ~(series.volume >= 0))
    top = np.maximum(series.open, series.close)
    bottom = np.minimum(series.open, series.close)
    _first_bad(symbol, "high is below open or close", series.high < top)
    _first_bad(symbol, "low is above open or close", series.low > bottom)


def quote_checks(quotes: QuoteArrays) -> list[tuple[str, BoolArray]]:
    """Every quote rule as ``(what is wrong, rows where it is)``, in checking order.

    Shared by the series and the file loaders, which name rows in file terms.
    """
    checks: list[tuple[str, BoolArray]] = [
        (f"{name} is missing or not positive", ~(column > 0))
        for name, column in zip(QUOTE_COLUMNS, quotes, strict=True)
    ]
    bid = (quotes.bid_open, quotes.bid_high, quotes.bid_low, quotes.bid_close)
    ask = (quotes.ask_open, quotes.ask_high, quotes.ask_low, quotes.ask_close)
    for side, (open_, high, low, close) in (("bid", bid), ("ask", ask)):
        checks += [
            (f"{side}_high is below {side}_open or {side}_close", high < np.maximum(open_, close)),
            (f"{side}_low is above {side}_open or {side}_close", low > np.minimum(open_, close)),
        ]
    checks += [
        (f"bid_{field} is above ask_{field}", bid_price > ask_price)
        for field, bid_price, ask_price in zip(
            ("open", "high", "low", "close"), bid, ask, strict=True
        )
    ]
    return checks


def _check_quote_columns(symbol: str, quotes: QuoteArrays, n: int) -> None:
    for name, column in zip(QUOTE_COLUMNS, quotes, strict=True):
        if column.shape != (n,):
            raise InvalidRequest(f"{symbol}: column {name} has {column.shape[0]} rows, ts has {n}")
        if column.dtype != np.float64:
            raise InvalidRequest(f"{symbol}: column {name} must be float64, got {column.dtype}")


def _check_quote_rows(symbol: str, quotes: QuoteArrays) -> None:
    for what, mask in quote_checks(quotes):
        _first_bad(symbol, what, mask)


def _first_bad(symbol: str, what: str, mask: BoolArray, offset: int = 0) -> None:
    if mask.any():
        row = int(np.argmax(mask)) + offset
        raise InvalidRequest(f"{symbol}: {what} at row {row}")
