"""The strategy against a benchmark: buy-and-hold of a chosen symbol.

The benchmark is its price sampled at the equity curve's times, so both
series have the same daily closes. With per-period returns ``r`` (strategy)
and ``f`` (benchmark), and the per-period risk-free rate ``rf``:

- ``beta = cov(r, f) / var(f)`` (population moments; the ddof cancels);
- ``alpha = (1 + mean(r - rf - beta * (f - rf))) ** N - 1``, the average
  excess return not explained by the benchmark, compounded over a year of
  ``N`` periods (empyrical's ``alpha_beta``);
- ``benchmark_return = last price / first price - 1`` over the run.

A day's pair of returns counts only when both bases are positive (a price of
0 before the benchmark's first bar has no return).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from paperbroker.analytics.returns import daily_close_index

# Below this variance the benchmark did not move: beta is undefined.
_MIN_VARIANCE = 1e-30


class BenchmarkStats(NamedTuple):
    """Alpha, beta and the benchmark's own return (``None`` when undefined)."""

    alpha: float | None
    beta: float | None
    benchmark_return: float | None


def paired_daily_returns(
    ts: NDArray[np.int64], equity: NDArray[np.float64], prices: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Daily returns of the strategy and the benchmark, for the days both have one."""
    if ts.size == 0:
        empty = np.zeros(0)
        return empty, empty
    idx = daily_close_index(ts)
    e, p = equity[idx], prices[idx]
    valid = (e[:-1] > 0) & (p[:-1] > 0)
    r = e[1:][valid] / e[:-1][valid] - 1.0
    f = p[1:][valid] / p[:-1][valid] - 1.0
    return r, f


def alpha_beta(
    returns: NDArray[np.float64],
    factor: NDArray[np.float64],
    periods_per_year: float,
    risk_free: float = 0.0,
) -> tuple[float | None, float | None]:
    """``(alpha, beta)`` per the module notes; ``(None, None)`` with fewer than 2
    pairs or a benchmark without variance."""
    if returns.size < 2:
        return None, None
    residual = factor - np.mean(factor)
    variance = float(np.mean(residual**2))
    if variance < _MIN_VARIANCE:
        return None, None
    beta = float(np.mean(residual * returns)) / variance
    excess = (returns - risk_free) - beta * (factor - risk_free)
    alpha = float((1.0 + np.mean(excess)) ** periods_per_year - 1.0)
    return alpha, beta


def buy_and_hold_return(prices: NDArray[np.float64]) -> float | None:
    """The last price over the first positive one, minus one; ``None`` without one."""
    positive = np.flatnonzero(prices > 0)
    if not positive.size:
        return None
    return float(prices[-1] / prices[positive[0]] - 1.0)


def benchmark_stats(
    ts: NDArray[np.int64],
    equity: NDArray[np.float64],
    prices: NDArray[np.float64],
    periods_per_year: float,
    risk_free: float = 0.0,
) -> BenchmarkStats:
    """:class:`BenchmarkStats` of an equity curve and the benchmark's prices at ``ts``.

    Raises:
        ValueError: when ``prices`` is not as long as ``ts``.
    """
    if prices.shape != ts.shape:
        raise ValueError(f"benchmark prices {prices.shape} must match ts {ts.shape}")
    r, f = paired_daily_returns(ts, equity, prices)
    alpha, beta = alpha_beta(r, f, periods_per_year, risk_free)
    return BenchmarkStats(alpha, beta, buy_and_hold_return(prices))
