"""A session's risk through the real API: set at creation, changed, enforced, audited.

Every test runs on a SQLite file and on PostgreSQL (the ``api`` fixture).
The bundled AAPL daily bars fill market orders at the next bar's open with
the ideal execution: a buy of 15 placed at the start fills at 409.40 on
2012-01-03.
"""

from __future__ import annotations

import json
from typing import Any, get_args

from tests.api.conftest import IDEAL, Api
from tests.api.test_restore_divergence import rewrite_recorded_fill

from paperbroker.api.risk_schemas import EmergencyAction
from paperbroker.model.codec import decode_event
from paperbroker.model.events import RiskCommanded
from paperbroker.services.risk import EMERGENCY_ACTIONS
from paperbroker.store.journal import Journal

BUY = {"symbol": "AAPL", "side": "buy", "type": "market", "time_in_force": "day"}


def order(api: Api, session: dict[str, Any], qty: str, **fields: Any) -> Any:
    return api.trading(
        "POST", session["id"], session["default_account_id"], "/orders",
        json={**BUY, "qty": qty, **fields},
    )  # fmt: skip


def risk(api: Api, session_id: str) -> dict[str, Any]:
    response = api.client.get(f"/v1/sessions/{session_id}/risk", auth=api.alice)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def commands(api: Api, session_id: str) -> list[RiskCommanded]:
    journal = Journal(api.server.service.factory)
    events = (decode_event(e.kind, e.schema_version, e.payload) for e in journal.read(session_id))
    return [event for event in events if isinstance(event, RiskCommanded)]


def test_limits_set_at_creation_are_enforced_and_a_patch_changes_the_next_order(
    api: Api,
) -> None:
    session = api.create_session(execution=IDEAL, risk={"limits": {"max_position_qty": "10"}})
    view = risk(api, session["id"])
    assert view["settings"]["limits"]["max_position_qty"] == "10"
    assert view["effective"] == view["settings"]
    assert (view["halted"], view["override"], view["denials"]) == (False, None, [])

    denied = order(api, session, "15")
    assert denied.status_code == 422, denied.text
    body = denied.json()
    assert body["reject_reason"] == "risk_denied"
    assert (body["rule"], body["limit"], body["value"]) == ("limits.max_position_qty", "10", "15")
    rejected = api.trading(
        "GET", session["id"], session["default_account_id"], f"/orders/{body['order_id']}"
    ).json()
    assert rejected["status"] == "rejected"
    assert rejected["denial"] == {"rule": "limits.max_position_qty", "limit": "10", "value": "15"}
    assert [d["order_id"] for d in risk(api, session["id"])["denials"]] == [body["order_id"]]

    changed = api.client.patch(
        f"/v1/sessions/{session['id']}/risk",
        json={"settings": {"limits": {"max_position_qty": 20}}, "reason": "room for the test"},
        auth=api.alice,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["settings"]["limits"]["max_position_qty"] == "20"
    assert order(api, session, "15").status_code == 200
    api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice)
    # The position counts: 15 held, 10 more would make 25.
    again = order(api, session, "10").json()
    assert (again["rule"], again["limit"], again["value"]) == (
        "limits.max_position_qty",
        "20",
        "25",
    )

    [command] = commands(api, session["id"])
    assert (command.action, command.by, command.reason) == (
        "configure", api.alice[0], "room for the test",
    )  # fmt: skip
    assert json.loads(command.params)["settings"]["limits"]["max_position_qty"] == "20"
    [entry] = api.client.get("/v1/risk/audit", auth=api.alice).json()["entries"]
    assert entry["session_id"] == session["id"]
    assert (entry["by"], entry["by_name"], entry["action"]) == (api.alice[0], "alice", "configure")
    assert (entry["reason"], entry["outcome"]) == ("room for the test", "ok")
    assert entry["params"] == {"settings": {"limits": {"max_position_qty": 20}}}


def test_a_patch_keeps_what_it_does_not_name_and_null_turns_a_rule_off(api: Api) -> None:
    session = api.create_session(
        execution=IDEAL,
        risk={"limits": {"max_position_qty": "10", "max_order_qty": "5"},
              "breakers": {"daily_loss": "1000"}},
    )  # fmt: skip
    path = f"/v1/sessions/{session['id']}/risk"
    body = {"settings": {"limits": {"max_order_qty": None}}, "reason": "one rule off"}
    view = api.client.patch(path, json=body, auth=api.alice).json()
    assert view["settings"]["limits"]["max_position_qty"] == "10"
    assert view["settings"]["limits"]["max_order_qty"] is None
    assert view["settings"]["breakers"]["daily_loss"] == "1000"


