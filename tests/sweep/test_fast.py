"""The sweep's fast path: when it applies, and that its results are the kernel's.

Golden: ``sma_crossover`` on the bundled samples (daily AAPL and IBM on a
0.0001 tick, hourly EURUSD on 0.00001), with and without fees, whole and
partial allocations, gives the same metrics and fills digest on the fast path
as a plain :class:`Backtest` on the kernel. Then whole sweeps: every task of an
eligible sweep runs on the fast path and its results equal the same sweep's
on the kernel, walk-forward included; an ineligible sweep runs on the kernel.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.sweep.conftest import sma_spec

from paperbroker.data.samples import load_sample
from paperbroker.data.series import BarSeries
from paperbroker.engine.backtest import Backtest
from paperbroker.strategy.builtin import SmaCrossover
from paperbroker.sweep.executor import LocalPool
from paperbroker.sweep.fast import FAST, KERNEL
from paperbroker.sweep.plan import Task, Window
from paperbroker.sweep.runner import RunContext, TaskResult, run_task
from paperbroker.sweep.sweeper import prepare, run_sweep
from paperbroker.venue.execution import ExecutionConfig

FIXED_FEE = {"preset": "ideal", "fees": {"model": "fixed", "amount": "1.00"}}
PER_SHARE = {"preset": "ideal", "fees": {"model": "per_share", "per_share": "0.005"}}


def _samples() -> dict[str, BarSeries]:
    stocks = load_sample("stocks", symbols=["AAPL", "IBM"])
    return {**stocks, **load_sample("eurusd")}


SAMPLES = _samples()
GOLDEN = [
    ("AAPL", {"fast": 10, "slow": 30}, {"preset": "ideal"}),
    ("AAPL", {"fast": 5, "slow": 50, "allocation": 0.5}, {"preset": "ideal"}),
    ("IBM", {"fast": 3, "slow": 20}, FIXED_FEE),
    ("IBM", {"fast": 8, "slow": 40, "buffer": 0.01}, PER_SHARE),
    ("EURUSD", {"fast": 12, "slow": 48}, {"preset": "ideal"}),
    ("EURUSD", {"fast": 2, "slow": 9}, FIXED_FEE),
]


@pytest.mark.parametrize(("symbol", "params", "execution"), GOLDEN)
def test_the_fast_path_matches_the_kernel_on_the_bundled_samples(
    symbol: str, params: dict[str, Any], execution: dict[str, Any]
) -> None:
    series = SAMPLES[symbol]
    cash = Decimal(100_000)
    context = RunContext("sma_crossover", {symbol: series}, cash, execution, "sharpe")
    window = Window("full", int(series.ts[0]), int(series.ts[-1]))
    fast = run_task(context, Task(0, 0, params, window))
    kernel = Backtest(
        series, SmaCrossover, params=params, cash=cash,
        execution=ExecutionConfig.from_json(execution),
    ).run()  # fmt: skip
    assert fast.path == FAST
    assert len(kernel.fills) > 10
    assert fast.fills_digest == kernel.fills_digest()
    assert fast.metrics == kernel.metrics.as_dict()


def _sweep(bars: dict[str, BarSeries], fast: bool, **changes: Any) -> list[TaskResult]:
    prepared = prepare(sma_spec(**changes), bars, fast=fast)
    results = run_sweep(prepared, LocalPool(1), lambda _r: None)
    return sorted(results, key=lambda r: r.idx)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"execution": FIXED_FEE, "objective": "sharpe"},
        {"walk_forward": {"folds": 3, "in_sample": 0.7}},
        {"space": {"fast": {"values": [3, 5]}, "slow": {"values": [20]},
                   "allocation": {"values": [0.5, 1.0]}}},
    ],
)  # fmt: skip
def test_an_eligible_sweep_takes_the_fast_path_with_the_kernels_results(
    bars: dict[str, BarSeries], changes: dict[str, Any]
) -> None:
    assert prepare(sma_spec(**changes), bars).engine.fast
    fast = _sweep(bars, True, **changes)
    kernel = _sweep(bars, False, **changes)
    assert [r.idx for r in fast] == [r.idx for r in kernel]
    assert all(a.same_as(b) for a, b in zip(fast, kernel, strict=True))
    assert {r.path for r in fast if r.error is None} == {FAST}
    assert {r.path for r in kernel} == {KERNEL}
    # Refused combinations are the kernel's errors, word for word.
    assert [r.error for r in fast] == [r.error for r in kernel]


def test_a_sweep_the_fast_path_does_not_cover_runs_on_the_kernel(
    bars: dict[str, BarSeries],
) -> None:
    realistic = prepare(sma_spec(execution={"preset": "equities_realistic"}), bars)
    assert not realistic.engine.fast
    assert "slippage" in realistic.engine.reason
    results = run_sweep(realistic, LocalPool(1), lambda _r: None)
    assert {r.path for r in results} == {KERNEL}
    off = prepare(sma_spec(), bars, fast=False)
    assert not off.engine.fast
    assert off.engine.reason == "the fast path is off"


def test_strategies_without_a_signal_form_and_many_symbols_are_not_eligible(
    bars: dict[str, BarSeries],
) -> None:
    other = prepare(
        sma_spec(strategy="buy_and_hold", space={"allocation": {"values": [0.5, 1.0]}}), bars
    )
    assert not other.engine.fast
    assert "signal form" in other.engine.reason
    two = {"SYN": bars["SYN"], "AAPL": SAMPLES["AAPL"]}
    many = prepare(sma_spec(symbols=["SYN", "AAPL"]), two)
    assert not many.engine.fast
    assert "one symbol" in many.engine.reason
