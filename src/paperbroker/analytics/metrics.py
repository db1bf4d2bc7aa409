"""Performance metrics of a run: returns, risk ratios, drawdowns and trade statistics.

Money (cash, equity endpoints, P&L, fees) stays ``Decimal``; ratios are floats
computed with NumPy over the equity curve, which is a measurement sampled per
bar.  Everything over the curve is vectorised: a million minute bars take a few
tens of milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from paperbroker.analytics.trades import Trade
from paperbroker.core.clock import NANOS_PER_SECOND, ns_to_datetime, ns_to_text
from paperbroker.model.values import ZERO

NANOS_PER_DAY = 86_400 * NANOS_PER_SECOND
NANOS_PER_YEAR = int(365.25 * NANOS_PER_DAY)
"""A Julian year, the year length CAGR uses (365.25 days, as backtesting.py does)."""

# Returns whose spread is below this fraction of their mean are constant up to
# float round-off: their Sharpe ratio is undefined, not astronomically large.
_REL_STD_EPS = 1e-12
# 1970-01-01 (epoch day 0) was a Thursday: weekday (Mon=0) = (day + 3) % 7.
_EPOCH_WEEKDAY = 3
_SATURDAY = 5
_SIGNIFICANT_DIGITS = 10
_TS_FIELDS = frozenset({"start_ts", "end_ts"})


@dataclass(frozen=True, slots=True)
class Metrics:
    """Summary statistics of one run (see :func:`compute_metrics` for each formula).

    Money fields are ``Decimal``; ratios are floats; ``*_ts`` are epoch ns.
    """

    start_ts: int
    end_ts: int
    initial_cash: Decimal
    final_equity: Decimal
    total_return: float
    cagr: float
    max_drawdown: float
    max_drawdown_duration_ns: int
    volatility_annual: float
    sharpe: float
    sortino: float
    trading_days_per_year: int
    num_trades: int
    num_open_trades: int
    win_rate: float
    profit_factor: float
    avg_trade_pnl: Decimal
    best_trade_return: float
    worst_trade_return: float
    fees: Decimal
    exposure: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view, in field order.

        ``Decimal`` becomes its exact string (money never goes through a
        float); finite floats are rounded to 10 significant digits (more would
        be float noise and make reports diff on the last bit); non-finite
        floats become the strings ``"inf"``, ``"-inf"`` or ``"nan"`` because
        strict JSON has no infinities (``profit_factor`` is ``inf`` when there
        are wins and no losses); ``start_ts``/``end_ts`` become ISO-8601 UTC
        strings; ints (counts, ``max_drawdown_duration_ns``) stay ints.
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _TS_FIELDS:
                out[f.name] = ns_to_datetime(value).isoformat()
            elif isinstance(value, Decimal):
                out[f.name] = str(value)
            elif isinstance(value, float):
                out[f.name] = _round_float(value)
            else:
                out[f.name] = value
        return out

    def __repr__(self) -> str:
        """Every field, times as RFC 3339 UTC and the drawdown duration as a timedelta."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _TS_FIELDS:
                parts.append(f"{f.name.removesuffix('_ts')}={ns_to_text(value)}")
            elif f.name == "max_drawdown_duration_ns":
                parts.append(f"max_drawdown_duration={timedelta(microseconds=value // 1000)}")
            else:
                parts.append(f"{f.name}={value}")
        return f"Metrics({', '.join(parts)})"


def _round_float(value: float) -> float | str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float(f"{value:.{_SIGNIFICANT_DIGITS}g}")


