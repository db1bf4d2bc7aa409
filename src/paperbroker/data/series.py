"""Columnar bar storage: one instrument's bars as NumPy arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.model.instrument import Instrument

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class BarSeries:
    """The bars of one instrument in time order.

    ``ts`` holds close times (epoch ns, strictly increasing); ``duration_ns``
    is the nominal bar length, so a bar opens at ``ts - duration_ns``.  The
    arrays are made read-only on construction: a series is a fact about the
    past and nothing downstream may edit it.

    Raises:
        InvalidRequest: on construction, if the columns disagree in length,
            the times are not strictly increasing, a price is missing or not
            positive, a high/low does not bound its open and close, or a
            volume is negative.  The message names the symbol and first bad row.
    """

    instrument: Instrument
    ts: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    duration_ns: int

    def __post_init__(self) -> None:
        _validate(self)
        for column in (self.ts, self.open, self.high, self.low, self.close, self.volume):
            column.flags.writeable = False

    @property
    def symbol(self) -> str:
        return self.instrument.symbol

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
    if n == 0:
        return
    _first_bad(symbol, "times are not strictly increasing", np.diff(series.ts) <= 0, offset=1)
    for name in ("open", "high", "low", "close"):
        column = columns[name]
        _first_bad(symbol, f"{name} is missing or not positive", ~(column > 0))
    _first_bad(symbol, "volume is missing or negative", ~(series.volume >= 0))
    top = np.maximum(series.open, series.close)
    bottom = np.minimum(series.open, series.close)
    _first_bad(symbol, "high is below open or close", series.high < top)
    _first_bad(symbol, "low is above open or close", series.low > bottom)


def _first_bad(symbol: str, what: str, mask: npt.NDArray[np.bool_], offset: int = 0) -> None:
    if mask.any():
        row = int(np.argmax(mask)) + offset
        raise InvalidRequest(f"{symbol}: {what} at row {row}")
