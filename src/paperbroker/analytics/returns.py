"""Returns of an equity curve and the ratios over them.

Sampling: the ratios use *daily* simple returns, the last equity sample of
each UTC day (:func:`daily_last`) against the day before, so minute, hourly
and daily backtests of the same strategy report comparable numbers.

Conventions (the same as empyrical's, which the tests cross-check):

- periods per year ``N``: 252 for exchange calendars, 365 when the market
  trades at weekends (:func:`infer_trading_days_per_year`);
- the risk-free rate is an *annual* rate, turned into a per-period rate
  ``(1 + rf) ** (1 / N) - 1`` (:func:`per_period_rate`) and subtracted from
  every period's return;
- standard deviations are sample ones (``ddof=1``); downside deviation and
  Omega are over all periods;
- annualised figures: ``mean * N``-style growth for returns is geometric
  (:func:`annualized_return`), spreads scale with ``sqrt(N)``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from paperbroker.core.clock import NANOS_PER_SECOND

NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND
NANOS_PER_YEAR = int(365.25 * NANOS_PER_DAY)
"""A Julian year, the year length CAGR uses (365.25 days, as backtesting.py does)."""

EXCHANGE_DAYS_PER_YEAR = 252
CALENDAR_DAYS_PER_YEAR = 365
EXCHANGE_SESSION_NS = 6 * 3600 * NANOS_PER_SECOND + 1800 * NANOS_PER_SECOND
"""A regular US equity session: 09:30 to 16:00, 6.5 hours."""

# Returns whose spread is below this fraction of their mean are constant up to
# float round-off: their Sharpe ratio is undefined, not astronomically large.
_REL_STD_EPS = 1e-12
# 1970-01-01 (epoch day 0) was a Thursday: weekday (Mon=0) = (day + 3) % 7.
_EPOCH_WEEKDAY = 3
_SATURDAY = 5


def daily_last(ts: NDArray[np.int64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The last sample of each UTC calendar day, in order (``ts`` sorted ascending).

    Days are ``floor(ts / 1 day)`` in epoch ns, i.e. UTC midnight boundaries;
    the close of a day is its last sample, as a daily bar's close would be.
    """
    if ts.size == 0:
        return values[:0]
    out: NDArray[np.float64] = values[daily_close_index(ts)]
    return out


def daily_close_index(ts: NDArray[np.int64]) -> NDArray[np.intp]:
    """The index of the last sample of each UTC day (``ts`` sorted ascending)."""
    day = ts // NANOS_PER_DAY
    last = np.flatnonzero(day[1:] != day[:-1])
    return np.append(last, ts.size - 1)


