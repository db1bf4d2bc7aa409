"""Isolation between keys, generated from the OpenAPI document.

Every operation that names a session, an account, an order or a position
(in its path or its ``X-Session-Id`` header) answers 404 to a key that does
not own them, exactly as for ids that do not exist, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import IDEAL, Api

#: A valid body for each operation that takes one, so that only ownership can fail.
BODIES: dict[str, Any] = {
    "advanceSessionTime": {"duration": 1},
    "setSessionSpeed": {"speed": 2},
    "createAccount": {"initialCash": 10},
    "submitOrder": {"symbol": "AAPL", "side": "buy", "qty": 1, "type": "market"},
    "submitPaperOrder": {"symbol": "AAPL", "side": "buy", "qty": 1, "type": "market"},
    "replaceOrder": {"limit_price": 2},
    "configure_agent_api_agents__agent_id__config_patch": {"max_order_qty": 1},
    "postSessionNews": {"symbols": ["AAPL"], "headline": "not yours"},
    "configureSessionRisk": {"settings": {"limits": {"max_order_qty": 1}}, "reason": "not yours"},
    "overrideSessionRisk": {"settings": {}, "minutes": 5, "reason": "not yours"},
    "resetSessionBreaker": {"reason": "not yours"},
    "sessionEmergency": {"action": "kill", "reason": "not yours"},
    "cloneSession": {"changes": {}},
    "promoteSession": {"to": "paper"},
    "updateTemplate": {"description": "not yours"},
}
#: The required query parameters of the operations that have some.
QUERIES: dict[str, Any] = {
    "getSessionDivergence": {"against": "00000000-0000-4000-8000-000000000000"},
}


def test_every_operation_with_an_id_is_404_to_another_key(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    account = api.create_account(session["id"])
    api.trading(
        "POST", session["id"], account["id"], "/orders",
        json={"symbol": "AAPL", "side": "buy", "qty": 5, "type": "market"},
    )  # fmt: skip
    api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice)
    working = api.trading(
        "POST", session["id"], account["id"], "/orders",
        json={"symbol": "AAPL", "side": "buy", "qty": 1, "type": "limit", "limit_price": 1},
    ).json()  # fmt: skip
    values = {
        "sessionId": session["id"],
        "accountId": account["id"],
        "orderId": working["id"],
        "order_id": working["id"],
        "symbol": "AAPL",
        "symbol_or_asset_id": "AAPL",
        "activity_type": "FILL",
        "sweepId": "00000000-0000-4000-8000-000000000000",
        "idx": 0,
        "name": "all",
        "X-Session-Id": session["id"],
        "keyId": api.client.post(f"/v1/sessions/{session['id']}/keys", auth=api.alice).json()[
            "key_id"
        ],
    }
    watchlist = api.client.post(
        f"/sessions/{session['id']}/v2/watchlists",
        json={"name": "watch", "symbols": ["AAPL"]},
        auth=api.alice,
    ).json()
    values["watchlist_id"] = watchlist["id"]
    values["runId"] = "00000000-0000-4000-8000-000000000000"
    values["templateId"] = api.client.post(
        "/v1/templates", json={"name": "mine", "config": {}}, auth=api.alice
    ).json()["id"]
    values["credentialId"] = api.client.post(
        "/v1/broker-credentials",
        json={"label": "mine", "key_id": "PKMINE", "secret_key": "not yours"},
        auth=api.alice,
    ).json()["id"]
    piped = api.create_session(
        execution=IDEAL, strategy={"name": "buy_and_hold", "symbols": ["AAPL"]}
    )
    agents = api.client.get("/api/agents", auth=api.alice).json()
    values["agent_id"] = next(a["id"] for a in agents if a["session_id"] == piped["id"])
    before = api.client.get(f"/v1/sessions/{session['id']}", auth=api.alice).json()

    checked: list[str] = []
    for path, operations in api.app.openapi()["paths"].items():
        if path.startswith("/v2/"):
            continue  # the account of a /v2 call is the key's own: see tests/compat
        if path.startswith("/v1/strategies/"):
            continue  # the strategy catalog is the server's, the same for every key
        # /sessions/{sessionId}/v2: the owner's session, for another key, as one that is not.
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] != "query"}
            if not names:
                continue
            assert names <= set(values), f"{method} {path}: no value for {names - set(values)}"
            url = path.format(**{n: values[n] for n in names if n != "X-Session-Id"})
            headers = {"X-Session-Id": values["X-Session-Id"]} if "X-Session-Id" in names else {}
            body = BODIES.get(operation["operationId"])
            response = api.client.request(
                method.upper(), url, headers=headers, json=body, auth=api.bob,
                params=QUERIES.get(operation["operationId"]),
            )  # fmt: skip
            assert response.status_code == 404, f"{method.upper()} {url}: {response.text}"
            assert response.json()["code"] == 40410000
            checked.append(operation["operationId"])

    assert len(checked) >= 15  # every operation but listing, creating sessions and assets
    assert api.client.get("/v1/sessions", auth=api.bob).json() == []
    # Nothing of the owner's changed: not deleted, not advanced, order still working.
    after = api.client.get(f"/v1/sessions/{session['id']}", auth=api.alice).json()
    assert after == before
    order = api.trading("GET", session["id"], account["id"], f"/orders/{working['id']}")
    assert order.json()["status"] == "accepted"
    positions = api.trading("GET", session["id"], account["id"], "/positions").json()
    assert [p["qty"] for p in positions] == ["5"]


def test_each_key_lists_only_its_own_sessions(api: Api) -> None:
    mine = api.create_session(name="alice's")
    theirs = api.create_session(auth=api.bob, name="bob's")
    assert [s["id"] for s in api.client.get("/v1/sessions", auth=api.alice).json()] == [mine["id"]]
    assert [s["id"] for s in api.client.get("/v1/sessions", auth=api.bob).json()] == [theirs["id"]]


def test_an_account_is_not_reachable_through_another_owned_session(api: Api) -> None:
    alices = api.create_session()
    account = api.create_account(alices["id"])
    bobs = api.create_session(auth=api.bob)
    response = api.trading("GET", bobs["id"], account["id"], "/account", auth=api.bob)
    assert response.status_code == 404
