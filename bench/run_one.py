"""Run one engine on one workload in this (fresh) process and print one JSON line.

    python -m bench.run_one --engine paperbroker --dataset A --fee 0.001 [--quick]

The process generates the data, builds the engine's inputs (untimed), times
only the backtest run with ``time.perf_counter``, and reports the peak resident
set size of the whole process at its end (``ru_maxrss``, Linux KiB / 1024).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path
from typing import Any

from bench.compare import record_to_json
from bench.workload import Outcome, get_dataset, make_series

ENGINES = ("paperbroker", "paperbroker-user", "backtesting.py", "backtrader")
ALIASES = {
    "pb": "paperbroker",
    "paperbroker": "paperbroker",
    "pb-user": "paperbroker-user",
    "paperbroker-user": "paperbroker-user",
    "bpy": "backtesting.py",
    "backtesting": "backtesting.py",
    "backtesting.py": "backtesting.py",
    "bt": "backtrader",
    "backtrader": "backtrader",
}


def engine_name(text: str) -> str:
    try:
        return ALIASES[text.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown engine {text!r} (known: {', '.join(ENGINES)})") from None


def run(engine: str, dataset_name: str, fee: float, *, quick: bool = False) -> Outcome:
    dataset = get_dataset(dataset_name, quick=quick)
    series = make_series(dataset)
    if engine == "paperbroker":
        from bench.paper import run_pb

        return run_pb(series, fee)
    if engine == "paperbroker-user":
        from bench.user_style import run_user

        return run_user(series, fee)
    if engine == "backtesting.py":
        from bench.peers import run_bpy

        return run_bpy(series, fee)
    if engine == "backtrader":
        from bench.peers import run_bt

        return run_bt(series, fee)
    raise ValueError(f"unknown engine {engine!r}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(outcome: Outcome, dataset: str, fee: float, quick: bool) -> dict[str, Any]:
    return {
        "engine": outcome.engine,
        "dataset": dataset,
        "fee": fee,
        "quick": quick,
        "bars": outcome.bars,
        "seconds": outcome.seconds,
        "bars_per_sec": outcome.bars / outcome.seconds if outcome.seconds > 0 else None,
        "trades": outcome.closed_trades,
        "open_trades": sum(1 for t in outcome.trades if t.exit_bar is None),
        "final_equity": str(outcome.final_equity),
        "trades_digest": outcome.trades_digest(),
        "peak_rss_mb": peak_rss_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run_one", description=__doc__)
    parser.add_argument("--engine", required=True, type=engine_name)
    parser.add_argument("--dataset", required=True, choices=("A", "B"))
    parser.add_argument("--fee", required=True, type=float)
    parser.add_argument("--quick", action="store_true", help="the small smoke-test sizes")
    parser.add_argument("--trades-out", type=Path, help="also write the trade records here (JSON)")
    args = parser.parse_args(argv)
    outcome = run(args.engine, args.dataset, args.fee, quick=args.quick)
    if args.trades_out is not None:
        args.trades_out.parent.mkdir(parents=True, exist_ok=True)
        args.trades_out.write_text(json.dumps([record_to_json(t) for t in outcome.trades]))
    # Last, so that the peak RSS covers everything the process did.
    print(json.dumps(report(outcome, args.dataset, args.fee, args.quick)))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
