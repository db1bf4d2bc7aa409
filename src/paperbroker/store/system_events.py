"""The ``system`` streams, and the reads the event stream and the activity feed make.

Each owner key has an append-only stream of *system events*: what happened
to it outside any one session's journal (a session created or deleted, a
system started or stopped, the server restarted). Its events are numbered
1, 2, 3, … per owner without gaps, like a session's journal; ``ts`` is wall
time. :meth:`SystemEvents.append` allocates the next seq safely under
concurrent writers: SQLite writers are serialized by ``BEGIN IMMEDIATE``,
PostgreSQL writers of one owner by a transaction-scoped advisory lock, and
the unique ``(owner_key_id, seq)`` constraint refuses a duplicate whatever
happens (the append is then retried).

The *severity* of an event (``info``, ``warning``, ``error``) is a rule over
its kind, kept here as data so that SQL (the activity feed filters by it)
and Python (the live stream labels with it) apply the very same rule:

1. a ``SessionStateChanged`` into a state of :data:`STATE_SEVERITY` has that
   severity (``killed`` and ``error`` are errors);
2. a kind ending in one of :data:`ERROR_SUFFIXES` is an error (a
   ``BreakerTripped``: a circuit breaker halted the session's entries);
3. a kind ending in one of :data:`WARNING_SUFFIXES` is a warning (an
   ``OrderRejected`` or ``OrderDenied``: refusals by the venue and by the
   risk layer alike);
4. everything else is ``info``.

A system event's severity is stored with it: given by its writer, or by the
same rule. Kinds in :data:`QUIET_KINDS` (the clock moving, bars arriving, a
sweep's progress) are stored but are not activity.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from collections.abc import Callable, Mapping
from typing import Final, NamedTuple

from sqlalchemy import ColumnElement, Row, and_, case, func, insert, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from paperbroker.core.errors import InvalidRequest, OperationalError
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import SessionEventRow, SessionRow, SystemEventRow

#: The severities, least severe first; a filter means "this level and above".
SEVERITIES: Final = ("info", "warning", "error")
#: Kinds of journal events that say how a session moved into a state.
STATE_CHANGE_KIND: Final = "SessionStateChanged"
#: Rule 1: the severity of moving into these states.
STATE_SEVERITY: Final[Mapping[str, str]] = {"killed": "error", "error": "error"}
#: Rule 2: kinds ending so are errors.
ERROR_SUFFIXES: Final = ("Failed", "Error", "Killed", "Tripped")
#: Rule 3: kinds ending so are warnings.
WARNING_SUFFIXES: Final = ("Rejected", "Denied")
#: Journaled kinds that are not activity: the clock moving and market data arriving.
QUIET_KINDS: Final = frozenset({"AdvanceRequested", "BarReceived", "SweepProgress"})
#: What a system event's kind looks like: past tense in CamelCase, like ``SessionCreated``.
KIND_PATTERN: Final = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")
#: The largest payload a system event may carry.
MAX_PAYLOAD_CHARS: Final = 16 * 1024
_APPEND_ATTEMPTS: Final = 5
#: First half of the PostgreSQL advisory lock key of system appends ("pbsy").
_PG_LOCK_NAMESPACE: Final = int.from_bytes(b"pbsy", "big") - 2**31


def severity_of(kind: str, state: object = None) -> str:
    """The severity of a journal event of ``kind`` (``state``: a state change's new state)."""
    if kind == STATE_CHANGE_KIND and isinstance(state, str) and state in STATE_SEVERITY:
        return STATE_SEVERITY[state]
    if kind.endswith(ERROR_SUFFIXES):
        return "error"
    if kind.endswith(WARNING_SUFFIXES):
        return "warning"
    return "info"


def severity_rank(severity: str) -> int:
    """``info`` 0, ``warning`` 1, ``error`` 2.

    Raises:
        InvalidRequest: for any other name.
    """
    if severity not in SEVERITIES:
        raise InvalidRequest(f"severity {severity[:32]!r} is not one of {', '.join(SEVERITIES)}")
    return SEVERITIES.index(severity)


def _journal_rank(
    kind: ColumnElement[str] | InstrumentedAttribute[str],
    payload: ColumnElement[str] | InstrumentedAttribute[str],
) -> ColumnElement[int]:
    """:func:`severity_of` as SQL over journal rows, as a rank.

    The state is found in the payload's text: the codec writes compact JSON
    (``"state":"killed"``), and a quote inside a string value is escaped, so
    nothing else in a payload matches.
    """
    whens: list[tuple[ColumnElement[bool], int]] = [
        (
            and_(kind == STATE_CHANGE_KIND, payload.contains(f'"state":"{state}"')),
            severity_rank(level),
        )
        for state, level in STATE_SEVERITY.items()
    ]
    whens += [(kind.endswith(suffix), severity_rank("error")) for suffix in ERROR_SUFFIXES]
    whens += [(kind.endswith(suffix), severity_rank("warning")) for suffix in WARNING_SUFFIXES]
    return case(*whens, else_=0)


def _system_rank(
    severity: ColumnElement[str] | InstrumentedAttribute[str],
) -> ColumnElement[int]:
    return case({name: rank for rank, name in enumerate(SEVERITIES)}, value=severity, else_=0)


class SystemEvent(NamedTuple):
    """One event of an owner's ``system`` stream; ``payload`` is JSON text."""

    owner_key_id: str
    seq: int
    ts: int
    kind: str
    severity: str
    session_id: str | None
    payload: str


class SystemEvents:
    """Append to and read the owners' ``system`` streams.

    Args:
        session_factory: from :func:`paperbroker.store.db.session_factory`.
        now_ns: wall clock for the events' ``ts``.
    """

    def __init__(
        self, session_factory: SessionFactory, *, now_ns: Callable[[], int] = time.time_ns
    ) -> None:
        self._factory = session_factory
        self._now_ns = now_ns

    def append(
        self,
        owner_key_id: str,
        kind: str,
        payload: Mapping[str, object],
        *,
        severity: str | None = None,
        session_id: str | None = None,
    ) -> SystemEvent:
        """Commit one event as the owner's next seq and return it as stored.

        ``payload`` becomes JSON; decimals and other non-JSON values are written
        as strings. ``severity`` defaults to the rule of the module doc.

        Raises:
            InvalidRequest: for a kind that is not CamelCase, an unknown
                severity, or a payload that is not JSON or is too large.
            OperationalError: if no seq could be allocated after several attempts.
        """
        if not KIND_PATTERN.fullmatch(kind):
            raise InvalidRequest(f"system event kind {kind[:64]!r} is not CamelCase")
        level = severity_of(kind) if severity is None else severity
        severity_rank(level)
        try:
            text_payload = json.dumps(
                dict(payload), sort_keys=True, separators=(",", ":"), default=str
            )
        except (TypeError, ValueError) as error:
            raise InvalidRequest(f"system event payload is not JSON: {error}") from None
        if len(text_payload) > MAX_PAYLOAD_CHARS:
            raise InvalidRequest(f"system event payload is over {MAX_PAYLOAD_CHARS} characters")
        for _attempt in range(_APPEND_ATTEMPTS):
            try:
                with self._factory.begin() as session:
                    _lock_owner(session, owner_key_id)
                    seq = _last_seq(session, owner_key_id) + 1
                    event = SystemEvent(
                        owner_key_id, seq, self._now_ns(), kind, level, session_id, text_payload
                    )
                    session.execute(insert(SystemEventRow), [_row(event)])
                return event
            except IntegrityError:
                continue  # another writer took the seq first: take the next one
        raise OperationalError(
            f"no system event seq for {owner_key_id} after {_APPEND_ATTEMPTS} tries"
        )

    def read(self, owner_key_id: str, after_seq: int = 0, limit: int = 1000) -> list[SystemEvent]:
        """The owner's events with ``seq > after_seq``, in order, at most ``limit``."""
        with read_session(self._factory) as session:
            rows = session.execute(
                select(*_COLUMNS)
                .where(SystemEventRow.owner_key_id == owner_key_id, SystemEventRow.seq > after_seq)
                .order_by(SystemEventRow.seq)
                .limit(limit)
            ).all()
        return [SystemEvent(*row) for row in rows]

    def read_kind(
        self,
        owner_key_id: str,
        kind: str,
        *,
        session_id: str | None = None,
        before_seq: int | None = None,
        limit: int = 100,
    ) -> list[SystemEvent]:
        """The owner's events of ``kind`` (about ``session_id``, if given), newest first:
        at most ``limit`` with ``seq < before_seq`` (``None``: from the newest)."""
        query = select(*_COLUMNS).where(
            SystemEventRow.owner_key_id == owner_key_id, SystemEventRow.kind == kind
        )
        if session_id is not None:
            query = query.where(SystemEventRow.session_id == session_id)
        if before_seq is not None:
            query = query.where(SystemEventRow.seq < before_seq)
        with read_session(self._factory) as session:
            rows = session.execute(query.order_by(SystemEventRow.seq.desc()).limit(limit)).all()
        return [SystemEvent(*row) for row in rows]

    def last_seq(self, owner_key_id: str) -> int:
        """The seq of the owner's last event (``0`` before the first)."""
        with read_session(self._factory) as session:
            return _last_seq(session, owner_key_id)

    def last_seqs(self) -> dict[str, int]:
        """Every owner's last seq, for those that have events."""
        with read_session(self._factory) as session:
            rows = session.execute(
                select(SystemEventRow.owner_key_id, func.max(SystemEventRow.seq)).group_by(
                    SystemEventRow.owner_key_id
                )
            ).all()
        return {owner: int(seq) for owner, seq in rows}


_COLUMNS: Final = (
    SystemEventRow.owner_key_id,
    SystemEventRow.seq,
    SystemEventRow.ts,
    SystemEventRow.kind,
    SystemEventRow.severity,
    SystemEventRow.session_id,
    SystemEventRow.payload,
)


def _row(event: SystemEvent) -> dict[str, object]:
    return event._asdict()


def _lock_owner(session: Session, owner_key_id: str) -> None:
    # SQLite writers already hold the database's write lock (BEGIN IMMEDIATE).
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(owner_key_id.encode()) - 2**31
        session.execute(
            text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
            {"namespace": _PG_LOCK_NAMESPACE, "key": key},
        )


def _last_seq(session: Session, owner_key_id: str) -> int:
    last = session.execute(
        select(func.max(SystemEventRow.seq)).where(SystemEventRow.owner_key_id == owner_key_id)
    ).scalar_one()
    return 0 if last is None else int(last)


class ActivityQuery(NamedTuple):
    """Which events the activity feed lists.

    ``owner_key_id`` ``None`` means every owner's (an admin key);
    ``session_id`` limits the list to one session (and the system events
    about it); ``kinds`` to those kinds (empty: any); ``min_severity`` to that
    severity and above.
    """

    owner_key_id: str | None
    session_id: str | None = None
    kinds: tuple[str, ...] = ()
    min_severity: str = "info"
    limit: int = 100
    #: Whether the system events are listed too (a key bound to a session has none).
    include_system: bool = True
    #: Only the events listed after this one, newest first (a page further back).
    before: ActivityCursor | None = None


class ActivityCursor(NamedTuple):
    """An event's place in the feed's order: ``(recorded_at, stream, seq)``, newest first.

    Every event has one place: many events may share ``recorded_at`` (a
    command's events are committed together), but not a stream and a seq.
    """

    recorded_at: int
    stream: str
    seq: int


def cursor_at(factory: SessionFactory, stream: str, seq: int) -> ActivityCursor | None:
    """The place of the event ``seq`` of ``stream`` (``session:<id>`` or ``system:<key id>``),
    ``None`` if there is no such event."""
    kind, _, name = stream.partition(":")
    with read_session(factory) as session:
        if kind == "session":
            found = session.execute(
                select(SessionEventRow.committed_at).where(
                    SessionEventRow.session_id == name, SessionEventRow.seq == seq
                )
            ).scalar_one_or_none()
        else:
            found = session.execute(
                select(SystemEventRow.ts).where(
                    SystemEventRow.owner_key_id == name, SystemEventRow.seq == seq
                )
            ).scalar_one_or_none()
    return None if found is None else ActivityCursor(int(found), stream, seq)


class ActivityRow(NamedTuple):
    """An event of the activity feed as stored. ``recorded_at`` is the wall time it was
    committed; ``ts`` its own time (session time for a session's events)."""

    owner_key_id: str
    session_id: str | None
    stream: str
    seq: int
    ts: int
    recorded_at: int
    kind: str
    severity: str
    schema_version: int | None
    payload: str


def read_activity(factory: SessionFactory, query: ActivityQuery) -> list[ActivityRow]:
    """The newest ``query.limit`` events that match, newest committed first.

    Every query reads an index newest first and stops at the limit: one
    owner's sessions each by their primary key (a session's seq order is its
    commit order), every owner's by ``committed_at``, the system events by
    owner and seq or by ``ts``. The few rows each returns are merged here.
    Quiet kinds are never listed.
    """
    floor = severity_rank(query.min_severity)
    with read_session(factory) as session:
        rows = _journal_activity(session, query, floor)
        if query.include_system:
            rows += _system_activity(session, query, floor)
    rows.sort(key=lambda r: (r.recorded_at, r.stream, r.seq), reverse=True)
    if query.before is not None:  # the statements were exact; this only restates it
        rows = [r for r in rows if (r.recorded_at, r.stream, r.seq) < query.before]
    return rows[: query.limit]


def _before(
    cursor: ActivityCursor | None,
    at: InstrumentedAttribute[int],
    stream: str | None,
    name: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    prefix: str,
    seq: InstrumentedAttribute[int],
) -> ColumnElement[bool] | None:
    """The condition of the rows of streams ``prefix<name>`` placed after ``cursor`` (older):
    ``(at, stream, seq) < cursor``. With ``stream`` known (one stream per statement) the
    streams are compared here, in Python's order, as :func:`read_activity` sorts them."""
    if cursor is None:
        return None
    if stream is not None:
        if stream < cursor.stream:
            return at <= cursor.recorded_at
        if stream == cursor.stream:
            return seq < cursor.seq  # a stream's seq order is its commit order
        return at < cursor.recorded_at
    kind, _, cursor_name = cursor.stream.partition(":")
    if f"{kind}:" != prefix:  # every stream of the other kind sorts apart from these
        return at <= cursor.recorded_at if prefix < f"{kind}:" else at < cursor.recorded_at
    return or_(
        at < cursor.recorded_at,
        and_(
            at == cursor.recorded_at,
            or_(name < cursor_name, and_(name == cursor_name, seq < cursor.seq)),
        ),
    )


def _journal_activity(session: Session, query: ActivityQuery, floor: int) -> list[ActivityRow]:
    event = SessionEventRow
    rank = _journal_rank(event.kind, event.payload)
    base = (
        select(
            SessionRow.owner_key_id,
            event.session_id,
            event.seq,
            event.ts,
            event.committed_at,
            event.kind,
            rank,
            event.schema_version,
            event.payload,
        )
        .join(SessionRow, SessionRow.id == event.session_id)
        .where(event.kind.not_in(sorted(QUIET_KINDS)))
    )
    if query.owner_key_id is not None:
        base = base.where(SessionRow.owner_key_id == query.owner_key_id)
    if query.kinds:
        base = base.where(event.kind.in_(query.kinds))
    if floor:
        base = base.where(rank >= floor)
    if query.session_id is None and query.owner_key_id is None:
        condition = _before(
            query.before, event.committed_at, None, event.session_id, "session:", event.seq
        )
        if condition is not None:
            base = base.where(condition)
        statements = [
            base.order_by(
                event.committed_at.desc(), event.session_id.desc(), event.seq.desc()
            ).limit(query.limit)
        ]
    else:
        if query.session_id is not None:
            session_ids = [query.session_id]
        else:
            session_ids = list(
                session.scalars(
                    select(SessionRow.id).where(SessionRow.owner_key_id == query.owner_key_id)
                )
            )
        statements = []
        for session_id in session_ids:
            stmt = base.where(event.session_id == session_id)
            condition = _before(
                query.before, event.committed_at, f"session:{session_id}", event.session_id,
                "session:", event.seq,
            )  # fmt: skip
            if condition is not None:
                stmt = stmt.where(condition)
            statements.append(stmt.order_by(event.seq.desc()).limit(query.limit))
    return [_journal_row(row) for stmt in statements for row in session.execute(stmt)]


def _journal_row(row: Row[str, str, int, int, int, str, int, int, str]) -> ActivityRow:
    owner, session_id, seq, ts, at, kind, level, version, payload = row
    return ActivityRow(
        owner_key_id=owner,
        session_id=session_id,
        stream=f"session:{session_id}",
        seq=seq,
        ts=ts,
        recorded_at=at,
        kind=kind,
        severity=SEVERITIES[level],
        schema_version=version,
        payload=payload,
    )


def _system_activity(session: Session, query: ActivityQuery, floor: int) -> list[ActivityRow]:
    event = SystemEventRow
    stmt = select(*_COLUMNS).where(event.kind.not_in(sorted(QUIET_KINDS)))
    if query.owner_key_id is not None:
        stmt = stmt.where(event.owner_key_id == query.owner_key_id)
    if query.session_id is not None:
        stmt = stmt.where(event.session_id == query.session_id)
    if query.kinds:
        stmt = stmt.where(event.kind.in_(query.kinds))
    if floor:
        stmt = stmt.where(_system_rank(event.severity) >= floor)
    owner = query.owner_key_id
    condition = _before(
        query.before, event.ts, None if owner is None else f"system:{owner}",
        event.owner_key_id, "system:", event.seq,
    )  # fmt: skip
    if condition is not None:
        stmt = stmt.where(condition)
    if query.owner_key_id is not None:  # the owner's seq order is its time order
        stmt = stmt.order_by(event.seq.desc())
    else:
        stmt = stmt.order_by(event.ts.desc(), event.owner_key_id.desc(), event.seq.desc())
    stmt = stmt.limit(query.limit)
    rows = []
    for row in session.execute(stmt):
        e = SystemEvent(*row)
        rows.append(
            ActivityRow(
                owner_key_id=e.owner_key_id,
                session_id=e.session_id,
                stream=f"system:{e.owner_key_id}",
                seq=e.seq,
                ts=e.ts,
                recorded_at=e.ts,
                kind=e.kind,
                severity=e.severity,
                schema_version=None,
                payload=e.payload,
            )
        )
    return rows
