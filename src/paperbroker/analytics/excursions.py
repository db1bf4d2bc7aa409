"""Maximum adverse and favourable excursion (MAE/MFE) of trades, from bars.

While a trade is open, the price wanders: the MAE is how far it went against
the position, the MFE how far in its favour, both as ratios of the entry
price. A bar counts while it overlaps the trade (it closes after the entry
and opens before the exit; an open trade runs to the last bar), and the exit
price counts too, so a trade that closed at a loss has at least that loss as
its MAE:

- long: ``mae = min(low) / entry - 1`` (<= 0), ``mfe = max(high) / entry - 1``
  (>= 0);
- short: ``mae = 1 - max(high) / entry`` (<= 0), ``mfe = 1 - min(low) /
  entry`` (>= 0).

A symbol without bars (or a zero entry price) leaves both ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from paperbroker.analytics.trades import Trade
from paperbroker.data.series import BarSeries


def excursion(trade: Trade, bars: BarSeries | None) -> tuple[float | None, float | None]:
    """``(mae, mfe)`` of one trade over ``bars`` of its symbol (see the module notes)."""
    if bars is None:
        return None, None
    return _Bars(bars).excursion(trade)


class _Bars:
    """One symbol's columns as an excursion reads them, each made once for all its trades."""

    __slots__ = ("high", "low", "opens", "ts")

    def __init__(self, bars: BarSeries) -> None:
        self.ts = np.asarray(bars.ts)
        self.opens = self.ts - bars.duration_ns
        self.high = np.asarray(bars.high)
        self.low = np.asarray(bars.low)

    def excursion(self, trade: Trade) -> tuple[float | None, float | None]:
        entry = float(trade.entry_price)
        if entry <= 0:
            return None, None
        first = int(np.searchsorted(self.ts, trade.entry_ts, side="right"))
        if trade.exit_ts is None:
            last = len(self.ts)
        else:
            last = int(np.searchsorted(self.opens, trade.exit_ts, side="left"))
        highs = [entry]
        lows = [entry]
        if last > first:
            highs.append(float(np.max(self.high[first:last])))
            lows.append(float(np.min(self.low[first:last])))
        if trade.exit_price is not None:
            highs.append(float(trade.exit_price))
            lows.append(float(trade.exit_price))
        high, low = max(highs), min(lows)
        if trade.direction == "long":
            return low / entry - 1.0, high / entry - 1.0
        return 1.0 - high / entry, 1.0 - low / entry


def with_excursions(trades: Sequence[Trade], bars: Mapping[str, BarSeries]) -> list[Trade]:
    """``trades`` with ``mae``/``mfe`` computed from ``bars`` (by symbol)."""
    columns: dict[str, _Bars | None] = {}
    out = []
    for trade in trades:
        symbol = trade.symbol
        if symbol not in columns:
            series = bars.get(symbol)
            columns[symbol] = None if series is None else _Bars(series)
        found = columns[symbol]
        mae, mfe = (None, None) if found is None else found.excursion(trade)
        out.append(trade._replace(mae=mae, mfe=mfe))
    return out
