"""Returns per calendar period (day, month, year) and per market regime.

Periods are UTC calendar periods of the sample times. The return of a period
is its last value over the last value of the period before it, minus one; the
first period's base is the first sample (so the returns compound exactly to
the whole curve's return). A period with a non-positive base has no return
(``None``).

A *market regime* classifies each period of a benchmark (a buy-and-hold price
series) by its return: ``up`` above ``+threshold``, ``down`` below
``-threshold``, ``flat`` in between (both bounds included in ``flat``). The
default threshold is :data:`REGIME_THRESHOLD` (1 % a period). The strategy's
return in a regime is its period returns over the periods of that regime,
compounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

Period = Literal["day", "month", "year"]
RegimeName = Literal["up", "down", "flat"]

PERIODS: tuple[Period, ...] = ("day", "month", "year")
REGIMES: tuple[RegimeName, ...] = ("up", "down", "flat")
REGIME_THRESHOLD = 0.01
"""A benchmark period within ±1 % is ``flat``."""

_UNIT: dict[Period, str] = {"day": "D", "month": "M", "year": "Y"}


class PeriodReturn(NamedTuple):
    """The return of one calendar period: ``(label, start_ts, end_ts, value)``.

    ``label`` is ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; ``start_ts`` and
    ``end_ts`` are the first and last sample times in the period (epoch ns);
    ``value`` is ``None`` when the base was not positive.
    """

    label: str
    start_ts: int
    end_ts: int
    value: float | None


class Regime(NamedTuple):
    """The periods of one market regime and the compounded returns in them."""

    regime: RegimeName
    periods: int
    benchmark_return: float | None
    strategy_return: float | None


def period_returns(ts_ns: ArrayLike, values: ArrayLike, period: Period) -> list[PeriodReturn]:
    """The return of each UTC calendar ``period`` with samples, oldest first.

    Args:
        ts_ns: sample times, epoch ns, ascending.
        values: equity (or price) at each time.
        period: ``"day"``, ``"month"`` or ``"year"``.

    Raises:
        ValueError: for an unknown period or arrays of different lengths.
    """
    if period not in _UNIT:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    ts = np.asarray(ts_ns, dtype=np.int64)
    v = np.asarray(values, dtype=np.float64)
    if ts.ndim != 1 or ts.shape != v.shape:
        raise ValueError(f"ts {ts.shape} and values {v.shape} must be 1-D of equal length")
    if ts.size == 0:
        return []
    buckets = ts.astype("datetime64[ns]").astype(f"datetime64[{_UNIT[period]}]")
    first = np.flatnonzero(np.append(True, buckets[1:] != buckets[:-1]))
    last = np.append(first[1:] - 1, ts.size - 1)
    out: list[PeriodReturn] = []
    base = float(v[0])
    for lo, hi in zip(first.tolist(), last.tolist(), strict=True):
        end = float(v[hi])
        value = end / base - 1.0 if base > 0 else None
        out.append(PeriodReturn(str(buckets[lo]), int(ts[lo]), int(ts[hi]), value))
        base = end
    return out


def regime_of(benchmark_return: float, threshold: float = REGIME_THRESHOLD) -> RegimeName:
    """``up`` above ``threshold``, ``down`` below ``-threshold``, else ``flat``."""
    if benchmark_return > threshold:
        return "up"
    if benchmark_return < -threshold:
        return "down"
    return "flat"


def market_regimes(
    strategy: Sequence[PeriodReturn],
    benchmark: Sequence[PeriodReturn],
    *,
    threshold: float = REGIME_THRESHOLD,
) -> list[Regime]:
    """The strategy's compounded return in the benchmark's up, down and flat periods.

    Periods are matched by label (compute both with the same ``period``);
    periods missing from either side, or without a return on either side, are
    left out. Always three entries, in the order up, down, flat; a regime
    without periods has ``None`` returns.

    Raises:
        ValueError: for a negative threshold.
    """
    if threshold < 0:
        raise ValueError(f"threshold must be >= 0, not {threshold}")
    strat = {p.label: p.value for p in strategy if p.value is not None}
    growth = {name: [1.0, 1.0, 0] for name in REGIMES}
    for p in benchmark:
        s = strat.get(p.label)
        if p.value is None or s is None:
            continue
        acc = growth[regime_of(p.value, threshold)]
        acc[0] *= 1.0 + p.value
        acc[1] *= 1.0 + s
        acc[2] += 1
    return [
        Regime(name, int(n), b - 1.0, s - 1.0) if n else Regime(name, 0, None, None)
        for name, (b, s, n) in growth.items()
    ]


def strategy_regimes(
    ts_ns: ArrayLike,
    equity: ArrayLike,
    benchmark_prices: ArrayLike,
    period: Period = "month",
    *,
    threshold: float = REGIME_THRESHOLD,
) -> list[Regime]:
    """:func:`market_regimes` of an equity curve and a benchmark sampled at the same times."""
    return market_regimes(
        period_returns(ts_ns, equity, period),
        period_returns(ts_ns, benchmark_prices, period),
        threshold=threshold,
    )
