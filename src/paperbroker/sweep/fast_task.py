"""One task of a sweep on the fast path: the worker's side of :mod:`~paperbroker.sweep.fast`.

A worker builds one :class:`FastEngine` per run context (the strategy's signal
form, the fee model, and the arrays every task on the same bars shares: the
moving averages of each window, the marks) and runs each task through it.
A task the fast path does not cover (a window without bars, parameters the
strategy refuses) returns ``None`` and runs on the kernel, which reports it as
it always does.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from paperbroker.core.errors import PaperbrokerError
from paperbroker.data.series import BarSeries
from paperbroker.data.ticks import grid_floats
from paperbroker.model.values import to_decimal
from paperbroker.strategy.base import Strategy, StrategyParams, parse_params
from paperbroker.sweep.fast import Eligibility, eligibility, simulate
from paperbroker.sweep.fast_result import FloatArray, fast_digest, fast_metrics
from paperbroker.sweep.fast_units import IntArray, Units, grid_units, simulate_units, units_for
from paperbroker.sweep.fast_units_result import Basis, unit_digest, unit_metrics
from paperbroker.sweep.plan import Task
from paperbroker.sweep.signals import ArrayCache, SignalStrategy, signals_of
from paperbroker.venue.bar_view import model_name
from paperbroker.venue.execution import ExecutionConfig

_NO_TICKS: IntArray = np.zeros(0, dtype=np.int64)


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
        self._lock = threading.Lock()
        self._on_grid: dict[Hashable, bool] = {}
        self._basis_of: tuple[Hashable, Basis] | None = None
        self._units_key: Hashable = None
        self._ticks: tuple[IntArray, IntArray] = (_NO_TICKS, _NO_TICKS)

    def run(self, task: Task) -> tuple[dict[str, Any], str] | None:
        """``task``'s metrics (JSON form) and fills digest; ``None``: the kernel's to run.

        One task at a time per engine (a Dask worker may run tasks on several
        threads): the caches and the curve's buffers are the engine's.
        """
        with self._lock:
            return self._run(task)

    def _run(self, task: Task) -> tuple[dict[str, Any], str] | None:
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
        units = self._units(series, params, key, marks)
        if units is not None:
            closes = np.asarray(series.close, dtype=np.float64)
            decisions = self.signal.signals(params, closes, self.cache, key)
            open_ticks, close_ticks = self._prices(series, key, units.decimals)
            done = simulate_units(decisions, open_ticks, close_ticks, units)
            if done is not None:
                basis = self._basis(series, key, marks, open_ticks)
                metrics = unit_metrics(basis, done, units, self.fees, self.cash)
                digest = unit_digest(basis, done, units, self.fees, self.model, series.symbol)
                return metrics.as_dict(), digest
        run = simulate(series, self.signal, params, self.cash, self.fees, self.cache, key)
        metrics = fast_metrics(series, run, self.cash, marks)
        return metrics.as_dict(), fast_digest(series, run, self.model)

    def _units(
        self, series: BarSeries, params: StrategyParams, key: Hashable, marks: FloatArray
    ) -> Units | None:
        """The integer scale of a task, if the integer path can run it: closes on the
        grid (they size entries as they are), all the cash per entry, a flat fee."""
        allocation = self.signal.allocation(params)
        whole = to_decimal(allocation if allocation is not None else 1.0) == 1 and not to_decimal(
            self.signal.buffer(params)
        )
        if key not in self._on_grid:
            closes = np.asarray(series.close, dtype=np.float64)
            opens = np.asarray(series.open, dtype=np.float64)
            self._on_grid[key] = bool(np.array_equal(marks, closes)) and bool(
                np.all(closes > 0) and np.all(opens > 0)
            )
        if not self._on_grid[key]:
            return None
        instrument = series.instrument
        return units_for(instrument.tick_size, instrument.lot_size, self.fees, self.cash, whole)

    def _basis(
        self, series: BarSeries, key: Hashable, marks: FloatArray, open_ticks: IntArray
    ) -> Basis:
        """The window's shared curve inputs (the last window's kept for its next task)."""
        if self._basis_of is None or self._basis_of[0] != key:
            self._basis_of = (key, Basis(series, marks, open_ticks))
        return self._basis_of[1]

    def _prices(self, series: BarSeries, key: Hashable, decimals: int) -> tuple[IntArray, IntArray]:
        """The opens and closes of a window in ticks (kept for the window's next task)."""
        if self._units_key != key:
            tick = series.instrument.tick_size
            opens = grid_floats(np.asarray(series.open, dtype=np.float64), tick)
            closes = grid_floats(np.asarray(series.close, dtype=np.float64), tick)
            self._ticks = (grid_units(opens, decimals), grid_units(closes, decimals))
            self._units_key = key
        return self._ticks


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
