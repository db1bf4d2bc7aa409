"""The database reads of system control and health: counts over the journal, the system
stream's last stops, and a round trip.

Each read is one indexed query: journal counts walk ``committed_at`` (the
wall time an event became durable) from a floor, joined to ``sessions`` for
one owner's; the system stream's reads walk one owner's ``(owner, seq)``
from its end.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import SessionEventRow, SessionRow, SystemEventRow

log = logging.getLogger(__name__)

#: The kinds system control records in an owner's system stream.
SYSTEM_STOPPED: Final = "SystemStopped"
SYSTEM_STARTED: Final = "SystemStarted"
#: A session's move into ``error`` as the journal's compact JSON writes it.
_INTO_ERROR: Final = '"state":"error"'


def fills_since(factory: SessionFactory, since_ns: int, owner: str | None) -> int:
    """``OrderFilled`` events committed at or after ``since_ns`` (wall time), in ``owner``'s
    sessions (``None``: everyone's)."""
    return _journal_count(factory, since_ns, owner, SessionEventRow.kind == "OrderFilled")


def failures_since(factory: SessionFactory, since_ns: int, owner: str | None) -> int:
    """Sessions' moves into ``error`` committed at or after ``since_ns``, as above."""
    event = SessionEventRow
    into_error = (event.kind == "SessionStateChanged") & event.payload.contains(_INTO_ERROR)
    return _journal_count(factory, since_ns, owner, into_error)


def _journal_count(factory: SessionFactory, since_ns: int, owner: str | None, where: Any) -> int:
    event = SessionEventRow
    stmt = select(func.count()).select_from(event).where(event.committed_at >= since_ns, where)
    if owner is not None:
        stmt = stmt.join(SessionRow, SessionRow.id == event.session_id).where(
            SessionRow.owner_key_id == owner
        )
    with read_session(factory) as session:
        return int(session.execute(stmt).scalar_one())


def stops_since_start(factory: SessionFactory, owner: str) -> list[dict[str, Any]]:
    """The payloads of ``owner``'s ``SystemStopped`` events after its last ``SystemStarted``
    (all of them if it never started), oldest first."""
    event = SystemEventRow
    mine = event.owner_key_id == owner
    with read_session(factory) as session:
        started = session.execute(
            select(func.max(event.seq)).where(mine, event.kind == SYSTEM_STARTED)
        ).scalar_one()
        rows = session.scalars(
            select(event.payload)
            .where(mine, event.kind == SYSTEM_STOPPED, event.seq > (started or 0))
            .order_by(event.seq)
        ).all()
    return [json.loads(row) for row in rows]


@dataclass(frozen=True)
class RoundTrip:
    """A ``SELECT 1``: how long it took, or why it failed."""

    latency_ms: float | None
    error: str | None = None


def round_trip(factory: SessionFactory) -> RoundTrip:
    """Time a ``SELECT 1`` through the application's session factory (a pooled connection,
    as every request uses)."""
    started = time.perf_counter()
    try:
        with read_session(factory) as session:
            session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError as error:
        # The driver's message may name hosts and users: the log has it, the answer not.
        log.warning("the database round trip failed", exc_info=error)
        return RoundTrip(None, f"the database did not answer ({type(error).__name__})")
    return RoundTrip((time.perf_counter() - started) * 1000.0)
