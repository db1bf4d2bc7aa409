"""Parameter sweeps: a grid of SMA(fast, slow) crossovers on one-minute bars.

The grid (``--combos``, 1,000: fast and slow windows, every fast below every
slow) runs over ``--bars`` (100,000) seeded synthetic minute bars
(``data.synthetic``, seed 42), ideal execution (no costs, so that vectorbt
computes a comparable thing), each of these in the same run:

- **fast path**: the whole grid through ``paperbroker.sweep`` (plan, run
  context, every result with its metrics, score and fills digest), which
  takes the sweep fast path for ``sma_crossover`` (docs/sweeps.md), on one
  worker in this process (as the command line runs it): its wall time; then
  again in a worker process of its own (as a server runs sweeps), for that
  worker's peak resident memory (target <= 150 MiB);
- **vectorbt**: the same grid vectorized (``vbt.MA.run`` of each window,
  crossovers with NumPy, ``Portfolio.from_signals``), timed after a warm-up
  that compiles its Numba code; target: the fast path within 3x of it;
- **kernel, per combination**: ``--kernel-sample`` (20) combinations spread
  over the grid, each task on the event-driven kernel (the sweep with its
  fast path off), in this process; their mean times the grid's size is the
  kernel's *extrapolated* time for the grid; target: the fast path >= 50x
  faster per combination. The sample's fast-path results are checked equal
  to the kernel's (metrics and fills digest).

``--machinery`` times the sweep's machinery on the kernel instead, as before
the fast path: the bare backtests summed, the sweep on 1 worker (overhead
target <= 5 %) and on 2 (scaling target >= 1.8x), all with the fast path off.

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
import resource
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
from paperbroker.sweep.runner import TaskResult, run_task
from paperbroker.sweep.spec import SweepSpec
from paperbroker.sweep.sweeper import prepare, run_sweep

RESULTS = Path(__file__).resolve().parent / "results"
OVERHEAD_TARGET = 0.05
SCALING_TARGET = 1.8
KERNEL_TARGET = 50.0
VECTORBT_TARGET = 3.0
MEMORY_TARGET_MIB = 150


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


def swept(
    series: BarSeries, spec: SweepSpec, workers: int, *, fast: bool, in_process: bool | None = None
) -> tuple[float, list[TaskResult], float]:
    """Wall seconds of the sweep, its results, and the sum of its tasks' own seconds."""
    started = time.perf_counter()
    prepared = prepare(spec, {series.symbol: series}, fast=fast)
    results = run_sweep(prepared, LocalPool(workers, in_process=in_process), lambda _r: None)
    return time.perf_counter() - started, results, sum(r.seconds for r in results)


