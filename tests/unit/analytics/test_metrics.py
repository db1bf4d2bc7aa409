"""Performance metrics against hand-computed golden numbers."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
from numpy.typing import NDArray

from paperbroker.analytics import (
    Metrics,
    Trade,
    compute_metrics,
    daily_last,
    drawdown,
    exposure_from_trades,
    infer_trading_days_per_year,
    max_drawdown_duration,
    sharpe_ratio,
    simple_returns,
    sortino_ratio,
)
from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.core.ids import FillId

D = Decimal
DAY = 86_400 * 1_000_000_000
MONDAY = datetime_to_ns(datetime(2024, 1, 1, 21, tzinfo=UTC))  # 2024-01-01 is a Monday


def days(*offsets: int) -> NDArray[np.int64]:
    return np.array([MONDAY + k * DAY for k in offsets], dtype=np.int64)


def floats(*values: float) -> NDArray[np.float64]:
    return np.array(values, dtype=np.float64)


def trade(pnl: str, *, entry_ts: int = 0, exit_ts: int | None = 1, notional: int = 1000) -> Trade:
    """A closed long of 10 units whose net P&L is ``pnl`` (fees 1)."""
    return Trade(
        symbol="AAPL",
        direction="long",
        qty=D(10),
        entry_ts=entry_ts,
        exit_ts=exit_ts,
        entry_price=D(notional) / 10,
        exit_price=None if exit_ts is None else D(100),
        gross_pnl=D(pnl) + 1,
        fees=D(1),
        fill_ids=(FillId("F-1"),),
    )


def metrics(
    ts: NDArray[np.int64],
    equity: NDArray[np.float64],
    trades: list[Trade] | None = None,
    **kwargs: object,
) -> Metrics:
    return compute_metrics(
        ts,
        equity,
        initial_cash=D(str(equity[0])),
        final_equity=D(str(equity[-1])),
        trades=trades or [],
        fees=D("0"),
        **kwargs,  # type: ignore[arg-type]
    )


def test_golden_daily_curve() -> None:
    ts = days(0, 1, 2, 3)  # Mon..Thu: no weekend, so 252 trading days
    m = compute_metrics(
        ts,
        floats(100, 110, 99, 121),
        initial_cash=D(100),
        final_equity=D(121),
        trades=[],
        fees=D("4.50"),
    )
    returns = [110 / 100 - 1, 99 / 110 - 1, 121 / 99 - 1]  # 0.1, -0.1, 0.2222..
    mean = sum(returns) / 3
    std = math.sqrt(sum((r - mean) ** 2 for r in returns) / (3 - 1))
    downside = math.sqrt((0.0 + 0.1**2 + 0.0) / 3)

    assert m.start_ts == ts[0]
    assert m.end_ts == ts[-1]
    assert m.total_return == pytest.approx(0.21)
    assert m.max_drawdown == pytest.approx(-0.1)
    assert m.max_drawdown_duration_ns == 2 * DAY  # peak Tuesday, recovered Thursday
    assert m.trading_days_per_year == 252
    assert m.volatility_annual == pytest.approx(std * math.sqrt(252))
    assert m.sharpe == pytest.approx(mean / std * math.sqrt(252))
    assert (mean, std) == pytest.approx((2 / 27, 0.1626680834))  # mean is exactly 2/27
    assert m.sharpe == pytest.approx(7.228765761, rel=1e-9)
    assert m.sortino == pytest.approx(mean / downside * math.sqrt(252))
    assert m.cagr == pytest.approx(1.21 ** (365.25 / 3) - 1)
    assert m.fees == D("4.50")
    assert m.initial_cash == D(100)
    assert m.final_equity == D(121)
    assert (m.num_trades, m.num_open_trades, m.win_rate, m.profit_factor) == (0, 0, 0.0, 0.0)
    assert m.avg_trade_pnl == D(0)
    assert (m.best_trade_return, m.worst_trade_return) == (0.0, 0.0)
    assert m.exposure == 0.0


def test_cagr_over_whole_julian_years() -> None:
    ts = np.array([MONDAY, MONDAY + int(2 * 365.25 * DAY)], dtype=np.int64)
    m = metrics(ts, floats(100, 121))
    assert m.total_return == pytest.approx(0.21)
    assert m.cagr == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("equity", "expected"),
    [
        ((100.0,), 0.0),  # zero-length run
        ((100.0, 0.0), -1.0),  # wiped out
    ],
)
def test_cagr_edge_cases(equity: tuple[float, ...], expected: float) -> None:
    m = metrics(days(*range(len(equity))), floats(*equity))
    assert m.cagr == expected


def test_cagr_overflow_is_inf() -> None:
    ts = np.array([MONDAY, MONDAY + 1], dtype=np.int64)  # one nanosecond
    assert metrics(ts, floats(100, 200)).cagr == math.inf


def test_single_sample() -> None:
    m = metrics(days(0), floats(100))
    assert (m.total_return, m.max_drawdown, m.max_drawdown_duration_ns) == (0.0, 0.0, 0)
    assert (m.sharpe, m.sortino, m.volatility_annual) == (0.0, 0.0, 0.0)


def test_daily_resampling_takes_last_sample_of_each_utc_day() -> None:
    midnight = datetime_to_ns(datetime(2024, 1, 2, tzinfo=UTC))
    ts = np.array(
        [
            midnight - 2 * NANOS_PER_MINUTE,
            midnight - NANOS_PER_MINUTE,  # last of Jan 1
            midnight,  # first of Jan 2
            midnight + DAY - 1,  # last of Jan 2
            midnight + 3 * DAY,  # Jan 5, alone
        ],
        dtype=np.int64,
    )
    assert daily_last(ts, floats(1, 2, 3, 4, 5)).tolist() == [2, 4, 5]
    assert daily_last(ts[:0], floats()).tolist() == []


def test_minute_curve_uses_daily_returns() -> None:
    # Four days of minute bars, 09:30-16:00 UTC; daily closes 100, 110, 99, 121.
    minutes = np.arange(390, dtype=np.int64) * NANOS_PER_MINUTE
    open_ = datetime_to_ns(datetime(2024, 1, 1, 9, 30, tzinfo=UTC))
    ts = np.concatenate([open_ + k * DAY + minutes for k in range(4)])
    equity = np.empty(ts.size)
    for k, close in enumerate((100.0, 110.0, 99.0, 121.0)):
        equity[k * 390 : (k + 1) * 390] = np.linspace(105.0, close, 390)
    m = metrics(ts, equity)
    daily = metrics(days(0, 1, 2, 3), floats(100, 110, 99, 121))
    assert m.sharpe == pytest.approx(daily.sharpe)
    assert m.sortino == pytest.approx(daily.sortino)
    assert m.volatility_annual == pytest.approx(daily.volatility_annual)


def test_trading_days_inferred_from_weekend_samples() -> None:
    weekdays = days(0, 1, 2, 3, 4)
    with_saturday = days(0, 1, 2, 3, 4, 5)
    with_sunday = days(6)
    assert infer_trading_days_per_year(weekdays) == 252
    assert infer_trading_days_per_year(with_saturday) == 365
    assert infer_trading_days_per_year(with_sunday) == 365
    m = metrics(with_saturday, floats(100, 101, 99, 102, 103, 101))
    assert m.trading_days_per_year == 365
    explicit = metrics(
        with_saturday, floats(100, 101, 99, 102, 103, 101), trading_days_per_year=252
    )
    assert explicit.trading_days_per_year == 252
    assert explicit.sharpe == pytest.approx(m.sharpe * math.sqrt(252 / 365))


def test_ratios_are_zero_when_undefined() -> None:
    assert sharpe_ratio(floats(0.01), 252) == 0.0  # fewer than 2 returns
    assert sharpe_ratio(floats(0.0, 0.0, 0.0), 252) == 0.0  # std == 0
    growth = np.cumprod(np.full(30, 1.001)) * 100  # constant return up to round-off
    assert sharpe_ratio(simple_returns(growth), 252) == 0.0
    assert sortino_ratio(floats(0.01), 252) == 0.0
    assert sortino_ratio(floats(0.01, 0.02), 252) == 0.0  # no losing period
    m = metrics(days(0, 1, 2), floats(100, 100, 100))
    assert (m.sharpe, m.sortino, m.volatility_annual) == (0.0, 0.0, 0.0)


def test_returns_on_non_positive_base_are_dropped() -> None:
    assert simple_returns(floats(100, 0, 10, 20)).tolist() == [-1.0, 1.0]
    m = metrics(days(0, 1, 2, 3), floats(100, 0, 10, 20))
    assert math.isfinite(m.sharpe)
    assert math.isfinite(m.sortino)
    assert m.max_drawdown == -1.0


def test_drawdown_series() -> None:
    dd = drawdown(floats(100, 120, 90, 120, 130, 65))
    assert dd.tolist() == pytest.approx([0, 0, -0.25, 0, 0, -0.5])


@pytest.mark.parametrize(
    ("equity", "expected_days"),
    [
        ((100, 101, 102), 0),  # never below a peak
        ((100, 90, 95), 2),  # never recovered: peak to the last sample
        ((100, 110, 105), 1),  # a drawdown on the last bar only
        ((100, 90, 100, 120, 80, 90, 100, 121), 4),  # the second one is longer
        ((100, 90, 80, 100, 100, 99), 3),
    ],
)
def test_max_drawdown_duration(equity: tuple[int, ...], expected_days: int) -> None:
    ts = days(*range(len(equity)))
    assert max_drawdown_duration(ts, floats(*equity)) == expected_days * DAY


def test_trade_statistics() -> None:
    trades = [
        trade("98", entry_ts=1),
        trade("-50", entry_ts=2, notional=500),
        trade("20", entry_ts=3),
        trade("-7", entry_ts=4, exit_ts=None),  # open: excluded from the statistics
    ]
    m = metrics(days(0, 1), floats(100, 100), trades)
    assert (m.num_trades, m.num_open_trades) == (3, 1)
    assert m.win_rate == pytest.approx(2 / 3)
    assert m.profit_factor == pytest.approx(118 / 50)
    assert m.avg_trade_pnl == D(68) / 3
    assert m.best_trade_return == pytest.approx(0.098)
    assert m.worst_trade_return == pytest.approx(-0.1)


def test_profit_factor_edges() -> None:
    only_wins = metrics(days(0, 1), floats(1, 1), [trade("5"), trade("1")])
    assert only_wins.profit_factor == math.inf
    assert only_wins.win_rate == 1.0
    only_losses = metrics(days(0, 1), floats(1, 1), [trade("-5")])
    assert only_losses.profit_factor == 0.0
    assert only_losses.win_rate == 0.0
    breakeven = metrics(days(0, 1), floats(1, 1), [trade("0")])
    assert (breakeven.profit_factor, breakeven.win_rate) == (0.0, 0.0)


def test_exposure_explicit_and_from_trades() -> None:
    ts = days(0, 1, 2, 3)
    explicit = metrics(ts, floats(1, 1, 1, 1), exposed=np.array([True, False, True, True]))
    assert explicit.exposure == 0.75

    trades = [
        trade("1", entry_ts=int(ts[0]), exit_ts=int(ts[1])),  # held at bar 0's close only
        trade("1", entry_ts=int(ts[1]) + 1, exit_ts=int(ts[1]) + 2),  # within one bar: none
        trade("1", entry_ts=int(ts[2]), exit_ts=None),  # open: bars 2 and 3
    ]
    assert exposure_from_trades(ts, trades).tolist() == [True, False, True, True]
    assert metrics(ts, floats(1, 1, 1, 1), trades).exposure == 0.75
    assert exposure_from_trades(ts, []).tolist() == [False] * 4


def test_as_dict_is_json_friendly() -> None:
    m = compute_metrics(
        days(0, 1, 2, 3),
        floats(100, 110, 99, 121),
        initial_cash=D("100.00"),
        final_equity=D("121.00"),
        trades=[trade("98"), trade("5"), trade("7", exit_ts=None)],
        fees=D("1.25"),
    )
    d = m.as_dict()
    assert list(d) == [
        "start_ts",
        "end_ts",
        "initial_cash",
        "final_equity",
        "total_return",
        "cagr",
        "max_drawdown",
        "max_drawdown_duration_ns",
        "volatility_annual",
        "sharpe",
        "sortino",
        "trading_days_per_year",
        "num_trades",
        "num_open_trades",
        "win_rate",
        "profit_factor",
        "avg_trade_pnl",
        "best_trade_return",
        "worst_trade_return",
        "fees",
        "exposure",
        "risk_free_rate",
        "annualized_return",
        "calmar",
        "omega",
        "recovery_ns",
        "var_95",
        "var_99",
        "es_95",
        "es_99",
        "expectancy",
        "avg_win",
        "avg_loss",
        "largest_win",
        "largest_loss",
        "longest_win_streak",
        "longest_loss_streak",
        "trades_per_day",
        "avg_holding_ns",
        "turnover",
        "slippage_cost",
        "alpha",
        "beta",
        "benchmark_return",
        "fill_ratio",
        "avg_slippage_bps",
        "avg_latency_seconds",
    ]
    assert d["start_ts"] == "2024-01-01T21:00:00+00:00"
    assert d["end_ts"] == "2024-01-04T21:00:00+00:00"
    assert d["initial_cash"] == "100.00"
    assert d["fees"] == "1.25"
    assert d["avg_trade_pnl"] == "51.5"
    assert d["total_return"] == 0.21
    assert d["max_drawdown"] == -0.1  # -0.09999999999999998 before rounding
    assert d["sharpe"] == float(f"{m.sharpe:.10g}")
    assert d["max_drawdown_duration_ns"] == 2 * DAY
    assert d["num_trades"] == 2
    assert d["profit_factor"] == "inf"
    assert d["largest_win"] == "98"
    assert d["alpha"] is None
    json.dumps(d, allow_nan=False)

    # What is stored reads back as the same metrics, to as_dict's precision.
    back = Metrics.from_dict(json.loads(json.dumps(d)))
    assert back.as_dict() == d
    assert back.profit_factor == math.inf
    assert back.avg_trade_pnl == D("51.5")
    assert back.start_ts == m.start_ts


def test_from_dict_takes_defaults_for_fields_stored_before_they_existed() -> None:
    stored = compute_metrics(
        days(0, 1),
        floats(100, 101),
        initial_cash=D("100"),
        final_equity=D("101"),
        trades=[],
        fees=D("0"),
    ).as_dict()
    older = {k: v for k, v in stored.items() if k not in {"omega", "avg_latency_seconds"}}
    back = Metrics.from_dict(older)
    assert back.omega is None
    assert back.avg_latency_seconds is None
    assert back.total_return == stored["total_return"]


def test_invalid_inputs() -> None:
    with pytest.raises(ValueError, match="at least one"):
        compute_metrics(
            days(), floats(), initial_cash=D(1), final_equity=D(1), trades=[], fees=D(0)
        )
    with pytest.raises(ValueError, match="equal length"):
        compute_metrics(
            days(0, 1), floats(1), initial_cash=D(1), final_equity=D(1), trades=[], fees=D(0)
        )
    with pytest.raises(ValueError, match="strictly increasing"):
        metrics(days(1, 0), floats(1, 1))
    with pytest.raises(ValueError, match="exposed"):
        metrics(days(0, 1), floats(1, 1), exposed=np.array([True]))


def test_metrics_million_minute_samples_infer_365_days_and_finite_sharpe() -> None:
    n = 1_000_000
    ts = MONDAY + np.arange(n, dtype=np.int64) * NANOS_PER_MINUTE
    rng = np.random.default_rng(7)
    equity = 100_000.0 * np.exp(np.cumsum(rng.normal(0.0, 1e-4, n)))
    m = compute_metrics(
        ts,
        equity,
        initial_cash=D(100_000),
        final_equity=D(str(equity[-1])),
        trades=[],
        fees=D(0),
    )
    assert m.trading_days_per_year == 365  # ~694 days of minutes include weekends
    assert math.isfinite(m.sharpe)