def daily_last(ts: NDArray[np.int64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The last sample of each UTC calendar day, in order (``ts`` sorted ascending).

    Days are ``floor(ts / 1 day)`` in epoch ns, i.e. UTC midnight boundaries;
    the close of a day is its last sample, as a daily bar's close would be.
    """
    if ts.size == 0:
        return values[:0]
    day = ts // NANOS_PER_DAY
    last = np.flatnonzero(day[1:] != day[:-1])
    out: NDArray[np.float64] = values[np.append(last, ts.size - 1)]
    return out


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
    return 365 if bool(np.any(weekday >= _SATURDAY)) else 252


def sharpe_ratio(returns: NDArray[np.float64], periods_per_year: int) -> float:
    """``mean(r) / std(r, ddof=1) * sqrt(periods_per_year)``, risk-free rate 0.

    The arithmetic-mean Sharpe ratio annualised with the square root of the
    periods per year and a zero risk-free rate, as empyrical, quantstats and
    most peers do (backtesting.py also takes the risk-free rate as 0).  It is
    undefined with fewer than 2 returns or no spread (std 0, or within float
    round-off of 0); it is then reported as ``0.0`` ("no risk-adjusted
    evidence") rather than NaN or inf, so reports, JSON and averages over runs
    stay finite.
    """
    if returns.size < 2:
        return 0.0
    mean = float(np.mean(returns))
    std = float(np.std(returns, ddof=1))
    if not math.isfinite(std) or std <= _REL_STD_EPS * abs(mean) or std == 0.0:
        return 0.0
    return mean / std * math.sqrt(periods_per_year)


def sortino_ratio(returns: NDArray[np.float64], periods_per_year: int) -> float:
    """``mean(r) / sqrt(mean(min(r, 0)**2)) * sqrt(periods_per_year)``, target 0.

    The downside deviation is taken over *all* periods (gains count as 0), as
    empyrical and backtesting.py do, with target and risk-free rate 0.  With
    fewer than 2 returns or no losing period it is undefined and reported as
    ``0.0``, for the same reason as :func:`sharpe_ratio`.
    """
    if returns.size < 2:
        return 0.0
    downside = float(np.sqrt(np.mean(np.minimum(returns, 0.0) ** 2)))
    if not math.isfinite(downside) or downside == 0.0:
        return 0.0
    return float(np.mean(returns)) / downside * math.sqrt(periods_per_year)


def drawdown(equity: NDArray[np.float64]) -> NDArray[np.float64]:
    """``equity / running_max(equity) - 1`` per sample (<= 0; 0 at a new peak).

    Samples whose running peak is not positive have no meaningful drawdown and
    get 0.
    """
    peak = np.maximum.accumulate(equity)
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
    if equity.size < 2:
        return 0
    peaks = np.flatnonzero(equity >= np.maximum.accumulate(equity))
    longest = 0
    gaps = np.flatnonzero(np.diff(peaks) > 1)
    if gaps.size:
        longest = int(np.max(ts[peaks[gaps + 1]] - ts[peaks[gaps]]))
    if peaks[-1] < equity.size - 1:
        longest = max(longest, int(ts[-1] - ts[peaks[-1]]))
    return longest


def exposure_from_trades(ts: NDArray[np.int64], trades: Sequence[Trade]) -> NDArray[np.bool_]:
    """Per bar, whether some trade was open at the bar's close time ``ts``.

    A trade covers the bars with ``entry_ts <= ts < exit_ts`` (no end while
    open): the position was held when the bar closed.  A trade opened and
    closed within one bar therefore does not count.
    """
    if not trades:
        return np.zeros(ts.size, dtype=np.bool_)
    entry = np.array([t.entry_ts for t in trades], dtype=np.int64)
    exit_ = np.array([-1 if t.exit_ts is None else t.exit_ts for t in trades], dtype=np.int64)
    start = np.searchsorted(ts, entry, side="left")
    end = np.where(exit_ < 0, ts.size, np.searchsorted(ts, exit_, side="left"))
    held = end > start
    delta = np.zeros(ts.size + 1, dtype=np.int64)
    np.add.at(delta, start[held], 1)
    np.add.at(delta, end[held], -1)
    return np.cumsum(delta[:-1]) > 0


def compute_metrics(
    ts: NDArray[np.int64],
    equity: NDArray[np.float64],
    *,
    initial_cash: Decimal,
    final_equity: Decimal,
    trades: Sequence[Trade],
    fees: Decimal,
    trading_days_per_year: int | None = None,
    exposed: NDArray[np.bool_] | None = None,
) -> Metrics:
    """Compute :class:`Metrics` for an equity curve and its trades.

    Args:
        ts: bar close times, epoch ns, strictly increasing.
        equity: account equity sampled at each ``ts``.
        initial_cash, final_equity: exact endpoints for the total return and CAGR.
        trades: from :func:`build_trades`; open trades are counted apart.
        fees: all fees paid in the run (reported as is).
        trading_days_per_year: annualisation factor N; ``None`` infers it
            (:func:`infer_trading_days_per_year`: 365 with weekend samples,
            else 252).
        exposed: per bar, whether a position was held; ``None`` derives it
            from the trades (:func:`exposure_from_trades`).

    Formulas and conventions:

    - ``total_return = final_equity / initial_cash - 1`` (0.0 if no cash).
    - ``cagr = (final/initial) ** (1 / years) - 1`` with ``years =
      (end_ts - start_ts) / 365.25 days``; 0.0 for a zero-length run, -1.0 if
      the account went to zero or below, inf when the rate overflows.
    - ``max_drawdown = min(equity / running_max - 1)`` (<= 0) and
      ``max_drawdown_duration_ns`` per :func:`max_drawdown_duration`.
    - Volatility, Sharpe and Sortino use *daily* simple returns: the last
      equity sample of each UTC day, returns between consecutive days
      (:func:`daily_last`, :func:`simple_returns`), so minute and daily
      backtests of the same strategy report comparable numbers.
      ``volatility_annual = std(ddof=1) * sqrt(N)``; Sharpe and Sortino per
      :func:`sharpe_ratio` / :func:`sortino_ratio` (0.0 when undefined).
    - Trade statistics use closed trades only and net ``pnl`` (after fees, as
      backtesting.py does): ``win_rate = #(pnl > 0) / #closed`` (0.0 without
      trades); ``profit_factor = sum(pnl > 0) / |sum(pnl < 0)|`` (inf with
      wins and no losses, 0.0 with no wins); ``avg_trade_pnl`` is the exact
      Decimal mean; best/worst are extremes of ``return_pct`` (0.0 if none).
    - ``exposure`` = fraction of bars with a position.

    Raises:
        ValueError: if the arrays are empty, of different lengths, or ``ts``
            is not strictly increasing.
    """
    ts = np.asarray(ts, dtype=np.int64)
    equity = np.asarray(equity, dtype=np.float64)
    if ts.ndim != 1 or ts.shape != equity.shape:
        raise ValueError(f"ts {ts.shape} and equity {equity.shape} must be 1-D of equal length")
    if ts.size == 0:
        raise ValueError("metrics need at least one equity sample")
    if ts.size > 1 and not bool(np.all(ts[1:] > ts[:-1])):
        raise ValueError("ts must be strictly increasing")

    start_ts, end_ts = int(ts[0]), int(ts[-1])
    total_return = float(final_equity / initial_cash - 1) if initial_cash else 0.0
    cagr = _cagr(initial_cash, final_equity, end_ts - start_ts)

    dd = drawdown(equity)
    max_dd = float(np.min(dd))

    periods = trading_days_per_year or infer_trading_days_per_year(ts)
    daily = simple_returns(daily_last(ts, equity))
    volatility = float(np.std(daily, ddof=1)) * math.sqrt(periods) if daily.size >= 2 else 0.0

    closed = [t for t in trades if not t.is_open]
    pnls = [t.pnl for t in closed]
    returns = [t.return_pct for t in closed]

    if exposed is None:
        exposed = exposure_from_trades(ts, trades)
    exposed = np.asarray(exposed, dtype=np.bool_)
    if exposed.shape != ts.shape:
        raise ValueError(f"exposed {exposed.shape} must match ts {ts.shape}")

    return Metrics(
        start_ts=start_ts,
        end_ts=end_ts,
        initial_cash=initial_cash,
        final_equity=final_equity,
        total_return=total_return,
        cagr=cagr,
        max_drawdown=max_dd,
        max_drawdown_duration_ns=max_drawdown_duration(ts, equity),
        volatility_annual=volatility,
        sharpe=sharpe_ratio(daily, periods),
        sortino=sortino_ratio(daily, periods),
        trading_days_per_year=periods,
        num_trades=len(closed),
        num_open_trades=len(trades) - len(closed),
        win_rate=sum(1 for p in pnls if p > 0) / len(closed) if closed else 0.0,
        profit_factor=_profit_factor(pnls),
        avg_trade_pnl=sum(pnls, ZERO) / len(closed) if closed else ZERO,
        best_trade_return=max(returns, default=0.0),
        worst_trade_return=min(returns, default=0.0),
        fees=fees,
        exposure=float(np.mean(exposed)),
    )


def _cagr(initial: Decimal, final: Decimal, span_ns: int) -> float:
    if span_ns <= 0 or not initial:
        return 0.0
    growth = float(final / initial)
    if growth <= 0:
        return -1.0
    try:
        return float(growth ** (NANOS_PER_YEAR / span_ns) - 1.0)
    except OverflowError:
        return math.inf


def _profit_factor(pnls: Sequence[Decimal]) -> float:
    gross_win = sum((p for p in pnls if p > 0), ZERO)
    gross_loss = -sum((p for p in pnls if p < 0), ZERO)
    if gross_loss:
        return float(gross_win / gross_loss)
    return math.inf if gross_win else 0.0
