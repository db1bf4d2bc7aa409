"""A bar series that grows as bars arrive: the data of paper and live sessions.

:class:`LiveBarSeries` is a :class:`~paperbroker.data.series.BarSeries` whose
columns are read-only views of buffers that double as they fill, so every
reader (the kernel, the venue, the indicators) sees the bars so far through
the same attributes a historical series has, and an append costs O(1)
amortised. Bars must arrive in close-time order; each is checked as the
constructor checks a whole series.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import numpy as np

from paperbroker.core.errors import InvalidRequest
from paperbroker.core.snapshot import CheckpointMismatch, pack_array, unpack_array
from paperbroker.data.bar import Bar
from paperbroker.data.series import BarSeries, FloatArray, IntArray
from paperbroker.model.instrument import Instrument

ArrayT = TypeVar("ArrayT", IntArray, FloatArray)
_COLUMNS = ("open", "high", "low", "close", "volume")
_INITIAL_CAPACITY = 256


class LiveBarSeries(BarSeries):
    """The bars of one instrument so far; :meth:`append` adds the next one."""

    _ts_buffer: IntArray
    _buffers: list[FloatArray]
    _size: int

    def __init__(self, instrument: Instrument, duration_ns: int) -> None:
        empty_f: FloatArray = np.empty(0, dtype=np.float64)
        empty_i: IntArray = np.empty(0, dtype=np.int64)
        super().__init__(
            instrument, empty_i, empty_f, empty_f.copy(), empty_f.copy(), empty_f.copy(),
            empty_f.copy(), duration_ns,
        )  # fmt: skip
        object.__setattr__(self, "_ts_buffer", np.empty(_INITIAL_CAPACITY, dtype=np.int64))
        object.__setattr__(
            self, "_buffers", [np.empty(_INITIAL_CAPACITY, dtype=np.float64) for _ in _COLUMNS]
        )
        object.__setattr__(self, "_size", 0)

    def append(self, bar: Bar) -> None:
        """Add ``bar``, which must close after the last one.

        Raises:
            InvalidRequest: for another symbol, a bar not after the last one, a
                price that is missing or not positive, a high or low that does
                not bound the open and close, or a negative volume.
        """
        _check(self, bar)
        size, ts_buffer, buffers = self._size, self._ts_buffer, self._buffers
        if size == ts_buffer.shape[0]:
            ts_buffer = np.concatenate([ts_buffer, np.empty(size, dtype=np.int64)])
            buffers = [np.concatenate([b, np.empty(size, dtype=np.float64)]) for b in buffers]
            object.__setattr__(self, "_ts_buffer", ts_buffer)
            object.__setattr__(self, "_buffers", buffers)
        ts_buffer[size] = bar.ts
        for buffer, value in zip(
            buffers, (bar.open, bar.high, bar.low, bar.close, bar.volume), strict=True
        ):
            buffer[size] = value
        size += 1
        object.__setattr__(self, "_size", size)
        object.__setattr__(self, "ts", _read_only(ts_buffer[:size]))
        for name, buffer in zip(_COLUMNS, buffers, strict=True):
            object.__setattr__(self, name, _read_only(buffer[:size]))

    def to_state(self) -> dict[str, Any]:
        """The bars so far, column by column (exact, base64 of their bytes)."""
        size = self._size
        return {
            "ts": pack_array(self._ts_buffer[:size]),
            **{name: pack_array(b[:size]) for name, b in zip(_COLUMNS, self._buffers, strict=True)},
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Hold the bars :meth:`to_state` wrote instead of the ones so far (they were
        checked when they arrived).

        Raises:
            CheckpointMismatch: if the columns differ in length.
        """
        ts = unpack_array(state["ts"]).astype(np.int64, copy=False)
        columns = [unpack_array(state[name]).astype(np.float64, copy=False) for name in _COLUMNS]
        size = int(ts.shape[0])
        if any(c.shape[0] != size for c in columns):
            raise CheckpointMismatch(f"{self.symbol}: the bars' columns differ in length")
        capacity = max(_INITIAL_CAPACITY, 1 << max(size - 1, 0).bit_length())
        ts_buffer = np.empty(capacity, dtype=np.int64)
        ts_buffer[:size] = ts
        buffers = []
        for column in columns:
            buffer = np.empty(capacity, dtype=np.float64)
            buffer[:size] = column
            buffers.append(buffer)
        object.__setattr__(self, "_ts_buffer", ts_buffer)
        object.__setattr__(self, "_buffers", buffers)
        object.__setattr__(self, "_size", size)
        object.__setattr__(self, "ts", _read_only(ts_buffer[:size]))
        for name, buffer in zip(_COLUMNS, buffers, strict=True):
            object.__setattr__(self, name, _read_only(buffer[:size]))

    @property
    def complete(self) -> bool:
        return False  # more bars are on their way

    @property
    def last_ts(self) -> int | None:
        """The close time of the last bar, or None before the first."""
        return int(self.ts[self._size - 1]) if self._size else None


def _read_only(view: ArrayT) -> ArrayT:
    view.flags.writeable = False
    return view


def _check(series: LiveBarSeries, bar: Bar) -> None:
    symbol = series.symbol
    if bar.symbol != symbol:
        raise InvalidRequest(f"a {bar.symbol} bar cannot join the {symbol} series")
    last = series.last_ts
    if last is not None and bar.ts <= last:
        raise InvalidRequest(f"{symbol}: a bar closing at {bar.ts} is not after {last}")
    prices = (bar.open, bar.high, bar.low, bar.close)
    if not all(math.isfinite(p) and p > 0 for p in prices):
        raise InvalidRequest(f"{symbol}: a price is missing or not positive")
    if not (math.isfinite(bar.volume) and bar.volume >= 0):
        raise InvalidRequest(f"{symbol}: volume is missing or negative")
    if bar.high < max(bar.open, bar.close) or bar.low > min(bar.open, bar.close):
        raise InvalidRequest(f"{symbol}: the high and low do not bound the open and close")