def kernel_sample(
    series: BarSeries, spec: SweepSpec, fast_results: list[TaskResult], size: int
) -> tuple[float, int, int]:
    """Mean seconds per combination on the kernel over ``size`` combinations spread over the
    grid, and how many of them the fast path's results equal (metrics and fills digest)."""
    prepared = prepare(spec, {series.symbol: series}, fast=False)
    tasks = prepared.first
    step = max(1, len(tasks) // size)
    chosen = tasks[::step][:size]
    by_idx = {r.idx: r for r in fast_results}
    seconds = 0.0
    equal = 0
    for task in chosen:
        started = time.perf_counter()
        result = run_task(prepared.context, task)
        seconds += time.perf_counter() - started
        assert result.path == "kernel"
        equal += result.same_as(by_idx[task.idx])
    return seconds / len(chosen), len(chosen), equal


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


def child_peak_mib() -> float:
    """The largest peak resident memory of this process's finished children, MiB."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return peak / 1024


def fast_run(
    series: BarSeries, spec: SweepSpec, pairs: list[tuple[int, int]], sample: int
) -> dict[str, Any]:
    # Timed in this process, as the command line runs a 1-worker sweep.
    fast_s, results, fast_tasks_s = swept(series, spec, 1, fast=True)
    assert len(results) == len(pairs), "the sweep did not run every combination"
    paths = sorted({r.path for r in results})
    print(f"fast path (1 worker):  {fast_s:8.2f} s  ({fast_s / len(pairs) * 1000:.2f} ms a "
          f"combination; its tasks {fast_tasks_s:.2f} s; paths {paths})")  # fmt: skip
    # Again in a worker process of its own (as a server runs sweeps), for its memory.
    worker_s, _, _ = swept(series, spec, 1, fast=True, in_process=False)
    peak = child_peak_mib()
    print(f"fast path, a worker:   {worker_s:8.2f} s  (process start and imports included); "
          f"worker peak RSS {peak:.0f} MiB (target <= {MEMORY_TARGET_MIB} MiB)")  # fmt: skip
    kernel_each, sampled, equal = kernel_sample(series, spec, results, sample)
    kernel_s = kernel_each * len(pairs)
    per_combo = kernel_each / (fast_s / len(pairs))
    print(f"kernel, extrapolated:  {kernel_s:8.2f} s  ({kernel_each * 1000:.0f} ms a combination, "
          f"mean of {sampled} sampled x {len(pairs):,}); fast path {per_combo:.0f}x faster "
          f"per combination (target >= {KERNEL_TARGET:.0f}x); "
          f"results equal on {equal}/{sampled}")  # fmt: skip
    vbt_s = vectorbt_grid(series, pairs)
    if vbt_s is None:
        print("vectorbt: not installed")
    else:
        print(f"vectorbt (vectorized): {vbt_s:8.2f} s  fast path / vectorbt "
              f"{fast_s / vbt_s:.2f}x (target <= {VECTORBT_TARGET:.0f}x)")  # fmt: skip
    return {
        "fast_seconds": fast_s,
        "fast_tasks_seconds": fast_tasks_s,
        "fast_paths": paths,
        "fast_worker_seconds": worker_s,
        "fast_worker_peak_rss_mib": peak,
        "kernel_sample": sampled,
        "kernel_seconds_per_combo": kernel_each,
        "kernel_seconds_extrapolated": kernel_s,
        "speedup_per_combo": per_combo,
        "sample_results_equal": equal,
        "vectorbt_seconds": vbt_s,
        "fast_over_vectorbt": None if vbt_s is None else fast_s / vbt_s,
    }


def machinery_run(
    series: BarSeries, spec: SweepSpec, pairs: list[tuple[int, int]]
) -> dict[str, Any]:
    bare_s = bare(series, pairs)
    print(f"bare backtests (sum):  {bare_s:8.2f} s  ({bare_s / len(pairs) * 1000:.0f} ms each)")
    one_s, results, tasks_s = swept(series, spec, 1, fast=False)
    assert len(results) == len(pairs), "the sweep did not run every combination"
    overhead = one_s / bare_s - 1
    machinery = one_s / tasks_s - 1
    target = f"target <= {OVERHEAD_TARGET:.0%}"
    print(f"sweep, 1 worker:       {one_s:8.2f} s  overhead {overhead:+.1%} "
          f"({target}); beyond its tasks' time {machinery:+.1%}")  # fmt: skip
    two_s, _, _ = swept(series, spec, 2, fast=False)
    scaling = one_s / two_s
    print(f"sweep, 2 workers:      {two_s:8.2f} s  scaling {scaling:.2f}x "
          f"(target >= {SCALING_TARGET}x on 2 cores; {os.cpu_count()} here)")  # fmt: skip
    return {
        "bare_seconds": bare_s,
        "sweep_1_worker_seconds": one_s,
        "sweep_2_workers_seconds": two_s,
        "overhead": overhead,
        "overhead_beyond_tasks": machinery,
        "scaling": scaling,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--combos", type=int, default=1_000)
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="40 combinations on 20,000 bars")
    parser.add_argument("--kernel-sample", type=int, default=20)
    parser.add_argument(
        "--machinery", action="store_true", help="time the sweep's machinery on the kernel"
    )
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
    print(f"grid: {len(pairs):,} SMA combinations on {bars:,} one-minute bars, ideal execution; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")  # fmt: skip
    if args.machinery:
        figures = machinery_run(series, spec, pairs)
    else:
        figures = fast_run(series, spec, pairs, args.kernel_sample)
    RESULTS.mkdir(exist_ok=True)
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": os.getloadavg()[0],
        "combos": len(pairs),
        "bars": bars,
        **figures,
    }
    name = "sweep_machinery.json" if args.machinery else "sweep.json"
    (RESULTS / name).write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
