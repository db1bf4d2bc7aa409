"""Performance metrics of a run: one :class:`Metrics` per equity curve.

Money (cash, equity endpoints, P&L, fees) stays ``Decimal``; ratios are floats
computed with NumPy over the equity curve, which is a measurement sampled per
bar.  Everything over the curve is vectorised: a million minute bars take a few
tens of milliseconds.  The pieces live in their own modules:
:mod:`~paperbroker.analytics.returns` (sampling, annualisation, Sharpe and
friends), :mod:`~paperbroker.analytics.drawdowns`,
:mod:`~paperbroker.analytics.tail` (VaR and ES),
:mod:`~paperbroker.analytics.trade_stats`,
:mod:`~paperbroker.analytics.benchmark` and
:mod:`~paperbroker.analytics.execution_quality`; docs/metrics.md has every
formula.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from paperbroker.analytics import returns as rets
from paperbroker.analytics.benchmark import BenchmarkStats, benchmark_stats
from paperbroker.analytics.drawdowns import (
    DrawdownStats,
    drawdown,
    drawdown_stats,
    max_drawdown_duration,
)
from paperbroker.analytics.execution_quality import fill_totals, quality_of
from paperbroker.analytics.returns import (
    NANOS_PER_DAY,
    NANOS_PER_YEAR,
    daily_last,
    infer_trading_days_per_year,
    sharpe_ratio,
    simple_returns,
    sortino_ratio,
)
from paperbroker.analytics.tail import tail_risk
from paperbroker.analytics.trade_stats import TradeStats, trade_stats, turnover
from paperbroker.analytics.trades import Trade
from paperbroker.core.clock import datetime_to_ns, ns_to_datetime, ns_to_text
from paperbroker.model.fill import Fill
from paperbroker.model.order import Order

__all__ = [  # the curve helpers stay importable from here, where they first lived
    "NANOS_PER_DAY",
    "NANOS_PER_YEAR",
    "Metrics",
    "compute_metrics",
    "daily_last",
    "drawdown",
    "exposure_from_trades",
    "infer_trading_days_per_year",
    "max_drawdown_duration",
    "sharpe_ratio",
    "simple_returns",
    "sortino_ratio",
]

_SIGNIFICANT_DIGITS = 10
_TS_FIELDS = frozenset({"start_ts", "end_ts"})
_NS_FIELDS = frozenset({"max_drawdown_duration_ns", "recovery_ns", "avg_holding_ns"})
_NO_BENCHMARK = BenchmarkStats(None, None, None)


@dataclass(frozen=True, slots=True)
class Metrics:
    """Summary statistics of one run (docs/metrics.md has each formula).

    Money fields are ``Decimal``; ratios are floats; ``*_ts`` are epoch ns and
    ``*_ns`` durations in ns.  ``None`` means undefined (no benchmark, no
    trades, no fills, too few samples).
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
    risk_free_rate: float = 0.0
    annualized_return: float | None = None
    calmar: float | None = None
    omega: float | None = None
    recovery_ns: int | None = None
    var_95: float | None = None
    var_99: float | None = None
    es_95: float | None = None
    es_99: float | None = None
    expectancy: float | None = None
    avg_win: Decimal | None = None
    avg_loss: Decimal | None = None
    largest_win: Decimal | None = None
    largest_loss: Decimal | None = None
    longest_win_streak: int = 0
    longest_loss_streak: int = 0
    trades_per_day: float | None = None
    avg_holding_ns: int | None = None
    turnover: float | None = None
    slippage_cost: Decimal | None = None
    alpha: float | None = None
    beta: float | None = None
    benchmark_return: float | None = None
    fill_ratio: float | None = None
    avg_slippage_bps: float | None = None
    avg_latency_seconds: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view, in field order.

        ``Decimal`` becomes its exact string (money never goes through a
        float); finite floats are rounded to 10 significant digits (more would
        be float noise and make reports diff on the last bit); non-finite
        floats become the strings ``"inf"``, ``"-inf"`` or ``"nan"`` because
        strict JSON has no infinities (``profit_factor`` is ``inf`` when there
        are wins and no losses); ``start_ts``/``end_ts`` become ISO-8601 UTC
        strings; ints (counts, ``*_ns`` durations) stay ints; ``None`` stays.
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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metrics:
        """The metrics :meth:`as_dict` wrote (as stored with a session's summary or a
        sweep's result). A field written before it existed takes its default;
        ratios come back at :meth:`as_dict`'s 10 significant digits."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if value is None:
                values[f.name] = None
            elif f.name in _TS_FIELDS:
                values[f.name] = datetime_to_ns(datetime.fromisoformat(value))
            elif "Decimal" in str(f.type):
                values[f.name] = Decimal(str(value))
            elif "float" in str(f.type):
                values[f.name] = float(value)
            else:
                values[f.name] = int(value)
        return cls(**values)

    def __repr__(self) -> str:
        """Every field, times as RFC 3339 UTC and durations as timedeltas."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _TS_FIELDS:
                parts.append(f"{f.name.removesuffix('_ts')}={ns_to_text(value)}")
            elif f.name in _NS_FIELDS and value is not None:
                parts.append(
                    f"{f.name.removesuffix('_ns')}={timedelta(microseconds=value // 1000)}"
                )
            else:
                parts.append(f"{f.name}={value}")
        return f"Metrics({', '.join(parts)})"


