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
    return _drawdown(equity, np.maximum.accumulate(equity))


def _drawdown(equity: NDArray[np.float64], peak: NDArray[np.float64]) -> NDArray[np.float64]:
    """:func:`drawdown` of ``equity`` whose running peak is ``peak``."""
    if peak.size and peak[0] > 0 and not np.isnan(peak[-1]):
        # Every running peak is positive (the peak never falls): divide everywhere.
        out: NDArray[np.float64] = np.divide(equity, peak)
        out -= 1.0
        return out
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
    return _max_duration(ts, equity, np.maximum.accumulate(equity))


def _max_duration(
    ts: NDArray[np.int64], equity: NDArray[np.float64], peak: NDArray[np.float64]
) -> int:
    if equity.size < 2:
        return 0
    peaks = np.flatnonzero(equity >= peak)
    longest = 0
    gaps = np.flatnonzero(np.diff(peaks) > 1)
    if gaps.size:
        longest = int(np.max(ts[peaks[gaps + 1]] - ts[peaks[gaps]]))
    if peaks[-1] < equity.size - 1:
        longest = max(longest, int(ts[-1] - ts[peaks[-1]]))
    return longest


def recovery_time(ts: NDArray[np.int64], equity: NDArray[np.float64]) -> int | None:
    """Time from the deepest drawdown's trough back to its peak (see :class:`DrawdownStats`)."""
    peak = np.maximum.accumulate(equity)
    return _recovery(ts, equity, peak, _drawdown(equity, peak))


def _recovery(
    ts: NDArray[np.int64],
    equity: NDArray[np.float64],
    peak: NDArray[np.float64],
    dd: NDArray[np.float64],
) -> int | None:
    if equity.size == 0:
        return 0
    trough = int(np.argmin(dd))
    if dd[trough] >= 0.0:
        return 0
    back = np.flatnonzero(equity[trough:] >= float(peak[trough]))
    if not back.size:
        return None
    return int(ts[trough + int(back[0])] - ts[trough])


def drawdown_stats(ts: NDArray[np.int64], equity: NDArray[np.float64]) -> DrawdownStats:
    """:class:`DrawdownStats` of a curve sampled at ``ts`` (sorted epoch ns)."""
    peak = np.maximum.accumulate(equity)
    dd = _drawdown(equity, peak)
    return DrawdownStats(
        max_drawdown=float(np.min(dd)) if dd.size else 0.0,
        max_duration_ns=_max_duration(ts, equity, peak),
        recovery_ns=_recovery(ts, equity, peak, dd),
    )
