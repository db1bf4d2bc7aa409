"""A whole sweep: plan it, run its tasks on an executor, pick the best, walk forward.

Without walk-forward every combination runs on the whole period and the best is
the highest score (ties: the lowest ``idx``). With it, every combination runs
on each fold's in-sample window; each fold's best parameters then run on that
fold's out-of-sample window, and :func:`walk_forward_report` sets the two side
by side. A sweep resumes from results it already has: their tasks are skipped.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import BarSeries
from paperbroker.strategy.registry import resolve_strategy
from paperbroker.sweep.executor import Executor
from paperbroker.sweep.fast import Eligibility
from paperbroker.sweep.plan import (
    IN_SAMPLE,
    OUT_OF_SAMPLE,
    Task,
    combinations,
    out_of_sample_tasks,
    tasks,
    total_tasks,
)
from paperbroker.sweep.runner import RunContext, TaskResult, score_of
from paperbroker.sweep.spec import SweepSpec, check_space

#: Tasks the moving average of task time runs over.
_AVERAGE_OVER = 50


@dataclass(frozen=True)
class PreparedSweep:
    """A spec checked against its strategy and data, with its first tasks."""

    spec: SweepSpec
    context: RunContext
    start_ns: int
    end_ns: int
    combos: list[dict[str, Any]]
    first: list[Task]
    total: int
    #: Whether the tasks take the fast path, and why not when they do not.
    engine: Eligibility


def prepare(
    spec: SweepSpec,
    data: Mapping[str, BarSeries],
    *,
    strategy_files: bool = False,
    fast: bool = True,
) -> PreparedSweep:
    """Check ``spec`` (space against the strategy's schema, symbols against ``data``) and
    plan its first tasks; the context ships only the bars of the sweep's period.

    Eligible sweeps take the fast path (:mod:`~paperbroker.sweep.fast`) unless
    ``fast`` is ``False``; ``engine`` says which.

    Raises:
        InvalidRequest: for an unknown strategy or symbol, a bad space, no bars in
            the period, or too many tasks.
    """
    strategy = resolve_strategy(spec.strategy, files=strategy_files)
    values = check_space(spec, strategy)
    missing = [s for s in spec.symbols if s not in data]
    if missing:
        raise InvalidRequest(f"no market data for {', '.join(missing)}")
    series = {s: data[s].between(spec.start_ns, spec.end_ns) for s in spec.symbols}
    empty = [s for s, bars in series.items() if not len(bars)]
    if empty:
        raise InvalidRequest(f"no bars of {', '.join(empty)} in the sweep's period")
    start_ns = (
        spec.start_ns if spec.start_ns is not None else min(int(b.ts[0]) for b in series.values())
    )
    end_ns = spec.end_ns if spec.end_ns is not None else max(int(b.ts[-1]) for b in series.values())
    combos = combinations(spec, values)
    first = tasks(spec, combos, start_ns, end_ns)
    context = RunContext(
        strategy=spec.strategy,
        data=series,
        initial_cash=spec.initial_cash,
        execution=spec.execution,
        objective=spec.objective,
        strategy_files=strategy_files,
        fast=fast,
    )
    return PreparedSweep(
        spec, context, start_ns, end_ns, combos, first, total_tasks(spec, len(combos)),
        context.eligibility(),
    )  # fmt: skip


class ProgressMeter:
    """Done out of total, and the time left: the moving average of the last tasks' time
    divided by the workers, times the tasks left."""

    def __init__(self, total: int, workers: int, done: int = 0) -> None:
        self.total = total
        self.done = done
        self.workers = max(1, workers)
        self._seconds: deque[float] = deque(maxlen=_AVERAGE_OVER)
        self.best: float | None = None

    def add(self, result: TaskResult) -> None:
        self.done += 1
        self._seconds.append(result.seconds)
        if result.score is not None and (self.best is None or result.score > self.best):
            self.best = result.score

    def shrink(self, total: int) -> None:
        """The total is known to be smaller (folds without an out-of-sample run)."""
        self.total = max(self.done, total)

    @property
    def eta_seconds(self) -> float | None:
        if not self._seconds:
            return None
        average = sum(self._seconds) / len(self._seconds)
        return max(0, self.total - self.done) * average / self.workers


def best_of(results: Iterable[TaskResult]) -> TaskResult | None:
    """The highest score (ties: the lowest ``idx``); ``None`` if no result has a score."""
    scored = [r for r in results if r.score is not None]
    if not scored:
        return None
    return min(scored, key=lambda r: (-(r.score or 0.0), r.idx))


def run_sweep(
    prepared: PreparedSweep,
    executor: Executor,
    on_result: Callable[[TaskResult], None],
    *,
    previous: Sequence[TaskResult] = (),
    cancelled: threading.Event | None = None,
    on_total: Callable[[int], None] | None = None,
) -> list[TaskResult]:
    """Run every task not in ``previous``; call ``on_result`` with each as it finishes
    (then ``on_total`` once the total is final); return every result, ``previous`` included.
    """
    have = {r.idx: r for r in previous}
    results = list(previous)
    executor.open(prepared.context)
    try:
        todo = [t for t in prepared.first if t.idx not in have]
        for result in executor.results(todo, cancelled):
            results.append(result)
            on_result(result)
        spec = prepared.spec
        if spec.walk_forward is None or (cancelled is not None and cancelled.is_set()):
            return results
        by_fold: dict[int, list[TaskResult]] = {}
        for r in results:
            if r.window.phase == IN_SAMPLE:
                by_fold.setdefault(r.fold, []).append(r)
        best = {fold: b.params for fold, rs in by_fold.items() if (b := best_of(rs)) is not None}
        oos = out_of_sample_tasks(
            spec, prepared.start_ns, prepared.end_ns, best, len(prepared.first)
        )
        if on_total is not None:
            on_total(len(prepared.first) + len(oos))
        for result in executor.results([t for t in oos if t.idx not in have], cancelled):
            results.append(result)
            on_result(result)
        return results
    finally:
        executor.close()


def walk_forward_report(results: Sequence[TaskResult], objective: str) -> dict[str, Any] | None:
    """Each fold's best in-sample parameters, their in-sample and out-of-sample objective
    and annualized return, and the walk-forward efficiency.

    The efficiency is the mean out-of-sample annualized return (CAGR) over the mean
    in-sample one, of the folds that have both: near 1, the parameters did as well
    on data they were not chosen on; near 0 or negative, the in-sample result was
    mostly fitted noise. ``None`` without out-of-sample results or where the
    in-sample mean is 0.
    """
    oos = {r.fold: r for r in results if r.window.phase == OUT_OF_SAMPLE}
    if not oos:
        return None
    folds: list[dict[str, Any]] = []
    is_returns: list[float] = []
    oos_returns: list[float] = []
    for fold in sorted(oos):
        chosen = best_of(r for r in results if r.fold == fold and r.window.phase == IN_SAMPLE)
        out = oos[fold]
        is_annual = None if chosen is None else score_of(chosen.metrics, "cagr")
        oos_annual = score_of(out.metrics, "cagr")
        if is_annual is not None and oos_annual is not None:
            is_returns.append(is_annual)
            oos_returns.append(oos_annual)
        folds.append(
            {
                "fold": fold,
                "params": out.params,
                "in_sample_idx": None if chosen is None else chosen.idx,
                "out_of_sample_idx": out.idx,
                "in_sample_score": None if chosen is None else chosen.score,
                "out_of_sample_score": out.score,
                "in_sample_annual_return": is_annual,
                "out_of_sample_annual_return": oos_annual,
            }
        )
    efficiency = None
    if is_returns and sum(is_returns) != 0:
        efficiency = (sum(oos_returns) / len(oos_returns)) / (sum(is_returns) / len(is_returns))
    return {"objective": objective, "folds": folds, "efficiency": efficiency}


def elapsed(since: float) -> float:
    """Seconds since a ``time.perf_counter()`` reading."""
    return time.perf_counter() - since
