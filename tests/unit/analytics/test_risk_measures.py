"""Drawdowns, tail risk, returns conventions and benchmark statistics: golden numbers
checked by hand, and invariants under hypothesis."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import NDArray

from paperbroker.analytics import compute_metrics
from paperbroker.analytics.benchmark import alpha_beta, benchmark_stats, buy_and_hold_return
from paperbroker.analytics.drawdowns import drawdown_stats, recovery_time
from paperbroker.analytics.returns import (
    annualized_return,
    omega_ratio,
    per_period_rate,
    periods_per_year,
    sharpe_ratio,
)
from paperbroker.analytics.tail import expected_shortfall, tail_risk, value_at_risk

DAY = 86_400 * 1_000_000_000
HOUR = 3600 * 1_000_000_000
MONDAY = 1_704_142_800 * 1_000_000_000  # 2024-01-01T21:00Z


def ts(n: int, step: int = DAY) -> NDArray[np.int64]:
    return MONDAY + np.arange(n, dtype=np.int64) * step


def f(*values: float) -> NDArray[np.float64]:
    return np.array(values, dtype=np.float64)


def test_drawdown_depth_duration_and_recovery_by_hand() -> None:
    # Peak 100 on day 0, trough 80 on day 2 (-20 %), back to 100 on day 4, then 90 (-10 %).
    stats = drawdown_stats(ts(6), f(100, 90, 80, 95, 100, 90))
    assert stats.max_drawdown == pytest.approx(-0.2)
    assert stats.max_duration_ns == 4 * DAY  # day 0 to day 4
    assert stats.recovery_ns == 2 * DAY  # trough day 2, back at the peak day 4


def test_recovery_is_none_until_the_peak_is_reached_again_and_zero_without_a_drawdown() -> None:
    assert recovery_time(ts(3), f(100, 80, 99)) is None
    assert recovery_time(ts(3), f(100, 101, 102)) == 0
    assert drawdown_stats(ts(1), f(5)).max_drawdown == 0.0


def test_var_and_es_by_hand() -> None:
    r = f(-0.05, -0.03, -0.01, 0.0, 0.01, 0.02, 0.02, 0.03, 0.04, 0.05, 0.06)
    # Position (n - 1) * 0.05 = 0.5: halfway between -0.05 and -0.03.
    assert value_at_risk(r, 0.05) == pytest.approx(-0.04)
    # k = floor(0.5) = 0: the worst return alone.
    assert expected_shortfall(r, 0.05) == pytest.approx(-0.05)
    # 10 % tail: position 1.0 → -0.03 exactly; ES the mean of the 2 worst.
    assert value_at_risk(r, 0.10) == pytest.approx(-0.03)
    assert expected_shortfall(r, 0.10) == pytest.approx(-0.04)
    assert tail_risk(f()) == (None, None, None, None)


def test_periods_per_year_by_bar_size_and_calendar() -> None:
    assert periods_per_year(DAY, 252) == 252
    assert periods_per_year(7 * DAY, 252) == 36
    assert periods_per_year(HOUR, 365) == 365 * 24
    assert periods_per_year(HOUR, 252) == 252 * 6.5
    assert periods_per_year(30 * 60 * 10**9, 252) == 252 * 13
    with pytest.raises(ValueError, match="positive"):
        periods_per_year(0, 252)


def test_risk_free_rate_compounds_to_the_annual_rate() -> None:
    rf = per_period_rate(0.05, 252)
    assert (1 + rf) ** 252 == pytest.approx(1.05, rel=1e-12)
    r = f(0.01, -0.005, 0.002, 0.004)
    excess = r - rf
    want = excess.mean() / excess.std(ddof=1) * math.sqrt(252)
    assert sharpe_ratio(r, 252, rf) == pytest.approx(want, rel=1e-12)


def test_annualized_return_and_omega_by_hand() -> None:
    # Two periods of +10 % and -10 %: growth 0.99 over 2 of 4 periods a year → 0.99**2.
    assert annualized_return(f(0.1, -0.1), 4) == pytest.approx(0.99**2 - 1)
    assert annualized_return(f(), 252) is None
    assert annualized_return(f(-1.0, 0.5), 252) == -1.0
    # Gains 0.03 + 0.01 over losses 0.02.
    assert omega_ratio(f(0.03, -0.02, 0.01)) == pytest.approx(2.0)
    assert omega_ratio(f(0.03, 0.01)) is None


def test_beta_of_a_levered_copy_and_alpha_of_a_constant_edge() -> None:
    bench = f(0.01, -0.02, 0.015, 0.0, -0.005)
    alpha, beta = alpha_beta(2 * bench + 0.001, bench, 252)
    assert beta == pytest.approx(2.0)
    assert alpha == pytest.approx(1.001**252 - 1)
    assert alpha_beta(f(0.01), f(0.02), 252) == (None, None)
    assert buy_and_hold_return(f(0, 0, 50, 55)) == pytest.approx(0.1)
    assert buy_and_hold_return(f(0, 0)) is None
    with pytest.raises(ValueError, match="must match"):
        benchmark_stats(ts(3), f(1, 2, 3), f(1, 2), 252)


def test_bad_risk_free_rate_is_refused() -> None:
    with pytest.raises(ValueError, match="risk_free_rate"):
        compute_metrics(ts(2), f(1, 2), initial_cash=Decimal(1), final_equity=Decimal(2),
                        trades=[], fees=Decimal(0), risk_free_rate=math.nan)  # fmt: skip


returns_arrays = arrays(np.float64, st.integers(2, 80), elements=st.floats(-0.3, 0.3))


@settings(max_examples=60, deadline=None)
@given(returns_arrays, st.integers(-2500, 2500))
def test_metrics_do_not_change_when_every_timestamp_moves_by_whole_weeks(
    returns: NDArray[np.float64], shift_weeks: int
) -> None:
    equity = np.concatenate(([100.0], 100.0 * np.cumprod(1 + returns)))
    times = ts(equity.size)

    def run(t: NDArray[np.int64]) -> dict[str, object]:
        d = compute_metrics(t, equity, initial_cash=Decimal(100),
                            final_equity=Decimal(repr(float(equity[-1]))), trades=[],
                            fees=Decimal(0), trading_days_per_year=252,
                            benchmark=equity[::-1].copy()).as_dict()  # fmt: skip
        del d["start_ts"], d["end_ts"]
        return d

    assert run(times + shift_weeks * 7 * DAY) == run(times)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 80), elements=st.floats(0.01, 1e6)))
def test_drawdown_is_never_positive(equity: NDArray[np.float64]) -> None:
    stats = drawdown_stats(ts(equity.size), equity)
    assert stats.max_drawdown <= 0.0
    assert stats.max_duration_ns >= 0
    assert stats.recovery_ns is None or 0 <= stats.recovery_ns <= stats.max_duration_ns


@settings(max_examples=100, deadline=None)
@given(returns_arrays)
def test_expected_shortfall_is_at_least_as_bad_as_var(returns: NDArray[np.float64]) -> None:
    tail = tail_risk(returns)
    assert tail.es_95 is not None
    assert tail.var_95 is not None
    assert tail.es_99 is not None
    assert tail.var_99 is not None
    slack = 1e-12 * (1 + float(np.max(np.abs(returns))))
    assert tail.es_95 <= tail.var_95 + slack
    assert tail.es_99 <= tail.var_99 + slack
    assert tail.es_99 <= tail.es_95 + slack
