"""The sweep use cases: start a sweep in the background, follow it, read its results.

:meth:`SweepService.create` checks the spec against the strategy and the
server's market data (a bad space is a 422 at once), stores the sweep
``queued`` and runs it on a background thread: the executor of its spec (a
local process pool of ``workers``, one being the thread itself) runs the
backtests, and each result is stored as it finishes. Progress goes to the
owner's system stream as ``SweepProgress`` events (at most two a second; each
says whether the backtests take the fast path, ``engine`` ``fast`` or
``kernel``) and a ``SweepFinished`` at the end, both on the ``sweeps`` topic of
``/ws``.

Deleting a sweep under way cancels it (its results so far are kept, status
``cancelled``); deleting a finished one deletes it. A server that stops with
sweeps under way resumes them when it starts again (with ``resume``): the
results stored are kept and only the missing backtests run; a sweep that can
no longer be prepared (its data gone) is marked ``failed`` as ``interrupted``.
"""

from __future__ import annotations

import builtins
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.core.clock import Clock, WallClock
from paperbroker.core.errors import InvalidRequest, PaperbrokerError
from paperbroker.data.series import BarSeries
from paperbroker.services.sessions import SessionService
from paperbroker.services.views import SessionView
from paperbroker.store.sweeps import ResultSort, StoredResult, SweepRecord, SweepsRepo
from paperbroker.sweep.executor import Executor, LocalPool
from paperbroker.sweep.plan import OUT_OF_SAMPLE, Window
from paperbroker.sweep.runner import TaskResult
from paperbroker.sweep.spec import SweepSpec, read_spec
from paperbroker.sweep.sweeper import (
    PreparedSweep,
    ProgressMeter,
    prepare,
    run_sweep,
    walk_forward_report,
)

log = logging.getLogger(__name__)

#: Least seconds between two progress events of one sweep.
PROGRESS_INTERVAL: Final = 0.5
PROGRESS_KIND: Final = "SweepProgress"
FINISHED_KIND: Final = "SweepFinished"
#: The kinds of sweep events (all on the ``sweeps`` topic).
SWEEP_KINDS: Final = frozenset({PROGRESS_KIND, FINISHED_KIND})


@dataclass(frozen=True)
class SweepView:
    """A sweep as the API shows it."""

    record: SweepRecord
    eta_seconds: float | None
    best: StoredResult | None
    walk_forward: dict[str, Any] | None


@dataclass(frozen=True)
class Heatmap:
    """``cells[i][j]``: the best ``metric`` with ``y = y_values[i]`` and ``x = x_values[j]``."""

    x: str
    x_values: list[Any]
    y: str
    y_values: list[Any]
    metric: str
    cells: list[list[float | None]]


class _Running:
    def __init__(self, meter: ProgressMeter, engine: str = "kernel") -> None:
        self.meter = meter
        self.engine = engine
        self.cancel = threading.Event()
        self.thread: threading.Thread | None = None
        self.shutting_down = False
        self.last_published = 0.0


