"""Sessions over HTTP: the README's example flow, the clock, listing and deleting."""

from __future__ import annotations

import re
import time

from sqlalchemy import update
from tests.api.conftest import END, IDEAL, START, Api

from paperbroker.store.tables import SessionRow

DECIMAL = re.compile(r"-?\d+(\.\d+)?")
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")


def test_example_flow_market_buy_fills_after_one_minute(api: Api) -> None:
    session = api.create_session(name="demo", execution=IDEAL)
    account = api.create_account(session["id"])
    order = api.trading(
        "POST",
        session["id"],
        account["id"],
        "/orders",
        json={"symbol": "AAPL", "side": "buy", "qty": 10, "type": "market"},
    )
    assert order.status_code == 200, order.text
    assert order.json()["status"] == "accepted"
    assert order.json()["filled_qty"] == "0"

    advance = api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice)
    assert advance.status_code == 200
    assert advance.json() == {
        "previousTime": "2012-01-03T14:30:00Z",
        "currentTime": "2012-01-03T14:31:00Z",
        "simulationEnd": END,
        "isCompleted": False,
    }

    positions = api.trading("GET", session["id"], account["id"], "/positions")
    assert positions.status_code == 200
    [position] = positions.json()
    assert (position["symbol"], position["qty"], position["side"]) == ("AAPL", "10", "long")
    filled = api.trading("GET", session["id"], account["id"], f"/orders/{order.json()['id']}")
    assert filled.json()["status"] == "filled"
    assert filled.json()["filled_at"] == "2012-01-03T14:31:00Z"


def test_session_response_has_the_documented_fields_and_formats(api: Api) -> None:
    session = api.create_session(name="formats", initialCash="2500.50")
    assert set(session) == {
        "id", "name", "status", "simulation_start", "simulation_end", "current_time",
        "playback_state", "playback_speed", "initial_cash", "total_realized_pnl",
        "total_unrealized_pnl", "created_at", "execution", "account", "execution_quality",
        "default_account_id", "state", "type", "restarted_from", "data_notes", "state_reason",
        "left_open", "strategy", "symbols", "exposure", "started_at", "ended_at", "broker",
        "real_money",
    }  # fmt: skip
    assert session["left_open"] is None
    assert (session["broker"], session["real_money"]) == (None, False)  # a backtest
    accounts = api.client.get(
        f"/v1/trading/accounts/{session['default_account_id']}/account",
        headers={"X-Session-Id": session["id"]}, auth=api.alice,
    )  # fmt: skip
    assert accounts.json()["initial_cash"] == "2500.50"  # the account the session opened with
    assert (session["status"], session["playback_state"]) == ("active", "paused")
    assert (session["state"], session["type"], session["restarted_from"]) == (
        "paused", "backtest", None,
    )  # fmt: skip
    assert session["data_notes"] == []  # the bundled prices are on their ticks
    assert session["playback_speed"] == 1.0
    assert (session["simulation_start"], session["current_time"]) == (START, START)
    assert session["simulation_end"] == END
    assert session["initial_cash"] == "2500.50"
    for field in ("initial_cash", "total_realized_pnl", "total_unrealized_pnl", "exposure"):
        assert isinstance(session[field], str)
        assert DECIMAL.fullmatch(session[field]), field
    for field in ("simulation_start", "simulation_end", "current_time", "created_at"):
        assert RFC3339_UTC.fullmatch(session[field]), field


def test_session_defaults_and_numeric_inputs(api: Api) -> None:
    assert api.create_session()["initial_cash"] == "100000"
    assert api.create_session(initialCash=2500.5)["initial_cash"] == "2500.5"
    assert api.create_session(initialCash=1e3)["initial_cash"] == "1000"  # a JSON number
    refused = api.client.post("/v1/sessions", json={"initialCash": "1e3"}, auth=api.alice)
    assert refused.status_code == 422  # a string holds a plain decimal, not an exponent
    offset = api.create_session(startTime="2012-01-03T09:30:00-05:00")
    assert offset["simulation_start"] == START


def test_account_numbers_are_decimal_strings(api: Api) -> None:
    session = api.create_session()
    account = api.create_account(session["id"])
    assert account["session_id"] == session["id"]
    for field in ("initial_cash", "cash", "equity", "buying_power", "realized_pnl"):
        assert isinstance(account[field], str)
        assert DECIMAL.fullmatch(account[field]), field
    read = api.trading("GET", session["id"], account["id"], "/account")
    assert read.status_code == 200
    assert read.json()["cash"] == "100000"


def test_account_with_initial_cash(api: Api) -> None:
    session = api.create_session()
    response = api.client.post(
        "/v1/accounts",
        headers={"X-Session-Id": session["id"]},
        json={"initialCash": "5000"},
        auth=api.alice,
    )
    assert response.status_code == 200
    assert response.json()["cash"] == "5000"