def test_invalid_rules_are_422s_naming_the_field_and_refused_changes_are_audited(
    api: Api,
) -> None:
    body = {"startTime": "2012-01-03T14:30:00Z", "endTime": "2012-03-30T21:00:00Z",
            "risk": {"limits": {"max_order_qty": -1}}}  # fmt: skip
    created = api.client.post("/v1/sessions", json=body, auth=api.alice)
    assert created.status_code == 422
    assert created.json() == {
        "code": 42210000,
        "message": "risk.limits.max_order_qty: must be positive, got -1",
        "field": "risk.limits.max_order_qty",
    }
    paper = api.client.post(
        "/api/paper-trading/sessions",
        json={"symbols": ["AAPL"], "risk": {"breakers": {"max_drawdown_pct": 150}}},
        auth=api.alice,
    )
    assert paper.status_code == 422
    assert paper.json()["field"] == "risk.breakers.max_drawdown_pct"

    session = api.create_session(execution=IDEAL)
    path = f"/v1/sessions/{session['id']}/risk"
    refused = api.client.patch(
        path, json={"settings": {"limits": {"max_order_qty": "0"}}, "reason": "typo"},
        auth=api.alice,
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["field"] == "settings.limits.max_order_qty"
    unknown = api.client.patch(
        path, json={"settings": {"limit": {}}, "reason": "typo"}, auth=api.alice
    )
    assert (unknown.status_code, unknown.json()["field"]) == (422, "settings.limit")
    no_reason = api.client.patch(path, json={"settings": {}}, auth=api.alice)
    assert no_reason.status_code == 422

    [entry] = api.client.get("/v1/risk/audit", auth=api.alice).json()["entries"]
    assert (entry["action"], entry["outcome"]) == ("configure", "failed")
    assert entry["message"].startswith("settings.limits.max_order_qty: must be positive")
    assert commands(api, session["id"]) == []  # nothing journaled


def test_an_override_lapses_and_clearing_it_restores_the_sessions_rules(api: Api) -> None:
    session = api.create_session(execution=IDEAL, risk={"limits": {"max_position_qty": "10"}})
    path = f"/v1/sessions/{session['id']}/risk"
    view = api.client.post(
        f"{path}/override",
        json={"settings": {"limits": {"max_position_qty": "50"}}, "minutes": 60,
              "reason": "rebalancing"},
        auth=api.alice,
    ).json()  # fmt: skip
    assert view["override"]["until"] == "2012-01-03T15:30:00Z"
    assert view["effective"]["limits"]["max_position_qty"] == "50"
    assert view["settings"]["limits"]["max_position_qty"] == "10"
    assert order(api, session, "30").status_code == 200
    api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice)

    cleared = api.client.delete(f"{path}/override", params={"reason": "done"}, auth=api.alice)
    assert cleared.status_code == 200
    assert cleared.json()["override"] is None
    assert cleared.json()["effective"]["limits"]["max_position_qty"] == "10"
    assert order(api, session, "1").status_code == 422  # 31 held would be over 10

    past = api.client.post(
        f"{path}/override",
        json={"settings": {}, "until": "2012-01-02T00:00:00Z", "reason": "too late"},
        auth=api.alice,
    )
    assert past.status_code == 422
    both = api.client.post(
        f"{path}/override", json={"settings": {}, "until": "2012-02-01T00:00:00Z",
                                  "minutes": 5, "reason": "x"}, auth=api.alice,
    )  # fmt: skip
    assert both.status_code == 422
    actions = [
        e["action"] for e in api.client.get("/v1/risk/audit", auth=api.alice).json()["entries"]
    ]
    assert actions == ["override", "clear_override", "override"]


