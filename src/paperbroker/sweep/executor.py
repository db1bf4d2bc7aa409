"""Where a sweep's tasks run: in this process, a local process pool, or a Dask cluster.

An :class:`Executor` is opened with the sweep's :class:`RunContext` (the bars
above all), which it ships to each worker once; tasks then carry only their
parameters and window, and :meth:`Executor.results` yields their results as
they finish (in completion order; each names its task by ``idx``).

- :class:`LocalPool`: the standard library's ``ProcessPoolExecutor`` with the
  ``spawn`` start method (safe on every platform and with threads about); each
  worker receives the context through the pool's initializer. One worker runs
  the tasks in this process, one after the other.
- :class:`DaskExecutor`: a ``distributed.Client`` on a scheduler's address (or
  a client given). The context travels to every worker once, in a worker
  plugin (workers that join later get it too); ``distributed`` is imported
  only here, and its absence is a clear error naming the ``dask`` extra.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from paperbroker.core.errors import InvalidRequest, PaperbrokerError
from paperbroker.sweep.plan import Task
from paperbroker.sweep.runner import RunContext, TaskResult, run_task

log = logging.getLogger(__name__)

#: This process's run contexts by token, and how many times each was received.
_CONTEXTS: dict[str, RunContext] = {}
_LOADS: dict[str, int] = {}
_LOCAL_PREFIX = "local"


class Executor:
    """Runs tasks against one shipped :class:`RunContext`. Use as a context manager."""

    #: How many tasks run at once.
    workers: int = 1

    def open(self, context: RunContext) -> None:
        """Ship ``context`` to the workers (once each)."""
        raise NotImplementedError

    def results(
        self, tasks: Sequence[Task], cancelled: threading.Event | None = None
    ) -> Iterator[TaskResult]:
        """Run ``tasks``; yield each result as it finishes. Once ``cancelled`` is set, no
        new task starts and the iteration ends."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the workers."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _load(token: str, context: RunContext) -> None:
    _CONTEXTS[token] = context
    _LOADS[token] = _LOADS.get(token, 0) + 1


def _run_local(token: str, task: Task) -> TaskResult:
    return run_task(_CONTEXTS[token], task, loads=_LOADS[token])


class LocalPool(Executor):
    """``workers`` processes on this machine; by default one worker is this process
    (``in_process=False``: a process of its own even then, as a server runs sweeps)."""

    def __init__(self, workers: int = 1, *, in_process: bool | None = None) -> None:
        if workers < 1:
            raise InvalidRequest(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self._in_process = workers == 1 if in_process is None else in_process
        self._pool: ProcessPoolExecutor | None = None
        self._token = ""

    def open(self, context: RunContext) -> None:
        self.close()
        self._token = f"{_LOCAL_PREFIX}:{uuid.uuid4().hex}"
        if self._in_process:
            _load(self._token, context)
            return
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=(self._token, context),
        )

    def results(
        self, tasks: Sequence[Task], cancelled: threading.Event | None = None
    ) -> Iterator[TaskResult]:
        if self._pool is None:
            for task in tasks:
                if cancelled is not None and cancelled.is_set():
                    return
                yield _run_local(self._token, task)
            return
        yield from _drain(self._pool, self.workers * 4, tasks, cancelled, self._token)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        _CONTEXTS.pop(self._token, None)
        _LOADS.pop(self._token, None)


def _drain(
    pool: ProcessPoolExecutor,
    window: int,
    tasks: Sequence[Task],
    cancelled: threading.Event | None,
    token: str,
) -> Iterator[TaskResult]:
    # A bounded window of submitted tasks: cancelling never waits for a long queue.
    pending: set[Future[TaskResult]] = set()
    queue = iter(tasks)
    try:
        while True:
            while len(pending) < window and not (cancelled is not None and cancelled.is_set()):
                task = next(queue, None)
                if task is None:
                    break
                pending.add(pool.submit(_run_local, token, task))
            if not pending:
                return
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        for future in pending:
            future.cancel()


class DaskExecutor(Executor):
    """A Dask cluster: ``address`` of its scheduler (``tcp://host:8786``), or a ``client``.

    Raises:
        InvalidRequest: when ``distributed`` is not installed (the ``dask`` extra),
            or the scheduler cannot be reached.
    """

    def __init__(self, address: str | None = None, *, client: Any = None) -> None:
        distributed = _distributed()
        self._own = client is None
        try:
            self._client = client if client is not None else distributed.Client(address, timeout=10)
        except (OSError, TimeoutError) as error:
            raise InvalidRequest(f"cannot reach the Dask scheduler at {address}: {error}") from None
        self.workers = max(1, sum(self._client.nthreads().values()))
        self._token = ""

    def open(self, context: RunContext) -> None:
        self._token = f"dask:{uuid.uuid4().hex}"
        from paperbroker.sweep.dask_plugin import ContextPlugin

        plugin = ContextPlugin(self._token, context)
        self._client.register_plugin(plugin, name=f"paperbroker-sweep-{self._token}")

    def results(
        self, tasks: Sequence[Task], cancelled: threading.Event | None = None
    ) -> Iterator[TaskResult]:
        distributed = _distributed()
        futures = [self._client.submit(run_dask, self._token, t, pure=False) for t in tasks]
        finished = distributed.as_completed(futures)
        try:
            for future in finished:
                if cancelled is not None and cancelled.is_set():
                    return
                result: TaskResult = future.result()
                yield result
        finally:
            self._client.cancel(futures)

    def close(self) -> None:
        if self._token:
            try:
                self._client.unregister_worker_plugin(f"paperbroker-sweep-{self._token}")
            except Exception:  # a cluster going away takes its plugins along
                log.debug("the sweep's worker plugin was not unregistered", exc_info=True)
            self._token = ""
        if self._own:
            self._client.close()


def run_dask(token: str, task: Task) -> TaskResult:
    """Run ``task`` on a Dask worker against the context its plugin loaded."""
    context = _CONTEXTS.get(token)
    if context is None:
        raise PaperbrokerError(f"this worker has no run context {token}")
    from distributed import get_worker

    return run_task(context, task, worker=get_worker().address, loads=_LOADS[token])


def load_context(token: str, context: RunContext) -> None:
    """Keep ``context`` in this process under ``token`` (a worker's initializer or plugin)."""
    _load(token, context)


def drop_context(token: str) -> None:
    """Forget the context of ``token`` in this process."""
    _CONTEXTS.pop(token, None)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise InvalidRequest(
            "a Dask cluster needs the distributed package: pip install 'paperbroker[dask]'"
        ) from None
    return distributed


def executor_for(workers: int, cluster: str | None) -> Executor:
    """A :class:`DaskExecutor` on ``cluster`` if given, else a :class:`LocalPool`.

    Raises:
        InvalidRequest: see the executors.
    """
    if cluster:
        return DaskExecutor(cluster)
    return LocalPool(min(workers, os.cpu_count() or 1) if workers > 1 else 1)
