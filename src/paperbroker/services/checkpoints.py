"""When sessions' checkpoints are written, and the checkpoint use cases of a key.

:class:`Checkpointer` is the service's one background thread that writes a
checkpoint of every running paper (and live) session each
``checkpoint_interval_seconds`` of wall time (the session's own setting,
else the server's; default 30). A session with nothing new since its last
checkpoint gets none. Backtests are checkpointed on demand and when the
server shuts down: their journal holds commands only (their bars come from
the data), so their replay is short.

:class:`CheckpointUseCases` is what the API and the command line call: a
key's view of its sessions' checkpoints (an admin key's of every session).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paperbroker.core.snapshot import NotSnapshottable
from paperbroker.session.runtime import SessionRuntime
from paperbroker.session.state_manager import StateManager
from paperbroker.store.checkpoints import CheckpointInfo, CheckpointStats, CheckpointStore
from paperbroker.store.db import SessionFactory

if TYPE_CHECKING:
    from paperbroker.services.loaded import LoadedSession

log = logging.getLogger(__name__)

#: How often sessions are checkpointed when neither they nor the server say (seconds).
DEFAULT_INTERVAL_SECONDS = 30.0
#: The session config's field for its own interval.
INTERVAL_FIELD = "checkpoint_interval_seconds"
#: Session kinds checkpointed as they run (a backtest's journal is short to replay).
_TIMED_KINDS = frozenset({"paper", "live"})


def interval_of(config_json: str, default: float) -> float:
    """A session's checkpoint interval: its config's ``checkpoint_interval_seconds``, else
    ``default``."""
    try:
        value = json.loads(config_json).get(INTERVAL_FIELD)
    except (ValueError, AttributeError):
        return default
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return default


@dataclass
class _Due:
    interval: float
    last: float


class Checkpointer:
    """Writes a checkpoint of each running paper or live session every interval.

    Args:
        state: the state manager that writes them.
        sessions: the running sessions now, as ``(id, kind, config JSON, runtime)``.
        interval: the server's interval in seconds (``None`` or 0: no timed checkpoints).
        clock: monotonic seconds (the wall time between checkpoints).
    """

    def __init__(
        self,
        state: StateManager,
        sessions: Callable[[], Iterable[tuple[str, str, str, SessionRuntime]]],
        interval: float | None = DEFAULT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._state = state
        self._sessions = sessions
        self.interval = interval or 0.0
        self._clock = clock
        self._due: dict[str, _Due] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Run in the background (once; nothing with no interval)."""
        with self._lock:
            if self._thread is not None or not self.interval:
                return
            thread = threading.Thread(target=self._run, name="checkpointer", daemon=True)
            thread.start()  # before it is shared: stop never joins a thread not yet started
            self._thread = thread

    def stop(self) -> None:
        """Stop the background thread (a checkpoint under way is finished)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)

    def tick(self) -> list[CheckpointInfo]:
        """Write the checkpoints that are due now; return them."""
        now = self._clock()
        written = []
        for session_id, kind, config, runtime in self._sessions():
            if kind not in _TIMED_KINDS or runtime.ended:
                continue
            due = self._due.get(session_id)
            if due is None:
                due = self._due[session_id] = _Due(interval_of(config, self.interval), now)
            if now - due.last < due.interval:
                continue
            due.last = now
            info = self._write(session_id, runtime, "interval")
            if info is not None:
                written.append(info)
        return written

    def write_all(
        self, sessions: Iterable[tuple[str, str, str, SessionRuntime]], reason: str
    ) -> None:
        """Write a checkpoint of each of ``sessions`` (at shutdown) that has news."""
        for session_id, _kind, _config, runtime in sessions:
            self._write(session_id, runtime, reason)

    def _write(
        self, session_id: str, runtime: SessionRuntime, reason: str
    ) -> CheckpointInfo | None:
        if runtime.poisoned or runtime.diverged is not None or not runtime.last_seq:
            return None
        latest = self._state.store.latest(session_id)
        if latest is not None and latest.seq >= runtime.last_seq:
            return None  # nothing new since
        try:
            return self._state.create(session_id, reason)
        except NotSnapshottable as exc:
            log.debug("session %s: no checkpoint: %s", session_id, exc)
        except Exception:  # a checkpoint is an optimisation: its failure stops nothing
            log.exception("session %s: the checkpoint failed", session_id)
        return None

    def _run(self) -> None:
        # Often enough for a session whose own interval is shorter than the server's.
        step = min(max(self.interval / 10, 0.05), 0.25)
        while not self._stop.wait(step):
            try:
                self.tick()
            except Exception:  # the thread must outlive one bad round
                log.exception("checkpoints: a round failed")


class CheckpointUseCases:
    """A key's use of its sessions' checkpoints (an admin key's: every session's).

    ``owner_of(session_id)`` names a session's owner (NotFound for none),
    ``check(owner, session_id)`` raises NotFound unless ``owner`` owns it.
    """

    def __init__(
        self,
        state: StateManager,
        check: Callable[[str, str], object],
        owner_of: Callable[[str], str],
    ) -> None:
        self._state = state
        self._check = check
        self._owner_of = owner_of

    def _allow(self, owner: str, session_id: str, admin: bool) -> None:
        self._check(self._owner_of(session_id) if admin else owner, session_id)

    def list(
        self, owner: str, session_id: str, *, admin: bool = False
    ) -> tuple[list[CheckpointInfo], CheckpointStats]:
        """The session's checkpoints (newest first) and their figures.

        Raises:
            NotFound: for a session the key may not see.
        """
        self._allow(owner, session_id, admin)
        return self._state.list(session_id), self._state.stats(session_id)

    def create(self, owner: str, session_id: str, *, admin: bool = False) -> CheckpointInfo:
        """Write a checkpoint of the session now (``manual``).

        Raises:
            NotFound: for a session the key may not see.
            NotSnapshottable: if its state cannot be written yet.
        """
        self._allow(owner, session_id, admin)
        return self._state.create(session_id, "manual")

    def cleanup(
        self,
        owner: str,
        session_id: str,
        keep_count: int,
        older_than_hours: float | None,
        *,
        admin: bool = False,
    ) -> int:
        """Delete the session's older checkpoints; return how many.

        Raises:
            NotFound: for a session the key may not see.
            InvalidRequest: for a ``keep_count`` below 1 or a negative age.
        """
        self._allow(owner, session_id, admin)
        return self._state.cleanup(session_id, keep_count, older_than_hours)


class SessionCheckpoints:
    """The checkpoints of a :class:`~paperbroker.services.sessions.SessionService`'s
    sessions: its :class:`StateManager` (``state``), timed writer (``checkpointer``) and
    a key's use cases (``checkpoint_cases``)."""

    _lock: threading.Lock
    _live: dict[str, LoadedSession]
    drive: bool
    checkpoints: CheckpointStore
    state: StateManager
    checkpointer: Checkpointer
    checkpoint_cases: CheckpointUseCases
    _checkpoint_at_shutdown = True

    # Provided by the session service.
    def runtime(self, owner: str, session_id: str) -> SessionRuntime:
        raise NotImplementedError

    def owner_of(self, session_id: str) -> str:
        raise NotImplementedError

    def _init_checkpoints(
        self, factory: SessionFactory, interval: float | None, at_shutdown: bool
    ) -> None:
        self._checkpoint_at_shutdown = at_shutdown
        self.checkpoints = CheckpointStore(factory)
        self.state = StateManager(
            self.checkpoints, runtime_of=lambda i: self.runtime(self.owner_of(i), i),
            restore_of=self._reload,
        )  # fmt: skip
        self.checkpointer = Checkpointer(self.state, self._running, interval)
        self.checkpoint_cases = CheckpointUseCases(self.state, self.runtime, self.owner_of)
        if self.drive:
            self.checkpointer.start()

    def _checkpoint_all(self, reason: str) -> None:
        """Stop the timed checkpoints; write one of every session with news (a process
        that drives sessions only: a command-line tool leaves them to the server)."""
        self.checkpointer.stop()
        if self.drive and self._checkpoint_at_shutdown:
            self.checkpointer.write_all(self._running(), reason)

    def _running(self) -> list[tuple[str, str, str, SessionRuntime]]:
        """The sessions in memory: id, kind, config and runtime."""
        with self._lock:
            lives = list(self._live.values())
        return [(v.record.id, v.record.kind, v.record.config, v.runtime) for v in lives]

    def _reload(self, session_id: str) -> SessionRuntime:
        """The session restored anew (from its latest usable checkpoint), in place of the
        one in memory, whose loops stop."""
        owner = self.owner_of(session_id)
        with self._lock:
            live = self._live.get(session_id)
        if live is not None:
            live.runtime.poisoned = True  # rebuilt by the next use, as after a failed write
        return self.runtime(owner, session_id)
