"""Bars of several instruments merged in arrival order, growing as they arrive.

:class:`LiveFeed` is what a paper or live session's kernel reads instead of a
:class:`~paperbroker.engine.feed.HistoricalFeed`: the same interface (the
kernel cannot tell them apart), over :class:`LiveBarSeries` that grow. A bar
is appended with :meth:`LiveFeed.append` and processed when the kernel's
clock reaches its close time, like any bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from paperbroker.core.errors import InvalidRequest
from paperbroker.core.snapshot import CheckpointMismatch, pack_array, unpack_array
from paperbroker.data.bar import Bar
from paperbroker.data.live_series import LiveBarSeries
from paperbroker.data.series import IntArray
from paperbroker.engine.feed import Chunk


class LiveFeed:
    """The bars so far of every instrument, in close-time order (ties: arrival order)."""

    def __init__(self, series: Sequence[LiveBarSeries]) -> None:
        if not series:
            raise InvalidRequest("no data: give at least one instrument")
        self.series: list[LiveBarSeries] = list(series)
        self.symbols = [s.symbol for s in self.series]
        if len(set(self.symbols)) != len(self.symbols):
            raise InvalidRequest("a symbol is given twice")
        self._index = {symbol: i for i, symbol in enumerate(self.symbols)}
        # (close time, instrument, row) per bar, in order; plain lists append fast.
        self._ts: list[int] = []
        self._instrument: list[int] = []
        self._row: list[int] = []

    def to_state(self) -> dict[str, Any]:
        """Every bar so far: each series' columns, and which instrument each bar of the
        merged order belongs to (its time and row follow from its series)."""
        return {
            "symbols": list(self.symbols),
            "series": [s.to_state() for s in self.series],
            "instrument": pack_array(np.asarray(self._instrument, dtype=np.int32)),
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Hold the bars :meth:`to_state` wrote instead of the ones so far.

        Raises:
            CheckpointMismatch: for other symbols, or an order that does not fit the series.
        """
        if list(state["symbols"]) != self.symbols:
            raise CheckpointMismatch("the feed's symbols differ from the checkpoint's")
        for series, series_state in zip(self.series, state["series"], strict=True):
            series.from_state(series_state)
        instrument = unpack_array(state["instrument"]).astype(np.int64)
        counts = np.bincount(instrument, minlength=len(self.series))
        if len(counts) != len(self.series) or any(
            int(n) != len(s) for n, s in zip(counts, self.series, strict=True)
        ):
            raise CheckpointMismatch("the feed's order does not fit its series")
        rows = np.empty(instrument.shape[0], dtype=np.int64)
        ts = np.empty(instrument.shape[0], dtype=np.int64)
        for index, series in enumerate(self.series):
            mine = instrument == index
            rows[mine] = np.arange(len(series))
            ts[mine] = series.ts
        self._ts = ts.tolist()
        self._instrument = instrument.tolist()
        self._row = rows.tolist()

    @property
    def ts(self) -> IntArray:
        return np.asarray(self._ts, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._ts)

    @property
    def last_ts(self) -> int | None:
        """The close time of the last bar, or None before the first."""
        return self._ts[-1] if self._ts else None

    def append(self, bar: Bar) -> None:
        """Add ``bar``; it must close no earlier than the feed's last bar.

        Raises:
            InvalidRequest: for a symbol the feed does not have, a bar before the
                feed's last one, or a bar its series refuses.
        """
        index = self._index.get(bar.symbol)
        if index is None:
            raise InvalidRequest(f"unknown symbol {bar.symbol!r} (the feed has {self.symbols})")
        if self._ts and bar.ts < self._ts[-1]:
            raise InvalidRequest(f"a bar closing at {bar.ts} is before the feed's last bar")
        series = self.series[index]
        series.append(bar)
        self._ts.append(bar.ts)
        self._instrument.append(index)
        self._row.append(len(series) - 1)

    def end_index(self, ts_ns: int) -> int:
        """Index one past the last bar whose close time is ``<= ts_ns``."""
        ts = self._ts
        if not ts or ts[-1] <= ts_ns:  # the common case: everything so far is due
            return len(ts)
        return int(np.searchsorted(np.asarray(ts, dtype=np.int64), ts_ns, side="right"))

    def chunk(self, start: int, stop: int) -> Chunk:
        """Bars ``start:stop`` with each bar's instrument index and row in its own series."""
        instruments = self._instrument[start:stop]
        rows = self._row[start:stop]
        bars = [self.series[i].bar(row) for i, row in zip(instruments, rows, strict=True)]
        return bars, instruments, rows

    def sample_times(self, stop: int) -> IntArray:
        """The distinct bar close times among the first ``stop`` bars."""
        return np.unique(np.asarray(self._ts[:stop], dtype=np.int64))
