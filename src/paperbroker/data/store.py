"""Imported market data: one Parquet file per symbol in a data directory.

Sessions are rebuilt by replaying their journal against the market data, so
data a session has seen must never change under it.  An import therefore only
adds symbols; importing a symbol that is already there is refused.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.data.loaders import load_bars, save_parquet
from paperbroker.data.series import BarSeries

TIMEFRAMES: dict[str, timedelta | None] = {
    "1Min": timedelta(minutes=1),
    "1Hour": timedelta(hours=1),
    "1Day": None,  # date-only rows: each bar is one session, closing at its close
}


class MarketDataStore:
    """The symbols imported into ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def import_file(self, path: Path, symbol: str, timeframe: str = "1Min") -> BarSeries:
        """Read ``path`` (CSV or Parquet) as ``symbol``'s bars and keep them.

        Intraday bars are taken as stamped at their open (as most vendors do);
        ``1Day`` bars need date-only times.

        Raises:
            InvalidRequest: for an unknown timeframe or a file that does not load.
            Conflict: if ``symbol`` was imported before.
        """
        if timeframe not in TIMEFRAMES:
            raise InvalidRequest(f"timeframe {timeframe!r} is not one of {', '.join(TIMEFRAMES)}")
        symbol = symbol.strip().upper()
        if not symbol or not symbol.replace(".", "").replace("/", "").isalnum():
            raise InvalidRequest(f"symbol {symbol!r} is not a valid symbol")
        target = self._path(symbol)
        if symbol in _bundled_symbols():
            raise Conflict(f"{symbol} is in the bundled data; import it under another name")
        if target.exists():
            raise Conflict(f"{symbol} is already imported; sessions may depend on its bars")
        duration = TIMEFRAMES[timeframe]
        series = load_bars(path, symbol=symbol, bar_duration=duration)[symbol]
        one_day = series.duration_ns >= 3 * 3_600_000_000_000
        if (timeframe == "1Day") != one_day:
            minutes = series.duration_ns // 60_000_000_000
            raise InvalidRequest(f"{path} does not hold {timeframe} bars (they last {minutes} min)")
        incoming = self.directory / ".incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        partial = incoming / target.name
        save_parquet(series, partial)
        partial.replace(target)  # atomic: a crash never leaves half a file under the real name
        return series

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


def _bundled_symbols() -> set[str]:
    from paperbroker.data.samples import sample_symbols

    return set(sample_symbols())
