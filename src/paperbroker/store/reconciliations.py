"""The ``reconciliation_runs`` table: the record of every reconciliation of a live session.

A run is recorded whatever it found: ``clean``, ``adopted`` (the policy
applied its adjustments), ``halted`` (trading halted until an operator
decides) or ``approved`` (a halted run an operator approved: ``resolved_at``
and ``resolved_by`` say when and who). A halted run that a later run took
the place of is resolved too, ``resolved_by`` naming that run, and keeps its
outcome. The books themselves change only by the journal's
``ReconciliationApplied`` events; this table is the record, deleted with its
session.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update

from paperbroker.core.errors import Conflict, NotFound
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import ReconciliationRow

#: The most runs one listing returns (the newest).
MAX_RUNS = 500
#: How ``resolved_by`` names the run that took a halted run's place.
SUPERSEDED_BY = "superseded by run "


@dataclass(frozen=True, slots=True)
class ReconciliationRecord:
    """One run: ``differences`` is its JSON array of differences; times are epoch ns
    of the session's clock."""

    id: str
    session_id: str
    ts: int
    trigger: str
    policy: str
    outcome: str
    differences: str
    resolved_at: int | None = None
    resolved_by: str | None = None

    @property
    def pending(self) -> bool:
        """Whether the run halted trading and nobody has decided on it yet."""
        return self.outcome == "halted" and self.resolved_at is None


class ReconciliationRuns:
    """Record, list and resolve a session's reconciliation runs.

    Args:
        session_factory: from :func:`paperbroker.store.db.session_factory`.
        new_id: the id of a new run (random UUIDs by default).
    """

    def __init__(
        self, session_factory: SessionFactory, *, new_id: Callable[[], str] | None = None
    ) -> None:
        self._factory = session_factory
        self._new_id = new_id or (lambda: str(uuid.uuid4()))

    def new_id(self) -> str:
        """An id for a run about to be recorded (its events name it before it is)."""
        return self._new_id()

    def add(self, record: ReconciliationRecord) -> ReconciliationRecord:
        """Record a run; halted runs of the session still pending are resolved as
        superseded by it (in the same transaction). Return it as recorded: a run at
        the session time of the one before it (a session whose clock did not move in
        between) is stamped a nanosecond later, so that runs list in the order they ran.
        """
        with self._factory.begin() as session:
            newest = session.scalar(
                select(func.max(ReconciliationRow.ts)).where(
                    ReconciliationRow.session_id == record.session_id
                )
            )
            if newest is not None and record.ts <= newest:
                record = dataclasses.replace(record, ts=newest + 1)
            session.execute(
                update(ReconciliationRow)
                .where(
                    ReconciliationRow.session_id == record.session_id,
                    ReconciliationRow.outcome == "halted",
                    ReconciliationRow.resolved_at.is_(None),
                )
                .values(resolved_at=record.ts, resolved_by=SUPERSEDED_BY + record.id)
            )
            session.add(
                ReconciliationRow(
                    id=record.id,
                    session_id=record.session_id,
                    ts=record.ts,
                    trigger=record.trigger,
                    policy=record.policy,
                    outcome=record.outcome,
                    differences=record.differences,
                    resolved_at=record.resolved_at,
                    resolved_by=record.resolved_by,
                )
            )
        return record

    def of_session(self, session_id: str, limit: int = MAX_RUNS) -> list[ReconciliationRecord]:
        """The session's runs, newest first (at most ``limit``)."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(ReconciliationRow)
                .where(ReconciliationRow.session_id == session_id)
                .order_by(ReconciliationRow.ts.desc(), ReconciliationRow.id.desc())
                .limit(limit)
            )
            return [_record(row) for row in rows]

    def get(self, session_id: str, run_id: str) -> ReconciliationRecord:
        """One of the session's runs.

        Raises:
            NotFound: if the session has no such run.
        """
        with read_session(self._factory) as session:
            row = session.get(ReconciliationRow, run_id)
            if row is None or row.session_id != session_id:
                raise NotFound(f"reconciliation run {run_id} not found")
            return _record(row)

    def pending(self, session_id: str) -> ReconciliationRecord | None:
        """The session's halted run awaiting a decision, if any (at most one is)."""
        with read_session(self._factory) as session:
            row = session.scalars(
                select(ReconciliationRow).where(
                    ReconciliationRow.session_id == session_id,
                    ReconciliationRow.outcome == "halted",
                    ReconciliationRow.resolved_at.is_(None),
                )
            ).first()
            return None if row is None else _record(row)

    def approve(self, session_id: str, run_id: str, at: int, by: str) -> ReconciliationRecord:
        """Mark a pending run ``approved`` by ``by`` at ``at``; return it.

        Raises:
            NotFound: if the session has no such run.
            Conflict: if the run is not pending (clean, adopted, decided, superseded).
        """
        with self._factory.begin() as session:
            row = session.get(ReconciliationRow, run_id)
            if row is None or row.session_id != session_id:
                raise NotFound(f"reconciliation run {run_id} not found")
            if row.outcome != "halted" or row.resolved_at is not None:
                said = row.outcome
                if row.resolved_by:
                    said += f", resolved ({row.resolved_by})"
                raise Conflict(f"reconciliation run {run_id} is {said}: nothing to approve")
            row.outcome = "approved"
            row.resolved_at = at
            row.resolved_by = by[:200]
            session.flush()
            return _record(row)


def _record(row: ReconciliationRow) -> ReconciliationRecord:
    return ReconciliationRecord(
        id=row.id, session_id=row.session_id, ts=row.ts, trigger=row.trigger,
        policy=row.policy, outcome=row.outcome, differences=row.differences,
        resolved_at=row.resolved_at, resolved_by=row.resolved_by,
    )  # fmt: skip


__all__ = ["MAX_RUNS", "SUPERSEDED_BY", "ReconciliationRecord", "ReconciliationRuns"]
