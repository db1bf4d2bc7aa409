"""Session checkpoints in the database: save, list, read for a restore, clean up.

A checkpoint row (``session_checkpoints``) holds a session's state at one
journal seq as zlib-compressed JSON with the SHA-256 digest of the JSON
(:mod:`paperbroker.session.checkpoint` writes and verifies them); ``size``
is the stored (compressed) payload's size in bytes. There is at most one
checkpoint per session and seq. How each session's last restore went is
kept in memory, by this repository, for the process that did it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from paperbroker.core.crashpoints import crash_point
from paperbroker.core.errors import InvalidRequest
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import CheckpointRow

_NS_PER_HOUR = 3_600_000_000_000
#: How many checkpoints a session keeps by default when it is cleaned up.
DEFAULT_KEEP = 100
#: Why a checkpoint was written.
REASONS = ("interval", "shutdown", "manual")


class StoredCheckpoint(NamedTuple):
    """A checkpoint as stored: its seq, document version, digest and compressed payload."""

    seq: int
    schema_version: int
    digest: str
    payload: bytes


@dataclass(frozen=True)
class RestoreReport:
    """How a session came back: from which checkpoint (``None``: full replay), how
    many newer ones were skipped, how many journal events were replayed and how long
    it took (wall seconds)."""

    checkpoint_seq: int | None
    skipped: int
    replayed: int
    seconds: float
    at_ns: int


@dataclass(frozen=True)
class CheckpointInfo:
    """A stored checkpoint without its payload."""

    id: int
    seq: int
    created_at: int
    reason: str
    schema_version: int
    size: int
    digest: str


@dataclass(frozen=True)
class CheckpointStats:
    """A session's checkpoints in sum, and how its last restore in this process went."""

    count: int
    latest_seq: int | None
    latest_at: int | None
    total_size: int
    last_restore: RestoreReport | None


class CheckpointStore:
    """The ``session_checkpoints`` table.

    Args:
        session_factory: from :func:`paperbroker.store.db.session_factory`.
        now_ns: wall clock for the ``created_at`` stamps and the age of a cleanup.
    """

    def __init__(
        self, session_factory: SessionFactory, *, now_ns: Callable[[], int] = time.time_ns
    ) -> None:
        self._factory = session_factory
        self._now_ns = now_ns
        self._restores: dict[str, RestoreReport] = {}
        self._lock = threading.Lock()

    def save(
        self,
        session_id: str,
        seq: int,
        payload: bytes,
        digest: str,
        *,
        reason: str,
        schema_version: int,
    ) -> CheckpointInfo:
        """Store a checkpoint at ``seq``; one already stored at that seq is returned instead.

        Raises:
            InvalidRequest: for a reason that is not ``interval``, ``shutdown`` or ``manual``.
        """
        if reason not in REASONS:
            raise InvalidRequest(f"reason must be one of {', '.join(REASONS)}, got {reason!r}")
        existing = self._at(session_id, seq)
        if existing is not None:
            return existing
        row = CheckpointRow(
            session_id=session_id, seq=seq, created_at=self._now_ns(), reason=reason,
            schema_version=schema_version, size=len(payload), digest=digest, payload=payload,
        )  # fmt: skip
        try:
            with self._factory.begin() as session:
                session.add(row)
                session.flush()
                crash_point("mid-checkpoint-write")  # written, not committed
                return _info(row)
        except IntegrityError:
            found = self._at(session_id, seq)  # another writer stored that seq first
            if found is None:
                raise
            return found

    def list(self, session_id: str) -> list[CheckpointInfo]:
        """The session's checkpoints, newest (highest seq) first."""
        with read_session(self._factory) as session:
            rows = session.execute(
                select(*_INFO_COLUMNS)
                .where(CheckpointRow.session_id == session_id)
                .order_by(CheckpointRow.seq.desc())
            ).all()
        return [CheckpointInfo(*row) for row in rows]

    def latest(self, session_id: str) -> CheckpointInfo | None:
        """The session's newest checkpoint, if any."""
        with read_session(self._factory) as session:
            row = session.execute(
                select(*_INFO_COLUMNS)
                .where(CheckpointRow.session_id == session_id)
                .order_by(CheckpointRow.seq.desc())
                .limit(1)
            ).first()
        return None if row is None else CheckpointInfo(*row)

    def candidates(self, session_id: str) -> Iterator[StoredCheckpoint]:
        """The session's checkpoints with their payloads, newest first, each read when
        the one before it was refused."""
        for info in self.list(session_id):
            with read_session(self._factory) as session:
                payload = session.execute(
                    select(CheckpointRow.payload).where(CheckpointRow.id == info.id)
                ).scalar_one_or_none()
            if payload is not None:
                yield StoredCheckpoint(info.seq, info.schema_version, info.digest, bytes(payload))

    def record_restore(self, session_id: str, report: RestoreReport) -> None:
        """Remember how the session's last restore went (in this process)."""
        with self._lock:
            self._restores[session_id] = report

    def last_restore(self, session_id: str) -> RestoreReport | None:
        with self._lock:
            return self._restores.get(session_id)

    def stats(self, session_id: str) -> CheckpointStats:
        """How many checkpoints the session has, its newest, their total size, and how
        its last restore in this process went."""
        with read_session(self._factory) as session:
            count, total = session.execute(
                select(func.count(CheckpointRow.id), func.coalesce(func.sum(CheckpointRow.size), 0))
                .where(CheckpointRow.session_id == session_id)
            ).one()  # fmt: skip
        latest = self.latest(session_id)
        return CheckpointStats(
            int(count),
            None if latest is None else latest.seq,
            None if latest is None else latest.created_at,
            int(total),
            self.last_restore(session_id),
        )

    def cleanup(
        self, session_id: str, keep_count: int = DEFAULT_KEEP, older_than_hours: float | None = None
    ) -> int:
        """Delete the session's checkpoints beyond the newest ``keep_count``, and (with
        ``older_than_hours``) those written longer ago than that, always keeping the
        newest one; return how many were deleted.

        Raises:
            InvalidRequest: for a ``keep_count`` below 1 or a negative age.
        """
        if keep_count < 1:
            raise InvalidRequest(f"keep_count must be at least 1, got {keep_count}")
        if older_than_hours is not None and not older_than_hours >= 0:
            raise InvalidRequest(f"older_than_hours must be at least 0, got {older_than_hours}")
        infos = self.list(session_id)
        doomed = {info.id for info in infos[keep_count:]}
        if older_than_hours is not None:
            cutoff = self._now_ns() - int(older_than_hours * _NS_PER_HOUR)
            doomed |= {info.id for info in infos[1:] if info.created_at < cutoff}
        if not doomed:
            return 0
        with self._factory.begin() as session:
            session.execute(delete(CheckpointRow).where(CheckpointRow.id.in_(sorted(doomed))))
        return len(doomed)

    def _at(self, session_id: str, seq: int) -> CheckpointInfo | None:
        with read_session(self._factory) as session:
            row = session.execute(
                select(*_INFO_COLUMNS).where(
                    CheckpointRow.session_id == session_id, CheckpointRow.seq == seq
                )
            ).first()
        return None if row is None else CheckpointInfo(*row)


_INFO_COLUMNS = (
    CheckpointRow.id,
    CheckpointRow.seq,
    CheckpointRow.created_at,
    CheckpointRow.reason,
    CheckpointRow.schema_version,
    CheckpointRow.size,
    CheckpointRow.digest,
)


def _info(row: CheckpointRow) -> CheckpointInfo:
    return CheckpointInfo(
        row.id, row.seq, row.created_at, row.reason, row.schema_version, row.size, row.digest
    )
