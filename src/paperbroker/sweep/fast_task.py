"""One task of a sweep on the fast path: the worker's side of :mod:`~paperbroker.sweep.fast`.

A worker builds one :class:`FastEngine` per run context (the strategy's signal
form, the fee model, and the arrays every task on the same bars shares: the
moving averages of each window, the marks) and runs each task through it.
A task the fast path does not cover (a window without bars, parameters the
strategy refuses) returns ``None`` and runs on the kernel, which reports it as
it always does.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from paperbroker.core.errors import PaperbrokerError
from paperbroker.data.series import BarSeries
from paperbroker.data.ticks import grid_floats
from paperbroker.strategy.base import Strategy, parse_params
from paperbroker.sweep.fast import Eligibility, eligibility, simulate
from paperbroker.sweep.fast_result import fast_digest, fast_metrics
from paperbroker.sweep.plan import Task
from paperbroker.sweep.signals import ArrayCache, SignalStrategy, signals_of
from paperbroker.venue.bar_view import model_name
from paperbroker.venue.execution import ExecutionConfig


class FastEngine:
    """The fast path of one run context in one process."""

    def __init__(
        self,
        strategy: type[Strategy],
        signal: SignalStrategy,
        data: Mapping[str, BarSeries],
        execution: ExecutionConfig,
        cash: Decimal,
    ) -> None:
        self.strategy = strategy
        self.signal = signal
        self.series = next(iter(data.values()))
        self.fees = execution.fees
        self.model = model_name(execution.slippage.describe())
        self.cash = cash
        self.cache = ArrayCache()

    def run(self, task: Task) -> tuple[dict[str, Any], str] | None:
        """``task``'s metrics (JSON form) and fills digest; ``None``: the kernel's to run."""
        window = task.window
        series = self.series.between(window.start_ns, window.end_ns)
        if not len(series):
            return None
        try:
            params = parse_params(self.strategy, dict(task.params))
        except PaperbrokerError:
            return None
        key = (int(series.ts[0]), len(series))
        marks = self.cache.get(
            ("marks", key),
            lambda: grid_floats(
                np.asarray(series.close, dtype=np.float64), series.instrument.tick_size
            ),
        )
        run = simulate(series, self.signal, params, self.cash, self.fees, self.cache, key)
        metrics = fast_metrics(series, run, self.cash, marks)
        return metrics.as_dict(), fast_digest(series, run, self.model)


def engine_for(
    strategy: type[Strategy],
    data: Mapping[str, BarSeries],
    execution: dict[str, Any] | None,
    cash: Decimal,
) -> tuple[Eligibility, FastEngine | None]:
    """Whether a context takes the fast path, and its engine when it does."""
    try:
        config = ExecutionConfig.from_json(execution)
    except PaperbrokerError as error:  # every task reports it, from the kernel
        return Eligibility(False, str(error)), None
    verdict = eligibility(strategy, dict(data), config)
    signal = signals_of(strategy)
    if not verdict.fast or signal is None:
        return verdict, None
    return verdict, FastEngine(strategy, signal, data, config, cash)