class SweepService:
    """Sweeps of the owners of a :class:`SessionService` (its database, market data and
    system stream). ``executors`` builds the executor of a spec (tests swap it)."""

    def __init__(
        self,
        sessions: SessionService,
        *,
        wall_clock: Clock | None = None,
        executors: Callable[[SweepSpec], Executor] | None = None,
    ) -> None:
        self._sessions = sessions
        self._repo = SweepsRepo(sessions.factory)
        self._wall = wall_clock or WallClock()
        self._executors = executors or _server_executor
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        # One sweep runs at a time; the others wait, queued, in the order they came.
        self._turn = threading.Lock()
        threading.Thread(target=self._stop_with, args=(sessions.closing,), daemon=True).start()

    def _stop_with(self, closing: threading.Event) -> None:
        closing.wait()
        self.shutdown()

    # -- verbs ------------------------------------------------------------------------
    def create(self, owner: str, spec: SweepSpec) -> SweepView:
        """Check ``spec`` and start it in the background.

        Raises:
            InvalidRequest: for an unknown strategy or symbol, a space the strategy's
                schema refuses, no bars in the period, or too many backtests.
        """
        if spec.cluster is not None:
            raise InvalidRequest("cluster: a server's sweeps run on its own workers")
        prepared = prepare(spec, self._data(spec))
        record = self._repo.create(
            owner,
            name=spec.name or f"{spec.strategy} sweep",
            strategy=spec.strategy,
            spec=spec.model_dump(mode="json"),
            total=prepared.total,
            now=self._wall.now_ns(),
        )
        self._start(record, prepared, [])
        return self.get(owner, record.id)

    def list(self, owner: str) -> builtins.list[SweepView]:
        return [self._view(r) for r in self._repo.list_for_owner(owner)]

    def get(self, owner: str, sweep_id: str) -> SweepView:
        """Raises: NotFound: for no such sweep, or another key's."""
        return self._view(self._repo.get(owner, sweep_id))

    def results(
        self,
        owner: str,
        sweep_id: str,
        *,
        sort: ResultSort = "score",
        descending: bool = True,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[builtins.list[StoredResult], int]:
        """A page of the sweep's results. Raises: NotFound: as :meth:`get`."""
        self._repo.get(owner, sweep_id)
        return self._repo.results(
            sweep_id, sort=sort, descending=descending, limit=limit, offset=offset
        )

    def heatmap(
        self, owner: str, sweep_id: str, x: str | None, y: str | None, metric: str | None
    ) -> Heatmap:
        """``metric`` (default: the score) over two swept parameters.

        Each cell is the best (highest) value among the results with that ``x`` and
        ``y``, whatever the other parameters: the best the sweep found there.
        Out-of-sample runs are left out; a cell without a numeric value is ``None``.

        Raises:
            NotFound: as :meth:`get`.
            InvalidRequest: if ``x`` or ``y`` is missing or not a swept parameter, or both
                are one.
        """
        record = self._repo.get(owner, sweep_id)
        space = record.spec.get("space", {})
        for axis, name in (("x", x), ("y", y)):
            if name is None:
                raise InvalidRequest(f"{axis}: a swept parameter is required")
            if name not in space:
                swept = ", ".join(space)
                raise InvalidRequest(f"{axis} {name[:64]!r} is not a swept parameter ({swept})")
        if x is None or y is None or x == y:
            raise InvalidRequest("x and y must be two different parameters")
        wanted = metric or "score"
        results = [
            r for r in self._repo.all_results(sweep_id) if r.window.get("phase") != OUT_OF_SAMPLE
        ]
        xs = _distinct(r.params.get(x) for r in results)
        ys = _distinct(r.params.get(y) for r in results)
        cells: list[list[float | None]] = [[None] * len(xs) for _ in ys]
        column = {_key(v): j for j, v in enumerate(xs)}
        row = {_key(v): i for i, v in enumerate(ys)}
        for r in results:
            value = r.score if wanted == "score" else _float(r.metrics.get(wanted))
            if value is None:
                continue
            i, j = row[_key(r.params.get(y))], column[_key(r.params.get(x))]
            current = cells[i][j]
            if current is None or value > current:
                cells[i][j] = value
        return Heatmap(x, xs, y, ys, wanted, cells)

    def delete(self, owner: str, sweep_id: str) -> None:
        """Cancel a sweep under way, or delete a finished one. Raises: NotFound: as :meth:`get`."""
        record = self._repo.get(owner, sweep_id)
        with self._lock:
            running = self._running.get(sweep_id)
        if running is not None and not record.finished:
            running.cancel.set()
            return
        if not record.finished:  # under way in no process (a resume not started): cancel it
            self._finish(record, "cancelled", None, None)
            return
        self._repo.delete(sweep_id)

    def session_from(self, owner: str, sweep_id: str, idx: int) -> SessionView:
        """A backtest session with result ``idx``'s parameters over its window, run to its end.

        The session runs the strategy in the standard pipeline with the sweep's
        symbols, cash and execution models; it is a session like any other.

        Raises:
            NotFound: as :meth:`get`, or for no result ``idx``.
            InvalidRequest: if the result's parameters were refused by the strategy.
        """
        record = self._repo.get(owner, sweep_id)
        result = self._repo.result(sweep_id, idx)
        if result.error is not None:
            raise InvalidRequest(f"result {idx} did not run: {result.error}")
        spec = read_spec(record.spec)
        window = result.window
        pipeline = standard_pipeline(
            spec.strategy, result.params, spec.symbols, strategy_files=False
        )
        view = self._sessions.create(
            owner,
            start_ns=int(window["start_ns"]),
            end_ns=int(window["end_ns"]),
            name=f"{record.name} #{idx}",
            initial_cash=spec.initial_cash,
            execution=spec.execution,
            pipeline=pipeline,
        )
        self._sessions.advance(owner, view.id, target_ns=int(window["end_ns"]))
        return self._sessions.get(owner, view.id)

    # -- life cycle -------------------------------------------------------------------
    def resume_all(self) -> None:
        """Resume every sweep left under way (at start-up): their stored results are kept."""
        for record in self._repo.unfinished():
            try:
                spec = read_spec(record.spec)
                prepared = prepare(spec, self._data(spec))
            except PaperbrokerError as error:
                self._finish(record, "failed", f"interrupted: {error}", None)
                continue
            previous = [_task_result(r) for r in self._repo.all_results(record.id)]
            self._start(record, prepared, previous)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the sweeps under way; they stay ``running`` in the store, to be resumed."""
        with self._lock:
            running = list(self._running.values())
        for run in running:
            run.shutting_down = True
            run.cancel.set()
        for run in running:
            if run.thread is not None:
                run.thread.join(timeout)

    def wait(self, sweep_id: str, timeout: float | None = None) -> None:
        """Wait for the background thread of a sweep (tests and tools)."""
        with self._lock:
            run = self._running.get(sweep_id)
        if run is not None and run.thread is not None:
            run.thread.join(timeout)

    # -- running ----------------------------------------------------------------------
    def _data(self, spec: SweepSpec) -> dict[str, BarSeries]:
        market = self._sessions.market
        data: dict[str, BarSeries] = {}
        for symbol in spec.symbols:
            series = market.series(symbol)
            if series is not None:
                data[symbol] = series
        return data

    def _start(
        self, record: SweepRecord, prepared: PreparedSweep, previous: builtins.list[TaskResult]
    ) -> None:
        meter = ProgressMeter(prepared.total, prepared.spec.workers, done=len(previous))
        for result in previous:
            if result.score is not None and (meter.best is None or result.score > meter.best):
                meter.best = result.score
        run = _Running(meter, prepared.engine.path)
        log.info(
            "sweep %s runs on the %s path (%s)", record.id, prepared.engine.path,
            prepared.engine.reason,
        )  # fmt: skip
        run.thread = threading.Thread(
            target=self._run,
            args=(record, prepared, previous, run),
            name=f"sweep-{record.id[:8]}",
            daemon=True,
        )
        with self._lock:
            self._running[record.id] = run
        run.thread.start()

    def _run(
        self,
        record: SweepRecord,
        prepared: PreparedSweep,
        previous: builtins.list[TaskResult],
        run: _Running,
    ) -> None:
        sweep_id = record.id
        while not self._turn.acquire(timeout=0.2):
            if run.cancel.is_set():
                with self._lock:
                    self._running.pop(sweep_id, None)
                if not run.shutting_down:
                    self._finish(record, "cancelled", None, run)
                return
        try:
            self._run_turn(record, prepared, previous, run)
        finally:
            self._turn.release()

    def _run_turn(
        self,
        record: SweepRecord,
        prepared: PreparedSweep,
        previous: builtins.list[TaskResult],
        run: _Running,
    ) -> None:
        sweep_id = record.id
        self._repo.set(sweep_id, status="running", started_at=self._wall.now_ns())

        def stored(result: TaskResult) -> None:
            if not self._repo.add_result(sweep_id, _stored(result)):
                return  # stored already (by the run a restart interrupted)
            run.meter.add(result)
            now = time.monotonic()
            if now - run.last_published >= PROGRESS_INTERVAL:
                run.last_published = now
                self._publish(record, PROGRESS_KIND, run.meter, "running", run.engine)

        def total(count: int) -> None:
            run.meter.shrink(count)
            self._repo.set(sweep_id, total=run.meter.total)

        try:
            run_sweep(
                prepared,
                self._executors(prepared.spec),
                stored,
                previous=previous,
                cancelled=run.cancel,
                on_total=total,
            )
        except Exception as error:  # a sweep's failure is its own; the server goes on
            log.exception("sweep %s failed", sweep_id)
            self._finish(record, "failed", f"{type(error).__name__}: {error}", run)
            return
        finally:
            with self._lock:
                self._running.pop(sweep_id, None)
        if run.shutting_down:
            return  # left running: the next start resumes it
        self._finish(record, "cancelled" if run.cancel.is_set() else "completed", None, run)

    def _finish(
        self, record: SweepRecord, status: str, error: str | None, run: _Running | None
    ) -> None:
        self._repo.set(record.id, status=status, error=error, finished_at=self._wall.now_ns())
        meter = run.meter if run is not None else ProgressMeter(record.total, 1, record.done)
        self._publish(record, FINISHED_KIND, meter, status)

    def _publish(
        self,
        record: SweepRecord,
        kind: str,
        meter: ProgressMeter,
        status: str,
        engine: str | None = None,
    ) -> None:
        feed = self._sessions.system
        if feed is None:
            return
        eta = 0.0 if kind == FINISHED_KIND else meter.eta_seconds
        payload: dict[str, object] = {
            "sweep_id": record.id,
            "done": meter.done,
            "total": meter.total,
            "eta_seconds": None if eta is None else round(eta, 1),
            "status": status,
            "best_score": _json_float(meter.best),
            "message": f"sweep {record.name!r} {status}: {meter.done}/{meter.total}",
        }
        if engine is not None:
            payload["engine"] = engine
        try:
            feed.record(record.owner_key_id, kind, payload)
        except PaperbrokerError:
            log.exception("could not record %s of sweep %s", kind, record.id)

    def _view(self, record: SweepRecord) -> SweepView:
        with self._lock:
            run = self._running.get(record.id)
        eta = None
        if record.finished:
            eta = 0.0
        elif run is not None:
            eta = run.meter.eta_seconds
        report = None
        if record.spec.get("walk_forward") and record.done:
            stored = self._repo.all_results(record.id)
            if any(r.window.get("phase") == OUT_OF_SAMPLE for r in stored):
                report = walk_forward_report(
                    [_task_result(r) for r in stored], str(record.spec.get("objective"))
                )
        return SweepView(record, eta, self._repo.best(record.id), report)


def _server_executor(spec: SweepSpec) -> Executor:
    # Backtests never run on a server's own threads: they would hold its interpreter.
    return LocalPool(min(spec.workers, os.cpu_count() or 1), in_process=False)


def _stored(result: TaskResult) -> StoredResult:
    window = result.window
    return StoredResult(
        result.idx, result.fold, result.params,
        {"phase": window.phase, "start_ns": window.start_ns, "end_ns": window.end_ns},
        result.metrics, result.score, result.fills_digest, result.error,
    )  # fmt: skip


def _task_result(stored: StoredResult) -> TaskResult:
    w = stored.window
    return TaskResult(
        stored.idx, stored.fold, stored.params,
        Window(str(w["phase"]), int(w["start_ns"]), int(w["end_ns"])),
        stored.metrics, stored.score, stored.fills_digest, stored.error,
    )  # fmt: skip


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return None if math.isnan(number) else number


def _json_float(value: float | None) -> float | str | None:
    if value is None or math.isfinite(value):
        return value
    return "inf" if value > 0 else "-inf"


def _key(value: object) -> tuple[str, str]:
    return type(value).__name__, repr(value)


def _distinct(values: Any) -> list[Any]:
    seen: dict[tuple[str, str], Any] = {}
    for value in values:
        seen.setdefault(_key(value), value)
    return sorted(seen.values(), key=_order)


def _order(value: object) -> tuple[int, float, str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return 0, float(value), ""
    return 1, 0.0, repr(value)
