"""``python -m bench.execution``: what honest execution costs, in returns and in speed.

Runs the benchmark workload of ``python -m bench`` (dataset A: SMA crossover
10/30 on one symbol, cash account) with each execution preset, every run in
a fresh process, in two forms:

- **returns**: the workload as ``python -m bench`` runs it (all-in), showing
  how much of ``ideal``'s result survives each preset's costs;
- **speed**: the same signals traded at a fixed 100 shares with ample cash,
  so every preset processes the same orders and the throughput ratio to
  ``ideal`` (measured in the same run) is the cost of the models alone.

Per preset it prints throughput, its ratio to ``ideal``, final equity,
return, fees, slippage paid, fill ratio and trades.

Options: ``--presets ideal,equities_realistic`` ``--repeat N`` (median of N)
``--quick`` (100k bars).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ("ideal", "alpaca_paper", "equities_realistic", "crypto_taker")


def child(preset: str, form: str, quick: bool) -> dict[str, Any]:
    """One timed run in this process (only ``Backtest.run()`` is timed)."""
    from bench.fixed_size import FixedSizeSmaCrossover
    from bench.workload import CASH, FAST, SLOW, get_dataset, make_series
    from paperbroker import Backtest, SmaCrossover

    series = make_series(get_dataset("A", quick=quick))[0]
    params = {"fast": FAST, "slow": SLOW}
    if form == "returns":
        backtest = Backtest(series, SmaCrossover, params=params, cash=CASH, execution=preset)
    else:
        backtest = Backtest(
            series, FixedSizeSmaCrossover, params=params, cash=10**9, execution=preset
        )
    started = time.perf_counter()
    result = backtest.run()
    seconds = time.perf_counter() - started
    quality = result.execution_quality
    return {
        "preset": preset,
        "bars": result.bars_processed,
        "seconds": seconds,
        "final_equity": str(result.final_equity),
        "total_return": str(result.final_equity / result.initial_cash - 1),
        "fees": str(result.fees),
        "slippage_cost": str(quality.slippage_cost),
        "slippage_bps": None if quality.slippage_bps is None else str(quality.slippage_bps),
        "fill_ratio": None if quality.fill_ratio is None else str(quality.fill_ratio),
        "fills": quality.fills,
        "trades": len(result.trades),
        "digest": result.fills_digest(),
    }


def measure(preset: str, form: str, repeat: int, quick: bool) -> dict[str, Any]:
    runs = []
    for i in range(repeat):
        command = [sys.executable, "-m", "bench.execution", "--child", preset, "--form", form]
        if quick:
            command.append("--quick")
        print(f"[{form} {preset} {i + 1}/{repeat}] running ...", file=sys.stderr, flush=True)
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if len({r["digest"] for r in runs}) > 1:
        raise SystemExit(f"{preset}: repeated runs disagree (non-deterministic fills)")
    median = dict(runs[0])
    median["seconds"] = statistics.median(r["seconds"] for r in runs)
    median["bars_per_sec"] = median["bars"] / median["seconds"]
    return median


def render(results: list[dict[str, Any]]) -> str:
    base = next((r for r in results if r["preset"] == "ideal"), results[0])
    header = (
        f"{'preset':<20}{'bars/s':>11}{'vs ideal':>10}{'final equity':>16}{'return':>10}"
        f"{'fees':>12}{'slippage':>12}{'slip bps':>10}{'fill ratio':>12}{'trades':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        ratio = r["bars_per_sec"] / base["bars_per_sec"]
        lines.append(
            f"{r['preset']:<20}{r['bars_per_sec']:>11,.0f}{ratio:>10.2f}"
            f"{Decimal(r['final_equity']):>16,.2f}{float(r['total_return']) * 100:>9.2f}%"
            f"{Decimal(r['fees']):>12,.2f}{Decimal(r['slippage_cost']):>12,.2f}"
            f"{r['slippage_bps'] or '-':>10}{r['fill_ratio'] or '-':>12}{r['trades']:>8}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.execution", description=__doc__)
    parser.add_argument("--presets", default="ideal,equities_realistic")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--form", default="returns", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.form, args.quick)))
        return 0
    presets = [p.strip() for p in args.presets.split(",") if p.strip()]
    unknown = [p for p in presets if p not in PRESETS]
    if unknown:
        parser.error(f"unknown presets {unknown} (known: {', '.join(PRESETS)})")
    for form, title in (
        ("returns", "Returns: the benchmark workload (all-in) under each preset"),
        ("speed", "Speed: the same signals at a fixed 100 shares (identical orders)"),
    ):
        results = [measure(p, form, args.repeat, args.quick) for p in presets]
        print(f"{title}\n{render(results)}\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
