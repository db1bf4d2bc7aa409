"""The statistics of the risk monitor: liquidity, correlation and the effective number of bets.

These are measurements over bars (floats, computed with NumPy), not money;
:mod:`paperbroker.risk.monitor` puts them next to the ``Decimal`` exposure
figures.  Every formula, with a worked example, is in ``docs/risk-monitoring.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from paperbroker.data.series import FloatArray, IntArray
from paperbroker.model.instrument import TradingHours

#: Fewest returns a correlation is measured from; with fewer it is unknown.
MIN_RETURNS = 3
#: Returns whose squared deviations sum to less than this share of their squares do not vary.
_FLAT = 1e-12
_DAY_NS = 86_400 * 1_000_000_000


def session_length_ns(hours: TradingHours) -> int:
    """How long one trading day's regular session lasts: close − open (24 h for a
    24-hour market).  Early closes and holidays are not known here."""
    if hours.is_24h:
        return _DAY_NS
    seconds = (hours.close.hour - hours.open.hour) * 3600 + (
        hours.close.minute - hours.open.minute
    ) * 60
    return seconds * 1_000_000_000 if seconds > 0 else _DAY_NS


def average_daily_volume(
    volume: FloatArray, bar_duration_ns: int, hours: TradingHours
) -> float | None:
    """The average volume per trading day of ``volume`` (consecutive bars of one symbol).

    Each bar covers ``min(1, duration / session length)`` of a trading day: a
    daily bar one day, a one-minute bar of a 6.5-hour equity session 1/390.
    The average is the bars' total volume over the days they cover, so intraday
    bars are summed up to trading days, and a window that starts or ends inside
    a day counts only the part of it that it covers.  ``None`` without bars.
    """
    if not volume.shape[0]:
        return None
    share = min(1.0, bar_duration_ns / session_length_ns(hours))
    days = volume.shape[0] * share
    return float(np.sum(volume)) / days if days > 0 else None


def correlation_matrix(series: Sequence[tuple[IntArray, FloatArray]]) -> FloatArray:
    """Pearson correlations of the bar-to-bar returns of ``series`` ((times, closes) of
    each symbol), each pair's over the intervals both symbols have a return for.

    A symbol's return over the interval from one of its bars to the next is
    ``close / previous close − 1``.  Two symbols are compared over the very same
    intervals: symbols on one timetable share all of them; a bar one of them lacks
    leaves out the intervals around it for that pair only; symbols whose bars close
    at different times share none.

    Returns an ``n × n`` matrix with ones on the diagonal; an entry is NaN where the
    correlation cannot be measured: fewer than :data:`MIN_RETURNS` shared returns,
    or returns that do not vary there (or a price of zero).
    """
    n = len(series)
    matrix = np.full((n, n), np.nan)
    np.fill_diagonal(matrix, 1.0)
    if n < 2:
        return matrix
    returns, present = _returns_by_interval(series)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Over the intervals both i and j have: count, sums, sums of squares, products.
        count = present @ present.T
        sums = returns @ present.T  # [i, j]: Σ of i's returns
        squares = (returns * returns) @ present.T
        products = returns @ returns.T
        var_i = squares - sums * sums / count
        var_j = var_i.T
        covariance = products - sums * sums.T / count
        correlation = covariance / np.sqrt(var_i * var_j)
        # Returns that do not vary leave only round-off in their variance.
        measured = (
            (count >= MIN_RETURNS)
            & (var_i > _FLAT * squares)
            & (var_j > _FLAT * squares.T)
            & np.isfinite(correlation)
        )
    matrix[measured] = np.clip(correlation[measured], -1.0, 1.0)
    np.fill_diagonal(matrix, 1.0)
    return matrix


def _returns_by_interval(
    series: Sequence[tuple[IntArray, FloatArray]],
) -> tuple[FloatArray, FloatArray]:
    """Each symbol's returns laid out by interval (from one bar's time to the next's):
    the returns (0 where none) and whether there is one (1 or 0), ``n × intervals``."""
    starts, ends, values = [], [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        for ts, closes in series:
            starts.append(ts[:-1])
            ends.append(ts[1:])
            values.append(closes[1:] / closes[:-1] - 1.0)
    times = np.unique(np.concatenate([ts for ts, _ in series]))
    start = np.searchsorted(times, np.concatenate(starts))
    end = np.searchsorted(times, np.concatenate(ends))
    _, column = np.unique(start * times.shape[0] + end, return_inverse=True)
    row = np.repeat(np.arange(len(series)), [v.shape[0] for v in values])
    flat = np.concatenate(values)
    usable = np.isfinite(flat)
    width = int(column.max()) + 1 if column.shape[0] else 0
    returns = np.zeros((len(series), width))
    present = np.zeros((len(series), width))
    returns[row[usable], column[usable]] = flat[usable]
    present[row[usable], column[usable]] = 1.0
    return returns, present


def effective_bets(weights: FloatArray, correlation: FloatArray) -> float:
    """The effective number of independent bets of a portfolio.

    ``ENB = 1 / Σᵢ Σⱼ wᵢ wⱼ |ρᵢⱼ|`` with ``wᵢ = |valueᵢ| / Σ |value|`` (the
    positions' shares of gross exposure; ``weights`` may be any magnitudes, they
    are normalised here) and ``ρ`` the correlation matrix.  A correlation that
    cannot be measured counts as 1, so the count never overstates diversification.
    It lies between 1 (one bet, or positions that all move together, either way)
    and ``n`` (equal weights, uncorrelated); 0 for no position.
    """
    magnitudes = np.abs(weights)
    total = float(np.sum(magnitudes))
    n = magnitudes.shape[0]
    if n == 0 or total <= 0:
        return 0.0
    w = magnitudes / total
    strength = np.where(np.isnan(correlation), 1.0, np.abs(correlation))
    concentration = float(w @ strength @ w)
    if not math.isfinite(concentration) or concentration <= 0:
        return 1.0
    return min(max(1.0 / concentration, 1.0), float(n))


def range_multiple(high: FloatArray, low: FloatArray, lookback: int) -> float | None:
    """The last bar's range (high − low) as a multiple of the average range of the
    ``lookback`` bars before it: the volatility breaker's measure.  ``None`` with
    fewer bars, or when those bars had no range."""
    if high.shape[0] < lookback + 1:
        return None
    ranges = high[-(lookback + 1) :] - low[-(lookback + 1) :]
    average = float(np.mean(ranges[:-1]))
    if not average > 0:
        return None
    return float(ranges[-1]) / average
