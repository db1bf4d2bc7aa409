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


def rolling_std(values: FloatArray, window: int, ddof: int = 1) -> FloatArray:
    """Standard deviation over ``window`` bars; NaN until full.

    ``ddof=1`` (the default) is the sample deviation, ``ddof=0`` the population
    one that Bollinger bands use.
    """
    _check_window(window)
    if window < 2:
        raise InvalidRequest("rolling_std needs a window of at least 2")
    if ddof not in (0, 1):
        raise InvalidRequest(f"ddof must be 0 or 1, got {ddof!r}")
    out = np.full(values.shape[0], np.nan)
    if values.shape[0] >= window:
        out[window - 1 :] = sliding_window_view(values, window).std(axis=-1, ddof=ddof)
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


def roc(values: FloatArray, lookback: int) -> FloatArray:
    """Rate of change: ``values[t] / values[t - lookback] - 1``.

    NaN for the first ``lookback`` bars, and where the base value is not
    positive (no meaningful rate).
    """
    _check_window(lookback)
    out = np.full(values.shape[0], np.nan)
    if values.shape[0] > lookback:
        base = values[:-lookback]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[lookback:] = np.where(base > 0, values[lookback:] / base - 1.0, np.nan)
    return out


def bollinger_lower(values: FloatArray, window: int, num_std: float) -> FloatArray:
    """Lower Bollinger band: SMA minus ``num_std`` population deviations (ddof=0)."""
    return sma(values, window) - num_std * rolling_std(values, window, ddof=0)


def bollinger_upper(values: FloatArray, window: int, num_std: float) -> FloatArray:
    """Upper Bollinger band: SMA plus ``num_std`` population deviations (ddof=0)."""
    return sma(values, window) + num_std * rolling_std(values, window, ddof=0)


def rsi(values: FloatArray, period: int) -> FloatArray:
    """Wilder's relative strength index in [0, 100]; NaN for the first ``period`` bars.

    The average gain and loss start as the simple means of the first
    ``period`` changes and are then smoothed recursively:
    ``avg = (avg * (period - 1) + change) / period``.  RSI is
    ``100 - 100 / (1 + avg_gain / avg_loss)``: 100 when there were no losses,
    50 when the price did not move at all.
    """
    _check_window(period)
    n = values.shape[0]
    out = np.full(n, np.nan)
    if n <= period:
        return out
    changes = np.diff(values)
    gains = np.maximum(changes, 0.0).tolist()
    losses = np.maximum(-changes, 0.0).tolist()
    gain = sum(gains[:period]) / period
    loss = sum(losses[:period]) / period
    # A recursive average: a plain loop, run once per backtest, is clear and exact.
    for i in range(period, n):
        if i > period:
            gain = (gain * (period - 1) + gains[i - 1]) / period
            loss = (loss * (period - 1) + losses[i - 1]) / period
        if loss == 0.0:
            out[i] = 100.0 if gain > 0.0 else 50.0
        else:
            out[i] = 100.0 - 100.0 / (1.0 + gain / loss)
    return out


def spike_ratio(values: FloatArray, window: int) -> FloatArray:
    """``values[t]`` over the mean of the ``window`` values *before* it.

    The current bar is left out of its own baseline, so a spike does not dampen
    itself.  NaN for the first ``window`` bars and where the baseline is not
    positive (a stretch of zero volume).
    """
    _check_window(window)
    n = values.shape[0]
    out = np.full(n, np.nan)
    if n > window:
        prior = np.convolve(values, np.full(window, 1.0 / window), mode="valid")[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[window:] = np.where(prior > 0, values[window:] / prior, np.nan)
    return out


def _check_window(window: int) -> None:
    if not isinstance(window, int) or window < 1:
        raise InvalidRequest(f"window must be a positive integer, got {window!r}")


class LiveValues:
    """An indicator's values over a series that is still growing (a paper session's).

    ``values[row]`` runs ``fn`` over the bars up to ``row`` and keeps its last
    value: nothing later exists yet, so nothing can look ahead. It costs one
    run per bar, over the history so far.
    """

    __slots__ = ("_args", "_column", "_fn", "_kwargs")

    def __init__(
        self, fn: IndicatorFn, column: Callable[[], FloatArray], args: Any, kwargs: Any
    ) -> None:
        self._fn = fn
        self._column = column
        self._args = args
        self._kwargs = kwargs

    def __getitem__(self, row: int) -> float:
        source = self._column()[: row + 1]
        values = _as_values(self._fn, self._fn(source, *self._args, **self._kwargs), row + 1)
        return float(values[-1])

    def upto(self, stop: int) -> FloatArray:
        """The values of the first ``stop`` bars (the history when it is registered)."""
        if stop == 0:
            return np.empty(0, dtype=np.float64)
        source = self._column()[:stop]
        return _as_values(self._fn, self._fn(source, *self._args, **self._kwargs), stop)
