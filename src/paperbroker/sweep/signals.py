"""Strategies whose orders follow from their signals alone, as arrays.

The fast path of a sweep (:mod:`~paperbroker.sweep.fast`) runs a strategy
without the kernel when it knows the strategy's decisions in advance: at each
bar's close, enter (+1), exit (-1) or do nothing (0), computed from the bars
with NumPy exactly as the strategy computes them in ``on_start``. What the
strategy does with a signal is the long-only pattern of the built-ins: an
entry when flat and idle buys what :func:`~paperbroker.strategy.common.entry_qty`
affords with a market order, an exit sells the whole position at market.

:func:`signals_of` knows the built-in :class:`~paperbroker.strategy.builtin.SmaCrossover`;
:func:`register_signals` adds a strategy class that keeps that promise. The
signals must be the very floats the strategy reads (the same functions on the
same closes): the fast path is checked trade by trade against the kernel.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paperbroker.strategy.base import Strategy, StrategyParams
from paperbroker.strategy.builtin import SmaCrossover, SmaCrossoverParams
from paperbroker.strategy.indicators import sma

FloatArray = npt.NDArray[np.float64]

#: Bytes of indicator arrays a worker keeps between the tasks of a sweep.
CACHE_BYTES = 40 * 1024 * 1024


class ArrayCache:
    """Arrays computed once per worker and reused across tasks, least recently used
    dropped first beyond ``limit`` bytes (an SMA of one window serves every
    combination that uses that window)."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self._arrays: OrderedDict[Hashable, FloatArray] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable, compute: Callable[[], FloatArray]) -> FloatArray:
        found = self._arrays.get(key)
        if found is not None:
            self._arrays.move_to_end(key)
            return found
        value = compute()
        self._arrays[key] = value
        self._bytes += value.nbytes
        while self._bytes > self.limit and len(self._arrays) > 1:
            _, dropped = self._arrays.popitem(last=False)
            self._bytes -= dropped.nbytes
        return value

    def clear(self) -> None:
        self._arrays.clear()
        self._bytes = 0


#: ``signals(params, closes, cache, key)``: +1 enter, -1 exit, 0 nothing at each bar's
#: close; ``key`` names the closes (their window) for the cache.
SignalFn = Callable[[StrategyParams, FloatArray, ArrayCache, Hashable], FloatArray]


@dataclass(frozen=True)
class SignalStrategy:
    """How the fast path runs a strategy: its signals, and its sizing parameters."""

    signals: SignalFn
    #: The share of equity per entry (``None``: split equally across symbols).
    allocation: Callable[[StrategyParams], float | None]
    #: The share of equity every entry keeps free.
    buffer: Callable[[StrategyParams], float]


def crossings(fast: FloatArray, slow: FloatArray, start: int) -> FloatArray:
    """:func:`~paperbroker.strategy.indicators.crossover` of two series that are numbers
    (not NaN) from ``start`` on and NaN before, in fewer passes.

    From ``start`` on, ``prev_f <= prev_s`` is ``not prev_f > prev_s``: a cross
    above is a bar where ``fast > slow`` follows one where it was not, a cross
    below the same with ``<``; before ``start + 1`` a comparison with NaN is
    false and nothing fires.
    """
    out = np.zeros(fast.shape[0])
    if fast.shape[0] - start < 2:
        return out
    above = fast[start:] > slow[start:]
    below = fast[start:] < slow[start:]
    up = above[1:] & ~above[:-1]
    down = below[1:] & ~below[:-1]
    np.subtract(up, down, out=out[start + 1 :], dtype=np.float64)
    return out


def _sma_signals(
    params: StrategyParams, closes: FloatArray, cache: ArrayCache, key: Hashable
) -> FloatArray:
    assert isinstance(params, SmaCrossoverParams)

    def average(window: int) -> FloatArray:
        return cache.get(("sma", key, window), lambda: sma(closes, window))

    # sma_cross(closes, fast, slow), with each average computed once per window; the
    # averages of finite closes are numbers from their window's last bar on.
    return crossings(average(params.fast), average(params.slow), params.slow - 1)


def _allocation(params: StrategyParams) -> float | None:
    value = getattr(params, "allocation", None)
    return None if value is None else float(value)


def _buffer(params: StrategyParams) -> float:
    return float(getattr(params, "buffer", 0.0))


_REGISTRY: dict[type[Strategy], SignalStrategy] = {
    SmaCrossover: SignalStrategy(_sma_signals, _allocation, _buffer),
}


def register_signals(
    strategy: type[Strategy],
    signals: SignalFn,
    *,
    allocation: Callable[[StrategyParams], float | None] = _allocation,
    buffer: Callable[[StrategyParams], float] = _buffer,
) -> None:
    """Let sweeps of ``strategy`` take the fast path.

    ``strategy`` promises to trade as :class:`SmaCrossover` does: on a +1 signal
    when flat with no order working, buy ``entry_qty`` of ``allocation`` (less
    ``buffer``) at the signal bar's close with a market order; on a -1 signal
    when long, ``close_position``; nothing else, and nothing read back from
    fills. A strategy that does more must not be registered.
    """
    _REGISTRY[strategy] = SignalStrategy(signals, allocation, buffer)


def signals_of(strategy: type[Strategy]) -> SignalStrategy | None:
    """The signal form of exactly ``strategy`` (not of a subclass, which may trade otherwise)."""
    return _REGISTRY.get(strategy)
