"""The metrics against empyrical (empyrical-reloaded), on the same daily returns.

empyrical is the reference the quant community uses for these figures;
paperbroker computes its own at run time (no pandas, Decimal money, its own
sampling) and must agree with it to 1e-9 once the conventions are lined up:

- returns: empyrical takes the daily returns; paperbroker the equity curve,
  whose daily closes give the same returns (the curve starts at 1 here);
- risk-free rate: empyrical takes it per period; paperbroker an annual rate,
  turned into ``(1 + rf) ** (1 / N) - 1`` per period, which is passed on;
- Sortino: the target is that per-period rate (``required_return``);
- Omega: empyrical's ``required_return`` is annual and its ``risk_free`` per
  period; paperbroker's threshold is the per-period risk-free rate, so
  empyrical gets ``risk_free=rf`` and ``required_return=0``;
- VaR/CVaR: empyrical's ``cutoff`` is the tail probability (0.05 for 95 %);
- max drawdown and Calmar: over the daily closes, which are every sample
  here (paperbroker's drawdown uses every sample of the curve).
"""

from __future__ import annotations

from decimal import Decimal

import empyrical
import numpy as np
import pytest
from numpy.typing import NDArray

from paperbroker.analytics import compute_metrics
from paperbroker.analytics.returns import per_period_rate

DAY = 86_400 * 1_000_000_000
MONDAY = 1_704_142_800 * 1_000_000_000  # 2024-01-01T21:00Z, a Monday
TOL = 1e-9


def weekdays(n: int) -> NDArray[np.int64]:
    """``n`` weekday closes from MONDAY on (no weekend: 252 periods a year)."""
    out, day = [], 0
    while len(out) < n:
        if day % 7 < 5:
            out.append(MONDAY + day * DAY)
        day += 1
    return np.array(out, dtype=np.int64)


def curve(returns: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.concatenate(([1.0], np.cumprod(1.0 + returns)))


@pytest.fixture(params=[(11, 0.0), (12, 0.02), (13, 0.05)], ids=["rf0", "rf2%", "rf5%"])
def case(request: pytest.FixtureRequest) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    seed, rate = request.param
    rng = np.random.default_rng(seed)
    bench = rng.normal(0.0004, 0.011, 300)
    strat = 0.6 * bench + rng.normal(0.0003, 0.008, 300)
    return strat, bench, rate


def test_every_return_based_metric_matches_empyrical(
    case: tuple[NDArray[np.float64], NDArray[np.float64], float],
) -> None:
    returns, bench_returns, rate = case
    n = returns.size + 1
    ts = weekdays(n)
    equity = curve(returns)
    m = compute_metrics(
        ts,
        equity,
        initial_cash=Decimal(1),
        final_equity=Decimal(repr(float(equity[-1]))),
        trades=[],
        fees=Decimal(0),
        benchmark=curve(bench_returns) * 400.0,
        risk_free_rate=rate,
    )
    assert m.trading_days_per_year == 252
    rf = per_period_rate(rate, 252)
    ann = {"annualization": 252}
    expected = {
        "sharpe": empyrical.sharpe_ratio(returns, risk_free=rf, **ann),
        "sortino": empyrical.sortino_ratio(returns, required_return=rf, **ann),
        "volatility_annual": empyrical.annual_volatility(returns, **ann),
        "annualized_return": empyrical.annual_return(returns, **ann),
        "max_drawdown": empyrical.max_drawdown(returns),
        "calmar": empyrical.calmar_ratio(returns, **ann),
        "omega": empyrical.omega_ratio(returns, risk_free=rf, required_return=0.0, **ann),
        "var_95": empyrical.value_at_risk(returns, cutoff=0.05),
        "var_99": empyrical.value_at_risk(returns, cutoff=0.01),
        "es_95": empyrical.conditional_value_at_risk(returns, cutoff=0.05),
        "es_99": empyrical.conditional_value_at_risk(returns, cutoff=0.01),
    }
    alpha, beta = empyrical.alpha_beta(returns, bench_returns, risk_free=rf, **ann)
    expected["alpha"], expected["beta"] = alpha, beta
    for name, want in expected.items():
        got = getattr(m, name)
        assert got == pytest.approx(float(want), rel=TOL, abs=TOL), name
    assert m.benchmark_return == pytest.approx(float(np.prod(1 + bench_returns) - 1), rel=TOL)


def test_undefined_ratios_are_none_where_empyrical_gives_nan() -> None:
    rising = np.full(20, 0.001)  # never below the threshold, never a drawdown
    m = compute_metrics(
        weekdays(21),
        curve(rising),
        initial_cash=Decimal(1),
        final_equity=Decimal(1),
        trades=[],
        fees=Decimal(0),
        benchmark=np.full(21, 50.0),  # a benchmark that never moves: no beta
    )
    assert np.isnan(empyrical.omega_ratio(rising))
    assert m.omega is None
    assert np.isnan(empyrical.calmar_ratio(rising))
    assert m.calmar is None
    assert m.alpha is None
    assert m.beta is None
    assert m.benchmark_return == 0.0
