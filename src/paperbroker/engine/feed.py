"""Historical bars of several instruments merged into one time-ordered stream."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat
from typing import Protocol

import numpy as np

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.data.series import BarSeries, FloatArray, IntArray

#: A chunk's bars, each bar's instrument index, and its row in its own series.
Chunk = tuple[list[Bar], Sequence[int], Sequence[int]]
_PRICE_COLUMNS = ("open", "high", "low", "close", "volume")


class HistoricalFeed:
    """Bars of every instrument in close-time order; ties keep the instruments' order.

    The stream is handed to the kernel in chunks of plain Python lists, which
    index many times faster than NumPy scalars in a per-bar loop while keeping
    memory bounded to one chunk.
    """

    def __init__(self, series: Sequence[BarSeries]) -> None:
        if not series:
            raise InvalidRequest("no data: give at least one bar series")
        symbols = [s.symbol for s in series]
        duplicates = sorted({s for s in symbols if symbols.count(s) > 1})
        if duplicates:
            raise InvalidRequest(f"symbol given twice: {', '.join(duplicates)}")
        self.series = list(series)
        self.symbols = symbols
        if len(series) == 1:
            only = series[0]
            self.ts: IntArray = only.ts
            self._instrument = None
            self._row = None
            self._columns: list[FloatArray] = [
                only.open, only.high, only.low, only.close, only.volume,
            ]  # fmt: skip
        else:
            ts = np.concatenate([s.ts for s in series])
            instrument = np.concatenate(
                [np.full(len(s), i, dtype=np.int64) for i, s in enumerate(series)]
            )
            row = np.concatenate([np.arange(len(s), dtype=np.int64) for s in series])
            # Each series is in time order, and they are concatenated in instrument
            # order: a stable sort by time alone puts bars of the same time in
            # instrument order (what a sort by time, then instrument gives), merging
            # the sorted runs instead of sorting a million keys from scratch.
            order = np.argsort(ts, kind="stable")
            self.ts = ts[order]
            self._instrument = instrument[order]
            self._row = row[order]
            # No merged copy of the prices: each chunk gathers them from the series.
            self._columns = []

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def end_index(self, ts_ns: int) -> int:
        """Index one past the last bar whose close time is ``<= ts_ns``."""
        return int(np.searchsorted(self.ts, ts_ns, side="right"))

    def chunk(self, start: int, stop: int) -> Chunk:
        """Bars ``start:stop`` with each bar's instrument index and row in its own series."""
        columns = [column.tolist() for column in self._chunk_columns(start, stop)]
        ts = self.ts[start:stop].tolist()
        names: Iterable[str]
        instruments: Sequence[int]
        rows: Sequence[int]
        if self._instrument is None or self._row is None:
            instruments = [0] * (stop - start)
            rows = range(start, stop)
            names = repeat(self.symbols[0], stop - start)
        else:
            instruments = self._instrument[start:stop].tolist()
            rows = self._row[start:stop].tolist()
            names = map(self.symbols.__getitem__, instruments)
        # tuple.__new__(Bar, row) builds each bar in C, skipping the NamedTuple constructor.
        rows_of_values = zip(names, ts, *columns, strict=False)
        bars: list[Bar] = list(map(tuple.__new__, repeat(Bar, stop - start), rows_of_values))
        return bars, instruments, rows

    def _chunk_columns(self, start: int, stop: int) -> list[FloatArray]:
        if self._instrument is None or self._row is None:
            return [column[start:stop] for column in self._columns]
        instruments = self._instrument[start:stop]
        rows = self._row[start:stop]
        out = [np.empty(stop - start) for _ in _PRICE_COLUMNS]
        # Each series' bars in the chunk are consecutive rows of it: find where they
        # go (its places, in order) and copy them as one slice per column.
        places = np.argsort(instruments, kind="stable")
        counts = np.bincount(instruments, minlength=len(self.series)).tolist()
        taken = 0
        for series, count in zip(self.series, counts, strict=True):
            if not count:
                continue
            mine = places[taken : taken + count]
            taken += count
            first = int(rows[mine[0]])
            for column, name in zip(out, _PRICE_COLUMNS, strict=True):
                column[mine] = getattr(series, name)[first : first + count]
        return out

    def sample_times(self, stop: int) -> IntArray:
        """The distinct bar close times among the first ``stop`` bars."""
        ts = self.ts[:stop]
        if self._instrument is None or not len(ts):
            return ts
        # In time order already: each time where it first appears.
        first = np.empty(len(ts), dtype=bool)
        first[0] = True
        np.not_equal(ts[1:], ts[:-1], out=first[1:])
        return ts[first]


class BarStream(Protocol):
    """What the kernel reads bars from: a :class:`HistoricalFeed`, or a live feed
    (:class:`~paperbroker.engine.live_feed.LiveFeed`) that grows as bars arrive."""

    @property
    def series(self) -> Sequence[BarSeries]: ...

    @property
    def symbols(self) -> list[str]: ...

    @property
    def ts(self) -> IntArray: ...

    def __len__(self) -> int: ...

    def end_index(self, ts_ns: int) -> int: ...

    def chunk(self, start: int, stop: int) -> Chunk: ...

    def sample_times(self, stop: int) -> IntArray: ...
