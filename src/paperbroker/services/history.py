"""Sessions' history: the summary written when a session ends, and the list of them.

When a session of any type reaches an ended state (stopped, killed,
completed) its summary is built from the session as it ended
(:func:`summarize`): every metric of its accounts taken as one book (the
default account, and an A/B session's arms' accounts too:
:func:`~paperbroker.services.session_metrics.accounts_metrics`, stored as
:meth:`Metrics.as_dict <paperbroker.analytics.metrics.Metrics.as_dict>`
writes them), its equity and P&L, and the run record
(:mod:`~paperbroker.services.run_record`). It is stored once
(:class:`~paperbroker.store.summaries.SummariesRepo`); a session found ended
at a restart gets its summary then, if it had none.
"""

from __future__ import annotations

import math
from decimal import Decimal

from sqlalchemy import func, select

from paperbroker.services.ab_tests import session_accounts
from paperbroker.services.run_record import run_record
from paperbroker.services.session_facts import strategy_of, symbols_of
from paperbroker.services.session_metrics import accounts_metrics
from paperbroker.session.runtime import SessionRuntime
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.sessions_repo import SessionRecord
from paperbroker.store.summaries import (
    HistoryPage,
    HistoryQuery,
    SessionSummary,
    SummariesRepo,
)
from paperbroker.store.tables import SessionEventRow

_STATE_CHANGED = "SessionStateChanged"


def summarize(record: SessionRecord, runtime: SessionRuntime, ended_at: int) -> SessionSummary:
    """The summary of the ended session ``record`` runs as ``runtime`` (see the module doc)."""
    accounts = session_accounts(runtime)
    found = accounts_metrics(runtime, accounts)
    metrics = found.metrics
    books = [runtime.books(a) for a in accounts]
    initial = sum((b.account.initial_cash for b in books), Decimal(0))
    if metrics is None:  # it ended at its start: nothing to measure but its books
        with runtime.locked():
            final = sum((b.equity for b in books), Decimal(0))
        total_return = None if not initial else float((final - initial) / initial)
        drawdown = sharpe = None
        trades = len([t for t in found.trades if t.exit_ts is not None])
        measured = {}
    else:
        final = metrics.final_equity
        total_return = _finite(metrics.total_return)
        drawdown, sharpe = _finite(metrics.max_drawdown), _finite(metrics.sharpe)
        trades = metrics.num_trades
        measured = metrics.as_dict()
    use = strategy_of(runtime)
    return SessionSummary(
        session_id=record.id,
        owner_key_id=record.owner_key_id,
        name=record.name,
        kind=record.kind,
        state=runtime.state.value,
        strategy=None if use is None else use.name,
        params={} if use is None else use.params,
        symbols=symbols_of(runtime),
        period_start=runtime.spec.start_ns,
        period_end=min(runtime.now_ns, runtime.spec.end_ns),
        ended_at=ended_at,
        initial_equity=initial,
        final_equity=final,
        pnl=final - initial,
        total_return=total_return,
        max_drawdown=drawdown,
        sharpe=sharpe,
        trades=trades,
        metrics=measured,
        run_record=run_record(record, runtime),
    )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


class SessionHistory:
    """Write summaries of ended sessions and list an owner's."""

    def __init__(self, factory: SessionFactory) -> None:
        self._factory = factory
        self.repo = SummariesRepo(factory)

    def record_end(self, record: SessionRecord, runtime: SessionRuntime, now_ns: int) -> bool:
        """Store the ended session's summary unless it has one; whether it was stored.

        Its ``ended_at`` is when the journal committed its last state change (its end),
        ``now_ns`` if the journal has none."""
        if self.repo.exists(record.id):
            return False
        ended_at = self._ended_at(record.id) or now_ns
        return self.repo.add(summarize(record, runtime, ended_at))

    def list(self, owner: str, query: HistoryQuery) -> HistoryPage:
        """The owner's ended sessions' summaries matching ``query``."""
        return self.repo.list(owner, query)

    def get(self, owner: str, session_id: str) -> SessionSummary:
        """The owner's session's summary.

        Raises:
            NotFound: until the session has ended, or for another owner's session.
        """
        return self.repo.get(owner, session_id)

    def _ended_at(self, session_id: str) -> int | None:
        query = select(func.max(SessionEventRow.committed_at)).where(
            SessionEventRow.session_id == session_id, SessionEventRow.kind == _STATE_CHANGED
        )
        with read_session(self._factory) as session:
            found = session.scalar(query)
        return None if found is None else int(found)
