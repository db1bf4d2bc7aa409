"""The record of reconciliation runs, and a ReconciliationApplied replayed from the journal:
on SQLite and on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.store.test_risk_replay import END, START, market

from paperbroker.core.errors import Conflict, NotFound
from paperbroker.model.enums import OrderSide
from paperbroker.session import SessionRuntime, SessionSpec
from paperbroker.store.db import SessionFactory
from paperbroker.store.journal import Journal
from paperbroker.store.reconciliations import ReconciliationRecord, ReconciliationRuns
from paperbroker.store.sessions_repo import SessionsRepo


def record(session_id: str, run_id: str, ts: int, outcome: str) -> ReconciliationRecord:
    return ReconciliationRecord(run_id, session_id, ts, "interval", "halt", outcome, "[]")


def test_runs_are_listed_newest_first_and_a_new_one_supersedes_a_halted_one(
    factory: SessionFactory, repo: SessionsRepo, owner: str
) -> None:
    session = repo.create(owner, name="live", simulation_start=START, simulation_end=END).id
    other = repo.create(owner, name="other", simulation_start=START, simulation_end=END).id
    runs = ReconciliationRuns(factory)
    runs.add(record(session, "r1", 10, "clean"))
    runs.add(record(session, "r2", 20, "halted"))
    runs.add(record(other, "o1", 25, "halted"))
    assert runs.pending(session) == record(session, "r2", 20, "halted")
    runs.add(record(session, "r3", 30, "halted"))
    assert [r.id for r in runs.of_session(session)] == ["r3", "r2", "r1"]
    assert [r.id for r in runs.of_session(session, limit=1)] == ["r3"]
    superseded = runs.get(session, "r2")
    assert (superseded.outcome, superseded.resolved_at) == ("halted", 30)
    assert superseded.resolved_by == "superseded by run r3"
    assert runs.pending(session) == record(session, "r3", 30, "halted")
    assert runs.pending(other) is not None  # another session's run is its own

    approved = runs.approve(session, "r3", 40, "alice")
    assert (approved.outcome, approved.resolved_at, approved.resolved_by) == (
        "approved", 40, "alice",
    )  # fmt: skip
    assert runs.pending(session) is None
    for run_id in ("r1", "r2", "r3"):
        with pytest.raises(Conflict):
            runs.approve(session, run_id, 50, "bob")
    with pytest.raises(NotFound):
        runs.get(session, "o1")  # another session's
    with pytest.raises(NotFound):
        runs.approve(session, "nope", 50, "bob")

    # A run at the session time of the one before (its clock did not move) comes after it.
    later = [runs.add(record(session, f"same-{n}", 30, "clean")) for n in ("b", "a")]
    assert [r.ts for r in later] == [31, 32]
    assert [r.id for r in runs.of_session(session, limit=2)] == ["same-a", "same-b"]


def test_a_reconciliation_replays_from_the_journal(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    made = repo.create(owner, name="books", simulation_start=START, simulation_end=END)
    spec = SessionSpec(made.id, START, END, Decimal(100_000))
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    runtime.submit_order(account, "AAPL", OrderSide.BUY, 10)
    runtime.advance_to(START + 24 * 3600 * 10**9)
    adopted = (
        '{"cash": "95000", "positions": {"AAPL": {"avg_entry_price": "60", "qty": "12"},'
        ' "MSFT": {"avg_entry_price": "25.5", "qty": "4"}}}'
    )
    runtime.apply_reconciliation("run-1", "[]", adopted, by="alice")
    books = runtime.books(account)
    assert (books.positions["AAPL"].qty, books.positions["AAPL"].avg_price) == (12, 60)
    assert books.positions["MSFT"].qty == 4
    assert books.cash == Decimal(95000)
    stored = [e.kind for e in journal.read(spec.session_id)]
    assert stored[-1] == "ReconciliationApplied"

    restored = SessionRuntime.restore(spec, market(), journal)
    assert restored.diverged is None
    assert restored.kernel.events == runtime.kernel.events
    again = restored.books(account)
    assert {s: (p.qty, p.cost_basis) for s, p in again.positions.items()} == {
        s: (p.qty, p.cost_basis) for s, p in books.positions.items()
    }
    assert (again.cash, again.realized_pnl, again.equity) == (
        books.cash, books.realized_pnl, books.equity,
    )  # fmt: skip
