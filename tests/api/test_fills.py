"""/v1/trading/accounts/{id}/fills through the real application: each fill with how the
venue priced it, paged in both directions without a repeat or a gap."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.conftest import IDEAL, Api

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def fills(api: Api, book: tuple[str, str], **params: Any) -> list[dict[str, Any]]:
    response = api.trading("GET", *book, "/fills", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def advance(api: Api, session_id: str, minutes: int = 1) -> None:
    response = api.client.post(
        f"/v1/sessions/{session_id}/time/advance", json={"duration": minutes}, auth=api.alice
    )
    assert response.status_code == 200, response.text


def test_a_fill_shows_how_the_venue_priced_it(api: Api) -> None:
    session = api.create_session(execution={"preset": "equities_realistic"})
    book = (session["id"], session["default_account_id"])
    buy = {"symbol": "AAPL", "side": "buy", "qty": 10, "type": "market"}
    order = api.trading("POST", *book, "/orders", json=buy).json()
    advance(api, session["id"], 60 * 24 * 3)
    [fill] = fills(api, book)
    assert (fill["order_id"], fill["symbol"], fill["side"], fill["qty"]) == (
        order["id"], "AAPL", "buy", "10",
    )  # fmt: skip
    price, reference, slippage = (Decimal(fill[k]) for k in ("price", "reference_price",
                                                              "slippage"))  # fmt: skip
    assert slippage > 0
    assert price == reference + slippage  # adverse: a buy pays more
    assert Decimal(fill["slippage_cost"]) == slippage * 10
    assert fill["slippage_model"] == "half_spread+sqrt_impact"
    assert Decimal(fill["fee"]) > 0
    assert fill["liquidity"] == "taker"
    assert fill["rule"] in ("market_at_open", "market_at_arrival")
    assert fill["intrabar_path"].startswith(("OHLC", "OLHC", "arrival@"))
    assert Decimal(fill["latency_ms"]) > 0
    filled = api.trading("GET", *book, f"/orders/{order['id']}").json()
    assert filled["filled_avg_price"] == fill["price"]
    view = api.client.get(f"/v1/sessions/{session['id']}", auth=api.alice).json()
    assert view["execution_quality"]["fees"] == fill["fee"]


def test_pages_cover_every_fill_once_in_either_direction(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    book = (session["id"], session["default_account_id"])
    orders = []
    for _ in range(120):
        buy = {"symbol": "AAPL", "side": "buy", "qty": 1, "type": "market"}
        orders.append(api.trading("POST", *book, "/orders", json=buy).json()["id"])
    advance(api, session["id"])
    everything = fills(api, book, limit=1000, direction="asc")
    assert [f["order_id"] for f in everything] == orders
    for direction in ("asc", "desc"):
        seen: list[str] = []
        after: str | None = None
        while True:
            params = {"limit": 50, "direction": direction}
            page = fills(api, book, **params, **({} if after is None else {"page_token": after}))
            if not page:
                break
            seen += [f["id"] for f in page]
            after = page[-1]["id"]
        expected = [f["id"] for f in everything]
        assert seen == (expected if direction == "asc" else expected[::-1])
    assert fills(api, book)[0]["id"] == everything[-1]["id"]  # newest first by default
    [one] = fills(api, book, order_id=orders[7])
    assert one == everything[7]


def test_unknown_cursor_order_or_account_is_a_404(api: Api) -> None:
    session = api.create_session(execution=IDEAL)
    book = (session["id"], session["default_account_id"])
    for params in ({"page_token": UNKNOWN}, {"order_id": UNKNOWN}):
        response = api.trading("GET", *book, "/fills", params=params)
        assert response.status_code == 404, response.text
    assert api.trading("GET", session["id"], UNKNOWN, "/fills").status_code == 404
    assert fills(api, book) == []
