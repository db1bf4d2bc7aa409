"""The ``sessions`` table: which sessions exist, who owns them, their status.

Every call but :meth:`SessionsRepo.list_all` is scoped by the owner's key id:
a session of another owner is reported as :class:`NotFound` and never listed,
so the API can answer 404 without telling foreign ids from unknown ones.
A session's trading state is not here; it is the projection of its journal.
Deleting a session deletes its events and bound keys with it (``ON DELETE
CASCADE``). A key bound to a session owns no session: :meth:`SessionsRepo.create`
refuses one as an owner.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.core.ids import SessionId
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import ApiKeyRow, SessionRow

_MAX_NAME = 200
_MAX_TAG = 32


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One row of the ``sessions`` table; ``config`` is the caller's JSON text."""

    id: SessionId
    owner_key_id: str
    name: str
    kind: str
    status: str
    created_at: int
    simulation_start: int
    simulation_end: int
    config: str


class SessionsRepo:
    """Create, find, list, delete sessions and change their status.

    Args:
        session_factory: from :func:`paperbroker.store.db.session_factory`.
        now_ns: wall clock for ``created_at``.
    """

    def __init__(
        self, session_factory: SessionFactory, *, now_ns: Callable[[], int] = time.time_ns
    ) -> None:
        self._factory = session_factory
        self._now_ns = now_ns

    def create(
        self,
        owner_key_id: str,
        *,
        name: str,
        simulation_start: int,
        simulation_end: int,
        status: str = "active",
        kind: str = "backtest",
        config: str = "{}",
        session_id: str | None = None,
    ) -> SessionRecord:
        """Insert a session (a random UUID unless ``session_id`` is given) and return it.

        Raises:
            InvalidRequest: for an empty or overlong name, kind or status,
                ``simulation_end`` before ``simulation_start``, or a
                ``session_id`` that is not a UUID or is taken.
                An owner key bound to a session is refused too: it owns nothing.
            NotFound: if ``owner_key_id`` is not a key.
        """
        _check_text("name", name, _MAX_NAME)
        _check_text("kind", kind, _MAX_TAG)
        _check_text("status", status, _MAX_TAG)
        if simulation_end < simulation_start:
            raise InvalidRequest("simulation_end is before simulation_start")
        row = SessionRow(
            id=_new_id(session_id),
            owner_key_id=owner_key_id,
            name=name,
            kind=kind,
            status=status,
            created_at=self._now_ns(),
            simulation_start=simulation_start,
            simulation_end=simulation_end,
            config=config,
        )
        try:
            with self._factory.begin() as session:
                key = session.get(ApiKeyRow, owner_key_id)
                if key is not None and key.session_id is not None:
                    raise InvalidRequest(
                        f"API key {owner_key_id} is bound to session {key.session_id}: "
                        "it cannot own sessions"
                    )
                session.add(row)
        except IntegrityError as exc:
            # Either the owner is unknown (foreign key) or the id is taken.
            with read_session(self._factory) as session:
                if session.get(SessionRow, row.id) is not None:
                    raise InvalidRequest(f"session id {row.id} is already in use") from exc
            raise NotFound(f"API key {owner_key_id} not found") from exc
        return _record(row)

    def get(self, owner_key_id: str, session_id: str) -> SessionRecord:
        """The owner's session.

        Raises:
            NotFound: if it does not exist or belongs to another owner.
        """
        with read_session(self._factory) as session:
            return _record(_owned(session, owner_key_id, session_id))

    def find(self, session_id: str) -> SessionRecord:
        """A session whoever owns it: for keys bound to it, which act for its owner.

        Raises:
            NotFound: if it does not exist.
        """
        with read_session(self._factory) as session:
            row = session.get(SessionRow, session_id)
            if row is None:
                raise NotFound(f"session {session_id} not found")
            return _record(row)

    def list_for_owner(self, owner_key_id: str) -> list[SessionRecord]:
        """The owner's sessions, oldest first."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(SessionRow)
                .where(SessionRow.owner_key_id == owner_key_id)
                .order_by(SessionRow.created_at, SessionRow.id)
            ).all()
            return [_record(row) for row in rows]

    def list_all(self) -> list[SessionRecord]:
        """Every session of every owner, oldest first: for recovery at start-up, not for APIs."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(SessionRow).order_by(SessionRow.created_at, SessionRow.id)
            ).all()
            return [_record(row) for row in rows]

    def update_status(self, owner_key_id: str, session_id: str, status: str) -> SessionRecord:
        """Set the owner's session's status and return the updated record.

        Raises:
            InvalidRequest: for an empty or overlong status.
            NotFound: if the session does not exist or belongs to another owner.
        """
        _check_text("status", status, _MAX_TAG)
        with self._factory.begin() as session:
            row = _owned(session, owner_key_id, session_id)
            row.status = status
            return _record(row)

    def update_config(self, owner_key_id: str, session_id: str, config: str) -> SessionRecord:
        """Replace the owner's session's config (the caller's JSON text).

        Raises:
            NotFound: if the session does not exist or belongs to another owner.
        """
        with self._factory.begin() as session:
            row = _owned(session, owner_key_id, session_id)
            row.config = config
            return _record(row)

    def delete(self, owner_key_id: str, session_id: str) -> list[str]:
        """Delete the owner's session with its events and the keys bound to it.

        A key bound to a session owns nothing, but earlier versions of the server
        let such a key create sessions of its own; those pass to this owner
        first (the key acted for it), so the delete never fails on them and
        loses none.

        Returns:
            The ids of the sessions that passed to the owner, oldest first.

        Raises:
            NotFound: if the session does not exist or belongs to another owner.
        """
        with self._factory.begin() as session:
            _owned(session, owner_key_id, session_id)
            bound = select(ApiKeyRow.key_id).where(ApiKeyRow.session_id == session_id)
            adopted = list(
                session.scalars(
                    select(SessionRow.id)
                    .where(SessionRow.owner_key_id.in_(bound))
                    .order_by(SessionRow.created_at, SessionRow.id)
                )
            )
            if adopted:
                session.execute(
                    update(SessionRow)
                    .where(SessionRow.id.in_(adopted))
                    .values(owner_key_id=owner_key_id)
                )
            session.execute(delete(SessionRow).where(SessionRow.id == session_id))
            return adopted


def _owned(session: Session, owner_key_id: str, session_id: str) -> SessionRow:
    row = session.get(SessionRow, session_id)
    if row is None or row.owner_key_id != owner_key_id:
        raise NotFound(f"session {session_id} not found")
    return row


def _new_id(session_id: str | None) -> str:
    if session_id is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(session_id))
    except ValueError as exc:
        raise InvalidRequest(f"session id {session_id!r} is not a UUID") from exc


def _check_text(field: str, value: str, max_length: int) -> None:
    if not value.strip() or len(value) > max_length:
        raise InvalidRequest(f"session {field} must have 1 to {max_length} characters")


def _record(row: SessionRow) -> SessionRecord:
    return SessionRecord(
        id=SessionId(row.id),
        owner_key_id=row.owner_key_id,
        name=row.name,
        kind=row.kind,
        status=row.status,
        created_at=row.created_at,
        simulation_start=row.simulation_start,
        simulation_end=row.simulation_end,
        config=row.config,
    )
