"""The session lifecycle through the real application: every move, every refused one.

pause, resume, stop, kill and restart for a backtest; each move is journaled, so a
restart of the server brings every session back in its state.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.api.conftest import END, IDEAL, START, Api

from paperbroker.session.lifecycle import SESSION_TRANSITIONS, SessionState, SessionTrigger

VERBS = {
    SessionTrigger.PAUSE: "pause",
    SessionTrigger.RESUME: "resume",
    SessionTrigger.STOP: "stop",
    SessionTrigger.KILL: "kill",
}


def verb(api: Api, session: dict[str, Any], name: str) -> Any:
    return api.client.post(f"/v1/sessions/{session['id']}/{name}", auth=api.alice)


def read(api: Api, session: dict[str, Any]) -> dict[str, Any]:
    response = api.client.get(f"/v1/sessions/{session['id']}", auth=api.alice)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def trade(api: Api, session: dict[str, Any], path: str, **kwargs: Any) -> Any:
    method = "POST" if "json" in kwargs else "GET"
    return api.trading(method, session["id"], session["default_account_id"], path, **kwargs)


def buy(api: Api, session: dict[str, Any], qty: str, **fields: Any) -> Any:
    body = {"symbol": "AAPL", "side": "buy", "qty": qty, "type": "market", **fields}
    return trade(api, session, "/orders", json=body)


def advance(api: Api, session: dict[str, Any], target: str) -> Any:
    return api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"targetTime": target}, auth=api.alice
    )


def in_state(api: Api, state: SessionState) -> dict[str, Any]:
    """A new session brought to ``state`` through the API."""
    session = api.create_session(execution=IDEAL)
    if state is SessionState.RUNNING:
        assert verb(api, session, "resume").status_code == 200
    elif state is SessionState.STOPPED:
        assert verb(api, session, "stop").status_code == 200
    elif state is SessionState.KILLED:
        assert verb(api, session, "kill").status_code == 200
    elif state is SessionState.COMPLETED:
        assert advance(api, session, END).status_code == 200
    assert read(api, session)["state"] == state
    return session


REACHABLE = [
    SessionState.PAUSED, SessionState.RUNNING, SessionState.STOPPED, SessionState.KILLED,
    SessionState.COMPLETED,
]  # fmt: skip


@pytest.mark.parametrize("state", REACHABLE)
@pytest.mark.parametrize("trigger", list(VERBS))
def test_every_verb_in_every_state_moves_as_the_table_says_or_is_a_409_naming_the_state(
    api: Api, state: SessionState, trigger: SessionTrigger
) -> None:
    session = in_state(api, state)
    response = verb(api, session, VERBS[trigger])
    if not SESSION_TRANSITIONS.allows(state, trigger):
        assert response.status_code == 409, response.text
        assert f"in state {state}" in response.json()["message"]
        assert read(api, session)["state"] == state  # nothing changed
        return
    assert response.status_code == 200, response.text
    expected = SESSION_TRANSITIONS.next_state(state, trigger)
    if expected is SessionState.STOPPING:
        expected = SessionState.STOPPED  # a backtest settles its stop at once
    assert response.json()["state"] == expected
    ended = expected in (SessionState.STOPPED, SessionState.KILLED, SessionState.COMPLETED)
    assert response.json()["status"] == ("completed" if ended else "active")
    assert response.json()["playback_state"] == (
        "playing" if expected is SessionState.RUNNING else "paused"
    )


def test_stop_cancels_open_orders_closes_positions_and_ends(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    assert buy(api, session, "10").status_code == 200
    assert advance(api, session, "2012-01-05T21:00:00Z").status_code == 200
    resting = buy(api, session, "5", type="limit", limit_price="1")
    assert resting.status_code == 200
    stopped = verb(api, session, "stop")
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["state"] == "stopped"
    assert trade(api, session, "/positions").json() == []
    orders = trade(api, session, "/orders", params={"status": "all"}).json()
    by_id = {o["id"]: o for o in orders}
    assert by_id[resting.json()["id"]]["status"] == "canceled"
    flatten = [o for o in orders if o["side"] == "sell"]
    assert [(o["qty"], o["status"], o["type"]) for o in flatten] == [("10", "filled", "market")]
    account = trade(api, session, "/account").json()
    assert Decimal(account["equity"]) == Decimal(account["cash"])  # flat: all cash
    refused = buy(api, session, "1")
    assert refused.status_code == 409
    assert "stopped" in refused.json()["message"]
    assert advance(api, session, END).status_code == 409


def test_kill_ends_at_once_and_leaves_everything_as_it_is(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    assert buy(api, session, "10").status_code == 200
    assert advance(api, session, "2012-01-05T21:00:00Z").status_code == 200
    resting = buy(api, session, "5", type="limit", limit_price="1").json()
    before = read(api, session)["current_time"]
    killed = verb(api, session, "kill").json()
    assert (killed["state"], killed["current_time"]) == ("killed", before)
    assert [p["qty"] for p in trade(api, session, "/positions").json()] == ["10"]
    order = trade(api, session, f"/orders/{resting['id']}").json()
    assert order["status"] == "accepted"  # left as it was; the venue is closed for good
    assert buy(api, session, "1").status_code == 409


def test_a_completed_backtest_cannot_be_stopped_resumed_or_advanced(api: Api) -> None:
    session = in_state(api, SessionState.COMPLETED)
    assert read(api, session)["status"] == "completed"
    for name in ("stop", "resume", "kill", "pause"):
        assert verb(api, session, name).status_code == 409, name
    assert advance(api, session, END).status_code == 409


def test_restart_is_a_new_run_of_the_same_configuration_linked_to_the_old(api: Api) -> None:
    strategy = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}
    old = api.create_session(execution={"preset": "equities_realistic", "seed": 3},
                             strategy=strategy, name="run")  # fmt: skip
    assert advance(api, old, "2012-02-15T21:00:00Z").status_code == 200
    response = verb(api, old, "restart")
    assert response.status_code == 201, response.text
    new = response.json()
    assert new["id"] != old["id"]
    assert new["restarted_from"] == old["id"]
    assert (new["state"], new["current_time"], new["name"]) == ("paused", START, "run")
    assert new["execution"] == old["execution"]
    assert read(api, old)["state"] == "stopped"  # stopped first: it had not ended
    graph = api.client.get(f"/v1/sessions/{new['id']}/pipeline", auth=api.alice).json()
    assert [n["name"] for n in graph["nodes"]] == ["data", "strategy", "risk", "execution"]
    # Same configuration and commands: the same trades as the first run made.
    assert advance(api, new, "2012-02-15T21:00:00Z").status_code == 200
    fills = [
        (o["side"], o["filled_qty"], o["filled_avg_price"], o["filled_at"])
        for o in trade(api, new, "/orders", params={"status": "all"}).json()
    ]
    assert fills
    again = verb(api, new, "restart").json()  # a stopped session restarts as it is
    assert again["restarted_from"] == new["id"]
    other = api.client.post(f"/v1/sessions/{old['id']}/restart", auth=api.bob)
    assert other.status_code == 404


def test_the_states_survive_a_restart_of_the_server(api: Api) -> None:
    sessions = {state: in_state(api, state) for state in REACHABLE}
    api.restart()
    for state, session in sessions.items():
        assert read(api, session)["state"] == state
    running = read(api, sessions[SessionState.RUNNING])
    assert running["playback_state"] == "playing"  # it plays on after the restart
    assert verb(api, sessions[SessionState.RUNNING], "pause").status_code == 200


def test_the_lifecycle_verbs_need_the_owner(api: Api) -> None:
    session = api.create_session()
    for name in ("pause", "resume", "stop", "kill", "restart"):
        response = api.client.post(f"/v1/sessions/{session['id']}/{name}", auth=api.bob)
        assert response.status_code == 404, name
        assert api.client.post(f"/v1/sessions/{session['id']}/{name}").status_code == 401