def test_list_get_and_delete(api: Api) -> None:
    first, second = api.create_session(name="one"), api.create_session(name="two")
    listed = api.client.get("/v1/sessions", auth=api.alice).json()
    assert [s["id"] for s in listed] == [first["id"], second["id"]]
    got = api.client.get(f"/v1/sessions/{first['id']}", auth=api.alice)
    assert got.status_code == 200
    assert got.json()["name"] == "one"

    deleted = api.client.delete(f"/v1/sessions/{first['id']}", auth=api.alice)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.client.get(f"/v1/sessions/{first['id']}", auth=api.alice).status_code == 404
    assert api.client.delete(f"/v1/sessions/{first['id']}", auth=api.alice).status_code == 404
    listed = api.client.get("/v1/sessions", auth=api.alice).json()
    assert [s["id"] for s in listed] == [second["id"]]


def test_deleted_session_accounts_are_404(api: Api) -> None:
    session = api.create_session()
    account = api.create_account(session["id"])
    api.client.delete(f"/v1/sessions/{session['id']}", auth=api.alice)
    assert api.trading("GET", session["id"], account["id"], "/account").status_code == 404
    order = {"symbol": "AAPL", "side": "buy", "qty": 1, "type": "market"}
    placed = api.trading("POST", session["id"], account["id"], "/orders", json=order)
    assert placed.status_code == 404


def test_deleting_a_session_deletes_its_bound_keys_and_hands_over_what_they_own(
    api: Api,
) -> None:
    """Earlier versions let a key bound to a session create sessions of its own; deleting the
    parent then failed on them (a 500). Now the owner gets them, running as they were."""
    parent = api.create_session(execution=IDEAL)
    made = api.client.post(f"/v1/sessions/{parent['id']}/keys", auth=api.alice).json()
    bot = (made["key_id"], made["secret"])
    refused = api.client.post("/v1/sessions", json={"startTime": START, "endTime": END}, auth=bot)
    assert refused.status_code == 403
    child = api.create_session(execution=IDEAL)
    with api.server.engine.begin() as connection:  # the bot's, as an earlier version wrote it
        connection.execute(
            update(SessionRow).where(SessionRow.id == child["id"]).values(owner_key_id=bot[0])
        )
    api.restart()  # serving the bot's session as the bot's, playing
    assert api.client.get(f"/v1/sessions/{child['id']}", auth=api.alice).status_code == 404
    api.server.service.play(bot[0], child["id"])

    deleted = api.client.delete(f"/v1/sessions/{parent['id']}", auth=api.alice)

    assert deleted.status_code == 204, deleted.text
    assert api.client.get("/v2/account", auth=bot).status_code == 401  # the key went too
    adopted = api.client.get(f"/v1/sessions/{child['id']}", auth=api.alice)
    assert adopted.status_code == 200
    assert adopted.json()["playback_state"] == "playing"
    paused = api.client.post(f"/v1/sessions/{child['id']}/time/pause", auth=api.alice)
    assert paused.status_code == 200, paused.text
    listed = api.client.get("/v1/sessions", auth=api.alice).json()
    assert [s["id"] for s in listed] == [child["id"]]


def advance(api: Api, session_id: str, body: object = None) -> tuple[int, dict[str, object]]:
    path = f"/v1/sessions/{session_id}/time/advance"
    response = api.client.post(path, json=body, auth=api.alice)
    result: dict[str, object] = response.json()
    return response.status_code, result


def test_advance_by_duration_and_to_target(api: Api) -> None:
    session_id = api.create_session()["id"]
    assert advance(api, session_id, {"duration": 90})[1]["currentTime"] == "2012-01-03T16:00:00Z"
    assert advance(api, session_id, {"duration": "0.5"})[1]["currentTime"] == (
        "2012-01-03T16:00:30Z"
    )
    assert advance(api, session_id, {})[1]["currentTime"] == "2012-01-03T16:01:30Z"
    moved = advance(api, session_id, {"targetTime": "2012-01-04T14:30:00Z"})[1]
    assert moved["previousTime"] == "2012-01-03T16:01:30Z"
    assert moved["currentTime"] == "2012-01-04T14:30:00Z"


def test_advance_rejects_both_and_bad_values(api: Api) -> None:
    session_id = api.create_session()["id"]
    status, body = advance(api, session_id, {"duration": 1, "targetTime": END})
    assert status == 422
    assert "not both" in str(body["message"])
    for bad in ({"duration": 0}, {"duration": -5}, {"duration": "x"}, {"minutes": 5}):
        status, body = advance(api, session_id, bad)
        assert status == 422, bad
    status, body = advance(api, session_id, {"targetTime": "2011-01-01T00:00:00Z"})
    assert status == 422
    assert "targetTime" in str(body["message"])


