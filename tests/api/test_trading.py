"""Orders, positions and accounts over HTTP: acceptance, refusals, filters, cancel, close."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.api.conftest import IDEAL, Api


def market(symbol: str = "AAPL", qty: object = 10, side: str = "buy") -> dict[str, Any]:
    return {"symbol": symbol, "side": side, "qty": qty, "type": "market"}


@pytest.fixture
def book(api: Api) -> tuple[str, str]:
    """A fresh session (100,000 of cash, at 2012-01-03 09:30 New York) and an account in it.

    Its venue is ideal: orders fill at the rule's price as soon as the clock passes it.
    """
    session = api.create_session(execution=IDEAL)
    return session["id"], api.create_account(session["id"])["id"]


def submit(api: Api, book: tuple[str, str], body: dict[str, Any]) -> Any:
    return api.trading("POST", *book, "/orders", json=body)


def step(api: Api, session_id: str, minutes: int = 1) -> None:
    path = f"/v1/sessions/{session_id}/time/advance"
    assert api.client.post(path, json={"duration": minutes}, auth=api.alice).status_code == 200


def test_order_response_echoes_request_as_strings(api: Api, book: tuple[str, str]) -> None:
    body = {
        "symbol": "AAPL",
        "side": "buy",
        "qty": "3",
        "type": "limit",
        "time_in_force": "gtc",
        "limit_price": 300.5,
        "client_order_id": "my-1",
    }
    response = submit(api, book, body)
    assert response.status_code == 200, response.text
    order = response.json()
    assert (order["qty"], order["stop_price"]) == ("3", None)
    assert Decimal(order["limit_price"]) == Decimal("300.5")  # on the tick grid: "300.5000"
    assert (order["type"], order["time_in_force"], order["client_order_id"]) == (
        "limit",
        "gtc",
        "my-1",
    )
    assert order["account_id"] == book[1]
    assert order["submitted_at"] == "2012-01-03T14:30:00Z"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"side": "hold"}, "side"),
        ({"type": "trailing"}, "type"),
        ({"type": "trailing_stop"}, "trail_price"),
        ({"qty": 0}, "qty"),
        ({"qty": -3}, "qty"),
        ({"qty": "ten"}, "qty"),
        ({"qty": None}, "qty"),
        ({"symbol": ""}, "symbol"),
        ({"symbol": "AA PL"}, "symbol"),
        ({"time_in_force": "gtd"}, "time_in_force"),
        ({"client_order_id": "x" * 49}, "client_order_id"),
        ({"limit_price": "abc"}, "limit_price"),
        ({"order_class": "mleg"}, "order_class"),
        ({"order_class": "bracket"}, "take_profit"),
        ({"qty": None}, "notional"),
        ({"notional": 100}, "notional"),
        ({"extended_hours": True}, "extended hours are not simulated"),
        ({"take_profit": {"limit_price": 500}}, "take_profit"),
        ({"stop_loss": {"limit_price": 500}}, "stop_loss.stop_price"),
    ],
)
def test_invalid_order_fields_are_422_naming_the_field(
    api: Api, book: tuple[str, str], fields: dict[str, Any], named: str
) -> None:
    response = submit(api, book, {**market(), **fields})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == 42210000
    assert named in response.json()["message"]


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "limit"},
        {"type": "stop"},
        {"type": "stop_limit", "limit_price": 400},
        {"type": "market", "limit_price": 400},
        {"type": "market", "stop_price": 400},
    ],
)
def test_prices_that_do_not_fit_the_type_are_422(
    api: Api, book: tuple[str, str], fields: dict[str, Any]
) -> None:
    response = submit(api, book, {**market(), **fields})
    assert response.status_code == 422, response.text
    assert "price" in response.json()["message"]


def test_unknown_symbol_is_422(api: Api, book: tuple[str, str]) -> None:
    response = submit(api, book, market("ZZZZ"))
    assert response.status_code == 422, response.text
    assert "ZZZZ" in response.json()["message"]


def test_insufficient_buying_power_is_403(api: Api, book: tuple[str, str]) -> None:
    response = submit(api, book, market(qty=1_000_000))
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["code"] == 40310000
    assert body["message"]
    # The refused order exists, rejected, among the closed ones.
    closed = api.trading("GET", *book, "/orders", params={"status": "closed"}).json()
    assert [o["status"] for o in closed] == ["rejected"]
    assert closed[0]["failed_at"] == "2012-01-03T14:30:00Z"


def test_short_sale_in_a_cash_account_is_422_with_the_reason(
    api: Api, book: tuple[str, str]
) -> None:
    response = submit(api, book, market(side="sell"))
    assert response.status_code == 422, response.text
    assert "short_not_allowed" in response.json()["message"]


def test_order_status_filter(api: Api, book: tuple[str, str]) -> None:
    working = submit(api, book, {**market(), "type": "limit", "limit_price": 1}).json()
    filled = submit(api, book, market(qty=1)).json()
    step(api, book[0])

    def ids(status: str | None) -> list[str]:
        params = {} if status is None else {"status": status}
        response = api.trading("GET", *book, "/orders", params=params)
        assert response.status_code == 200
        return [o["id"] for o in response.json()]

    assert ids(None) == ids("open") == [working["id"]]
    assert ids("closed") == [filled["id"]]
    assert ids("all") == [working["id"], filled["id"]]
    bad = api.trading("GET", *book, "/orders", params={"status": "pending"})
    assert bad.status_code == 422
    assert "status" in bad.json()["message"]


def test_cancel_order_then_again_is_409(api: Api, book: tuple[str, str]) -> None:
    order = submit(api, book, {**market(), "type": "limit", "limit_price": 1}).json()
    canceled = api.trading("DELETE", *book, f"/orders/{order['id']}")
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "canceled"
    assert canceled.json()["canceled_at"] is not None
    again = api.trading("DELETE", *book, f"/orders/{order['id']}")
    assert again.status_code == 409
    assert again.json()["code"] == 40910000


def test_unknown_order_account_and_position_are_404(api: Api, book: tuple[str, str]) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    session_id, _ = book
    assert api.trading("GET", *book, f"/orders/{unknown}").status_code == 404
    assert api.trading("DELETE", *book, f"/orders/{unknown}").status_code == 404
    assert api.trading("GET", session_id, unknown, "/account").status_code == 404
    assert api.trading("GET", session_id, unknown, "/orders").status_code == 404
    assert api.trading("GET", *book, "/positions/AAPL").status_code == 404
    assert api.trading("DELETE", *book, "/positions/AAPL").status_code == 404
    assert api.trading("GET", *book, "/positions/not%20a%20symbol").status_code == 404


def test_position_read_and_close(api: Api, book: tuple[str, str]) -> None:
    submit(api, book, market(qty=10))
    step(api, book[0])
    position = api.trading("GET", *book, "/positions/AAPL")
    assert position.status_code == 200
    held = position.json()
    assert (held["qty"], held["side"]) == ("10", "long")
    for field in ("avg_entry_price", "cost_basis", "market_value", "current_price"):
        assert float(held[field]) > 0, field
    step(api, book[0], 60 * 24)  # a day later: closed at the next day's open
    closing = api.trading("DELETE", *book, "/positions/AAPL")
    assert closing.status_code == 200
    order = closing.json()
    assert (order["side"], order["qty"], order["type"]) == ("sell", "10", "market")
    step(api, book[0], 60 * 24)
    assert api.trading("GET", *book, "/positions").json() == []
    account = api.trading("GET", *book, "/account").json()
    assert account["long_market_value"] == "0"
    assert account["realized_pnl"] != "0"
