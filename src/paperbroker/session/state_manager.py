"""The checkpoints of sessions as one Python API: write one now, restore from the latest,
read the figures, clean up.

:class:`StateManager` is what the session service, the HTTP API and the
command line use; it writes through the store's
:class:`~paperbroker.store.checkpoints.CheckpointStore` and finds a
session's runtime through the two functions it is given (the service's
own: the running session, and the session restored anew). See
docs/recovery.md for a walk-through.
"""

from __future__ import annotations

from collections.abc import Callable

from paperbroker.session.checkpoint import SCHEMA_VERSION, document_of, encode
from paperbroker.session.runtime import SessionRuntime
from paperbroker.store.checkpoints import (
    DEFAULT_KEEP,
    CheckpointInfo,
    CheckpointStats,
    CheckpointStore,
)


class StateManager:
    """Checkpoints of the sessions a host (the session service) runs.

    Args:
        store: where checkpoints are kept.
        runtime_of: the running session of an id (loading it if needs be).
        restore_of: the session of an id rebuilt anew from its latest usable
            checkpoint and journal (and put in place of the running one).
    """

    def __init__(
        self,
        store: CheckpointStore,
        *,
        runtime_of: Callable[[str], SessionRuntime],
        restore_of: Callable[[str], SessionRuntime],
    ) -> None:
        self.store = store
        self._runtime_of = runtime_of
        self._restore_of = restore_of

    def create(self, session_id: str, reason: str = "manual") -> CheckpointInfo:
        """Write a checkpoint of the session as of its last committed event; one already
        written at that seq is returned instead (nothing new, nothing written).

        Raises:
            NotSnapshottable: if the session's state cannot be written exactly yet
                (it is then restored by replaying its journal).
            NotFound: for a session that does not exist.
            InvalidRequest: for a reason other than ``interval``, ``shutdown``, ``manual``.
        """
        runtime = self._runtime_of(session_id)
        latest = self.store.latest(session_id)
        if latest is not None and latest.seq == runtime.last_seq:
            return latest
        document = document_of(runtime)
        payload, digest = encode(document)
        return self.store.save(
            session_id, int(document["seq"]), payload, digest,
            reason=reason, schema_version=SCHEMA_VERSION,
        )  # fmt: skip

    def restore_latest(self, session_id: str) -> SessionRuntime:
        """Rebuild the session from its latest usable checkpoint and the journal after it
        (or its whole journal when none serves); :meth:`stats` then says how it went.

        Raises:
            NotFound: for a session that does not exist.
            OperationalError: if the journal does not replay.
        """
        return self._restore_of(session_id)

    def stats(self, session_id: str) -> CheckpointStats:
        """How many checkpoints the session has, its latest seq and time, their total
        size, and its last restore in this process (from which seq, how long)."""
        return self.store.stats(session_id)

    def list(self, session_id: str) -> list[CheckpointInfo]:
        """The session's checkpoints, newest first."""
        return self.store.list(session_id)

    def cleanup(
        self, session_id: str, keep_count: int = DEFAULT_KEEP, older_than_hours: float | None = None
    ) -> int:
        """Delete the checkpoints beyond the newest ``keep_count`` and (with
        ``older_than_hours``) those older than that, keeping the newest; return how many.

        Raises:
            InvalidRequest: for a ``keep_count`` below 1 or a negative age.
        """
        return self.store.cleanup(session_id, keep_count, older_than_hours)