def simple_returns(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """``v[i] / v[i-1] - 1`` for consecutive samples whose base ``v[i-1]`` is > 0.

    A return on a zero or negative base (a blown-up account) is undefined, so
    those are dropped instead of poisoning every ratio with inf or NaN.
    """
    base = values[:-1]
    valid = base > 0
    out: NDArray[np.float64] = values[1:][valid] / base[valid] - 1.0
    return out


def infer_trading_days_per_year(ts: NDArray[np.int64]) -> int:
    """365 when any sample falls on a Saturday or Sunday (UTC), else 252.

    Markets that trade at weekends (crypto) trade every calendar day; the
    others trade about 252 days a year, the usual equity convention (and the
    one backtesting.py uses).  Note that FX data with Sunday-evening bars
    counts as weekend trading: pass ``trading_days_per_year`` explicitly there.
    """
    weekday = (ts // NANOS_PER_DAY + _EPOCH_WEEKDAY) % 7
    return CALENDAR_DAYS_PER_YEAR if bool(np.any(weekday >= _SATURDAY)) else EXCHANGE_DAYS_PER_YEAR


def periods_per_year(period_ns: int, trading_days_per_year: int) -> float:
    """How many periods of ``period_ns`` a year holds, by calendar.

    Daily or longer periods: ``trading_days_per_year * 1 day / period``.
    Shorter ones: a 24/7 market (365 days) trades the whole day; an exchange
    trades one 6.5-hour session a day, so an hourly bar gives ``252 * 6.5``.
    The metrics resample to daily closes first, so they use
    ``trading_days_per_year`` itself; this is for series kept at bar size.

    Raises:
        ValueError: for a non-positive period.
    """
    if period_ns <= 0:
        raise ValueError(f"period must be positive, not {period_ns} ns")
    if period_ns >= NANOS_PER_DAY or trading_days_per_year >= CALENDAR_DAYS_PER_YEAR:
        return trading_days_per_year * NANOS_PER_DAY / period_ns
    return trading_days_per_year * EXCHANGE_SESSION_NS / period_ns


def per_period_rate(annual_rate: float, periods: float) -> float:
    """The per-period rate that compounds to ``annual_rate`` over ``periods`` periods."""
    return float((1.0 + annual_rate) ** (1.0 / periods) - 1.0)


def sharpe_ratio(
    returns: NDArray[np.float64], periods_per_year: float, risk_free: float = 0.0
) -> float:
    """``mean(r - rf) / std(r - rf, ddof=1) * sqrt(periods_per_year)``.

    ``risk_free`` is the per-period rate (:func:`per_period_rate`). The
    arithmetic-mean Sharpe ratio annualised with the square root of the
    periods per year, as empyrical, quantstats and most peers do.  It is
    undefined with fewer than 2 returns or no spread (std 0, or within float
    round-off of 0); it is then reported as ``0.0`` ("no risk-adjusted
    evidence") rather than NaN or inf, so reports, JSON and averages over runs
    stay finite.
    """
    if returns.size < 2:
        return 0.0
    excess = returns - risk_free
    mean = float(np.mean(excess))
    std = float(np.std(excess, ddof=1))
    if not math.isfinite(std) or std <= _REL_STD_EPS * abs(mean) or std == 0.0:
        return 0.0
    return mean / std * math.sqrt(periods_per_year)


def sortino_ratio(
    returns: NDArray[np.float64], periods_per_year: float, risk_free: float = 0.0
) -> float:
    """``mean(r - rf) / sqrt(mean(min(r - rf, 0)**2)) * sqrt(periods_per_year)``.

    The downside deviation is taken over *all* periods (gains count as 0), as
    empyrical and backtesting.py do, with the per-period risk-free rate as the
    target.  With fewer than 2 returns or no period below the target it is
    undefined and reported as ``0.0``, for the same reason as
    :func:`sharpe_ratio`.
    """
    if returns.size < 2:
        return 0.0
    excess = returns - risk_free
    downside = float(np.sqrt(np.mean(np.minimum(excess, 0.0) ** 2)))
    if not math.isfinite(downside) or downside == 0.0:
        return 0.0
    return float(np.mean(excess)) / downside * math.sqrt(periods_per_year)


def volatility(returns: NDArray[np.float64], periods_per_year: float) -> float:
    """``std(r, ddof=1) * sqrt(periods_per_year)``; 0.0 with fewer than 2 returns."""
    if returns.size < 2:
        return 0.0
    return float(np.std(returns, ddof=1)) * math.sqrt(periods_per_year)


def annualized_return(returns: NDArray[np.float64], periods_per_year: float) -> float | None:
    """``prod(1 + r) ** (periods_per_year / len(r)) - 1``: the geometric yearly rate.

    Annualised over the number of *periods* (empyrical's ``annual_return``),
    where CAGR annualises over calendar time. ``None`` without returns; -1.0
    when the account was wiped out; inf when the rate overflows.
    """
    if returns.size == 0:
        return None
    growth = float(np.prod(1.0 + returns))
    if growth <= 0:
        return -1.0
    try:
        return float(growth ** (periods_per_year / returns.size) - 1.0)
    except OverflowError:
        return math.inf


def omega_ratio(returns: NDArray[np.float64], risk_free: float = 0.0) -> float | None:
    """``sum(max(r - rf, 0)) / sum(max(rf - r, 0))``: gains over losses around the rate.

    The threshold is the per-period risk-free rate. ``None`` with fewer than 2
    returns or no period below the threshold (empyrical gives NaN there).
    """
    if returns.size < 2:
        return None
    excess = returns - risk_free
    gains = float(np.sum(excess[excess > 0.0]))
    losses = -float(np.sum(excess[excess < 0.0]))
    return gains / losses if losses > 0.0 else None


def cagr(growth: float, span_ns: int) -> float:
    """``growth ** (1 / years) - 1`` with ``years = span / 365.25 days``.

    0.0 for a zero-length span, -1.0 if the account went to zero or below, inf
    when the rate overflows.
    """
    if span_ns <= 0:
        return 0.0
    if growth <= 0:
        return -1.0
    try:
        return float(growth ** (NANOS_PER_YEAR / span_ns) - 1.0)
    except OverflowError:
        return math.inf
