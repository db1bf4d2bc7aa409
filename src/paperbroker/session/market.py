"""The market data sessions trade."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from paperbroker.core.errors import Conflict, OperationalError, PaperbrokerError
from paperbroker.model.enums import AssetClass

if TYPE_CHECKING:
    from paperbroker.data.series import BarSeries


class Asset(NamedTuple):
    """A symbol with data: its class, the close times of its first and last bars,
    whether it may be sold short and traded in fractions, and its exchange."""

    symbol: str
    asset_class: AssetClass
    first_ts: int
    last_ts: int
    bar_duration_ns: int
    shortable: bool = True
    fractionable: bool = False
    exchange: str = ""


class MarketData:
    """Bar series by symbol, shared read-only by every session.

    Series are immutable, so sessions share them without copies; each session
    sees only the bars up to its own end.

    Market data made with ``load(..., deferred=True)`` is read on first use
    instead: the first caller reads it (the server's warm-up, normally) while
    any other waits, so no caller ever sees part of it.
    """

    def __init__(self, series: Mapping[str, BarSeries]) -> None:
        self._loaded: dict[str, BarSeries] | None = dict(sorted(series.items()))
        self._loader: Callable[[], Mapping[str, BarSeries]] | None = None
        self._lock = threading.Lock()
        self._notes: dict[str, tuple[str, ...]] = {}

    @classmethod
    def deferred(cls, loader: Callable[[], Mapping[str, BarSeries]]) -> MarketData:
        """Market data that ``loader`` returns, called on first use (and again on the
        next use if it failed: an operator may fix the files meanwhile)."""
        market = cls({})
        market._loaded, market._loader = None, loader
        return market

    def preload(self) -> None:
        """Read deferred market data now (nothing if it is read already).

        Raises:
            OperationalError: if it does not load; the message says why.
        """
        self.notes()  # reads it, and logs each data note once, as the server starts

    @property
    def _series(self) -> dict[str, BarSeries]:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                assert self._loader is not None
                try:
                    self._loaded = dict(sorted(self._loader().items()))
                except PaperbrokerError as error:
                    raise OperationalError(f"the market data did not load: {error}") from error
            return self._loaded

    @classmethod
    def bundled(cls) -> MarketData:
        """The sample data shipped with paperbroker (daily stocks, hourly EURUSD)."""
        from paperbroker.data.samples import load_sample

        return cls({**load_sample("stocks"), **load_sample("eurusd")})

    @classmethod
    def load(cls, data_dir: Path, *, deferred: bool = False) -> MarketData:
        """The bundled samples plus every symbol imported into ``data_dir``; with
        ``deferred``, read on first use (see :meth:`deferred`).

        Raises:
            Conflict: if an imported symbol is also a bundled one (when the data
                is read: with ``deferred``, as an :class:`OperationalError`).
        """

        def read() -> dict[str, BarSeries]:
            from paperbroker.data.store import MarketDataStore

            bundled = cls.bundled()._series
            imported = MarketDataStore(data_dir).load_all()
            clash = sorted(set(bundled) & set(imported))
            if clash:
                raise Conflict(f"imported symbols shadow bundled ones: {', '.join(clash)}")
            return {**bundled, **imported}

        if deferred:
            return cls.deferred(read)
        market = cls(read())
        market.notes()  # logged once, as the server starts
        return market

    def assets(self) -> list[Asset]:
        """Every symbol with data, in symbol order."""
        return [
            Asset(
                symbol,
                series.instrument.asset_class,
                int(series.ts[0]),
                int(series.ts[-1]),
                series.duration_ns,
                series.instrument.shortable,
                series.instrument.fractionable,
                series.instrument.exchange,
            )
            for symbol, series in self._series.items()
            if len(series)
        ]

    def series(self, symbol: str) -> BarSeries | None:
        """All of ``symbol``'s bars (``None`` for a symbol without data)."""
        return self._series.get(symbol)

    def notes(self, symbols: Iterable[str] | None = None) -> tuple[str, ...]:
        """The data notes of ``symbols`` (default: every symbol), in symbol order.

        A note says a symbol's prices are off its tick
        (:func:`~paperbroker.data.ticks.off_grid_note`); each is worked out
        once and logged once.  Symbols without data have none.
        """
        from paperbroker.data.ticks import data_notes

        wanted = self._series if symbols is None else sorted(set(symbols) & set(self._series))
        for symbol in wanted:
            if symbol not in self._notes:
                self._notes[symbol] = data_notes([self._series[symbol]])
        return tuple(note for symbol in wanted for note in self._notes[symbol])

    def series_until(self, end_ns: int) -> list[BarSeries]:
        """Each symbol's bars that close by ``end_ns`` (symbols with none are left out)."""
        cut = (series.between(None, end_ns) for series in self._series.values())
        return [series for series in cut if len(series)]
