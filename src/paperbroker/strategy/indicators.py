"""Indicators: computed once with NumPy, revealed one bar at a time.

An indicator is a function from a full price array to an array of the same
length whose value at ``t`` uses prices up to ``t`` only.  In a backtest the
kernel computes it over the whole history at start (cheap, vectorised), then
hands the strategy a :data:`Series` that grows by one value as each bar
closes: ``series[-1]`` is the value at the current bar, ``series[-2]`` the one
before, and values from the future do not exist yet, so they cannot be read.

Because precomputing over the whole history would silently leak the future
if the function peeked ahead (a centred window, a negative shift), every
indicator is checked at registration: it is recomputed on prefixes of the
data and must agree with the full computation there.  A function that fails
raises :class:`LookAheadError`.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from paperbroker.core.errors import InvalidRequest, LookAheadError

FloatArray = npt.NDArray[np.float64]

if TYPE_CHECKING:
    Series: TypeAlias = array[float]
else:
    #: A growing, read-as-you-go series of floats (``array('d')``): index it like a list.
    Series = array

IndicatorFn = Callable[..., Any]


def compute_indicator(fn: IndicatorFn, source: FloatArray, *args: Any, **kwargs: Any) -> FloatArray:
    """Run ``fn(source, *args, **kwargs)`` and check that it never looks ahead.

    Raises:
        InvalidRequest: if the result is not one float per bar.
        LookAheadError: if a value differs when later prices are withheld.
    """
    values = _as_values(fn, fn(source, *args, **kwargs), source.shape[0])
    n = source.shape[0]
    # Two cuts: an indicator that peeks k bars ahead changes the last k values
    # of each prefix; one that uses the whole history (a global max, a
    # normalisation) changes nearly all of them.  Neither needs a long prefix.
    for cut in sorted({min(n // 4, 1 << 16), min(n // 2, 1 << 18)}):
        if cut < 2:
            continue
        prefix = _as_values(fn, fn(source[:cut], *args, **kwargs), cut)
        if not np.allclose(prefix, values[:cut], rtol=1e-9, atol=1e-12, equal_nan=True):
            bad = int(np.argmax(~np.isclose(prefix, values[:cut], rtol=1e-9, equal_nan=True)))
            raise LookAheadError(
                f"indicator {_name(fn)} uses future prices: its value at bar {bad} changes "
                f"when bars after {cut - 1} are withheld"
            )
    return values


def _as_values(fn: IndicatorFn, result: Any, n: int) -> FloatArray:
    values = np.asarray(result, dtype=np.float64)
    if values.shape != (n,):
        raise InvalidRequest(
            f"indicator {_name(fn)} returned shape {values.shape}, "
            f"expected ({n},): one value per bar"
        )
    return values


def _name(fn: IndicatorFn) -> str:
    return getattr(fn, "__name__", repr(fn))


def sma(values: FloatArray, window: int) -> FloatArray:
    """Simple moving average over ``window`` bars; NaN until the window is full.

    Each window is summed on its own (no running sum), so values are
    reproducible to the last bit regardless of how much history precedes them.
    """
    _check_window(window)
    out = np.full(values.shape[0], np.nan)
    if values.shape[0] >= window:
        out[window - 1 :] = np.convolve(values, np.full(window, 1.0 / window), mode="valid")
    return out


def rolling_std(values: FloatArray, window: int) -> FloatArray:
    """Sample standard deviation (ddof=1) over ``window`` bars; NaN until full."""
    _check_window(window)
    if window < 2:
        raise InvalidRequest("rolling_std needs a window of at least 2")
    out = np.full(values.shape[0], np.nan)
    if values.shape[0] >= window:
        out[window - 1 :] = sliding_window_view(values, window).std(axis=-1, ddof=1)
    return out


def ema(values: FloatArray, span: int) -> FloatArray:
    """Exponential moving average with ``alpha = 2 / (span + 1)``, seeded with the first value."""
    _check_window(span)
    alpha = 2.0 / (span + 1.0)
    out = np.empty(values.shape[0])
    level = float("nan")
    for i, value in enumerate(values.tolist()):
        level = value if i == 0 else level + alpha * (value - level)
        out[i] = level
    return out


def crossover(fast: FloatArray, slow: FloatArray) -> FloatArray:
    """+1 where ``fast`` crosses above ``slow``, -1 where it crosses below, else 0.

    A cross above at ``t`` means ``fast[t] > slow[t]`` and ``fast[t-1] <= slow[t-1]``
    (below: ``<`` and ``>=``).  Comparisons with NaN (warm-up) are false, so no
    signal fires before both inputs exist for two consecutive bars.
    """
    out = np.zeros(fast.shape[0])
    if fast.shape[0] < 2:
        return out
    now_f, now_s, prev_f, prev_s = fast[1:], slow[1:], fast[:-1], slow[:-1]
    out[1:][(now_f > now_s) & (prev_f <= prev_s)] = 1.0
    out[1:][(now_f < now_s) & (prev_f >= prev_s)] = -1.0
    return out


def sma_cross(values: FloatArray, fast: int, slow: int) -> FloatArray:
    """:func:`crossover` of the ``fast``- and ``slow``-bar simple moving averages of ``values``."""
    return crossover(sma(values, fast), sma(values, slow))


def _check_window(window: int) -> None:
    if not isinstance(window, int) or window < 1:
        raise InvalidRequest(f"window must be a positive integer, got {window!r}")
