"""A journal that this version does not replay to its end: the session stays, read-only.

A journal written under other rules (an older fill model, a bug since
fixed) replays identically up to some command and differently from there.
The server keeps the session in state ``error`` with a reason, shows its
history up to that command, refuses to move it, and lets the owner restart
or delete it; every other session is unaffected.
"""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select, update
from tests.api.conftest import IDEAL, Api

from paperbroker.store.tables import SessionEventRow

BUY = {"symbol": "AAPL", "side": "buy", "qty": "10", "type": "market", "time_in_force": "gtc"}


def rewrite_recorded_fill(api: Api, session_id: str) -> int:
    """Make the journal say the fill happened at another price: what an older version's
    rules would have recorded. Return its seq."""
    events = SessionEventRow.__table__
    with api.server.engine.begin() as connection:
        row = connection.execute(
            select(events.c.seq, events.c.payload)
            .where(events.c.session_id == session_id, events.c.kind == "OrderFilled")
            .order_by(events.c.seq)
        ).first()
        assert row is not None
        payload = json.loads(row.payload)
        fill = payload["fill"]
        fill["price"] = str(Decimal(fill["price"]) + 1)
        connection.execute(
            update(events)
            .where(events.c.session_id == session_id, events.c.seq == row.seq)
            .values(payload=json.dumps(payload))
        )
    return int(row.seq)


def test_a_session_whose_journal_diverges_is_kept_read_only_as_of_the_last_command_that_replays(
    api: Api,
) -> None:
    session = api.create_session(execution=IDEAL)
    other = api.create_session(execution=IDEAL)
    sid = session["id"]
    account = api.create_account(sid)["id"]
    assert api.trading("POST", sid, account, "/orders", json=BUY).status_code == 200
    advanced = api.client.post(f"/v1/sessions/{sid}/time/advance", json={"duration": 1440},
                               auth=api.alice)  # fmt: skip
    assert advanced.status_code == 200, advanced.text
    positions = api.trading("GET", sid, account, "/positions").json()
    assert [p["qty"] for p in positions] == ["10"]
    seq = rewrite_recorded_fill(api, sid)

    api.restart()

    shown = api.client.get(f"/v1/sessions/{sid}", auth=api.alice).json()
    assert shown["state"] == "error"
    assert f"from seq {seq} (OrderFilled) on" in shown["state_reason"]
    assert "read-only" in shown["state_reason"]
    assert shown["current_time"] == session["current_time"]  # before the advance that filled
    assert api.trading("GET", sid, account, "/positions").json() == []
    orders = api.trading("GET", sid, account, "/orders", params={"status": "all"}).json()
    assert [o["status"] for o in orders] == ["accepted"]
    listed = api.client.get("/v1/sessions", auth=api.alice)
    assert listed.status_code == 200
    assert {s["id"]: s["state"] for s in listed.json()}[other["id"]] == "paused"

    # Nothing moves it: its journal is the record and is not rewritten.
    for response in (
        api.trading("POST", sid, account, "/orders", json=BUY),
        api.client.post(f"/v1/sessions/{sid}/time/advance", json={"duration": 1}, auth=api.alice),
    ):
        assert response.status_code == 409, response.text
        assert "read-only" in response.json()["message"]

    restarted = api.client.post(f"/v1/sessions/{sid}/restart", auth=api.alice)
    assert restarted.status_code in (200, 201), restarted.text
    assert restarted.json()["restarted_from"] == sid
    assert restarted.json()["state_reason"] is None
    assert api.client.delete(f"/v1/sessions/{sid}", auth=api.alice).status_code == 204

    api.restart()  # and what is left restores as before
    states = {s["id"]: s["state"] for s in api.client.get("/v1/sessions", auth=api.alice).json()}
    assert sid not in states
    assert states[other["id"]] == "paused"
