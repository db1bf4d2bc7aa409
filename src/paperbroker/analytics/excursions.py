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

import math
from collections.abc import Mapping, Sequence
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from paperbroker.analytics.trades import Trade
from paperbroker.data.series import BarSeries

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: The MAE and the MFE of each of some trades (``None``: not computed).
Excursions = tuple[list[float | None], list[float | None]]


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
        maes, mfes = self.excursions([trade])
        return maes[0], mfes[0]

    def excursions(self, trades: Sequence[Trade]) -> Excursions:
        """Each trade's MAE and MFE: the bars each one overlaps found and reduced at
        once, for all of them."""
        n = len(trades)
        if not n:
            return [], []
        # The trades' fields as columns (one tuple per field), all at once.
        _, directions, _, entry_ts, exit_ts, entry_prices, exit_prices, *_ = zip(
            *trades, strict=True
        )
        entries = np.array(entry_ts, dtype=np.int64)
        still_open = np.array([ts is None for ts in exit_ts], dtype=np.bool_)
        exits = np.array([ts or 0 for ts in exit_ts], dtype=np.int64)
        first = np.searchsorted(self.ts, entries, side="right")
        last = np.searchsorted(self.opens, exits, side="left")
        last[still_open] = len(self.ts)
        # Each trade's bars are high[first:last]: a reduceat over the (first, last)
        # pairs gives every range's extreme in one pass (the odd results, from one
        # trade's last to the next one's first, are dropped).  One element more at
        # the end keeps an index equal to the length valid; it is never reduced over.
        bounds = np.empty(2 * n, dtype=np.intp)
        bounds[0::2] = first
        bounds[1::2] = last
        no_bars = last <= first
        highs = np.maximum.reduceat(np.append(self.high, -np.inf), bounds)[0::2]
        lows = np.minimum.reduceat(np.append(self.low, np.inf), bounds)[0::2]
        highs[no_bars] = np.nan
        lows[no_bars] = np.nan
        long = np.fromiter(map("long".__eq__, directions), dtype=np.bool_, count=n)
        entry = np.fromiter(map(float, entry_prices), dtype=np.float64, count=n)
        exit_ = np.array([math.nan if p is None else float(p) for p in exit_prices])
        return _excursions(long, entry, exit_, highs, lows)


def _excursions(
    long: BoolArray,
    entry: FloatArray,
    exit_: FloatArray,
    bars_high: FloatArray,
    bars_low: FloatArray,
) -> Excursions:
    """Each trade's MAE and MFE given its direction (``long``), entry and exit price
    and the highest and lowest price its bars reached (NaN: no exit price yet, or it
    overlapped no bar).

    The extremes are ``max``/``min`` of the entry price, the bars' extreme and the
    exit price, in that order: ``fmax``/``fmin`` skip a NaN as ``max``/``min`` do
    when it comes after the (finite) entry price.
    """
    priced = entry > 0
    entry = np.where(priced, entry, 1.0)
    high = np.fmax(np.fmax(entry, bars_high), exit_) / entry
    low = np.fmin(np.fmin(entry, bars_low), exit_) / entry
    mae: list[float | None] = np.where(long, low - 1.0, 1.0 - high).tolist()
    mfe: list[float | None] = np.where(long, high - 1.0, 1.0 - low).tolist()
    if not priced.all():
        for k in np.flatnonzero(~priced).tolist():
            mae[k] = mfe[k] = None
    return mae, mfe


def with_excursions(trades: Sequence[Trade], bars: Mapping[str, BarSeries]) -> list[Trade]:
    """``trades`` with ``mae``/``mfe`` computed from ``bars`` (by symbol)."""
    maes, mfes = _found(trades, bars)
    # ``_replace`` made field by field: the tuple is built at once, the same values.
    return [
        _new_trade(Trade, (*trade[:_MAE], mae, mfe))
        for trade, mae, mfe in zip(trades, maes, mfes, strict=True)
    ]


def _found(trades: Sequence[Trade], bars: Mapping[str, BarSeries]) -> Excursions:
    """Each trade's MAE and MFE, a symbol's trades at once."""
    symbols = set(map(_SYMBOL, trades))
    if len(symbols) == 1:
        series = bars.get(symbols.pop())
        if series is not None:
            return _Bars(series).excursions(trades)
    maes: list[float | None] = [None] * len(trades)
    mfes: list[float | None] = [None] * len(trades)
    by_symbol: dict[str, list[int]] = {}
    for k, trade in enumerate(trades):
        by_symbol.setdefault(trade.symbol, []).append(k)
    for symbol, places in by_symbol.items():
        series = bars.get(symbol)
        if series is None:
            continue
        found = _Bars(series).excursions([trades[k] for k in places])
        for k, mae, mfe in zip(places, *found, strict=True):
            maes[k] = mae
            mfes[k] = mfe
    return maes, mfes


_MAE = Trade._fields.index("mae")
_SYMBOL = attrgetter("symbol")
_new_trade = tuple.__new__
