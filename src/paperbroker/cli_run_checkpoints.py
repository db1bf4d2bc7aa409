"""The checkpoints ``paperbroker run`` writes of its session: one every
``--checkpoint-interval`` seconds, a final one when it stops, the old ones cleaned up.

They are the server's checkpoints (:class:`~paperbroker.session.state_manager.StateManager`,
docs/recovery.md): a restart, of ``run --resume`` or of a server, restores the
session from the newest and replays only the journal after it. A session
with nothing new since its last checkpoint gets none; one whose state cannot
be written exactly at that moment is skipped until the next interval (its
journal still holds everything).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from paperbroker.core.errors import PaperbrokerError
from paperbroker.core.snapshot import NotSnapshottable

if TYPE_CHECKING:
    from paperbroker.session.state_manager import StateManager
    from paperbroker.store.checkpoints import CheckpointInfo

log = logging.getLogger(__name__)

#: Every this many checkpoints the run prints a line (and cleans the old ones up).
NOTE_EVERY = 10


class RunCheckpoints:
    """The run's checkpoints of one session and what became of them."""

    def __init__(
        self,
        state: StateManager,
        session_id: str,
        *,
        interval: float,
        keep_count: int,
        clock: Callable[[], float],
    ) -> None:
        self._state = state
        self._session_id = session_id
        self.interval = interval
        self.keep_count = keep_count
        self._clock = clock
        self._next = clock() + interval
        #: The newest checkpoint of the session (written by this run or before it).
        self.last: CheckpointInfo | None = state.store.latest(session_id)
        self.created = 0
        self.cleaned = 0
        #: Why the last attempt wrote nothing although the session had news.
        self.refused: str | None = None

    def due(self) -> CheckpointInfo | None:
        """Write a checkpoint if the interval has passed; return it if one was written."""
        now = self._clock()
        if now < self._next:
            return None
        self._next = now + self.interval
        written = self.write("interval")
        if written is not None and self.created % NOTE_EVERY == 0:
            self.cleanup()
        return written

    def write(self, reason: str) -> CheckpointInfo | None:
        """Write one now (``interval`` or ``shutdown``); ``None`` if there was nothing new
        since the last or the state could not be written exactly now."""
        try:
            info = self._state.create(self._session_id, reason)
        except NotSnapshottable as exc:
            log.debug("session %s: no checkpoint now: %s", self._session_id, exc)
            self.refused = str(exc)
            return None
        except PaperbrokerError:
            log.exception("session %s: the checkpoint failed", self._session_id)
            return None
        self.refused = None
        if self.last is not None and info.id == self.last.id:
            return None
        self.last = info
        self.created += 1
        return info

    def summary(self) -> str:
        """What the run's checkpoints came to, for the summary."""
        if self.created == 0 and self.last is None and self.refused is not None:
            return f"none written: {self.refused} (it is restored by replaying its journal)"
        last = "-" if self.last is None else f"{self.last.seq} ({self.last.reason})"
        return (
            f"{self.created} created, the newest at seq {last}; {self.cleaned} old ones "
            f"cleaned up (keeping the newest {self.keep_count})"
        )

    def cleanup(self) -> None:
        """Delete all but the newest ``keep_count`` checkpoints of the session."""
        try:
            self.cleaned += self._state.cleanup(self._session_id, self.keep_count)
        except PaperbrokerError:
            log.exception("session %s: the checkpoints' cleanup failed", self._session_id)
