"""The ``session_summaries`` table: what each ended session came to, its history entry.

A summary is written once, when its session ends (:meth:`SummariesRepo.add`
keeps the first and ignores any later write, so a restart that finds the
session ended again adds nothing). It goes with its session: deleting the
session deletes it (``ON DELETE CASCADE``). Every read is scoped by the
owner's key id: another owner's summary is :class:`NotFound` and never listed.

Money is exact decimal text; the ratios a list sorts by are floats (``None``
where undefined). ``pnl`` sorts as the exact decimal it is, not as text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, Literal

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError

from paperbroker.core.errors import NotFound
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import SessionSummaryRow

SortKey = Literal["ended_at", "total_return", "max_drawdown", "pnl", "sharpe", "trades", "name"]
SORT_KEYS: Final[tuple[str, ...]] = (
    "ended_at", "total_return", "max_drawdown", "pnl", "sharpe", "trades", "name",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session's history entry (see the module doc); times are epoch ns."""

    session_id: str
    owner_key_id: str
    name: str
    kind: str
    state: str
    strategy: str | None
    params: dict[str, Any]
    symbols: tuple[str, ...]
    period_start: int
    period_end: int
    ended_at: int
    initial_equity: Decimal
    final_equity: Decimal
    pnl: Decimal
    total_return: float | None
    max_drawdown: float | None
    sharpe: float | None
    trades: int
    metrics: dict[str, Any]
    run_record: dict[str, Any]


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Which summaries to list and in which order (``since``/``until`` bound ``ended_at``,
    both inclusive, epoch ns)."""

    kind: str | None = None
    strategy: str | None = None
    state: str | None = None
    since: int | None = None
    until: int | None = None
    sort: SortKey = "ended_at"
    descending: bool = True
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """A page of summaries and how many match in all."""

    items: list[SessionSummary] = field(default_factory=list)
    total: int = 0


class SummariesRepo:
    """Add, read and list sessions' summaries.

    Args:
        session_factory: from :func:`paperbroker.store.db.session_factory`.
    """

    def __init__(self, session_factory: SessionFactory) -> None:
        self._factory = session_factory

    def add(self, summary: SessionSummary) -> bool:
        """Store ``summary`` unless its session has one already; whether it was stored."""
        if self.exists(summary.session_id):
            return False
        try:
            with self._factory.begin() as session:
                session.add(_row(summary))
        except IntegrityError:  # written meanwhile, or its session was deleted meanwhile
            return False
        return True

    def exists(self, session_id: str) -> bool:
        """Whether the session has a summary."""
        with read_session(self._factory) as session:
            return session.get(SessionSummaryRow, session_id) is not None

    def get(self, owner_key_id: str, session_id: str) -> SessionSummary:
        """The owner's session's summary.

        Raises:
            NotFound: if there is none (the session has not ended, or does not
                exist, or belongs to another owner).
        """
        with read_session(self._factory) as session:
            row = session.get(SessionSummaryRow, session_id)
            if row is None or row.owner_key_id != owner_key_id:
                raise NotFound(
                    f"session {session_id} has no summary: a summary is written when the "
                    "session ends (stopped, killed or completed)"
                )
            return _summary(row)

    def list(self, owner_key_id: str | None, query: HistoryQuery) -> HistoryPage:
        """The owner's summaries matching ``query``, sorted, one page of them; ties are
        broken by session id, in the same direction. ``None`` lists every owner's: for
        the operator's command line, never for an API."""
        where = _filters(owner_key_id, query)
        with read_session(self._factory) as session:
            total = session.scalar(
                select(func.count()).select_from(SessionSummaryRow).where(*where)
            )
            if query.sort == "pnl":  # exact decimals: sorted here, not as text
                rows = session.scalars(select(SessionSummaryRow).where(*where)).all()
                ordered = sorted(
                    rows, key=lambda r: (Decimal(r.pnl), r.session_id), reverse=query.descending
                )
                page = ordered[query.offset : query.offset + query.limit]
            else:
                page = list(session.scalars(_sorted(where, query)).all())
            return HistoryPage([_summary(row) for row in page], int(total or 0))


def _filters(owner_key_id: str | None, query: HistoryQuery) -> list[ColumnElement[bool]]:
    row = SessionSummaryRow
    where = [] if owner_key_id is None else [row.owner_key_id == owner_key_id]
    if query.kind is not None:
        where.append(row.kind == query.kind)
    if query.strategy is not None:
        where.append(row.strategy == query.strategy)
    if query.state is not None:
        where.append(row.state == query.state)
    if query.since is not None:
        where.append(row.ended_at >= query.since)
    if query.until is not None:
        where.append(row.ended_at <= query.until)
    return where


def _sorted(where: Sequence[ColumnElement[bool]], query: HistoryQuery) -> Select[SessionSummaryRow]:
    column = getattr(SessionSummaryRow, query.sort)
    tie = SessionSummaryRow.session_id
    # Undefined ratios (NULL) come last in either direction, on SQLite as on PostgreSQL.
    first = column.desc().nulls_last() if query.descending else column.asc().nulls_last()
    return (
        select(SessionSummaryRow)
        .where(*where)
        .order_by(first, tie.desc() if query.descending else tie.asc())
        .limit(query.limit)
        .offset(query.offset)
    )


def _row(s: SessionSummary) -> SessionSummaryRow:
    return SessionSummaryRow(
        session_id=s.session_id, owner_key_id=s.owner_key_id, name=s.name, kind=s.kind,
        state=s.state, strategy=s.strategy, params=json.dumps(s.params),
        symbols=json.dumps(list(s.symbols)), period_start=s.period_start,
        period_end=s.period_end, ended_at=s.ended_at, initial_equity=str(s.initial_equity),
        final_equity=str(s.final_equity), pnl=str(s.pnl), total_return=s.total_return,
        max_drawdown=s.max_drawdown, sharpe=s.sharpe, trades=s.trades,
        metrics=json.dumps(s.metrics), run_record=json.dumps(s.run_record),
    )  # fmt: skip


def _summary(r: SessionSummaryRow) -> SessionSummary:
    return SessionSummary(
        session_id=r.session_id, owner_key_id=r.owner_key_id, name=r.name, kind=r.kind,
        state=r.state, strategy=r.strategy, params=json.loads(r.params),
        symbols=tuple(json.loads(r.symbols)), period_start=r.period_start,
        period_end=r.period_end, ended_at=r.ended_at, initial_equity=Decimal(r.initial_equity),
        final_equity=Decimal(r.final_equity), pnl=Decimal(r.pnl), total_return=r.total_return,
        max_drawdown=r.max_drawdown, sharpe=r.sharpe, trades=r.trades,
        metrics=json.loads(r.metrics), run_record=json.loads(r.run_record),
    )  # fmt: skip
