"""Marks: the one price every valuation of a position uses.

A position is worth its quantity times its instrument's *mark*: the latest
price known at that moment (the open of a bar in progress, strictly after
its open, else the last close) put on the instrument's tick grid, the grid
fills are made on.  The kernel's books (:meth:`Portfolio.mark`), the equity
curve and with it a backtest's metrics, ``final_equity``, the session and
Alpaca account views, ``last_equity`` and the portfolio history all value
through this module, so they agree: the books exactly in ``Decimal``, the
curve and the history in floats that are the very same marks.

Prices off the tick grid are moved to the nearest tick here as in fills;
sessions and backtests over such data say so in a data note
(:func:`~paperbroker.data.ticks.off_grid_note`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import numpy as np

from paperbroker.data.series import BarSeries, FloatArray, IntArray
from paperbroker.data.ticks import grid_floats
from paperbroker.model.values import price_on_grid


def mark(price: float, tick: Decimal) -> Decimal:
    """The mark of a known price: ``price`` on the ``tick`` grid, exactly."""
    return price_on_grid(price, tick)


class PriceTrack(NamedTuple):
    """One instrument's bars as marks read them: close times, opens, closes, bar length, tick."""

    ts: IntArray
    open: FloatArray
    close: FloatArray
    duration_ns: int
    tick: Decimal

    @classmethod
    def of(cls, series: BarSeries) -> PriceTrack:
        return cls(
            series.ts, series.open, series.close, series.duration_ns, series.instrument.tick_size
        )

    def known(self, times: IntArray) -> FloatArray:
        """The latest price known at each of ``times`` (sorted epoch ns), before the grid.

        The open of a bar in progress (strictly after its open), else the last
        close at or before the time; 0 before the first bar.  The kernel's
        ``_last_price`` is the same rule, one bar at a time.
        """
        n = self.ts.shape[0]
        if not n:
            return np.zeros(times.shape[0], dtype=np.float64)
        closed = np.searchsorted(self.ts, times, side="right")  # bars closed by then
        following = np.minimum(closed, n - 1)
        opened = (closed < n) & (self.ts[following] - self.duration_ns < times)
        last_close = np.where(closed > 0, self.close[np.maximum(closed - 1, 0)], 0.0)
        prices: FloatArray = np.where(opened, self.open[following], last_close)
        return prices

    def marks(self, times: IntArray) -> FloatArray:
        """The marks at each of ``times`` as floats: ``float(mark_at(t))`` (0 before any bar)."""
        return grid_floats(self.known(times), self.tick)

    def mark_at(self, ts: int) -> Decimal | None:
        """The exact mark at ``ts``, or ``None`` before the first bar."""
        times = np.array([ts], dtype=np.int64)
        if not self.ts.shape[0] or ts <= int(self.ts[0]) - self.duration_ns:
            return None
        return mark(float(self.known(times)[0]), self.tick)
