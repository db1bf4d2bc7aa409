"""Determinism: the same backtest gives the same fills, byte for byte, every time.

The run uses everything that could introduce variation: two symbols merged by
time, per-share fees with minimums, slippage, volume-limited partial fills and
a strategy that sizes from cash.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from paperbroker import Backtest, BacktestResult, SmaCrossover
from paperbroker.data import synthetic_bars
from paperbroker.venue import FixedBpsSlippage, PerShareCommission, VolumeParticipation

BARS = 390 * 5

SCRIPT = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {here!r})
    from test_determinism import run
    result = run(seed={seed})
    print(json.dumps([result.fills_digest(), str(result.final_equity)]))
    """
)


def run(seed: int) -> BacktestResult:
    data = [
        synthetic_bars("AAA", BARS, seed=seed, base_volume=2_000, annual_volatility=0.6),
        synthetic_bars("BBB", BARS, seed=seed + 1, base_volume=2_000, annual_volatility=0.6),
    ]
    return Backtest(
        data,
        SmaCrossover,
        params={"fast": 5, "slow": 20},
        cash=1_000_000,
        commission=PerShareCommission("0.005", minimum="1", maximum="20"),
        slippage=FixedBpsSlippage(5),
        fill_quantity=VolumeParticipation("0.05"),
        execution="ideal",
    ).run()


@pytest.fixture(scope="module")
def first() -> BacktestResult:
    return run(seed=7)


def test_determinism_setup_exercises_fees_slippage_and_partial_fills(
    first: BacktestResult,
) -> None:
    fills = first.fills
    assert len(fills) > 50
    assert {f.symbol for f in fills} == {"AAA", "BBB"}
    assert any(f.fee > 0 for f in fills)
    assert any(f.slippage > 0 for f in fills)
    fills_per_order = [sum(1 for f in fills if f.order_id == o.id) for o in first.orders]
    assert max(fills_per_order) > 1  # some orders filled in pieces


def test_determinism_same_backtest_twice_byte_identical(first: BacktestResult) -> None:
    second = run(seed=7)
    assert second.fills_digest() == first.fills_digest()
    assert second.fills == first.fills
    assert np.array_equal(second.equity_curve.ts, first.equity_curve.ts)
    assert second.equity_curve.equity.tobytes() == first.equity_curve.equity.tobytes()
    assert second.final_equity == first.final_equity
    assert second.summary() == first.summary()


def test_determinism_same_backtest_object_run_again_identical(first: BacktestResult) -> None:
    data = [synthetic_bars("AAA", 390, seed=3), synthetic_bars("BBB", 390, seed=4)]
    backtest = Backtest(
        data, SmaCrossover, params={"fast": 3, "slow": 12},
        slippage=FixedBpsSlippage(5), fill_quantity=VolumeParticipation("0.05"),
        execution="ideal",
    )  # fmt: skip
    a, b = backtest.run(), backtest.run()
    assert a.fills
    assert a.fills_digest() == b.fills_digest()
    assert a.equity_curve.equity.tobytes() == b.equity_curve.equity.tobytes()


def test_determinism_other_process_and_hash_seed_same_digest(first: BacktestResult) -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(here=here, seed=7)],
        capture_output=True, text=True, env=env, check=True, timeout=60,
    )  # fmt: skip
    digest, equity = json.loads(out.stdout.strip().splitlines()[-1])
    assert digest == first.fills_digest()
    assert equity == str(first.final_equity)


def test_determinism_different_seed_different_digest(first: BacktestResult) -> None:
    other = run(seed=8)
    assert other.fills
    assert other.fills_digest() != first.fills_digest()
    assert not np.array_equal(other.equity_curve.equity, first.equity_curve.equity)
