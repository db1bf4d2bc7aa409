"""/api/activity on SQLite and PostgreSQL: newest first, severities, filters, who sees what."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import IDEAL, Api, Auth

from paperbroker.api.events import event_hub
from paperbroker.services.event_kinds import topic_of
from paperbroker.store.db import session_factory
from paperbroker.store.journal import Journal


def activity(api: Api, auth: Auth | None = None, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/api/activity", params=params, auth=auth or api.alice)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def trade(api: Api, session: dict[str, Any], auth: Auth | None = None) -> None:
    """A fill, a refused order (warning) and a clock move (not activity)."""
    book = (session["id"], session["default_account_id"])
    order = {"symbol": "AAPL", "side": "buy", "type": "market", "time_in_force": "day"}
    placed = api.trading("POST", *book, "/orders", auth=auth, json={**order, "qty": "10"})
    assert placed.status_code == 200, placed.text
    refused = api.trading("POST", *book, "/orders", auth=auth, json={**order, "qty": "999999"})
    assert refused.status_code == 403, refused.text
    moved = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance",
        json={"duration": 1440},
        auth=auth or api.alice,
    )
    assert moved.status_code == 200, moved.text


def journal(api: Api, session_id: str) -> list[tuple[int, str]]:
    factory = session_factory(api.server.engine)
    return [(e.seq, e.kind) for e in Journal(factory).read(session_id)]


def test_the_feed_lists_journal_and_system_events_newest_first(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    trade(api, session)
    event_hub(api.app).record_system(api.alice[0], "SystemStarted", message="all systems go")
    items = activity(api)
    stored = [(seq, kind) for seq, kind in journal(api, session["id"]) if topic_of(kind)]
    journaled = [(i["seq"], i["type"]) for i in items if i["stream"] == f"session:{session['id']}"]
    assert journaled == stored[::-1]
    assert "AdvanceRequested" not in {i["type"] for i in items}  # the clock moving is not news
    newest, oldest = items[0], items[-1]
    assert {k: newest[k] for k in ("stream", "seq", "type", "severity", "message")} == {
        "stream": f"system:{api.alice[0]}",
        "seq": 2,
        "type": "SystemStarted",
        "severity": "info",
        "message": "all systems go",
    }
    assert newest["session_id"] is None
    # The session service recorded the session's creation, before anything happened in it.
    assert (oldest["stream"], oldest["seq"], oldest["type"], oldest["session_id"]) == (
        f"system:{api.alice[0]}", 1, "SessionCreated", session["id"],
    )  # fmt: skip
    fill = next(i for i in items if i["type"] == "OrderFilled")
    assert fill["message"] == f"buy 10 AAPL filled at {fill['data']['fill']['price']}"
    assert (fill["time"], fill["stream"], fill["severity"]) == (
        "2012-01-03T21:00:00Z", f"session:{session['id']}", "info",
    )  # fmt: skip
    assert fill["recorded_at"] > fill["time"]  # committed now, in the session's 2012
    rejected = next(i for i in items if i["type"] == "OrderRejected")
    assert rejected["severity"] == "warning"
    assert "insufficient" in rejected["message"]


def test_severity_is_that_level_and_above(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    trade(api, session)
    killed = api.client.post(f"/v1/sessions/{session['id']}/kill", auth=api.alice)
    assert killed.status_code == 200, killed.text
    hub = event_hub(api.app)
    hub.record_system(api.alice[0], "SystemStartFailed", message="no data feed")
    hub.record_system(api.alice[0], "SystemStarted", severity="warning", message="late")
    errors = activity(api, severity="error")
    assert [(i["type"], i["message"]) for i in errors] == [
        ("SystemStartFailed", "no data feed"),
        ("SessionStateChanged", "session killed (kill)"),
    ]
    warnings = activity(api, severity="warning")
    assert [i["type"] for i in warnings] == [
        "SystemStarted",
        "SystemStartFailed",
        "SessionStateChanged",
        "OrderRejected",
    ]
    assert {i["severity"] for i in activity(api)} == {"info", "warning", "error"}


def test_filters_by_session_type_and_limit(api: Api) -> None:
    first, second = api.create_session(execution=IDEAL), api.create_session(execution=IDEAL)
    trade(api, first)
    trade(api, second)
    hub = event_hub(api.app)
    hub.record_system(api.alice[0], "SessionCreated", session_id=first["id"])
    hub.record_system(api.alice[0], "SessionCreated", session_id=second["id"])
    mine = activity(api, session_id=first["id"])
    assert {i["session_id"] for i in mine} == {first["id"]}
    assert mine[0]["type"] == "SessionCreated"  # the system events about it are there too
    fills = activity(api, type="OrderFilled")
    assert [i["session_id"] for i in fills] == [second["id"], first["id"]]
    both = activity(api, type=["OrderFilled", "SessionCreated"], limit=3)
    assert [i["type"] for i in both] == ["SessionCreated", "SessionCreated", "OrderFilled"]
    assert len(activity(api, limit=1)) == 1
    assert len(activity(api)) == len(activity(api, limit=1000)) < 100


def test_each_key_sees_its_own_and_an_admin_everyones(api: Api) -> None:
    alices, bobs = api.create_session(execution=IDEAL), api.create_session(api.bob)
    trade(api, alices)
    event_hub(api.app).record_system(api.bob[0], "SystemStarted")
    assert {i["session_id"] for i in activity(api) if i["session_id"]} == {alices["id"]}
    assert [i["type"] for i in activity(api, api.bob)] == ["SystemStarted", "SessionCreated"]
    missing = api.client.get("/api/activity", params={"session_id": alices["id"]}, auth=api.bob)
    assert missing.status_code == 404
    assert missing.json() == {"code": 40410000, "message": f"session {alices['id']} not found"}
    admin = api.keys.create("admin", True)
    everyone = activity(api, admin)
    assert {i["stream"] for i in everyone} == {
        f"session:{alices['id']}",
        f"system:{api.alice[0]}",
        f"system:{api.bob[0]}",
    }
    assert activity(api, admin, session_id=alices["id"]) == activity(api, session_id=alices["id"])
    assert {i["session_id"] for i in activity(api, api.bob)} == {None, bobs["id"]}


def test_a_key_bound_to_a_session_is_refused(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    trade(api, session)
    made = api.client.post(f"/v1/sessions/{session['id']}/keys", json={}, auth=api.alice)
    assert made.status_code == 201, made.text
    bound = (made.json()["key_id"], made.json()["secret"])
    refused = api.client.get("/api/activity", params={"session_id": session["id"]}, auth=bound)
    assert refused.status_code == 403
    assert f"bound to session {session['id']}" in refused.json()["message"]


#: Bad parameters, each with a word its 422 names.
BAD = [
    ({"limit": 0}, "limit"),
    ({"limit": 1001}, "limit"),
    ({"limit": "many"}, "limit"),
    ({"severity": "fatal"}, "severity"),
    ({"session_id": "not-a-uuid"}, "session_id"),
    ({"type": "order_filled"}, "type"),
    ({"type": "Order Filled; DROP TABLE"}, "type"),
    ({"type": [f"Kind{i}" for i in range(21)]}, "type"),
]


def test_bad_parameters_are_422_with_the_parameter_named(api: Api) -> None:
    for params, words in BAD:
        response = api.client.get("/api/activity", params=params, auth=api.alice)
        assert response.status_code == 422, (params, response.text)
        body = response.json()
        assert body["code"] == 42210000
        assert words in body["message"], (params, body)


def test_no_key_is_401(api: Api) -> None:
    response = api.client.get("/api/activity")
    assert response.status_code == 401
    assert response.json()["code"] == 40110000
