"""Imported market data: one Parquet file per symbol in a data directory.

Sessions are rebuilt by replaying their journal against the market data, so
data a session has seen must never change under it.  An import therefore only
adds symbols; importing a symbol that is already there is refused.

An import reads times without an offset in the instrument's exchange time
zone (New York for equities) unless told otherwise, and gives the symbol the
tick its prices need (or the one it is told), stored with the bars so that
sessions trade them on it.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.data.loaders import load_bars, save_parquet
from paperbroker.data.series import BarSeries
from paperbroker.data.ticks import infer_tick, off_grid_note
from paperbroker.model.instrument import Instrument
from paperbroker.model.values import to_decimal

TIMEFRAMES: dict[str, timedelta | None] = {
    "1Min": timedelta(minutes=1),
    "1Hour": timedelta(hours=1),
    "1Day": None,  # date-only rows: each bar is one session, closing at its close
}


class Imported(NamedTuple):
    """What an import kept, and how it read the file."""

    series: BarSeries
    #: The zone times without an offset were read in.
    timezone: str
    #: Whether the tick was inferred from the prices (else it was given).
    tick_inferred: bool
    #: The prices off a given tick (:func:`~paperbroker.data.ticks.off_grid_note`), if any.
    note: str | None


class MarketDataStore:
    """The symbols imported into ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def import_file(
        self,
        path: Path,
        symbol: str,
        timeframe: str = "1Min",
        *,
        timezone: str | None = None,
        tick: Decimal | str | None = None,
    ) -> Imported:
        """Read ``path`` (CSV or Parquet) as ``symbol``'s bars and keep them.

        Intraday bars are taken as stamped at their open (as most vendors do);
        ``1Day`` bars need date-only times.  Times without an offset are read
        in ``timezone`` (default: the equity's exchange zone, New York), by
        the daylight saving rules of :mod:`paperbroker.data.timestamps`.  The
        symbol trades on ``tick``, or by default on the coarsest tick every
        price is on, never coarser than a cent (:func:`infer_tick`).

        Raises:
            InvalidRequest: for an unknown timeframe or time zone, a tick that
                is not a positive number, or a file that does not load.
            Conflict: if ``symbol`` was imported before.
        """
        if timeframe not in TIMEFRAMES:
            raise InvalidRequest(f"timeframe {timeframe!r} is not one of {', '.join(TIMEFRAMES)}")
        symbol = symbol.strip().upper()
        if not symbol or not symbol.replace(".", "").replace("/", "").isalnum():
            raise InvalidRequest(f"symbol {symbol!r} is not a valid symbol")
        given = None if tick is None else _tick(tick)
        target = self._path(symbol)
        if symbol in _bundled_symbols():
            raise Conflict(f"{symbol} is in the bundled data; import it under another name")
        if target.exists():
            raise Conflict(f"{symbol} is already imported; sessions may depend on its bars")
        duration = TIMEFRAMES[timeframe]
        zone = timezone or Instrument.equity(symbol).hours.timezone
        series = load_bars(path, symbol=symbol, bar_duration=duration, timezone=zone)[symbol]
        one_day = series.duration_ns >= 3 * 3_600_000_000_000
        if (timeframe == "1Day") != one_day:
            minutes = series.duration_ns // 60_000_000_000
            raise InvalidRequest(f"{path} does not hold {timeframe} bars (they last {minutes} min)")
        chosen = infer_tick(series, Instrument.equity(symbol).tick_size) if given is None else given
        series = dataclasses.replace(
            series, instrument=dataclasses.replace(series.instrument, tick_size=chosen)
        )
        incoming = self.directory / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        partial = incoming / target.name
        save_parquet(series, partial)
        partial.replace(target)  # atomic: a crash never leaves half a file under the real name
        return Imported(series, zone, given is None, off_grid_note(series))

    def load_all(self) -> dict[str, BarSeries]:
        """Every imported symbol's bars."""
        if not self.directory.is_dir():
            return {}
        series: dict[str, BarSeries] = {}
        for path in sorted(self.directory.glob("*.parquet")):
            series.update(load_bars(path))
        return series

    def _path(self, symbol: str) -> Path:
        return self.directory / f"{symbol.replace('/', '_')}.parquet"


def _tick(value: Decimal | str) -> Decimal:
    tick = to_decimal(value, field="tick")
    if tick <= 0:
        raise InvalidRequest(f"tick must be positive, got {value}")
    return tick


def _bundled_symbols() -> set[str]:
    from paperbroker.data.samples import sample_symbols

    return set(sample_symbols())
