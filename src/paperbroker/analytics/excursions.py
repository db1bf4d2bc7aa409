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
        return self.excursions([trade])[0]

    def excursions(self, trades: Sequence[Trade]) -> list[tuple[float | None, float | None]]:
        """Each trade's ``(mae, mfe)``: the bars each one overlaps found and reduced at
        once, for all of them."""
        n = len(trades)
        if not n:
            return []
        entries = np.fromiter((t.entry_ts for t in trades), dtype=np.int64, count=n)
        exits = np.fromiter((t.exit_ts or 0 for t in trades), dtype=np.int64, count=n)
        first = np.searchsorted(self.ts, entries, side="right")
        last = np.searchsorted(self.opens, exits, side="left")
        still_open = np.fromiter((t.exit_ts is None for t in trades), dtype=np.bool_, count=n)
        last[still_open] = len(self.ts)
        # Each trade's bars are high[first:last]: a reduceat over the (first, last)
        # pairs gives every range's extreme in one pass (the odd results, from one
        # trade's last to the next one's first, are dropped).  One element more at
        # the end keeps an index equal to the length valid; it is never reduced over.
        bounds = np.empty(2 * n, dtype=np.intp)
        bounds[0::2] = first
        bounds[1::2] = last
        highs = np.maximum.reduceat(np.append(self.high, -np.inf), bounds)[0::2].tolist()
        lows = np.minimum.reduceat(np.append(self.low, np.inf), bounds)[0::2].tolist()
        spans = (last > first).tolist()
        return [
            _excursion(t, highs[k] if spans[k] else None, lows[k] if spans[k] else None)
            for k, t in enumerate(trades)
        ]


def _excursion(
    trade: Trade, bars_high: float | None, bars_low: float | None
) -> tuple[float | None, float | None]:
    """``(mae, mfe)`` of a trade whose bars reached ``bars_high`` and ``bars_low``
    (``None``: it overlapped no bar)."""
    entry = float(trade.entry_price)
    if entry <= 0:
        return None, None
    highs = [entry]
    lows = [entry]
    if bars_high is not None and bars_low is not None:
        highs.append(bars_high)
        lows.append(bars_low)
    if trade.exit_price is not None:
        highs.append(float(trade.exit_price))
        lows.append(float(trade.exit_price))
    high, low = max(highs), min(lows)
    if trade.direction == "long":
        return low / entry - 1.0, high / entry - 1.0
    return 1.0 - high / entry, 1.0 - low / entry


def with_excursions(trades: Sequence[Trade], bars: Mapping[str, BarSeries]) -> list[Trade]:
    """``trades`` with ``mae``/``mfe`` computed from ``bars`` (by symbol)."""
    by_symbol: dict[str, list[int]] = {}
    for k, trade in enumerate(trades):
        by_symbol.setdefault(trade.symbol, []).append(k)
    found: list[tuple[float | None, float | None]] = [(None, None)] * len(trades)
    for symbol, places in by_symbol.items():
        series = bars.get(symbol)
        if series is None:
            continue
        values = _Bars(series).excursions([trades[k] for k in places])
        for k, value in zip(places, values, strict=True):
            found[k] = value
    return [
        trade._replace(mae=mae, mfe=mfe) for trade, (mae, mfe) in zip(trades, found, strict=True)
    ]
