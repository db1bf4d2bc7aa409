"""/api/paper-trading through the real application: sessions on live feeds, steered and traded.

The feeds run in real time here (synthetic bars every 50 ms, or the bundled
daily bars replayed a hundred thousand times faster), so each test waits for
what it needs, with a deadline.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from tests.api.conftest import Api
from tests.waiting import wait_for

FAST = {"type": "synthetic", "seed": 3, "interval_seconds": 0.05}
SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 4}}


def create(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"symbols": ["AAA", "BBB"], "feed": FAST, "execution": {"preset": "ideal"}, **fields}
    response = api.client.post("/api/paper-trading/sessions", json=body, auth=api.alice)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def get(api: Api, path: str, auth: Any = None) -> Any:
    response = api.client.get(f"/api/paper-trading{path}", auth=auth or api.alice)
    assert response.status_code == 200, response.text
    return response.json()


def post(api: Api, path: str, **kwargs: Any) -> Any:
    return api.client.post(f"/api/paper-trading{path}", auth=api.alice, **kwargs)


def test_a_paper_session_runs_its_strategy_on_the_feed(api: Api) -> None:
    session = create(api, strategy=SMA, name="sma on synthetic")
    assert (session["status"], session["state"], session["type"], session["symbols"]) == (
        "running", "running", "paper", ["AAA", "BBB"],
    )  # fmt: skip
    assert session["feed"]["type"] == "synthetic"
    orders = wait_for(
        lambda: [o for o in get(api, f"/{session['id']}/orders") if o["status"] == "filled"],
        "the strategy's first fill",
    )
    assert orders[0]["side"] == "buy"
    read = get(api, f"/sessions/{session['id']}")
    assert read["feed"]["connected"] is True
    assert read["feed"]["bars"] > 0
    assert read["feed"]["stale"] is False
    assert [s["id"] for s in get(api, "/sessions")] == [session["id"]]
    api.create_session()  # a backtest is not a paper session
    assert [s["id"] for s in get(api, "/sessions")] == [session["id"]]
    other = api.client.get(f"/api/paper-trading/sessions/{session['id']}", auth=api.bob)
    assert other.status_code == 404


def test_orders_by_hand_pause_resume_and_a_graceful_stop(api: Api) -> None:
    session = create(api)
    sid = session["id"]
    wait_for(lambda: get(api, f"/sessions/{sid}")["feed"]["bars"] >= 2, "the first bars")
    buy = post(api, f"/{sid}/orders", json={"symbol": "AAA", "side": "buy", "qty": "10",
                                          "type": "market"})  # fmt: skip
    assert buy.status_code == 200, buy.text
    wait_for(lambda: get(api, f"/{sid}/positions"), "the position")
    assert [(p["symbol"], p["qty"]) for p in get(api, f"/{sid}/positions")] == [("AAA", "10")]

    paused = post(api, f"/sessions/{sid}/pause")
    assert paused.json()["state"] == "paused"
    refused = post(api, f"/{sid}/orders", json={"symbol": "BBB", "side": "buy", "qty": "1",
                                              "type": "market"})  # fmt: skip
    assert refused.status_code == 409
    assert "paused" in refused.json()["message"]
    bars = get(api, f"/sessions/{sid}")["feed"]["bars"]
    wait_for(lambda: get(api, f"/sessions/{sid}")["feed"]["bars"] > bars, "prices while paused")
    again = post(api, f"/sessions/{sid}/pause")
    assert again.status_code == 409
    assert "in state paused" in again.json()["message"]
    assert post(api, f"/sessions/{sid}/resume").json()["state"] == "running"

    stopped = post(api, f"/sessions/{sid}/stop")
    assert stopped.status_code == 200
    assert stopped.json()["state"] in ("stopping", "stopped")
    wait_for(lambda: get(api, f"/sessions/{sid}")["state"] == "stopped", "the stop")
    assert get(api, f"/{sid}/positions") == []
    sells = [o for o in get(api, f"/{sid}/orders") if o["side"] == "sell"]
    assert [(o["qty"], o["status"]) for o in sells] == [("10", "filled")]
    assert post(api, f"/sessions/{sid}/resume").status_code == 409
    bars = get(api, f"/sessions/{sid}")["feed"]["bars"]
    time.sleep(0.3)
    assert get(api, f"/sessions/{sid}")["feed"]["bars"] == bars  # its feed has stopped


def test_pause_all_and_resume_all_touch_only_the_callers_working_sessions(api: Api) -> None:
    running = [create(api), create(api)]
    paused = create(api)
    post(api, f"/sessions/{paused['id']}/pause")
    stopped = create(api)
    post(api, f"/sessions/{stopped['id']}/stop")
    bob = api.client.post("/api/paper-trading/sessions", auth=api.bob,
                          json={"symbols": ["AAA"], "feed": FAST}).json()  # fmt: skip
    result = post(api, "/sessions/pause-all").json()["results"]
    assert result == {s["id"]: "paused" for s in running}
    states = {s["id"]: s["state"] for s in get(api, "/sessions")}
    assert states[paused["id"]] == "paused"
    assert states[stopped["id"]] in ("stopping", "stopped")
    assert get(api, f"/sessions/{bob['id']}", auth=api.bob)["state"] == "running"
    resumed = post(api, "/sessions/resume-all").json()["results"]
    assert resumed == {s["id"]: "running" for s in [*running, paused]}


def test_a_replay_completes_when_its_data_runs_out(api: Api) -> None:
    # The last week of the bundled daily bars, a hundred thousand times faster: ~0.9 s a day.
    session = create(api, symbols=["AAPL"], feed={"type": "replay", "speed": 100_000,
                                                  "start": "2013-02-22T00:00:00Z"})  # fmt: skip
    wait_for(lambda: get(api, f"/sessions/{session['id']}")["state"] == "completed",
             "the end of the data")  # fmt: skip
    assert get(api, f"/sessions/{session['id']}")["feed"]["bars"] >= 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"symbols": []}, "symbols"),
        ({"symbols": ["AAA"], "feed": {"type": "carrier-pigeon"}}, "type"),
        ({"symbols": ["AAA"], "feed": {"type": "synthetic", "interval_seconds": 0}},
         "interval_seconds"),
        ({"symbols": ["AAA"], "feed": {"speed": 2}, "strategy": "nope"}, "nope"),
        ({"symbols": ["ZZZZ"], "feed": {"type": "replay"}}, "ZZZZ: no data"),
        ({"symbols": ["AAPL", "IBM"], "feed": {"type": "replay", "start": "2020-01-01T00:00:00Z"}},
         "no bars of AAPL, IBM in the session's window 2020-01-01 – the last bar; the data has "
         "AAPL: 2000-03-01 – 2013-03-01, IBM: 2000-03-01 – 2013-03-01"),
        ({"symbols": ["AAA"], "feed": {"type": "alpaca"}}, "PAPERBROKER_ALPACA_KEY_ID"),
        ({"symbols": ["AAA"], "feed": {"bogus": 1}}, "bogus"),
        ({"symbols": ["AAA"], "strategy": "sma_crossover", "agents": []}, "not both"),
    ],
)  # fmt: skip
def test_bad_paper_sessions_are_422_naming_the_problem_and_leave_nothing(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = api.client.post("/api/paper-trading/sessions", json=body, auth=api.alice)
    assert response.status_code == 422, response.text
    assert field in response.json()["message"]
    assert "file.py" not in response.json()["message"]  # names only, on a server
    assert get(api, "/sessions") == []


def test_paper_sessions_come_back_after_a_restart_in_their_state(api: Api) -> None:
    running = create(api, strategy=SMA)
    paused = create(api)
    post(api, f"/sessions/{paused['id']}/pause")
    wait_for(lambda: get(api, f"/sessions/{running['id']}")["feed"]["bars"] >= 3, "bars")
    api.restart()
    assert get(api, f"/sessions/{paused['id']}")["state"] == "paused"
    before = get(api, f"/sessions/{running['id']}")
    assert before["state"] == "running"
    # Its feed started again: new bars arrive and the clock moves on with them.
    wait_for(
        lambda: get(api, f"/sessions/{running['id']}")["current_time"] > before["current_time"],
        "the clock to move after the restart",
    )
    assert get(api, f"/sessions/{running['id']}")["feed"]["bars"] >= 1
    orders_before = get(api, f"/{running['id']}/orders")
    wait_for(lambda: len(get(api, f"/{running['id']}/orders")) > len(orders_before),
             "the strategy to trade on after the restart")  # fmt: skip


def test_creating_restarting_and_deleting_sessions_is_system_activity(api: Api) -> None:
    session = create(api)
    post(api, f"/sessions/{session['id']}/stop")
    restarted = api.client.post(f"/v1/sessions/{session['id']}/restart", auth=api.alice).json()
    assert api.client.delete(f"/v1/sessions/{session['id']}", auth=api.alice).status_code == 204
    activity = api.client.get("/api/activity", params={"limit": 50}, auth=api.alice).json()
    kinds = [(a["type"], a.get("session_id")) for a in activity if a["stream"].startswith("system")]
    assert ("SessionCreated", session["id"]) in kinds
    assert ("SessionRestarted", restarted["id"]) in kinds
    assert ("SessionDeleted", session["id"]) in kinds
    theirs = api.client.get("/api/activity", auth=api.bob).json()
    assert all(a.get("session_id") != session["id"] for a in theirs)


def test_a_stale_feed_is_reported_and_pauses_the_session_by_policy(api: Api) -> None:
    slow = {"type": "synthetic", "interval_seconds": 3600, "stale_after_seconds": 0.3}
    reported = create(api, feed=slow)
    pausing = create(api, feed={**slow, "on_stale": "pause"})
    wait_for(lambda: get(api, f"/sessions/{pausing['id']}")["state"] == "paused",
             "the stale feed to pause its session")  # fmt: skip
    read = get(api, f"/sessions/{reported['id']}")
    assert read["feed"]["stale"] is True
    assert read["state"] == "running"  # the default policy only reports
    activity = api.client.get("/api/activity", params={"session_id": pausing["id"]},
                              auth=api.alice).json()  # fmt: skip
    assert any("stale" in a["message"] for a in activity)


def paper_in_state(api: Api, state: str) -> dict[str, Any]:
    """A paper session brought to ``state`` through the API (flat, so a stop is at once)."""
    session = create(api)
    if state != "running":
        verb = {"paused": "pause", "stopped": "stop", "killed": "kill"}[state]
        response = api.client.post(f"/v1/sessions/{session['id']}/{verb}", auth=api.alice)
        assert response.status_code == 200, response.text
    assert get(api, f"/sessions/{session['id']}")["state"] == state
    return session


MOVES = {  # (state, verb) -> the state after, or None for a 409
    ("running", "pause"): "paused", ("running", "resume"): None,
    ("running", "stop"): "stopped", ("running", "kill"): "killed",
    ("paused", "pause"): None, ("paused", "resume"): "running",
    ("paused", "stop"): "stopped", ("paused", "kill"): "killed",
    ("stopped", "pause"): None, ("stopped", "resume"): None,
    ("stopped", "stop"): None, ("stopped", "kill"): None,
    ("killed", "pause"): None, ("killed", "resume"): None,
    ("killed", "stop"): None, ("killed", "kill"): None,
}  # fmt: skip


@pytest.mark.parametrize(("state", "verb"), list(MOVES))
def test_every_verb_on_a_paper_session_in_every_state(api: Api, state: str, verb: str) -> None:
    session = paper_in_state(api, state)
    response = api.client.post(f"/v1/sessions/{session['id']}/{verb}", auth=api.alice)
    expected = MOVES[(state, verb)]
    if expected is None:
        assert response.status_code == 409, response.text
        assert f"in state {state}" in response.json()["message"]
        assert get(api, f"/sessions/{session['id']}")["state"] == state
    else:
        assert response.status_code == 200, response.text
        assert response.json()["state"] == expected
