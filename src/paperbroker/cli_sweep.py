"""``paperbroker sweep``: a parameter sweep on this machine, no server needed.

Each ``--param`` is ``NAME=MIN:MAX[:STEP]`` (a range) or ``NAME=A,B,C`` (a
list); the sweep runs on a local process pool of ``--workers`` (1: this
process) or on a Dask cluster (``--cluster tcp://host:8786``), shows its
progress with the time left, prints the best results and, with ``--output``,
writes every result to a CSV file. See docs/sweeps.md.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from paperbroker.cli_common import _console, _invalid, _user_errors, parse_params, parse_symbols
from paperbroker.core.clock import datetime_to_ns

if TYPE_CHECKING:
    from paperbroker.sweep.runner import TaskResult
    from paperbroker.sweep.sweeper import PreparedSweep


def sweep(
    strategy: Annotated[
        str, typer.Argument(metavar="STRATEGY", help="A strategy name or FILE.py:CLASS.")
    ],
    param: Annotated[
        list[str],
        typer.Option(
            metavar="NAME=SPACE",
            help="A swept parameter: NAME=MIN:MAX[:STEP] or NAME=A,B,C (repeatable).",
        ),
    ],
    symbols: Annotated[str, typer.Option(metavar="SYMBOL,...", help="The symbols.")] = "AAPL",
    start: Annotated[str | None, typer.Option(metavar="DATE", help="First day.")] = None,
    end: Annotated[str | None, typer.Option(metavar="DATE", help="Last day, inclusive.")] = None,
    cash: Annotated[str, typer.Option(metavar="AMOUNT", help="Initial cash.")] = "100000",
    data: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="CSV or Parquet bars (default: the bundled samples)."),
    ] = None,
    execution: Annotated[
        str, typer.Option(metavar="PRESET", help="The execution preset.")
    ] = "equities_realistic",
    method: Annotated[str, typer.Option(help="grid or random.")] = "grid",
    samples: Annotated[int | None, typer.Option(help="Combinations a random sweep draws.")] = None,
    seed: Annotated[int, typer.Option(help="The random sweep's seed.")] = 0,
    objective: Annotated[
        str,
        typer.Option(help="sharpe, total_return, cagr, sortino, calmar or profit_factor."),
    ] = "sharpe",
    walk_forward: Annotated[
        int | None, typer.Option(metavar="FOLDS", help="Walk forward over FOLDS windows.")
    ] = None,
    in_sample: Annotated[
        float, typer.Option(metavar="FRACTION", help="In-sample share of each window.")
    ] = 0.7,
    anchored: Annotated[
        bool, typer.Option(help="In-sample windows all start at the start.")
    ] = False,
    workers: Annotated[int, typer.Option(help="Local worker processes (1: this one).")] = 1,
    cluster: Annotated[
        str | None, typer.Option(metavar="ADDRESS", help="A Dask scheduler (tcp://host:8786).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write every result to this CSV file.")
    ] = None,
    top: Annotated[int, typer.Option(help="How many of the best results to print.")] = 10,
) -> None:
    """Run a parameter sweep of STRATEGY and print the best results."""
    from paperbroker.cli import _load_series
    from paperbroker.sweep.executor import executor_for
    from paperbroker.sweep.spec import read_spec
    from paperbroker.sweep.sweeper import prepare, run_sweep, walk_forward_report
    from paperbroker.venue.cli_models import parse_execution

    with _user_errors():
        spec = read_spec(
            {
                "strategy": strategy,
                "symbols": parse_symbols(symbols),
                "start_ns": None if start is None else _bound(start, "start"),
                "end_ns": None if end is None else _bound(end, "end"),
                "initial_cash": cash,
                "execution": parse_execution(execution).to_json(),
                "method": method,
                "space": {name: _space(name, text) for name, text in parse_params(param).items()},
                "samples": samples,
                "seed": seed,
                "objective": objective,
                "walk_forward": None
                if walk_forward is None
                else {"folds": walk_forward, "in_sample": in_sample, "anchored": anchored},
                "workers": workers,
                "cluster": cluster,
            }
        )
        prepared = prepare(spec, _load_series(",".join(spec.symbols), data), strategy_files=True)
        engine = prepared.engine
        _console(stderr=True).print(f"{engine.path} path: {engine.reason}", highlight=False)
        executor = executor_for(spec.workers, spec.cluster)
        results = _run_with_progress(prepared, executor, run_sweep)
    if output is not None:
        _write_csv(output, results)
    _print_top(results, top, prepared)
    report = walk_forward_report(results, spec.objective)
    if report is not None:
        _print_walk_forward(report)


def _run_with_progress(prepared: PreparedSweep, executor: Any, run: Any) -> list[TaskResult]:
    from paperbroker.sweep.sweeper import ProgressMeter

    meter = ProgressMeter(prepared.total, executor.workers)
    if not sys.stderr.isatty():
        done: list[TaskResult] = run(prepared, executor, meter.add, on_total=meter.shrink)
        return done
    from rich.progress import BarColumn, Progress, TextColumn

    columns = (
        TextColumn("sweep"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} backtests"),
        TextColumn("{task.fields[eta]}"),
    )
    with Progress(*columns, console=_console(stderr=True), transient=True) as progress:
        task = progress.add_task("sweep", total=meter.total, eta="")

        def advance(result: TaskResult) -> None:
            meter.add(result)
            eta = meter.eta_seconds
            text = "" if eta is None else f"{_duration(eta)} left"
            progress.update(task, completed=meter.done, total=meter.total, eta=text)

        def shrink(total: int) -> None:
            meter.shrink(total)
            progress.update(task, total=meter.total)

        finished: list[TaskResult] = run(prepared, executor, advance, on_total=shrink)
        return finished


def _duration(seconds: float) -> str:
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _space(name: str, text: str) -> dict[str, Any]:
    """``5:50:5`` → a range; ``20,30,50`` (or one value) → a list."""
    if ":" in text:
        parts = text.split(":")
        if len(parts) not in (2, 3):
            raise _invalid(f"--param {name}={text}: a range is MIN:MAX or MIN:MAX:STEP")
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            raise _invalid(f"--param {name}={text}: a range takes numbers") from None
        return dict(zip(("min", "max", "step"), numbers, strict=False))
    return {"values": [_value(v.strip()) for v in text.split(",") if v.strip()]}


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _bound(text: str, name: str) -> int:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if name == "end":
                return datetime_to_ns(datetime(day.year, day.month, day.day, tzinfo=UTC)
                                      + timedelta(days=1)) - 1  # fmt: skip
            return datetime_to_ns(datetime(day.year, day.month, day.day, tzinfo=UTC))
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid(f"--{name} {text!r} is not an ISO-8601 date or time") from None
    return datetime_to_ns(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _sorted(results: list[TaskResult]) -> list[TaskResult]:
    return sorted(results, key=lambda r: (r.score is None, -(r.score or 0.0), r.idx))


def _write_csv(path: Path, results: list[TaskResult]) -> None:
    params = list(dict.fromkeys(k for r in results for k in r.params))
    metrics = list(dict.fromkeys(k for r in results for k in r.metrics))
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(
            ["idx", "fold", "phase", "start_ns", "end_ns", *params, "score", *metrics,
             "fills_digest", "error"]
        )  # fmt: skip
        for r in sorted(results, key=lambda r: r.idx):
            writer.writerow(
                [r.idx, r.fold, r.window.phase, r.window.start_ns, r.window.end_ns,
                 *(r.params.get(p) for p in params), r.score,
                 *(r.metrics.get(m) for m in metrics), r.fills_digest, r.error or ""]
            )  # fmt: skip


def _print_top(results: list[TaskResult], top: int, prepared: PreparedSweep) -> None:
    from rich.table import Table

    failed = sum(r.error is not None for r in results)
    title = f"best {min(top, len(results))} of {len(results)} by {prepared.spec.objective}"
    table = Table(title=title + (f" ({failed} refused or failed)" if failed else ""))
    for column in ("#", "fold", "phase", "params", "score", "return", "max dd", "trades"):
        table.add_column(column, no_wrap=column == "params")
    for r in _sorted(results)[:top]:
        table.add_row(
            str(r.idx), str(r.fold), r.window.phase,
            " ".join(f"{k}={v}" for k, v in r.params.items()),
            "-" if r.score is None else f"{r.score:.4g}",
            _pct(r.metrics.get("total_return")), _pct(r.metrics.get("max_drawdown")),
            str(r.metrics.get("num_trades", "-")) if r.error is None else r.error[:40],
        )  # fmt: skip
    _console().print(table)


def _print_walk_forward(report: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"walk-forward by {report['objective']}")
    for column in ("fold", "params", "in-sample", "out-of-sample", "IS annual", "OOS annual"):
        table.add_column(column)
    for fold in report["folds"]:
        table.add_row(
            str(fold["fold"]), " ".join(f"{k}={v}" for k, v in fold["params"].items()),
            _num(fold["in_sample_score"]), _num(fold["out_of_sample_score"]),
            _pct(fold["in_sample_annual_return"]), _pct(fold["out_of_sample_annual_return"]),
        )  # fmt: skip
    _console().print(table)
    efficiency = report["efficiency"]
    _console().print(f"walk-forward efficiency (OOS / IS annualized return): {_num(efficiency)}")


def _num(value: Any) -> str:
    return "-" if value is None else f"{float(value):.4g}"


def _pct(value: Any) -> str:
    try:
        return f"{float(value) * 100:.2f}%"
    except (TypeError, ValueError):
        return "-"
