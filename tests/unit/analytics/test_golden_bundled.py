"""Golden metrics: SmaCrossover(10, 30) on the bundled AAPL dailies, 2005-2012, no costs,
against buy and hold of the bundled IBM dailies with a 2 % risk-free rate.

The literals are this run's, pinned; the return-based ones are also recomputed
here from the equity curve with empyrical, and the trade ones from the trades,
so the pins are checked, not only remembered.
"""

from __future__ import annotations

from decimal import Decimal

import empyrical
import numpy as np
import pytest

from paperbroker import Backtest, BacktestResult, SmaCrossover
from paperbroker.analytics.returns import per_period_rate
from paperbroker.data import load_sample


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    data = load_sample("stocks", symbols=["AAPL", "IBM"])
    return Backtest(
        data["AAPL"], SmaCrossover, params={"fast": 10, "slow": 30}, cash=100_000,
        start="2005-01-01", end="2012-12-31", execution="ideal",
        benchmark=data["IBM"], risk_free_rate=0.02,
    ).run()  # fmt: skip


def test_pinned_metrics(result: BacktestResult) -> None:
    m = result.metrics.as_dict()
    assert {k: m[k] for k in PINNED} == PINNED


PINNED = {
    "final_equity": "759960.8240",
    "total_return": 6.59960824,
    "sharpe": 1.045705249,
    "sortino": 1.56303746,
    "annualized_return": 0.289192544,
    "calmar": 0.7273947107,
    "omega": 1.250011733,
    "max_drawdown": -0.3975730641,
    "recovery_ns": 17708400000000000,
    "var_95": -0.02420523468,
    "var_99": -0.04667567336,
    "es_95": -0.03852462646,
    "es_99": -0.05891464701,
    "num_trades": 31,
    "win_rate": 0.5161290323,
    "expectancy": 0.08498023753,
    "avg_win": "62487.3874375000",
    "avg_loss": "-22655.8250000000",
    "largest_win": "207263.4200000000",
    "largest_loss": "-51691.5200000000",
    "longest_win_streak": 3,
    "longest_loss_streak": 4,
    "turnover": 60.97768929,
    "slippage_cost": "0.0000",
    "alpha": 0.2614781391,
    "beta": 0.3823968879,
    "benchmark_return": 0.9595907928,
    "fill_ratio": 0.9977,
}


def test_the_pins_agree_with_empyrical_on_the_curves_daily_returns(
    result: BacktestResult,
) -> None:
    curve = result.equity_curve
    # Daily bars: one sample a day, so the daily closes are the curve.
    returns = np.diff(curve.equity) / curve.equity[:-1]
    data = load_sample("stocks", symbols=["IBM"])["IBM"].between(
        int(curve.ts[0]), int(curve.ts[-1])
    )
    assert data.ts.tolist() == curve.ts.tolist()
    bench = np.diff(data.close) / data.close[:-1]
    rf = per_period_rate(0.02, 252)
    m = result.metrics
    assert m.sharpe == pytest.approx(empyrical.sharpe_ratio(returns, risk_free=rf), rel=1e-9)
    assert m.calmar == pytest.approx(empyrical.calmar_ratio(returns), rel=1e-9)
    assert m.es_95 == pytest.approx(empyrical.conditional_value_at_risk(returns), rel=1e-9)
    alpha, beta = empyrical.alpha_beta(returns, bench, risk_free=rf)
    assert (m.alpha, m.beta) == (pytest.approx(alpha, rel=1e-9), pytest.approx(beta, rel=1e-9))


def test_the_trade_pins_agree_with_the_trades(result: BacktestResult) -> None:
    pnls = [t.pnl for t in result.trades]
    wins = [p for p in pnls if p > 0]
    assert result.metrics.largest_win == max(pnls)
    assert result.metrics.avg_win == sum(wins, Decimal(0)) / len(wins)
    notional = sum(f.price * f.qty for f in result.fills)
    assert result.metrics.turnover == pytest.approx(
        float(notional) / float(np.mean(result.equity_curve.equity)), rel=1e-12
    )
    for t in result.trades:
        assert t.mae is not None
        assert t.mfe is not None
        assert t.mae <= min(0.0, t.return_pct) + 1e-12
        assert t.mfe >= max(0.0, t.return_pct) - 1e-12
