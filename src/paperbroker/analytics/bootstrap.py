"""Bootstrap confidence intervals for the difference of two return series.

Two strategies run over the same periods (an A/B test) give paired return
series ``a`` and ``b``. The bootstrap resamples the *periods* (the same
indices for both series, which keeps their correlation) and recomputes the
statistic of ``a`` minus that of ``b`` on each resample; the interval is the
percentile interval of those differences.

Resampling is the stationary bootstrap of Politis and Romano (1994): blocks
of consecutive periods (wrapping round the end) whose lengths are geometric
with mean ``mean_block``, so serial correlation survives. ``mean_block=1``
is the plain iid bootstrap. Randomness comes only from a
``numpy.random.Generator`` seeded with ``seed``: the same inputs and seed
give the same interval.

Statistics:

- Sharpe ratio: ``mean(r) / std(r, ddof=1) * sqrt(periods_per_year)``
  (risk-free rate 0); 0.0 where undefined (fewer than 2 returns or no
  spread), as :func:`paperbroker.analytics.returns.sharpe_ratio`.
- Total return: ``prod(1 + r) - 1``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEFAULT_RESAMPLES = 2000
DEFAULT_CONFIDENCE = 0.95
_REL_STD_EPS = 1e-12


class Interval(NamedTuple):
    """A point estimate and its bootstrap confidence interval."""

    estimate: float
    low: float
    high: float
    confidence: float
    resamples: int


def resample_indices(
    n: int, *, resamples: int, mean_block: float, rng: np.random.Generator
) -> NDArray[np.int64]:
    """A ``(resamples, n)`` matrix of period indices drawn by the stationary bootstrap.

    Each row starts at a uniform index; each next index continues the block
    (previous + 1, wrapping at ``n``) except with probability ``1 /
    mean_block``, when a new block starts at a uniform index.
    """
    p = 1.0 / mean_block
    out = np.empty((resamples, n), dtype=np.int64)
    out[:, 0] = rng.integers(0, n, size=resamples)
    for t in range(1, n):
        fresh = rng.random(resamples) < p
        out[:, t] = np.where(fresh, rng.integers(0, n, size=resamples), (out[:, t - 1] + 1) % n)
    return out


def sharpe_rows(returns: NDArray[np.float64], periods_per_year: float) -> NDArray[np.float64]:
    """The Sharpe ratio of each row of ``returns`` (0.0 where undefined)."""
    if returns.shape[-1] < 2:
        return np.zeros(returns.shape[:-1])
    mean = returns.mean(axis=-1)
    std = returns.std(axis=-1, ddof=1)
    defined = (std > _REL_STD_EPS * np.abs(mean)) & (std > 0)
    out = np.zeros_like(mean)
    np.divide(mean, std, out=out, where=defined)
    result: NDArray[np.float64] = out * math.sqrt(periods_per_year)
    return result


def total_return_rows(returns: NDArray[np.float64]) -> NDArray[np.float64]:
    """``prod(1 + r) - 1`` of each row."""
    result: NDArray[np.float64] = np.prod(1.0 + returns, axis=-1) - 1.0
    return result


def bootstrap_differences(
    a: ArrayLike,
    b: ArrayLike,
    *,
    seed: int,
    periods_per_year: float = 252,
    resamples: int = DEFAULT_RESAMPLES,
    confidence: float = DEFAULT_CONFIDENCE,
    mean_block: float = 1.0,
) -> tuple[Interval, Interval]:
    """Intervals for ``sharpe(a) - sharpe(b)`` and ``total_return(a) - total_return(b)``.

    Args:
        a, b: per-period simple returns over the same periods (equal length).
        seed: seeds the ``numpy.random.Generator``.
        periods_per_year: annualises the Sharpe ratios.
        resamples: bootstrap resamples (>= 1).
        confidence: the interval's coverage, in (0, 1).
        mean_block: the mean block length of the stationary bootstrap (>= 1;
            1 is the iid bootstrap).

    Returns:
        ``(sharpe_difference, total_return_difference)``; the estimates are
        the differences on the series as given. With no periods both are 0.

    Raises:
        ValueError: for series of different lengths or out-of-range options.
    """
    ra = np.asarray(a, dtype=np.float64)
    rb = np.asarray(b, dtype=np.float64)
    if ra.ndim != 1 or ra.shape != rb.shape:
        raise ValueError(f"a {ra.shape} and b {rb.shape} must be 1-D of equal length")
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, not {resamples}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), not {confidence}")
    if not mean_block >= 1.0:
        raise ValueError(f"mean_block must be >= 1, not {mean_block}")
    if not (np.all(np.isfinite(ra)) and np.all(np.isfinite(rb))):
        raise ValueError("returns must be finite")
    if ra.size == 0:
        zero = Interval(0.0, 0.0, 0.0, confidence, resamples)
        return zero, zero

    rng = np.random.default_rng(seed)
    idx = resample_indices(ra.size, resamples=resamples, mean_block=mean_block, rng=rng)
    sa, sb = ra[idx], rb[idx]
    sharpe = sharpe_rows(sa, periods_per_year) - sharpe_rows(sb, periods_per_year)
    total = total_return_rows(sa) - total_return_rows(sb)
    sharpe_estimate = float(sharpe_rows(ra, periods_per_year) - sharpe_rows(rb, periods_per_year))
    total_estimate = float(total_return_rows(ra) - total_return_rows(rb))
    return (
        _interval(sharpe_estimate, sharpe, confidence),
        _interval(total_estimate, total, confidence),
    )


def _interval(estimate: float, draws: NDArray[np.float64], confidence: float) -> Interval:
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail])
    return Interval(estimate, float(low), float(high), confidence, int(draws.size))
