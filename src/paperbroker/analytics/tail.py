"""Tail risk: historical value at risk and expected shortfall of period returns.

Both are *returns* (a loss is negative), read off the empirical distribution
with empyrical's conventions, so the two libraries agree to the last bit:

- ``VaR`` at a tail probability ``p`` (0.05 for 95 %, 0.01 for 99 %): the
  ``p`` quantile of the returns with linear interpolation
  (``numpy.percentile``); at 95 %, 5 % of periods did worse.
- ``ES`` (conditional VaR): the mean of the ``k + 1`` worst returns with
  ``k = floor((n - 1) * p)``; every one of them is at or below VaR, so ES is
  always at least as bad (``ES <= VaR``).

``None`` without any return.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray


class TailRisk(NamedTuple):
    """Historical VaR and ES at 95 % and 99 % (returns; ``None`` without data)."""

    var_95: float | None
    var_99: float | None
    es_95: float | None
    es_99: float | None


def value_at_risk(returns: NDArray[np.float64], tail: float) -> float | None:
    """The ``tail`` quantile of ``returns`` (0.05 for 95 % VaR; see the module notes)."""
    if returns.size == 0:
        return None
    return float(np.percentile(returns, 100.0 * tail))


def expected_shortfall(returns: NDArray[np.float64], tail: float) -> float | None:
    """The mean of the worst returns up to the ``tail`` cut-off (see the module notes)."""
    if returns.size == 0:
        return None
    k = math.floor((returns.size - 1) * tail)
    return float(np.mean(np.partition(returns, k)[: k + 1]))


def tail_risk(returns: NDArray[np.float64]) -> TailRisk:
    """:class:`TailRisk` of per-period ``returns``."""
    return TailRisk(
        var_95=value_at_risk(returns, 0.05),
        var_99=value_at_risk(returns, 0.01),
        es_95=expected_shortfall(returns, 0.05),
        es_99=expected_shortfall(returns, 0.01),
    )
