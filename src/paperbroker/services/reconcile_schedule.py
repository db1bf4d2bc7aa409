"""When a live session is reconciled by itself: at the start of its broker link, after
every reconnection, and every ``broker.reconcile.interval_seconds``.

A :class:`SessionReconciler` runs beside a session's
:class:`~paperbroker.session.broker_link.BrokerLink`, on a daemon thread of
its own, through the link's adapter: the link calls :meth:`SessionReconciler.connected`
once its stream (re)connects and has caught up, and the reconciler runs a
``start`` run (the first one) or a ``reconnect`` run; between them it runs an
``interval`` run whenever the interval passes without one. An interval run is
skipped while a halted run awaits approval (the session is paused; its
operator decides), never a start or reconnect run. A run that fails (the
broker is down) is logged; the next one tries again.

:func:`with_reconciliation` puts a reconciler beside a link: the pair starts
and stops as one.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Protocol

from paperbroker.core.errors import PaperbrokerError
from paperbroker.services.reconcile import ReconcileService, interval_of
from paperbroker.services.reconcile_broker import BrokerWindow
from paperbroker.session.broker_link import BrokerLink

if TYPE_CHECKING:
    from paperbroker.broker.adapter import BrokerAdapter
    from paperbroker.services.sessions import SessionService
    from paperbroker.session.runtime import SessionRuntime

log = logging.getLogger(__name__)


class Link(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


class SessionReconciler:
    """One live session's scheduled reconciliations (see the module doc).

    ``interval_seconds`` defaults to the session's ``broker.reconcile.interval_seconds``.
    """

    def __init__(
        self,
        service: ReconcileService,
        runtime: SessionRuntime,
        adapter: BrokerAdapter,
        *,
        owner: str | None = None,
        interval_seconds: float | None = None,
    ) -> None:
        self.service = service
        self.runtime = runtime
        self.adapter = adapter
        self.owner = owner
        self.interval = interval_seconds or interval_of(runtime.spec.broker)
        self.window = BrokerWindow()
        #: Runs so far, by trigger, and interval runs skipped (for those who watch it work).
        self.runs: dict[str, int] = {}
        self.skipped = 0
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._done = threading.Condition()

    def start(self) -> None:
        """Run in the background until :meth:`stop`."""
        if self._thread is not None:
            return
        self._stop.clear()
        name = f"reconcile-{self.runtime.spec.session_id[:8]}"
        thread = threading.Thread(target=self._loop, name=name, daemon=True)
        thread.start()  # before it is shared: stop never joins a thread not yet started
        self._thread = thread

    def stop(self, timeout: float = 10.0) -> None:
        """Stop and wait for a run under way to end."""
        self._stop.set()
        self._connected.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def connected(self) -> None:
        """The link's stream (re)connected and caught up: reconcile now (never blocks)."""
        self._connected.set()

    def wait_for(self, trigger: str, count: int = 1, timeout: float = 10.0) -> bool:
        """Wait until ``count`` runs of ``trigger`` were done (``skipped``: interval runs
        skipped); whether they were."""

        def done() -> bool:
            seen = self.skipped if trigger == "skipped" else self.runs.get(trigger, 0)
            return seen >= count

        with self._done:
            return self._done.wait_for(done, timeout)

    def _loop(self) -> None:
        started = False
        while not self._stop.is_set():
            woke = self._connected.wait(self.interval)
            if self._stop.is_set():
                return
            self._connected.clear()
            trigger = "reconnect" if started and woke else "interval" if started else "start"
            started = True
            if trigger == "interval" and self._awaiting_approval():
                with self._done:
                    self.skipped += 1
                    self._done.notify_all()
                continue
            try:
                self.service.reconcile(
                    self.runtime, self.adapter, trigger, owner=self.owner, window=self.window
                )
            except PaperbrokerError as error:
                log.warning("session %s: a %s reconciliation failed: %s",
                            self.runtime.spec.session_id, trigger, error)  # fmt: skip
            except Exception:
                log.exception("session %s: a %s reconciliation failed",
                              self.runtime.spec.session_id, trigger)  # fmt: skip
            with self._done:
                self.runs[trigger] = self.runs.get(trigger, 0) + 1
                self._done.notify_all()

    def _awaiting_approval(self) -> bool:
        try:
            return self.service.runs.pending(self.runtime.spec.session_id) is not None
        except PaperbrokerError:
            return False


class ReconciledLink:
    """A broker link and its session's reconciler, started and stopped together."""

    def __init__(self, link: Link, reconciler: SessionReconciler) -> None:
        self.link = link
        self.reconciler = reconciler
        if isinstance(link, BrokerLink):  # it calls its hook after each catch-up
            link.on_connect = reconciler.connected

    def start(self) -> None:
        self.reconciler.start()
        self.link.start()

    def stop(self) -> None:
        self.link.stop()
        self.reconciler.stop()


def with_reconciliation(
    sessions: SessionService,
    owner: str,
    runtime: SessionRuntime,
    adapter: BrokerAdapter,
    link: Link,
) -> ReconciledLink:
    """``link`` with a reconciler of ``runtime`` beside it (see the module doc)."""
    reconciler = SessionReconciler(ReconcileService(sessions), runtime, adapter, owner=owner)
    return ReconciledLink(link, reconciler)


__all__ = ["ReconciledLink", "SessionReconciler", "with_reconciliation"]
