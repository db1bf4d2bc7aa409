"""The ``sweeps`` and ``sweep_results`` tables: parameter sweeps and their backtests.

A sweep row holds its specification (JSON), its status (``queued``,
``running``, ``completed``, ``failed``, ``cancelled``) and how many of its
``total`` backtests are ``done``. Each result is stored as it finishes, with
the sweep's ``done`` counted up in the same transaction, so the two always
agree and a restarted server can resume a sweep from what it has.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from paperbroker.core.errors import NotFound
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import SweepResultRow, SweepRow

#: Statuses of a sweep still under way (what a restart resumes).
UNFINISHED: Final = ("queued", "running")
ResultSort = Literal["score", "idx"]


@dataclass(frozen=True, slots=True)
class SweepRecord:
    """One sweep as stored; times are wall-clock epoch ns."""

    id: str
    owner_key_id: str
    name: str
    strategy: str
    spec: dict[str, Any]
    status: str
    total: int
    done: int
    created_at: int
    started_at: int | None
    finished_at: int | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED


@dataclass(frozen=True, slots=True)
class StoredResult:
    """One backtest of a sweep: ``window`` is ``{phase, start_ns, end_ns}``."""

    idx: int
    fold: int
    params: dict[str, Any]
    window: dict[str, Any]
    metrics: dict[str, Any]
    score: float | None
    fills_digest: str
    error: str | None


class SweepsRepo:
    """Create, update, list and delete sweeps; store and page their results."""

    def __init__(self, factory: SessionFactory) -> None:
        self._factory = factory

    def create(
        self, owner: str, *, name: str, strategy: str, spec: dict[str, Any], total: int, now: int
    ) -> SweepRecord:
        row = SweepRow(
            id=str(uuid.uuid4()), owner_key_id=owner, name=name, strategy=strategy,
            spec=json.dumps(spec, sort_keys=True, default=str), status="queued", total=total,
            done=0, created_at=now, started_at=None, finished_at=None, error=None,
        )  # fmt: skip
        with self._factory.begin() as session:
            session.add(row)
        return _record(row)

    def get(self, owner: str, sweep_id: str) -> SweepRecord:
        """The owner's sweep.

        Raises:
            NotFound: if there is none, or it is another key's.
        """
        with read_session(self._factory) as session:
            row = session.get(SweepRow, sweep_id)
            if row is None or row.owner_key_id != owner:
                raise NotFound(f"sweep {sweep_id} not found")
            return _record(row)

    def list_for_owner(self, owner: str) -> list[SweepRecord]:
        """The owner's sweeps, newest first."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(SweepRow)
                .where(SweepRow.owner_key_id == owner)
                .order_by(SweepRow.created_at.desc(), SweepRow.id)
            )
            return [_record(r) for r in rows]

    def unfinished(self) -> list[SweepRecord]:
        """Every sweep queued or running (of every owner), oldest first."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(SweepRow)
                .where(SweepRow.status.in_(UNFINISHED))
                .order_by(SweepRow.created_at, SweepRow.id)
            )
            return [_record(r) for r in rows]

    def set(self, sweep_id: str, **values: object) -> None:
        """Change columns of a sweep (``status``, ``total``, ``started_at``, ...)."""
        with self._factory.begin() as session:
            session.execute(update(SweepRow).where(SweepRow.id == sweep_id).values(**values))

    def add_result(self, sweep_id: str, result: StoredResult) -> bool:
        """Store one result and count it done, in one transaction; ``False`` (and nothing
        changed) if the sweep has it already (a backtest run again across a restart gives
        the same result)."""
        try:
            self._insert(sweep_id, result)
        except IntegrityError:
            return False
        return True

    def _insert(self, sweep_id: str, result: StoredResult) -> None:
        with self._factory.begin() as session:
            session.add(
                SweepResultRow(
                    sweep_id=sweep_id, idx=result.idx, fold=result.fold,
                    params=json.dumps(result.params, sort_keys=True),
                    window=json.dumps(result.window, sort_keys=True),
                    metrics=json.dumps(result.metrics), score=result.score,
                    fills_digest=result.fills_digest, error=result.error,
                )
            )  # fmt: skip
            session.execute(
                update(SweepRow).where(SweepRow.id == sweep_id).values(done=SweepRow.done + 1)
            )

    def results(
        self,
        sweep_id: str,
        *,
        sort: ResultSort = "score",
        descending: bool = True,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[StoredResult], int]:
        """A page of a sweep's results and how many there are. By score, results without
        one come last either way; ties go by ``idx``."""
        with read_session(self._factory) as session:
            total = session.scalar(select(func.count()).where(SweepResultRow.sweep_id == sweep_id))
            query = select(SweepResultRow).where(SweepResultRow.sweep_id == sweep_id)
            if sort == "score":
                score = SweepResultRow.score
                query = query.order_by(
                    score.is_(None), score.desc() if descending else score.asc(), SweepResultRow.idx
                )
            else:
                idx = SweepResultRow.idx
                query = query.order_by(idx.desc() if descending else idx.asc())
            query = query.offset(offset)
            if limit is not None:
                query = query.limit(limit)
            return [_result(r) for r in session.scalars(query)], int(total or 0)

    def all_results(self, sweep_id: str) -> list[StoredResult]:
        """Every result of a sweep, by ``idx``."""
        return self.results(sweep_id, sort="idx", descending=False)[0]

    def result(self, sweep_id: str, idx: int) -> StoredResult:
        """Result ``idx`` of a sweep.

        Raises:
            NotFound: if it has none of that index.
        """
        with read_session(self._factory) as session:
            row = session.scalars(
                select(SweepResultRow).where(
                    SweepResultRow.sweep_id == sweep_id, SweepResultRow.idx == idx
                )
            ).first()
            if row is None:
                raise NotFound(f"sweep {sweep_id} has no result {idx}")
            return _result(row)

    def best(self, sweep_id: str) -> StoredResult | None:
        """The result with the highest score (ties: the lowest ``idx``)."""
        page, _ = self.results(sweep_id, limit=1)
        return page[0] if page and page[0].score is not None else None

    def delete(self, sweep_id: str) -> None:
        """Delete a sweep and its results."""
        with self._factory.begin() as session:
            session.execute(delete(SweepResultRow).where(SweepResultRow.sweep_id == sweep_id))
            session.execute(delete(SweepRow).where(SweepRow.id == sweep_id))


def _record(row: SweepRow) -> SweepRecord:
    return SweepRecord(
        row.id, row.owner_key_id, row.name, row.strategy, json.loads(row.spec), row.status,
        row.total, row.done, row.created_at, row.started_at, row.finished_at, row.error,
    )  # fmt: skip


def _result(row: SweepResultRow) -> StoredResult:
    return StoredResult(
        row.idx, row.fold, json.loads(row.params), json.loads(row.window),
        json.loads(row.metrics), row.score, row.fills_digest, row.error,
    )  # fmt: skip
