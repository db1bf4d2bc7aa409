"""The ``session_templates`` table: named session configurations an owner saved.

Every call is scoped by the owner's key id: another owner's template is
:class:`NotFound`, never listed. A name is an owner's once: a second
template of the same name is a :class:`Conflict`. ``config`` is the create
body of the template's session type, stored as JSON.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paperbroker.core.errors import Conflict, NotFound
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import TemplateRow


@dataclass(frozen=True, slots=True)
class TemplateRecord:
    """One saved template; times are epoch ns."""

    id: str
    owner_key_id: str
    name: str
    description: str
    kind: str
    config: dict[str, Any]
    created_at: int
    updated_at: int


class TemplatesRepo:
    """Create, read, list, change and delete an owner's templates.

    Args:
        session_factory: from :func:`paperbroker.store.db.session_factory`.
        now_ns: wall clock for ``created_at`` and ``updated_at``.
    """

    def __init__(
        self, session_factory: SessionFactory, *, now_ns: Callable[[], int] = time.time_ns
    ) -> None:
        self._factory = session_factory
        self._now_ns = now_ns

    def create(
        self, owner_key_id: str, *, name: str, description: str, kind: str, config: dict[str, Any]
    ) -> TemplateRecord:
        """Save a template.

        Raises:
            Conflict: if the owner has a template of that name.
        """
        now = self._now_ns()
        row = TemplateRow(
            id=str(uuid.uuid4()), owner_key_id=owner_key_id, name=name, description=description,
            kind=kind, config=json.dumps(config), created_at=now, updated_at=now,
        )  # fmt: skip
        try:
            with self._factory.begin() as session:
                session.add(row)
        except IntegrityError as exc:
            raise _taken(name) from exc
        return _record(row)

    def list(self, owner_key_id: str) -> list[TemplateRecord]:
        """The owner's templates by name."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(TemplateRow)
                .where(TemplateRow.owner_key_id == owner_key_id)
                .order_by(TemplateRow.name, TemplateRow.id)
            ).all()
            return [_record(row) for row in rows]

    def get(self, owner_key_id: str, template_id: str) -> TemplateRecord:
        """The owner's template.

        Raises:
            NotFound: if it does not exist or is another owner's.
        """
        with read_session(self._factory) as session:
            return _record(_owned(session, owner_key_id, template_id))

    def find_by_name(self, owner_key_id: str, name: str) -> TemplateRecord | None:
        """The owner's template named ``name``, if any."""
        with read_session(self._factory) as session:
            row = session.scalars(
                select(TemplateRow).where(
                    TemplateRow.owner_key_id == owner_key_id, TemplateRow.name == name
                )
            ).first()
            return None if row is None else _record(row)

    def update(
        self,
        owner_key_id: str,
        template_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        kind: str | None = None,
        config: dict[str, Any] | None = None,
    ) -> TemplateRecord:
        """Change what is given of the owner's template.

        Raises:
            NotFound: if it does not exist or is another owner's.
            Conflict: for a name another of the owner's templates has.
        """
        try:
            with self._factory.begin() as session:
                row = _owned(session, owner_key_id, template_id)
                if name is not None:
                    row.name = name
                if description is not None:
                    row.description = description
                if kind is not None:
                    row.kind = kind
                if config is not None:
                    row.config = json.dumps(config)
                row.updated_at = self._now_ns()
                session.flush()
                return _record(row)
        except IntegrityError as exc:
            raise _taken(name or "") from exc

    def delete(self, owner_key_id: str, template_id: str) -> None:
        """Delete the owner's template.

        Raises:
            NotFound: if it does not exist or is another owner's.
        """
        with self._factory.begin() as session:
            session.delete(_owned(session, owner_key_id, template_id))


def _taken(name: str) -> Conflict:
    return Conflict(f"a template named {name!r} exists already")


def _owned(session: Session, owner_key_id: str, template_id: str) -> TemplateRow:
    row = session.get(TemplateRow, template_id)
    if row is None or row.owner_key_id != owner_key_id:
        raise NotFound(f"template {template_id} not found")
    return row


def _record(row: TemplateRow) -> TemplateRecord:
    return TemplateRecord(
        id=row.id, owner_key_id=row.owner_key_id, name=row.name, description=row.description,
        kind=row.kind, config=json.loads(row.config), created_at=row.created_at,
        updated_at=row.updated_at,
    )  # fmt: skip
