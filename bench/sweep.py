"""Parameter sweeps: a grid of SMA(fast, slow) crossovers on one-minute bars.

The grid (``--combos``, 1,000: fast and slow windows, every fast below every
slow) runs over ``--bars`` (100,000) seeded synthetic minute bars
(``data.synthetic``, seed 42), ideal execution (no costs, so that vectorbt
computes the same thing), each of these in the same run:

- **bare**: every combination's ``Backtest(...).run()`` in a plain loop, in
  this process: the sum of the backtests themselves;
- **sweep, 1 worker**: the same grid through ``paperbroker.sweep`` in process
  (plan, run context, results with metrics, score and fills digest): its wall
  time against the bare sum is the per-combination overhead (target ≤ 5 %);
  against the sum of its own tasks' times (each measured around its backtest,
  metrics and digest), the overhead of the sweep's machinery alone, which a
  busy machine does not blur as much as two runs one after the other;
- **sweep, 2 workers**: a local process pool of two (the bars shipped once per
  worker): scaling = 1-worker time / 2-worker time (target ≥ 1.8 on 2 cores);
- **vectorbt**: the same grid vectorized (``vbt.MA.run`` of each window,
  crossovers with NumPy, ``Portfolio.from_signals``), timed after a warm-up
  that compiles its Numba code; the ratio is sweep (2 workers) / vectorbt.

Run with ``python -m bench.sweep [--combos 1000] [--bars 100000]``
(``--quick``: 40 combinations on 20,000 bars); results go to
``bench/results/sweep.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from paperbroker.data.series import BarSeries
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.engine.backtest import Backtest
from paperbroker.strategy.builtin import SmaCrossover
from paperbroker.sweep.executor import LocalPool
from paperbroker.sweep.spec import SweepSpec
from paperbroker.sweep.sweeper import prepare, run_sweep

RESULTS = Path(__file__).resolve().parent / "results"
OVERHEAD_TARGET = 0.05
SCALING_TARGET = 1.8


def grid(combos: int) -> tuple[list[int], list[int]]:
    """Fast and slow windows whose product has at least ``combos`` pairs, every fast < slow."""
    fast_count = max(1, round(math.sqrt(combos / 1.6)))
    slow_count = math.ceil(combos / fast_count)
    fast = [2 + 2 * i for i in range(fast_count)]
    slow = [fast[-1] + 10 + 5 * i for i in range(slow_count)]
    return fast, slow


def bare(series: BarSeries, pairs: list[tuple[int, int]]) -> float:
    total = 0.0
    for fast, slow in pairs:
        started = time.perf_counter()
        Backtest(series, SmaCrossover, params={"fast": fast, "slow": slow}, execution="ideal").run()
        total += time.perf_counter() - started
    return total


def swept(series: BarSeries, spec: SweepSpec, workers: int) -> tuple[float, int, float]:
    """Wall seconds of the sweep, its results, and the sum of its tasks' own seconds."""
    started = time.perf_counter()
    prepared = prepare(spec, {series.symbol: series})
    results = run_sweep(prepared, LocalPool(workers), lambda _r: None)
    return time.perf_counter() - started, len(results), sum(r.seconds for r in results)


def vectorbt_grid(series: BarSeries, pairs: list[tuple[int, int]]) -> float | None:
    try:
        import pandas as pd
        import vectorbt as vbt
    except ImportError:
        return None

    def run(close: Any, chosen: list[tuple[int, int]]) -> None:
        fast = vbt.MA.run(close, window=[f for f, _ in chosen]).ma.to_numpy()
        slow = vbt.MA.run(close, window=[s for _, s in chosen]).ma.to_numpy()
        above = fast > slow
        before = np.vstack([np.zeros((1, above.shape[1]), dtype=bool), above[:-1]])
        entries = above & ~before
        exits = ~above & before & ~np.isnan(slow)
        portfolio = vbt.Portfolio.from_signals(close, entries, exits, freq="1min")
        portfolio.total_return()

    index = pd.to_datetime(np.asarray(series.ts), utc=True)
    close = pd.Series(np.asarray(series.close), index=index)
    run(close.iloc[:500], pairs[:2])  # compile the Numba code first
    started = time.perf_counter()
    run(close, pairs)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--combos", type=int, default=1_000)
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="40 combinations on 20,000 bars")
    args = parser.parse_args()
    combos, bars = (40, 20_000) if args.quick else (args.combos, args.bars)
    series = synthetic_bars("SYN", bars, seed=42)
    fast, slow = grid(combos)
    pairs = [(f, s) for f in fast for s in slow]
    spec = SweepSpec(
        strategy="sma_crossover",
        symbols=["SYN"],
        execution={"preset": "ideal"},
        space={"fast": {"values": fast}, "slow": {"values": slow}},
    )
    print(f"grid: {len(pairs):,} SMA combinations on {bars:,} one-minute bars, ideal execution")
    bare_s = bare(series, pairs)
    print(f"bare backtests (sum):  {bare_s:8.2f} s  ({bare_s / len(pairs) * 1000:.0f} ms each)")
    one_s, count, tasks_s = swept(series, spec, 1)
    assert count == len(pairs), "the sweep did not run every combination"
    overhead = one_s / bare_s - 1
    machinery = one_s / tasks_s - 1
    target = f"target <= {OVERHEAD_TARGET:.0%}"
    print(f"sweep, 1 worker:       {one_s:8.2f} s  overhead {overhead:+.1%} "
          f"({target}); beyond its tasks' time {machinery:+.1%}")  # fmt: skip
    two_s, _, _ = swept(series, spec, 2)
    scaling = one_s / two_s
    print(f"sweep, 2 workers:      {two_s:8.2f} s  scaling {scaling:.2f}x "
          f"(target >= {SCALING_TARGET}x on 2 cores; {os.cpu_count()} here)")  # fmt: skip
    vbt_s = vectorbt_grid(series, pairs)
    if vbt_s is None:
        print("vectorbt: not installed")
    else:
        print(f"vectorbt (vectorized): {vbt_s:8.2f} s  sweep (2 workers) / vectorbt "
              f"{two_s / vbt_s:.0f}x")  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "combos": len(pairs),
        "bars": bars,
        "bare_seconds": bare_s,
        "sweep_1_worker_seconds": one_s,
        "sweep_2_workers_seconds": two_s,
        "overhead": overhead,
        "overhead_beyond_tasks": machinery,
        "scaling": scaling,
        "vectorbt_seconds": vbt_s,
    }
    (RESULTS / "sweep.json").write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
