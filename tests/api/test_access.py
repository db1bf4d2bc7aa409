"""Who may call what, generated from the OpenAPI document and the application's routes.

A key bound to a session is the credential handed to a bot: it trades its
one session through the Alpaca API (``/v2``, ``/sessions/{its id}/v2``) and
reads its session's risk, nothing else. Every other operation, on every
surface, refuses it with a 403 that says why, and changes nothing; an Alpaca
operation on another session is a 404, reading another session's risk a
403. Routes added later are covered as they appear in the document: a path
parameter without a value below fails the test, as does a route that
declares no access level (the application is not even built).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI, WebSocket
from tests.api.conftest import IDEAL, Api, Server

from paperbroker.api.access import (
    Access,
    Owner,
    Public,
    UndeclaredAccess,
    access_table,
    check_routes,
)
from paperbroker.api.auth import Caller

ROOT = Path(__file__).resolve().parents[2]
ALPACA_SURFACE = ("/v2/", "/sessions/{sessionId}/v2/")
BOUND = {Access.BOUND_TRADING.value, Access.BOUND_MARKET_DATA.value}
#: A valid body of each Alpaca operation that needs one (by method and the path after /v2),
#: and a value of each required query parameter, so that only the key decides.
ALPACA_BODIES: dict[str, Any] = {
    "POST /orders": {
        "symbol": "AAPL", "qty": "1", "side": "buy", "type": "market", "time_in_force": "day"
    },
    "PATCH /orders/{order_id}": {"limit_price": "2"},
    "PATCH /account/configurations": {"no_shorting": True},
    "POST /watchlists": {"name": "new", "symbols": ["MSFT"]},
    "PUT /watchlists:by_name": {"name": "renamed"},
    "POST /watchlists:by_name": {"symbol": "MSFT"},
    "PUT /watchlists/{watchlist_id}": {"name": "renamed"},
    "POST /watchlists/{watchlist_id}": {"symbol": "MSFT"},
}  # fmt: skip
QUERY = {"client_order_id": "working", "symbols": "AAPL", "timeframe": "1Day", "name": "watch",
         "sessions": "00000000-0000-4000-8000-000000000000,00000000-0000-4000-8000-000000000001",
         "against": "00000000-0000-4000-8000-000000000000"}  # fmt: skip


@dataclass
class Place:
    """A session and the ids of what is in it, by the names paths give them."""

    session: dict[str, Any]
    key: tuple[str, str]
    values: dict[str, str]


def place(api: Api, **fields: Any) -> Place:
    """A session with an AAPL position, a working limit order and a key bound to it."""
    session = api.create_session(execution=IDEAL, **fields)
    account = session["default_account_id"]
    buy = {"symbol": "AAPL", "side": "buy", "qty": 5, "type": "market"}
    assert api.trading("POST", session["id"], account, "/orders", json=buy).status_code == 200
    api.client.post(f"/v1/sessions/{session['id']}/time/advance", auth=api.alice)
    working = api.trading(
        "POST", session["id"], account, "/orders",
        json={"symbol": "AAPL", "side": "buy", "qty": 1, "type": "limit", "limit_price": 1,
              "client_order_id": "working"},
    ).json()  # fmt: skip
    made = api.client.post(f"/v1/sessions/{session['id']}/keys", auth=api.alice).json()
    agents = api.client.get("/api/agents", auth=api.alice).json()
    watchlist = api.client.post(
        "/v2/watchlists",
        json={"name": "watch", "symbols": ["AAPL"]},
        auth=(made["key_id"], made["secret"]),
    ).json()
    credential = api.client.post(
        "/v1/broker-credentials",
        json={"label": "broker", "key_id": "PKBROKER", "secret_key": "kept"},
        auth=api.alice,
    ).json()
    values = {
        "credentialId": credential["id"],
        "runId": "00000000-0000-4000-8000-000000000000",
        "templateId": "builtin:moderate",
        "sweepId": "00000000-0000-4000-8000-000000000000",
        "idx": 0,
        "sessionId": session["id"],
        "X-Session-Id": session["id"],
        "accountId": account,
        "orderId": working["id"],
        "order_id": working["id"],
        "symbol": "AAPL",
        "symbol_or_asset_id": "AAPL",
        "activity_type": "FILL",
        "watchlist_id": watchlist["id"],
        "keyId": made["key_id"],
        "name": "sma_crossover",
        "agent_id": next(
            (a["id"] for a in agents if a["session_id"] == session["id"]),
            "00000000-0000-4000-8000-000000000000",
        ),
    }
    return Place(session, (made["key_id"], made["secret"]), values)


def operations(api: Api) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in api.app.openapi()["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def call(
    api: Api, path: str, method: str, operation: dict[str, Any], where: Place, key: tuple[str, str]
) -> Any:
    parameters = operation.get("parameters", [])
    names = {p["name"] for p in parameters if p["in"] in ("path", "header")}
    required = {p["name"] for p in parameters if p["in"] == "query" and p.get("required")}
    missing = (names - set(where.values)) | (required - set(QUERY))
    assert not missing, f"{method} {path}: give the test a value for {missing}"
    url = path.format(**{n: where.values[n] for n in names if n != "X-Session-Id"})
    headers = {"X-Session-Id": where.values["X-Session-Id"]} if "X-Session-Id" in names else {}
    body = ALPACA_BODIES.get(f"{method} {path.split('/v2', 1)[-1]}")
    query = {name: QUERY[name] for name in required}
    return api.client.request(method, url, headers=headers, json=body, params=query, auth=key)


def test_every_operation_declares_its_access_and_bound_keys_get_only_the_alpaca_api(
    api: Api,
) -> None:
    for path, method, operation in operations(api):
        declared = operation.get("x-access")
        assert declared in {level.value for level in Access}, f"{method} {path}: {declared}"
        alpaca = path.startswith(ALPACA_SURFACE)
        assert (declared in BOUND) == alpaca, f"{method} {path} is {declared}"
        responses = operation["responses"]
        assert "401" in responses, f"{method} {path}"
        if declared == "owner" or not path.startswith("/sessions/"):
            assert "403" in responses, f"{method} {path}"


def test_a_bound_key_trades_its_session_and_is_refused_everything_else(api: Api) -> None:
    mine = place(api, strategy={"name": "buy_and_hold", "symbols": ["MSFT"]})
    other = place(api)
    sessions_before = api.client.get("/v1/sessions", auth=api.alice).json()
    credentials_before = api.client.get("/v1/broker-credentials", auth=api.alice).json()

    refused, traded, read = [], [], []
    for path, method, operation in operations(api):
        if operation["x-access"] in BOUND:
            continue
        if operation["x-access"] == Access.SESSION_READ.value:
            assert method == "GET", f"{method} {path} changes something"
            response = call(api, path, method, operation, mine, mine.key)
            assert response.status_code == 200, f"{method} {path}: {response.text}"
            response = call(api, path, method, operation, other, mine.key)
            assert response.status_code == 403, f"{method} {path}: {response.text}"
            assert f"bound to session {mine.session['id']}" in response.json()["message"]
            read.append(f"{method} {path}")
            continue
        for where in (mine, other):
            response = call(api, path, method, operation, where, mine.key)
            assert response.status_code == 403, f"{method} {path}: {response.text}"
            body = response.json()
            assert body["code"] == 40310000
            assert f"bound to session {mine.session['id']}" in body["message"]
        refused.append(f"{method} {path}")

    # Nothing the refused calls named changed: no session made, deleted, advanced or stopped.
    assert api.client.get("/v1/sessions", auth=api.alice).json() == sessions_before
    assert api.client.get("/v1/broker-credentials", auth=api.alice).json() == credentials_before

    for path, method, operation in operations(api):
        if operation["x-access"] not in BOUND:
            continue
        fresh = place(api)  # each trading call gets a session of its own to change
        response = call(api, path, method, operation, fresh, fresh.key)
        assert response.status_code in (200, 204, 207), f"{method} {path}: {response.text}"
        if "{sessionId}" in path:  # the same call on a session the key is not bound to
            response = call(api, path, method, operation, other, fresh.key)
            assert response.status_code == 404, f"{method} {path}: {response.text}"
            assert response.json()["code"] == 40410000
        traded.append(f"{method} {path}")

    assert "POST /v1/sessions" in refused
    assert "POST /api/paper-trading/sessions" in refused
    assert "POST /api/live-trading/sessions" in refused
    assert "GET /v1/broker-credentials" in refused
    assert "POST /v1/broker-credentials" in refused
    assert "DELETE /v1/sessions/{sessionId}" in refused
    assert "POST /v2/orders" in traded
    assert "GET /sessions/{sessionId}/v2/stocks/bars" in traded
    assert read == ["GET /v1/sessions/{sessionId}/risk"]
    assert "PATCH /v1/sessions/{sessionId}/risk" in refused
    assert "POST /v1/risk/emergency" in refused


def test_a_route_that_declares_no_access_stops_the_application_from_being_built() -> None:
    router = APIRouter()

    @router.get("/v1/forgotten")
    def forgotten(caller: Caller) -> str:
        return caller.key_id

    @router.get("/v1/unguarded")
    def unguarded() -> str:
        return "anyone"

    @router.get("/v1/declared")
    def declared(caller: Owner) -> str:
        return caller.key_id

    @router.websocket("/v1/socket")
    async def socket(websocket: WebSocket) -> None:
        await websocket.close()

    app = FastAPI()
    app.include_router(router)
    with pytest.raises(UndeclaredAccess) as refused:
        check_routes(app)
    message = str(refused.value)
    for route in ("GET /v1/forgotten", "GET /v1/unguarded", "WEBSOCKET /v1/socket"):
        assert f"route {route} declares no access level" in message
    assert "/v1/declared" not in message


def test_a_route_that_declares_two_levels_is_refused() -> None:
    app = FastAPI()

    @app.get("/v1/twice", dependencies=[Public])
    def twice(caller: Owner) -> str:
        return caller.key_id

    with pytest.raises(UndeclaredAccess, match=r"GET /v1/twice declares several \(owner, public\)"):
        check_routes(app)


def test_a_router_declares_its_routes_level_where_it_is_included() -> None:
    """The level a router's inclusion adds counts for that inclusion only, nested too."""
    router = APIRouter(prefix="/inner")

    @router.get("/quote")
    def quote() -> str:
        return "anyone"

    outer = APIRouter(prefix="/outer")
    outer.include_router(router, dependencies=[Public])
    app = FastAPI()
    app.include_router(router, prefix="/bare")
    app.include_router(router, prefix="/public", dependencies=[Public])
    app.include_router(outer, prefix="/nested")
    app.include_router(outer, prefix="/twice", dependencies=[Public])
    with pytest.raises(UndeclaredAccess) as refused:
        check_routes(app)
    message = str(refused.value)
    assert "route GET /bare/inner/quote declares no access level" in message
    assert "/public/" not in message
    assert "/nested/" not in message
    assert message.count("route ") == 1

    app = FastAPI()
    app.include_router(outer, prefix="/nested")
    check_routes(app)  # every route declares one level: nothing is refused


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(f"sqlite:///{tmp_path_factory.mktemp('access') / 'api.db'}")
    try:
        yield server
    finally:
        server.close()


def test_docs_api_md_shows_the_policy_of_the_code(server: Server) -> None:
    page = (ROOT / "docs" / "api.md").read_text()
    documented = page.split("<!-- access:begin -->\n")[1].split("\n<!-- access:end -->")[0]
    assert documented.strip() == access_table(server.app).strip()