def test_the_kill_switch_on_ten_sessions_leaves_nothing_open_and_a_second_call_is_harmless(
    api: Api,
) -> None:
    sessions = [api.create_session(execution=IDEAL, name=f"s{i}") for i in range(10)]
    for session in sessions:
        assert order(api, session, "5").status_code == 200
        api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice)
        working = order(api, session, "1", type="limit", limit_price="1")
        assert working.status_code == 200
    done = api.client.post(
        "/v1/risk/emergency", json={"action": "kill", "reason": "drill"}, auth=api.alice
    )
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["failed"] == []
    assert sorted(r["session_id"] for r in result["results"]) == sorted(s["id"] for s in sessions)
    for outcome in result["results"]:
        assert (len(outcome["canceled"]), len(outcome["submitted"])) == (1, 1)
    for session in sessions:
        advanced = api.client.post(
            f"/v1/sessions/{session['id']}/time/advance", json={"duration": 24 * 60},
            auth=api.alice,
        )  # fmt: skip
        assert advanced.status_code == 200
        account = session["default_account_id"]
        assert api.trading("GET", session["id"], account, "/positions").json() == []
        open_orders = api.trading("GET", session["id"], account, "/orders").json()
        assert open_orders == []
        view = risk(api, session["id"])
        assert view["halted"] is True
        assert [b["name"] for b in view["breakers"] if b["tripped"]] == ["kill_switch"]
        assert order(api, session, "1").json()["reject_reason"] == "risk_denied"

    again = api.client.post(
        "/v1/risk/emergency", json={"action": "kill", "reason": "twice"}, auth=api.alice
    ).json()
    assert again["failed"] == []
    assert all(r["canceled"] == [] and r["submitted"] == [] for r in again["results"])
    assert len(again["results"]) == 10

    entries = api.client.get("/v1/risk/audit", params={"limit": 500}, auth=api.alice).json()
    assert len(entries["entries"]) == 20
    assert entries["next"] is None
    assert {(e["action"], e["outcome"], e["by"]) for e in entries["entries"]} == {
        ("kill", "ok", api.alice[0])
    }
    assert [e["reason"] for e in entries["entries"]] == ["twice"] * 10 + ["drill"] * 10
    overview = api.client.get("/v1/risk", auth=api.alice).json()["sessions"]
    assert [row["name"] for row in overview] == [f"s{i}" for i in range(10)]
    assert all(row["halted"] and row["tripped"] == ["kill_switch"] for row in overview)
    assert all(row["gross"] == "0" for row in overview)

    reset = api.client.post(
        f"/v1/sessions/{sessions[0]['id']}/risk/breakers/kill_switch/reset",
        json={"reason": "drill over"}, auth=api.alice,
    )  # fmt: skip
    assert reset.status_code == 200
    assert reset.json()["halted"] is False
    assert order(api, sessions[0], "1").status_code == 200
    # Bob's key sees none of it.
    assert api.client.get("/v1/risk/audit", auth=api.bob).json() == {"entries": [], "next": None}
    assert api.client.get("/v1/risk", auth=api.bob).json() == {"sessions": []}


def test_the_overview_shows_each_sessions_usage_and_todays_denials(api: Api) -> None:
    session = api.create_session(
        execution=IDEAL, name="watched",
        risk={"limits": {"max_gross_exposure": "100000", "max_order_qty": "100"}},
    )  # fmt: skip
    assert order(api, session, "200").status_code == 422  # over max_order_qty
    assert order(api, session, "100").status_code == 200
    api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice)
    [row] = api.client.get("/v1/risk", auth=api.alice).json()["sessions"]
    assert (row["session_id"], row["name"], row["type"]) == (session["id"], "watched", "backtest")
    assert (row["halted"], row["tripped"], row["denials_today"]) == (False, [], 1)
    # 100 AAPL filled and marked at the open of 2012-01-03, 409.40: 40,940 of 100,000.
    assert (row["gross"], row["net"], row["equity"]) == ("40940.0000", "40940.0000", "100000.0000")
    assert row["max_usage_ratio"] == "0.409400"
    # The next day, yesterday's denial is not today's.
    api.client.post(f"/v1/sessions/{session['id']}/time/advance", json={"duration": 1440},
                    auth=api.alice)  # fmt: skip
    [row] = api.client.get("/v1/risk", auth=api.alice).json()["sessions"]
    assert row["denials_today"] == 0


