"""The session journal: append-only, gapless event sequences.

Each session's events are numbered 1, 2, 3, … without gaps. :meth:`Journal.append`
writes a batch in one transaction and returns only after the commit, so an
event it acknowledged survives a crash of the process. A batch that does not
continue the sequence exactly (a gap, a repeat, a seq another writer took
first) is refused whole with :class:`~paperbroker.core.errors.Conflict`.

Payloads are JSON text from the caller's codec; the journal stores and returns
them byte for byte and never interprets them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

from sqlalchemy import Select, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paperbroker.core.errors import Conflict, InvalidRequest, NotFound
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import SessionEventRow, SessionRow


class EncodedEvent(NamedTuple):
    """One event as the journal stores it: sequence number, time, kind and JSON payload."""

    seq: int
    ts: int
    kind: str
    schema_version: int
    payload: str


class Journal:
    """Append and read the events of sessions.

    Args:
        session_factory: from :func:`paperbroker.store.db.session_factory`.
        now_ns: wall clock for the ``committed_at`` stamps.
    """

    def __init__(
        self, session_factory: SessionFactory, *, now_ns: Callable[[], int] = time.time_ns
    ) -> None:
        self._factory = session_factory
        self._now_ns = now_ns

    def append(self, session_id: str, events: Sequence[EncodedEvent]) -> int:
        """Commit ``events`` (seqs ``last+1, last+2, …``) atomically; return the last seq.

        An empty batch writes nothing and returns the current last seq.

        Raises:
            NotFound: if the session does not exist.
            Conflict: if the batch does not continue the session's sequence
                exactly; nothing of the batch is written then.
        """
        _check_batch(events)
        with self._factory.begin() as session:
            last = _last_seq_locked(session, session_id)
            if not events:
                return last
            if events[0].seq != last + 1:
                raise Conflict(
                    f"session {session_id}: next event must be seq {last + 1}, got {events[0].seq}"
                )
            committed_at = self._now_ns()
            rows = [
                {
                    "session_id": session_id,
                    "seq": event.seq,
                    "ts": event.ts,
                    "kind": event.kind,
                    "schema_version": event.schema_version,
                    "payload": event.payload,
                    "committed_at": committed_at,
                }
                for event in events
            ]
            try:
                session.execute(insert(SessionEventRow), rows)
                session.flush()
            except IntegrityError as exc:
                # Another writer committed the same seqs after our check.
                raise Conflict(
                    f"session {session_id}: seq {events[0].seq} was taken concurrently"
                ) from exc
        return events[-1].seq

    def read(self, session_id: str, after_seq: int = 0) -> list[EncodedEvent]:
        """The session's events with ``seq > after_seq``, in order.

        Raises:
            NotFound: if the session does not exist.
        """
        with read_session(self._factory) as session:
            _require_session(session, session_id)
            rows = session.execute(_events_after(session_id, after_seq)).all()
        return [EncodedEvent(*row) for row in rows]

    def page(self, session_id: str, after_seq: int, limit: int) -> list[EncodedEvent]:
        """At most ``limit`` of the session's events with ``seq > after_seq``, in order
        (none for a session that does not exist)."""
        with read_session(self._factory) as session:
            rows = session.execute(_events_after(session_id, after_seq).limit(limit)).all()
        return [EncodedEvent(*row) for row in rows]

    def last_seq(self, session_id: str) -> int:
        """The seq of the session's last event (``0`` before the first).

        Raises:
            NotFound: if the session does not exist.
        """
        with read_session(self._factory) as session:
            _require_session(session, session_id)
            return _max_seq(session, session_id)


def _check_batch(events: Sequence[EncodedEvent]) -> None:
    for index, event in enumerate(events):
        if event.seq < 1:
            raise InvalidRequest(f"event seq must be >= 1, got {event.seq}")
        if index and event.seq != events[index - 1].seq + 1:
            raise Conflict(
                f"event seqs in a batch must be consecutive: {events[index - 1].seq}"
                f" is followed by {event.seq}"
            )
        if not event.kind:
            raise InvalidRequest(f"event {event.seq} has no kind")
        if not isinstance(event.payload, str):
            raise InvalidRequest(f"event {event.seq} payload must be JSON text")


def _require_session(session: Session, session_id: str) -> None:
    found = session.execute(select(SessionRow.id).where(SessionRow.id == session_id)).first()
    if found is None:
        raise NotFound(f"session {session_id} not found")


def _last_seq_locked(session: Session, session_id: str) -> int:
    """Check the session exists and return its last seq, holding its row lock.

    On PostgreSQL ``FOR UPDATE`` makes writers of one session queue up (and
    keeps the session from being deleted under them); SQLite writers are
    already serialized by ``BEGIN IMMEDIATE``.
    """
    found = session.execute(
        select(SessionRow.id).where(SessionRow.id == session_id).with_for_update()
    ).first()
    if found is None:
        raise NotFound(f"session {session_id} not found")
    return _max_seq(session, session_id)


def _max_seq(session: Session, session_id: str) -> int:
    last = session.execute(
        select(func.max(SessionEventRow.seq)).where(SessionEventRow.session_id == session_id)
    ).scalar_one()
    return 0 if last is None else int(last)


def _events_after(session_id: str, after_seq: int) -> Select[int, int, str, int, str]:
    """The session's events with ``seq > after_seq``, in order, as journal rows."""
    return (
        select(
            SessionEventRow.seq,
            SessionEventRow.ts,
            SessionEventRow.kind,
            SessionEventRow.schema_version,
            SessionEventRow.payload,
        )
        .where(SessionEventRow.session_id == session_id, SessionEventRow.seq > after_seq)
        .order_by(SessionEventRow.seq)
    )
