"""A restarted server answers at once and restores its sessions in the background.

``Api.restart`` starts the application as ``paperbroker serve`` does
(``create_app(..., restore=True)``): nothing is restored before it answers.
"""

from __future__ import annotations

import time

from tests.api.conftest import Api, Server
from tests.waiting import wait_for

from paperbroker.store.journal import Journal


def test_a_running_backtest_plays_on_after_a_restart_without_any_request(api: Api) -> None:
    session_id = api.create_session()["id"]
    path = f"/v1/sessions/{session_id}/time"
    assert api.client.put(f"{path}/speed", json={"speed": 6000}, auth=api.alice).status_code == 200
    assert api.client.post(f"{path}/play", auth=api.alice).status_code == 200
    api.restart()
    journal = Journal(api.server.service.factory)
    before = len(journal.read(session_id))
    # No request names the session: the background restore set it playing again.
    wait_for(lambda: len(journal.read(session_id)) > before, "the restored session to play on")
    now = api.client.get(f"/v1/sessions/{session_id}", auth=api.alice).json()
    assert (now["state"], now["playback_state"]) == ("running", "playing")


def test_the_restore_waits_for_the_first_answer(api: Api) -> None:
    session_id = api.create_session()["id"]
    path = f"/v1/sessions/{session_id}/time"
    assert api.client.put(f"{path}/speed", json={"speed": 6000}, auth=api.alice).status_code == 200
    assert api.client.post(f"{path}/play", auth=api.alice).status_code == 200
    api.server.close()
    api.server = Server(api.database, restore=True, warm_up_delay=60)
    journal = Journal(api.server.service.factory)
    before = len(journal.read(session_id))
    time.sleep(1)
    assert len(journal.read(session_id)) == before  # nothing answered yet: nothing restored
    # Bob owns no session: his answer touches none of Alice's, and lets the restore begin.
    assert api.client.get("/v1/sessions", auth=api.bob).json() == []
    wait_for(lambda: len(journal.read(session_id)) > before, "the restored session to play on")


def test_a_request_right_after_a_restart_sees_the_whole_session(api: Api) -> None:
    session_id = api.create_session()["id"]
    account = api.create_account(session_id)
    order = {"symbol": "AAPL", "side": "buy", "qty": "1", "type": "limit", "limit_price": "1"}
    for _ in range(50):
        placed = api.trading("POST", session_id, account["id"], "/orders", json=order)
        assert placed.status_code == 200, placed.text
    api.restart()
    # Asked at once, while the background restore may still run: all 50, never part of them.
    listed = api.trading("GET", session_id, account["id"], "/orders", params={"status": "open"})
    assert listed.status_code == 200
    assert len(listed.json()) == 50
