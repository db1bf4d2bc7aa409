"""``paperbroker reconcile`` refuses what it should, on a real database (SQLite and
PostgreSQL); what it does to a live session is tested against a broker server in
tests/integration/test_reconciliation.py."""

from __future__ import annotations

from tests.api.test_cli_risk import create, database, owner, run

__all__ = ["database"]  # the fixture: a fresh database in the commands' settings


def test_reconcile_refuses_a_session_that_is_not_live_or_unknown(database: str) -> None:
    session_id = create(owner(database))
    code, out, err = run("reconcile", session_id)
    assert (code, out) == (1, "")
    assert "is a backtest session: only a live session is reconciled" in err
    code, _, err = run("reconcile", session_id, "--approve")
    assert code == 1
    assert "only a live session" in err
    code, _, err = run("reconcile", "00000000-0000-4000-8000-000000000000")
    assert code == 1
    assert "not found" in err
