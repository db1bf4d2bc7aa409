"""One task of a sweep: one backtest on its window's bars, and its score.

A task's result depends only on the task and the run context (the bars, the
strategy, the cash, the execution models with their seed): the same task gives
the same metrics and the same fills digest in this process, in a pool worker
or on a Dask worker. The context is what executors ship once per worker; a
task carries only its index, fold, parameters and window.

A context whose strategy and execution are eligible (:mod:`~paperbroker.sweep.fast`)
runs its tasks on the fast path, with the same metrics and fills digest as the
kernel's; ``fast=False`` keeps every task on the kernel. Each result says
where it ran (``path``).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from paperbroker.core.errors import PaperbrokerError
from paperbroker.data.series import BarSeries
from paperbroker.engine.backtest import Backtest
from paperbroker.strategy.base import Strategy
from paperbroker.strategy.registry import resolve_strategy
from paperbroker.sweep.fast import FAST, KERNEL, Eligibility
from paperbroker.sweep.fast_task import FastEngine, engine_for
from paperbroker.sweep.plan import Task, Window
from paperbroker.venue.execution import ExecutionConfig


@dataclass(frozen=True)
class RunContext:
    """What every task of a sweep shares: shipped to each worker once."""

    strategy: str
    data: Mapping[str, BarSeries]
    initial_cash: Decimal
    execution: dict[str, Any] | None
    objective: str
    #: Whether ``strategy`` may name a file (``path.py:Class``): the command line's sweeps.
    strategy_files: bool = False
    #: Whether eligible tasks take the fast path (``False``: the kernel runs every task).
    fast: bool = True
    _resolved: dict[str, type[Strategy]] = field(default_factory=dict, compare=False, repr=False)
    _engines: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def strategy_class(self) -> type[Strategy]:
        """The strategy class, resolved once per process."""
        if "cls" not in self._resolved:
            self._resolved["cls"] = resolve_strategy(self.strategy, files=self.strategy_files)
        return self._resolved["cls"]

    def eligibility(self) -> Eligibility:
        """Whether this context's tasks take the fast path (decided once per process)."""
        return self._fast_path()[0]

    def engine(self) -> FastEngine | None:
        """The fast path of this context in this process (``None``: the kernel runs its tasks)."""
        return self._fast_path()[1]

    def _fast_path(self) -> tuple[Eligibility, FastEngine | None]:
        found: tuple[Eligibility, FastEngine | None] | None = self._engines.get("fast")
        if found is None:
            if not self.fast:
                found = Eligibility(False, "the fast path is off"), None
            else:
                found = engine_for(
                    self.strategy_class(), self.data, self.execution, self.initial_cash
                )
            found = self._engines.setdefault("fast", found)  # one per process, threads or not
        return found

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_resolved"] = {}  # a class from a file is resolved again where it runs
        state["_engines"] = {}  # built again where it runs, with its own caches
        return state


@dataclass(frozen=True)
class TaskResult:
    """The outcome of one task: metrics (JSON form) and score, or the error that stopped it."""

    idx: int
    fold: int
    params: dict[str, Any]
    window: Window
    metrics: dict[str, Any]
    score: float | None
    fills_digest: str
    error: str | None
    #: Wall time of the backtest, seconds (for progress; not part of the result's identity).
    seconds: float = 0.0
    #: Where it ran (``pid:<n>`` or a Dask worker's address) and how many times that
    #: process received the run context: 1 when the data is shipped once per worker.
    worker: str = ""
    loads: int = 0
    #: Where it ran: ``fast`` (the sweep's fast path) or ``kernel`` (not part of its identity).
    path: str = KERNEL

    def same_as(self, other: TaskResult) -> bool:
        """Whether two results are the same run's (metrics and fills identical)."""
        return (
            (self.idx, self.fold, self.params, self.window, self.metrics, self.fills_digest)
            == (other.idx, other.fold, other.params, other.window, other.metrics,
                other.fills_digest)
            and self.error == other.error
            and (self.score == other.score or (self.score is None and other.score is None))
        )  # fmt: skip


def run_task(context: RunContext, task: Task, *, worker: str = "", loads: int = 0) -> TaskResult:
    """Run ``task``'s backtest; a parameter set the strategy refuses, or a window without
    bars, is a result with ``error`` set (never an exception)."""
    began = time.perf_counter()
    engine = context.engine()
    if engine is not None:
        done = engine.run(task)
        if done is not None:
            metrics, digest = done
            return TaskResult(
                task.idx, task.fold, task.params, task.window, metrics,
                score_of(metrics, context.objective), digest, None,
                time.perf_counter() - began, worker or _here(), loads, FAST,
            )  # fmt: skip
    try:
        run = Backtest(
            context.data,
            context.strategy_class(),
            params=task.params,
            cash=context.initial_cash,
            execution=ExecutionConfig.from_json(context.execution),
            start=task.window.start_ns,
            end=task.window.end_ns,
        )
        result = run.run()
    except PaperbrokerError as error:
        return TaskResult(
            task.idx, task.fold, task.params, task.window, {}, None, "", str(error),
            time.perf_counter() - began, worker or _here(), loads,
        )  # fmt: skip
    metrics = result.metrics.as_dict()
    return TaskResult(
        task.idx, task.fold, task.params, task.window, metrics,
        score_of(metrics, context.objective), result.fills_digest(), None,
        time.perf_counter() - began, worker or _here(), loads,
    )  # fmt: skip


def score_of(metrics: Mapping[str, Any], objective: str) -> float | None:
    """The objective's value in ``metrics`` (JSON form), or ``None`` where undefined.

    ``calmar`` is ``cagr / max_drawdown`` when the metrics do not carry it
    (undefined without a drawdown). Not-a-number is ``None``; an infinite
    value (a profit factor without losses) stays infinite.
    """
    if objective == "calmar" and "calmar" not in metrics:
        cagr, drawdown = _number(metrics.get("cagr")), _number(metrics.get("max_drawdown"))
        if cagr is None or drawdown is None or drawdown == 0:
            return None
        return cagr / abs(drawdown)
    return _number(metrics.get(objective))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]  # str, int or float
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _here() -> str:
    return f"pid:{os.getpid()}"
