"""Drawdowns of an equity curve: depth, duration and time to recover.

All of them are over every sample of the curve (not only daily closes), so a
fall and rise within a day counts.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray


class DrawdownStats(NamedTuple):
    """The deepest drawdown and how long drawdowns lasted.

    - ``max_drawdown``: ``min(equity / running_max - 1)`` (<= 0).
    - ``max_duration_ns``: the longest time below a previous peak.
    - ``recovery_ns``: from the deepest drawdown's trough to the first sample
      back at or above the peak before it; 0 without a drawdown, ``None``
      when it has not recovered by the last sample.
    """

    max_drawdown: float
    max_duration_ns: int
    recovery_ns: int | None


def drawdown(equity: NDArray[np.float64]) -> NDArray[np.float64]:
    """``equity / running_max(equity) - 1`` per sample (<= 0; 0 at a new peak).

    Samples whose running peak is not positive have no meaningful drawdown and
    get 0.
    """
    peak = np.maximum.accumulate(equity)
    out = np.zeros_like(equity)
    np.divide(equity, peak, out=out, where=peak > 0)
    out -= 1.0
    out[peak <= 0] = 0.0
    return out


def max_drawdown_duration(ts: NDArray[np.int64], equity: NDArray[np.float64]) -> int:
    """Longest time spent below a previous peak, in ns.

    An underwater period runs from the ts of the peak to the ts of the first
    sample back at or above it, or to the last sample if it never recovered;
    the same peak-to-recovery convention as backtesting.py's "Max. Drawdown
    Duration".  0 when the curve never falls below a peak.
    """
    if equity.size < 2:
        return 0
    peaks = np.flatnonzero(equity >= np.maximum.accumulate(equity))
    longest = 0
    gaps = np.flatnonzero(np.diff(peaks) > 1)
    if gaps.size:
        longest = int(np.max(ts[peaks[gaps + 1]] - ts[peaks[gaps]]))
    if peaks[-1] < equity.size - 1:
        longest = max(longest, int(ts[-1] - ts[peaks[-1]]))
    return longest


def recovery_time(ts: NDArray[np.int64], equity: NDArray[np.float64]) -> int | None:
    """Time from the deepest drawdown's trough back to its peak (see :class:`DrawdownStats`)."""
    if equity.size == 0:
        return 0
    dd = drawdown(equity)
    trough = int(np.argmin(dd))
    if dd[trough] >= 0.0:
        return 0
    peak_value = float(np.maximum.accumulate(equity)[trough])
    back = np.flatnonzero(equity[trough:] >= peak_value)
    if not back.size:
        return None
    return int(ts[trough + int(back[0])] - ts[trough])


def drawdown_stats(ts: NDArray[np.int64], equity: NDArray[np.float64]) -> DrawdownStats:
    """:class:`DrawdownStats` of a curve sampled at ``ts`` (sorted epoch ns)."""
    dd = drawdown(equity)
    return DrawdownStats(
        max_drawdown=float(np.min(dd)) if dd.size else 0.0,
        max_duration_ns=max_drawdown_duration(ts, equity),
        recovery_ns=recovery_time(ts, equity),
    )