def curve_fields(
    daily: NDArray[np.float64], periods: int, rf: float, dd: DrawdownStats
) -> dict[str, Any]:
    """The metrics of the daily returns ``daily`` and the curve's drawdowns ``dd``, with
    ``periods`` a year and the per-period risk-free rate ``rf``: every backtest's, and the
    sweep fast path's, computed alike."""
    annual = rets.annualized_return(daily, periods)
    tail = tail_risk(daily)
    return {
        "max_drawdown": dd.max_drawdown,
        "max_drawdown_duration_ns": dd.max_duration_ns,
        "volatility_annual": rets.volatility(daily, periods),
        "sharpe": rets.sharpe_ratio(daily, periods, rf),
        "sortino": rets.sortino_ratio(daily, periods, rf),
        "trading_days_per_year": periods,
        "annualized_return": annual,
        "calmar": annual / -dd.max_drawdown if annual is not None and dd.max_drawdown < 0 else None,
        "omega": rets.omega_ratio(daily, rf),
        "recovery_ns": dd.recovery_ns,
        "var_95": tail.var_95,
        "var_99": tail.var_99,
        "es_95": tail.es_95,
        "es_99": tail.es_99,
    }


def trade_fields(stats: TradeStats) -> dict[str, Any]:
    """The metrics of the round trips' statistics ``stats``."""
    return {
        "num_trades": stats.num_trades,
        "num_open_trades": stats.num_open_trades,
        "win_rate": stats.win_rate,
        "profit_factor": stats.profit_factor,
        "avg_trade_pnl": stats.avg_trade_pnl,
        "best_trade_return": stats.best_trade_return,
        "worst_trade_return": stats.worst_trade_return,
        "expectancy": stats.expectancy,
        "avg_win": stats.avg_win,
        "avg_loss": stats.avg_loss,
        "largest_win": stats.largest_win,
        "largest_loss": stats.largest_loss,
        "longest_win_streak": stats.longest_win_streak,
        "longest_loss_streak": stats.longest_loss_streak,
        "trades_per_day": stats.trades_per_day,
        "avg_holding_ns": stats.avg_holding_ns,
    }


def _round_float(value: float) -> float | str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float(f"{value:.{_SIGNIFICANT_DIGITS}g}")


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
    benchmark: NDArray[np.float64] | None = None,
    risk_free_rate: float = 0.0,
    fills: Sequence[Fill] | None = None,
    orders: Sequence[Order] | None = None,
) -> Metrics:
    """Compute :class:`Metrics` for an equity curve and its trades.

    Args:
        ts: bar close times, epoch ns, strictly increasing.
        equity: account equity sampled at each ``ts``.
        initial_cash, final_equity: exact endpoints for the total return and CAGR.
        trades: from :func:`build_trades`; open trades are counted apart.
        fees: all fees paid in the run (reported as is).
        trading_days_per_year: annualisation factor N; ``None`` infers it
            (:func:`~paperbroker.analytics.returns.infer_trading_days_per_year`:
            365 with weekend samples, else 252).
        exposed: per bar, whether a position was held; ``None`` derives it
            from the trades (:func:`exposure_from_trades`).
        benchmark: the benchmark's price at each ``ts`` (buy and hold of a
            symbol); ``None`` leaves alpha, beta and the benchmark return
            ``None``.
        risk_free_rate: annual; subtracted per period (compounded to the
            period) in Sharpe, Sortino, Omega and alpha.
        fills, orders: the run's; give the turnover, slippage cost and
            execution quality (``None`` without them; ``orders`` only for the
            fill ratio).

    Volatility, Sharpe, Sortino, Omega, annualised return, VaR/ES and
    alpha/beta use *daily* simple returns: the last equity sample of each UTC
    day, returns between consecutive days.  Drawdowns use every sample.

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
    if not math.isfinite(risk_free_rate) or risk_free_rate <= -1:
        raise ValueError(f"risk_free_rate must be finite and > -1, not {risk_free_rate}")

    start_ts, end_ts = int(ts[0]), int(ts[-1])
    growth = float(final_equity / initial_cash) if initial_cash else 0.0
    total_return = float(final_equity / initial_cash - 1) if initial_cash else 0.0

    periods = trading_days_per_year or rets.infer_trading_days_per_year(ts)
    rf = rets.per_period_rate(risk_free_rate, periods)
    daily = rets.simple_returns(rets.daily_last(ts, equity))
    dd = drawdown_stats(ts, equity)
    stats = trade_stats(trades, end_ts - start_ts)
    bench = (
        _NO_BENCHMARK
        if benchmark is None
        else benchmark_stats(ts, equity, np.asarray(benchmark, dtype=np.float64), periods, rf)
    )

    if exposed is None:
        exposed = exposure_from_trades(ts, trades)
    exposed = np.asarray(exposed, dtype=np.bool_)
    if exposed.shape != ts.shape:
        raise ValueError(f"exposed {exposed.shape} must match ts {ts.shape}")

    totals = None if fills is None else fill_totals(fills)
    quality = None if totals is None else quality_of(orders or (), totals)
    return Metrics(
        start_ts=start_ts,
        end_ts=end_ts,
        initial_cash=initial_cash,
        final_equity=final_equity,
        total_return=total_return,
        cagr=rets.cagr(growth, end_ts - start_ts) if initial_cash else 0.0,
        fees=fees,
        exposure=float(np.mean(exposed)),
        risk_free_rate=risk_free_rate,
        **curve_fields(daily, periods, rf, dd),
        **trade_fields(stats),
        turnover=None if totals is None else turnover(totals.notional, float(np.mean(equity))),
        slippage_cost=None if quality is None else quality.slippage_cost,
        alpha=bench.alpha,
        beta=bench.beta,
        benchmark_return=bench.benchmark_return,
        fill_ratio=_float(quality.fill_ratio) if quality and orders is not None else None,
        avg_slippage_bps=_float(quality.slippage_bps) if quality else None,
        avg_latency_seconds=(
            None
            if quality is None or quality.average_latency_ms is None
            else quality.average_latency_ms / 1000
        ),
    )


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)
