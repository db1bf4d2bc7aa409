"""A tripped breaker survives kill -9: the restarted server still halts entries until reset.

The real server process on a SQLite file and on PostgreSQL. The session buys
200 AAPL at the open of 2012-01-03 (409.40, ideal execution) and rides the
bundled daily bars; its worst day is 2012-01-20, when AAPL closed at 420.30
after 427.75: 200 × 7.45 = 1490 lost in the day, past the 1000 of its
``daily_loss`` breaker (no earlier day lost more than 316).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.server_process import ServerProcess, call
from sqlalchemy import make_url
from tests.store.backends import find_postgres, temporary_database, url_text


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    with temporary_database(find_postgres()) as url:
        yield url_text(make_url(url))


def buy(server: ServerProcess, session: dict[str, Any], qty: str) -> tuple[int, Any]:
    return call(
        server, "POST", f"/v1/trading/accounts/{session['default_account_id']}/orders",
        {"symbol": "AAPL", "side": "buy", "qty": qty, "type": "market"},
        session=session["id"],
    )  # fmt: skip


def test_a_tripped_breaker_halts_entries_across_a_kill_9_until_reset(database_url: str) -> None:
    server = ServerProcess(database_url)
    server.start()
    try:
        status, session = call(
            server, "POST", "/v1/sessions",
            {"startTime": "2012-01-03T14:30:00Z", "endTime": "2012-03-30T21:00:00Z",
             "execution": {"preset": "ideal"}, "risk": {"breakers": {"daily_loss": "1000"}}},
        )  # fmt: skip
        assert status == 201, session
        path = f"/v1/sessions/{session['id']}"
        assert buy(server, session, "200")[0] == 200
        status, _ = call(server, "POST", f"{path}/time/advance",
                         {"targetTime": "2012-01-19T22:00:00Z"})  # fmt: skip
        assert status == 200
        status, view = call(server, "GET", f"{path}/risk")
        assert view["halted"] is False
        call(server, "POST", f"{path}/time/advance", {"targetTime": "2012-01-20T22:00:00Z"})
        status, view = call(server, "GET", f"{path}/risk")
        [tripped] = [b for b in view["breakers"] if b["tripped"]]
        assert (tripped["name"], tripped["limit"]) == ("daily_loss", "1000")
        assert tripped["tripped_at"].startswith("2012-01-20")
        assert view["halted"] is True

        server.kill()
        server.start()

        status, view = call(server, "GET", f"{path}/risk")
        assert status == 200
        assert view["halted"] is True
        assert [b["name"] for b in view["breakers"] if b["tripped"]] == ["daily_loss"]
        status, refused = buy(server, session, "1")
        assert status == 422
        assert (refused["reject_reason"], refused["rule"]) == ("risk_denied", "breakers.daily_loss")
        status, _ = call(server, "POST", f"{path}/risk/breakers/daily_loss/reset", {})
        assert status == 422  # a reset needs a reason
        status, view = call(
            server, "POST", f"{path}/risk/breakers/daily_loss/reset", {"reason": "reviewed"}
        )
        assert status == 200
        assert view["halted"] is False
        assert buy(server, session, "1")[0] == 200
        status, audit = call(server, "GET", f"/v1/risk/audit?session_id={session['id']}")
        assert [(e["action"], e["reason"], e["outcome"]) for e in audit["entries"]] == [
            ("reset_breaker", "reviewed", "ok")
        ]
    finally:
        server.stop()