def test_a_paper_session_is_created_with_its_risk_settings(api: Api) -> None:
    created = api.client.post(
        "/api/paper-trading/sessions",
        json={"symbols": ["AAPL"], "feed": {"type": "synthetic", "interval_seconds": 60},
              "risk": {"symbols": {"allow_short": False}}},
        auth=api.alice,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    view = risk(api, session_id)
    assert view["settings"]["symbols"]["allow_short"] is False
    stopped = api.client.post(f"/api/paper-trading/sessions/{session_id}/stop", auth=api.alice)
    assert stopped.status_code == 200


def test_a_session_that_refuses_the_kill_switch_is_reported_and_the_others_are_killed(
    api: Api,
) -> None:
    broken, sound = api.create_session(execution=IDEAL), api.create_session(execution=IDEAL)
    assert order(api, broken, "10").status_code == 200
    api.client.post(f"/v1/sessions/{broken['id']}/time/advance", auth=api.alice)
    rewrite_recorded_fill(api, broken["id"])  # its journal no longer replays: read-only
    api.restart()
    result = api.client.post(
        "/v1/risk/emergency", json={"action": "kill", "reason": "drill"}, auth=api.alice
    ).json()
    assert [r["session_id"] for r in result["results"]] == [sound["id"]]
    [failed] = result["failed"]
    assert (failed["session_id"], failed["code"]) == (broken["id"], 40910000)
    assert "read-only" in failed["message"]
    assert risk(api, sound["id"])["halted"] is True
    entries = api.client.get("/v1/risk/audit", auth=api.alice).json()["entries"]
    assert {(e["session_id"], e["outcome"]) for e in entries} == {
        (broken["id"], "failed"), (sound["id"], "ok"),
    }  # fmt: skip


def test_the_audit_trail_pages_back_newest_first(api: Api) -> None:
    first, second = api.create_session(), api.create_session()
    for session in (first, second, first):
        response = api.client.post(
            f"/v1/sessions/{session['id']}/emergency",
            json={"action": "cancel_all", "reason": "tidy"}, auth=api.alice,
        )  # fmt: skip
        assert response.status_code == 200
    page = api.client.get("/v1/risk/audit", params={"limit": 2}, auth=api.alice).json()
    assert [e["session_id"] for e in page["entries"]] == [first["id"], second["id"]]
    rest = api.client.get(
        "/v1/risk/audit", params={"limit": 2, "before": page["next"]}, auth=api.alice
    ).json()
    assert [e["session_id"] for e in rest["entries"]] == [first["id"]]
    assert rest["next"] is None
    mine = api.client.get(
        "/v1/risk/audit", params={"session_id": second["id"]}, auth=api.alice
    ).json()
    assert [e["session_id"] for e in mine["entries"]] == [second["id"]]


def test_emergency_controls_check_their_percent(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    path = f"/v1/sessions/{session['id']}/emergency"
    for body in ({"action": "reduce"}, {"action": "kill", "percent": 10},
                 {"action": "reduce", "percent": 0}, {"action": "explode"}):  # fmt: skip
        response = api.client.post(path, json=body, auth=api.alice)
        assert response.status_code == 422, body
    assert order(api, session, "10").status_code == 200
    api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice)
    reduced = api.client.post(
        path, json={"action": "reduce", "percent": "50", "reason": "halve"}, auth=api.alice
    ).json()
    assert len(reduced["submitted"]) == 1
    api.client.post(f"/v1/sessions/{session['id']}/time/advance", json={"duration": 1440},
                    auth=api.alice)  # fmt: skip
    positions = api.trading("GET", session["id"], session["default_account_id"], "/positions")
    assert [p["qty"] for p in positions.json()] == ["5"]


def test_the_emergency_body_names_every_control_the_service_has() -> None:
    assert get_args(EmergencyAction) == EMERGENCY_ACTIONS


def test_a_restarted_session_keeps_the_rules_as_changed_and_leaves_breakers_behind(
    api: Api,
) -> None:
    session = api.create_session(execution=IDEAL, risk={"limits": {"max_position_qty": "10"}})
    base = f"/v1/sessions/{session['id']}"
    changed = api.client.patch(
        f"{base}/risk",
        json={"settings": {"limits": {"max_position_qty": 20}}, "reason": "more room"},
        auth=api.alice,
    )
    assert changed.status_code == 200, changed.text
    killed = api.client.post(
        f"{base}/emergency", json={"action": "kill", "reason": "drill"}, auth=api.alice
    )
    assert killed.status_code == 200, killed.text
    assert risk(api, session["id"])["halted"] is True

    restarted = api.client.post(f"{base}/restart", auth=api.alice)
    assert restarted.status_code in (200, 201), restarted.text
    again = restarted.json()
    view = risk(api, again["id"])
    assert view["settings"]["limits"]["max_position_qty"] == "20"
    assert (view["halted"], [b["name"] for b in view["breakers"] if b["tripped"]]) == (False, [])
    assert order(api, again, "15").status_code == 200