def test_advance_past_the_end_completes_the_session(api: Api) -> None:
    session = api.create_session()
    account = api.create_account(session["id"])
    status, body = advance(api, session["id"], {"targetTime": "2013-01-01T00:00:00Z"})
    assert status == 200
    assert (body["currentTime"], body["isCompleted"]) == (END, True)
    got = api.client.get(f"/v1/sessions/{session['id']}", auth=api.alice).json()
    assert got["status"] == "completed"
    # A completed session takes no more orders nor time: 409.
    order = {"symbol": "AAPL", "side": "buy", "qty": 1, "type": "market"}
    placed = api.trading("POST", session["id"], account["id"], "/orders", json=order)
    assert placed.status_code == 409
    assert placed.json()["code"] == 40910000
    assert advance(api, session["id"])[0] == 409
    # Its books can still be read.
    assert api.trading("GET", session["id"], account["id"], "/account").status_code == 200


def test_play_pause_and_speed(api: Api) -> None:
    session_id = api.create_session()["id"]
    path = f"/v1/sessions/{session_id}/time"
    sped = api.client.put(f"{path}/speed", json={"speed": 6000}, auth=api.alice)
    assert sped.status_code == 200
    assert sped.json()["playback_speed"] == 6000.0
    played = api.client.post(f"{path}/play", auth=api.alice)
    assert played.status_code == 200
    assert played.json()["playback_state"] == "playing"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = api.client.get(f"/v1/sessions/{session_id}", auth=api.alice).json()
        if now["current_time"] != START:
            break
        time.sleep(0.05)
    assert now["current_time"] > START  # RFC 3339 UTC strings sort by time
    paused = api.client.post(f"{path}/pause", auth=api.alice)
    assert paused.json()["playback_state"] == "paused"
    stopped_at = paused.json()["current_time"]
    time.sleep(0.3)
    assert (
        api.client.get(f"/v1/sessions/{session_id}", auth=api.alice).json()["current_time"]
        == stopped_at
    )


def test_speed_must_be_positive_and_finite(api: Api) -> None:
    session_id = api.create_session()["id"]
    path = f"/v1/sessions/{session_id}/time/speed"
    for bad in ({"speed": 0}, {"speed": -1}, {"speed": "fast"}, {}, {"speed": 1e9}):
        response = api.client.put(path, json=bad, auth=api.alice)
        assert response.status_code == 422, bad
        assert "speed" in response.json()["message"]
    assert api.client.put(path, json={"speed": "2.5"}, auth=api.alice).status_code == 200


def test_assets_list_symbols_with_their_span(api: Api) -> None:
    response = api.client.get("/v1/assets", auth=api.alice)
    assert response.status_code == 200
    assets = {a["symbol"]: a for a in response.json()}
    assert {"AAPL", "MSFT", "EURUSD"} <= set(assets)
    aapl = assets["AAPL"]
    assert aapl["asset_class"] == "equity"
    assert aapl["data_start"] < START < END < aapl["data_end"]
    assert RFC3339_UTC.fullmatch(aapl["data_start"])


def test_a_session_over_a_period_without_data_is_refused_naming_the_ranges(api: Api) -> None:
    body = {"startTime": "2020-01-02T14:30:00Z", "endTime": "2020-12-31T21:00:00Z"}
    response = api.client.post("/v1/sessions", json=body, auth=api.alice)
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert message.startswith(
        "no market data in the session's window 2020-01-02 14:30Z – 2020-12-31 21:00Z; "
        "the data has AAPL: 2000-03-01 – 2013-03-01, "
        "EURUSD: 2017-01-01 22:00Z – 2017-12-29 22:00Z, "
    )
    for symbol in ("FB: 2012-05-18", "GOOG: 2004-08-19", "IBM: 2000-03-01", "MSFT: 2000-03-01"):
        assert symbol in message
    assert api.client.get("/v1/sessions", auth=api.alice).json() == []


def test_a_strategy_symbol_without_data_in_the_window_is_refused(api: Api) -> None:
    # 2017 has EURUSD bars, none of AAPL's: a session traded by hand may trade
    # EURUSD, one whose strategy trades AAPL cannot trade at all.
    window = {"startTime": "2017-03-01T00:00:00Z", "endTime": "2017-06-30T00:00:00Z"}
    strategy = {"name": "sma_crossover", "symbols": ["AAPL", "EURUSD"]}
    response = api.client.post(
        "/v1/sessions", json={**window, "strategy": strategy}, auth=api.alice
    )
    assert response.status_code == 422, response.text
    assert response.json()["message"] == (
        "no bars of AAPL in the session's window 2017-03-01 – 2017-06-30; the data has "
        "AAPL: 2000-03-01 – 2013-03-01, EURUSD: 2017-01-01 22:00Z – 2017-12-29 22:00Z"
    )
    assert api.create_session(**window)["state"] == "paused"  # by hand: EURUSD
    eurusd = {"name": "sma_crossover", "symbols": ["EURUSD"]}
    assert api.create_session(**window, strategy=eurusd)["state"] == "paused"
