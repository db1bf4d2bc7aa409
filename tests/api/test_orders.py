"""Every kind of order through the HTTP API: brackets, OCO, trailing stops, notional,
auctions, replacing, canceling against latency, and refusals that stay visible.

The bundled AAPL bars are daily (09:30 to 16:00 New York, 14:30 to 21:00 UTC).
From the 2012-01-03 open: 409.40 (Jan 3), highs 412.50, 414.68, 418.55 (Jan 5),
422.75 (Jan 6), 427.75 (Jan 9), then lows 421.50 (Jan 10), 419.31, 418.75 (Jan 12).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.api.conftest import IDEAL, Api

Book = tuple[str, str]

#: The ideal venue with a fixed 50 ms delay on every request.
SLOW = {"preset": "ideal", "latency": {"model": "jittered", "base_ms": 50, "jitter_ms": 0}}


def open_book(api: Api, **session: Any) -> Book:
    created = api.create_session(**{"execution": IDEAL, **session})
    return created["id"], api.create_account(created["id"])["id"]


@pytest.fixture
def book(api: Api) -> Book:
    """An ideal session at 2012-01-03 09:30 New York and an account with 100,000."""
    return open_book(api)


def submit(api: Api, book: Book, **body: Any) -> Any:
    return api.trading("POST", *book, "/orders", json={"symbol": "AAPL", "side": "buy", **body})


def placed(api: Api, book: Book, **body: Any) -> dict[str, Any]:
    response = submit(api, book, **body)
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()
    return order


def order_of(api: Api, book: Book, order_id: str) -> dict[str, Any]:
    response = api.trading("GET", *book, f"/orders/{order_id}")
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()
    return order


def advance_to(api: Api, book: Book, target: str) -> None:
    path = f"/v1/sessions/{book[0]}/time/advance"
    response = api.client.post(path, json={"targetTime": target}, auth=api.alice)
    assert response.status_code == 200, response.text


def buy_ten_at_the_open(api: Api, book: Book) -> None:
    placed(api, book, qty=10, type="market")
    advance_to(api, book, "2012-01-03T14:31:00Z")


def test_order_json_has_alpaca_fields(api: Api, book: Book) -> None:
    order = placed(api, book, qty=1, type="limit", limit_price=300, time_in_force="gtc")
    assert {
        "order_class", "order_type", "legs", "notional", "trail_price", "trail_percent", "hwm",
        "replaced_by", "replaces", "replaced_at", "extended_hours", "reject_reason",
        "reject_message",
    } <= set(order)  # fmt: skip
    assert (order["order_class"], order["order_type"], order["type"]) == (
        "simple",
        "limit",
        "limit",
    )
    assert order["extended_hours"] is False
    for field in ("legs", "notional", "trail_price", "trail_percent", "hwm", "replaced_by",
                  "replaces", "replaced_at", "reject_reason", "reject_message"):  # fmt: skip
        assert order[field] is None, field


def test_empty_order_class_is_simple_and_extended_hours_false_is_accepted(
    api: Api, book: Book
) -> None:
    order = placed(api, book, qty=1, type="market", order_class="", extended_hours=False)
    assert order["order_class"] == "simple"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"type": "limit", "stop_price": 400}, "limit_price is required"),
        ({"type": "limit", "limit_price": 400, "stop_price": 390}, "stop_price is not allowed"),
        ({"type": "stop", "stop_price": 400, "limit_price": 390}, "limit_price is not allowed"),
        ({"type": "market", "trail_price": 5}, "trail_price is not allowed"),
        ({"type": "limit", "limit_price": 400, "trail_percent": 5}, "trail_percent is not allowed"),
        ({"type": "trailing_stop", "trail_price": 5, "trail_percent": 1}, "exactly one of"),
        ({"type": "trailing_stop", "trail_price": 5, "stop_price": 400}, "stop_price"),
        ({"type": "trailing_stop", "trail_percent": 100}, "trail percent"),
        ({"type": "market", "notional": 1000}, "exactly one of qty and notional"),
        ({"type": "market", "qty": None, "notional": "10.005"}, "notional"),
        ({"type": "limit", "limit_price": 400, "qty": None, "notional": 100}, "notional"),
        ({"type": "stop", "stop_price": 500, "time_in_force": "opg"}, "opg"),
        ({"type": "market", "order_class": "oco"}, "oco"),
        (
            {"type": "market", "order_class": "bracket", "take_profit": {"limit_price": 500}},
            "stop_loss",
        ),
        (
            {
                "type": "market",
                "order_class": "bracket",
                "take_profit": {"limit_price": 300},
                "stop_loss": {"stop_price": 350},
            },
            "take_profit 300",
        ),
        (
            {
                "type": "market",
                "order_class": "oto",
                "take_profit": {"limit_price": 500},
                "stop_loss": {"stop_price": 350},
            },
            "exactly one",
        ),
        ({"type": "market", "take_profit": {"limit_price": 500}}, "take_profit"),
        ({"type": "market", "extended_hours": True}, "extended hours are not simulated"),
    ],
)
def test_orders_that_do_not_add_up_are_422(
    api: Api, book: Book, fields: dict[str, Any], named: str
) -> None:
    response = submit(api, book, **{"qty": 10, **fields})
    assert response.status_code == 422, response.text
    assert named in response.json()["message"]
    assert api.trading("GET", *book, "/orders", params={"status": "all"}).json() == []


def test_bracket_legs_are_held_then_released_then_one_cancels_the_other(
    api: Api, book: Book
) -> None:
    entry = placed(
        api, book, qty=10, type="market", time_in_force="gtc", order_class="bracket",
        take_profit={"limit_price": "418"}, stop_loss={"stop_price": "400"},
    )  # fmt: skip
    profit, loss = entry["legs"]
    assert (profit["side"], profit["type"], Decimal(profit["limit_price"])) == (
        "sell", "limit", 418,
    )  # fmt: skip
    assert (loss["side"], loss["type"], Decimal(loss["stop_price"])) == ("sell", "stop", 400)
    assert [leg["status"] for leg in entry["legs"]] == ["held", "held"]
    assert {leg["order_class"] for leg in entry["legs"]} == {"bracket"}

    advance_to(api, book, "2012-01-03T14:31:00Z")  # the entry fills at the open
    entry = order_of(api, book, entry["id"])
    assert entry["status"] == "filled"
    assert [leg["status"] for leg in entry["legs"]] == ["accepted", "accepted"]
    # Legs are orders of their own too, unless the list nests them.
    listed = api.trading("GET", *book, "/orders").json()
    assert [o["id"] for o in listed] == [profit["id"], loss["id"]]
    assert api.trading("GET", *book, "/orders", params={"nested": "true"}).json() == []

    advance_to(api, book, "2012-01-05T21:01:00Z")  # Jan 5 reaches 418.55
    entry = order_of(api, book, entry["id"])
    profit, loss = entry["legs"]
    assert (profit["status"], Decimal(profit["filled_avg_price"])) == ("filled", 418)
    assert loss["status"] == "canceled"
    assert api.trading("GET", *book, "/positions").json() == []


def test_oco_first_fill_cancels_its_sibling(api: Api, book: Book) -> None:
    buy_ten_at_the_open(api, book)
    advance_to(api, book, "2012-01-06T21:01:00Z")  # AAPL closed at 422.40
    # Alpaca's OCO: a limit order named by its take-profit, and a stop-loss.
    parent = placed(
        api, book, side="sell", qty=10, type="limit", time_in_force="gtc", order_class="oco",
        take_profit={"limit_price": "430"}, stop_loss={"stop_price": "421.40"},
    )  # fmt: skip
    [stop] = parent["legs"]
    assert (parent["type"], Decimal(parent["limit_price"]), parent["status"]) == (
        "limit", 430, "accepted",
    )  # fmt: skip
    assert (stop["type"], Decimal(stop["stop_price"]), stop["status"]) == (
        "stop",
        Decimal("421.40"),
        "accepted",
    )

    advance_to(api, book, "2012-01-09T21:01:00Z")  # Jan 9 dips to 421.35
    parent = order_of(api, book, parent["id"])
    [stop] = parent["legs"]
    assert stop["status"] == "filled"
    assert parent["status"] == "canceled"
    assert api.trading("GET", *book, "/positions").json() == []


def test_trailing_stop_follows_the_high_water_mark_then_fills(api: Api, book: Book) -> None:
    buy_ten_at_the_open(api, book)
    order = placed(
        api, book, side="sell", qty=10, type="trailing_stop", trail_percent=2,
        time_in_force="gtc",
    )  # fmt: skip
    assert (order["type"], order["trail_percent"], order["trail_price"]) == (
        "trailing_stop", "2", None,
    )  # fmt: skip
    assert Decimal(order["hwm"]) == Decimal("409.40")  # the price when it started
    assert Decimal(order["stop_price"]) == Decimal("409.40") * Decimal("0.98")
    marks = []
    for day in ("2012-01-04", "2012-01-05", "2012-01-06", "2012-01-09"):
        advance_to(api, book, f"{day}T21:01:00Z")
        order = order_of(api, book, order["id"])
        marks.append(Decimal(order["hwm"]))
        assert Decimal(order["stop_price"]) == marks[-1] * Decimal("0.98")
    assert marks == [Decimal("414.68"), Decimal("418.55"), Decimal("422.75"), Decimal("427.75")]
    assert order["status"] == "accepted"
    advance_to(api, book, "2012-01-12T21:01:00Z")  # Jan 12 falls to 418.75 < 419.195
    order = order_of(api, book, order["id"])
    assert (order["status"], Decimal(order["filled_avg_price"])) == ("filled", Decimal("419.195"))


def test_trailing_stop_with_a_trail_price(api: Api, book: Book) -> None:
    buy_ten_at_the_open(api, book)
    order = placed(api, book, side="sell", qty=10, type="trailing_stop", trail_price="5.5")
    assert (order["trail_price"], order["trail_percent"]) == ("5.5000", None)
    assert Decimal(order["stop_price"]) == Decimal("403.90")


def test_notional_order_is_sized_when_it_trades(api: Api, book: Book) -> None:
    order = placed(api, book, notional="1000", type="market")
    assert (order["qty"], order["notional"], order["status"]) == (None, "1000.00", "accepted")
    advance_to(api, book, "2012-01-03T14:31:00Z")
    order = order_of(api, book, order["id"])
    qty = Decimal(order["qty"])
    assert order["status"] == "filled"
    assert order["filled_qty"] == order["qty"]
    assert qty == (Decimal(1000) / Decimal("409.4")).quantize(Decimal("1e-9"), "ROUND_DOWN")
    [position] = api.trading("GET", *book, "/positions").json()
    assert Decimal(position["qty"]) == qty


def test_opg_order_fills_at_the_opening_auction(api: Api) -> None:
    book = open_book(api, startTime="2012-01-03T14:00:00Z")  # 09:00 New York: before the open
    order = placed(api, book, qty=10, type="market", time_in_force="opg")
    assert (order["time_in_force"], order["status"]) == ("opg", "accepted")
    advance_to(api, book, "2012-01-03T14:31:00Z")
    order = order_of(api, book, order["id"])
    assert (order["status"], Decimal(order["filled_avg_price"])) == ("filled", Decimal("409.40"))


def test_opg_order_once_the_market_is_open_is_rejected_with_its_reason(
    api: Api, book: Book
) -> None:
    response = submit(api, book, qty=10, type="market", time_in_force="opg")
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["code"], body["reject_reason"]) == (42210000, "market_open")
    assert "market_open" in body["message"]
    order = order_of(api, book, body["order_id"])
    assert (order["status"], order["reject_reason"]) == ("rejected", "market_open")
    assert order["reject_message"]
    assert order["failed_at"] == "2012-01-03T14:30:00Z"


def test_cls_order_fills_at_the_closing_auction(api: Api, book: Book) -> None:
    order = placed(api, book, qty=10, type="market", time_in_force="cls")
    advance_to(api, book, "2012-01-03T20:59:00Z")
    assert order_of(api, book, order["id"])["status"] == "accepted"
    advance_to(api, book, "2012-01-03T21:01:00Z")
    order = order_of(api, book, order["id"])
    assert (order["status"], Decimal(order["filled_avg_price"])) == ("filled", Decimal("411.23"))


def test_short_sale_in_a_cash_account_is_rejected_and_stays_visible(api: Api, book: Book) -> None:
    response = submit(api, book, side="sell", qty=10, type="market")
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["reject_reason"] == "short_not_allowed"
    order = order_of(api, book, body["order_id"])
    assert (order["status"], order["reject_reason"], order["side"]) == (
        "rejected", "short_not_allowed", "sell",
    )  # fmt: skip
    assert order["reject_message"]


def test_insufficient_buying_power_is_403_naming_the_rejected_order(api: Api, book: Book) -> None:
    response = submit(api, book, qty=1_000, type="market")
    assert response.status_code == 403, response.text
    body = response.json()
    assert (body["code"], body["reject_reason"]) == (40310000, "insufficient_buying_power")
    order = order_of(api, book, body["order_id"])
    assert (order["status"], order["reject_reason"]) == ("rejected", "insufficient_buying_power")
    assert order["reject_message"] == body["message"]


def test_selling_more_than_is_left_of_a_long_position_is_403_insufficient_qty(
    api: Api, book: Book
) -> None:
    buy_ten_at_the_open(api, book)
    placed(api, book, side="sell", qty=4, type="limit", limit_price=500, time_in_force="gtc")
    response = submit(api, book, side="sell", qty=7, type="market")
    assert response.status_code == 403, response.text
    body = response.json()
    assert (body["code"], body["reject_reason"], body["message"]) == (
        40310000, "insufficient_qty",
        "insufficient qty available for order (requested: 7, available: 6)",
    )  # fmt: skip
    assert order_of(api, book, body["order_id"])["status"] == "rejected"


def test_patch_replaces_the_order_with_a_new_one(api: Api, book: Book) -> None:
    old = placed(api, book, qty=10, type="limit", limit_price=300, time_in_force="gtc")
    response = api.trading(
        "PATCH", *book, f"/orders/{old['id']}",
        json={"limit_price": "305.5", "qty": 4, "client_order_id": "again"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    new = response.json()
    assert new["id"] != old["id"]
    assert (new["replaces"], new["status"], new["qty"], new["client_order_id"]) == (
        old["id"], "accepted", "4", "again",
    )  # fmt: skip
    assert Decimal(new["limit_price"]) == Decimal("305.5")
    assert (new["type"], new["time_in_force"]) == ("limit", "gtc")
    old = order_of(api, book, old["id"])
    assert (old["status"], old["replaced_by"]) == ("replaced", new["id"])
    assert old["replaced_at"] == "2012-01-03T14:30:00Z"
    # The old order is over; the new one works.
    again = api.trading("PATCH", *book, f"/orders/{old['id']}", json={"limit_price": 306})
    assert again.status_code == 409, again.text
    assert [o["id"] for o in api.trading("GET", *book, "/orders").json()] == [new["id"]]


def test_patch_refusals(api: Api, book: Book) -> None:
    order = placed(api, book, qty=10, type="limit", limit_price=300, time_in_force="gtc")
    path = f"/orders/{order['id']}"
    cases: list[tuple[object, int, str]] = [
        ({}, 422, "at least one"),
        ({"stop_price": 290}, 422, "stop_price does not apply to a limit order"),
        ({"trail": 2}, 422, "trail does not apply"),
        ({"qty": 0}, 422, "qty"),
        ({"time_in_force": "week"}, 422, "time_in_force"),
        ({"limit_price": "300.00001"}, 422, "tick"),
        ({"symbol": "MSFT"}, 422, "symbol"),
    ]
    for body, status, named in cases:
        response = api.trading("PATCH", *book, path, json=body)
        assert response.status_code == status, (body, response.text)
        assert named in response.json()["message"], body
    missing = api.trading("PATCH", *book, "/orders/00000000-0000-4000-8000-000000000000",
                          json={"limit_price": 301})  # fmt: skip
    assert missing.status_code == 404
    assert order_of(api, book, order["id"])["status"] == "accepted"  # untouched
    too_big = api.trading("PATCH", *book, path, json={"qty": 10_000})
    assert too_big.status_code == 403, too_big.text
    assert too_big.json()["reject_reason"] == "insufficient_buying_power"
    assert order_of(api, book, order["id"])["status"] == "accepted"  # the old one still works


def test_patch_of_a_bracket_exit_leg_moves_it_once_its_entry_filled(api: Api, book: Book) -> None:
    entry = placed(
        api, book, qty=10, type="market", time_in_force="gtc", order_class="bracket",
        take_profit={"limit_price": "418"}, stop_loss={"stop_price": "400"},
    )  # fmt: skip
    take_profit = entry["legs"][0]
    held = api.trading("PATCH", *book, f"/orders/{take_profit['id']}", json={"limit_price": 420})
    assert held.status_code == 409, held.text  # held for its entry: nothing to replace yet
    assert "held" in held.json()["message"]
    advance_to(api, book, "2012-01-03T14:31:00Z")  # the entry fills at the open
    response = api.trading(
        "PATCH", *book, f"/orders/{take_profit['id']}", json={"limit_price": 420}
    )
    assert response.status_code == 200, response.text
    moved = response.json()
    assert (moved["replaces"], moved["status"]) == (take_profit["id"], "accepted")
    api.restart()  # the journal still replays
    advance_to(api, book, "2012-01-05T21:01:00Z")  # highs 412.50, 414.68, 418.55: under 420
    assert order_of(api, book, take_profit["id"])["status"] == "replaced"
    assert order_of(api, book, moved["id"])["status"] == "accepted"


def test_patch_with_latency_leaves_the_old_order_pending_replace_until_time_moves(
    api: Api,
) -> None:
    book = open_book(api, execution=SLOW)
    old = placed(api, book, qty=10, type="limit", limit_price=300, time_in_force="gtc")
    response = api.trading("PATCH", *book, f"/orders/{old['id']}", json={"limit_price": 301})
    assert response.status_code == 200, response.text
    new = response.json()
    assert order_of(api, book, old["id"])["status"] == "pending_replace"
    advance_to(api, book, "2012-01-03T14:31:00Z")
    old = order_of(api, book, old["id"])
    assert (old["status"], old["replaced_by"]) == ("replaced", new["id"])
    assert old["replaced_at"] == "2012-01-03T14:30:00.05Z"
    assert order_of(api, book, new["id"])["status"] == "accepted"


def test_cancel_without_latency_is_immediate(api: Api, book: Book) -> None:
    order = placed(api, book, qty=10, type="limit", limit_price=300)
    canceled = api.trading("DELETE", *book, f"/orders/{order['id']}")
    assert canceled.status_code == 200
    assert canceled.json()["status"] == "canceled"


def test_cancel_with_latency_is_pending_and_races_the_fill(api: Api) -> None:
    # 100 ms before the open; every request takes 50 ms to reach the venue.
    book = open_book(api, execution=SLOW, startTime="2012-01-03T14:29:59.9Z")
    early = placed(api, book, qty=10, type="market")
    late = placed(api, book, qty=5, type="market")
    first = api.trading("DELETE", *book, f"/orders/{early['id']}")
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "pending_cancel"
    assert order_of(api, book, early["id"])["status"] == "pending_cancel"
    again = api.trading("DELETE", *book, f"/orders/{early['id']}")
    assert again.status_code == 409  # a cancel is already on its way
    advance_to(api, book, "2012-01-03T14:29:59.98Z")
    second = api.trading("DELETE", *book, f"/orders/{late['id']}")
    assert second.json()["status"] == "pending_cancel"

    advance_to(api, book, "2012-01-03T14:31:00Z")
    # The first cancel arrived before the open (09:29:59.95): it won.
    early = order_of(api, book, early["id"])
    assert (early["status"], early["filled_qty"], early["canceled_at"]) == (
        "canceled", "0", "2012-01-03T14:29:59.95Z",
    )  # fmt: skip
    # The second arrives at 09:30:00.03: the order met the 09:30 open first.
    late = order_of(api, book, late["id"])
    assert (late["status"], late["filled_qty"]) == ("filled", "5")
    [position] = api.trading("GET", *book, "/positions").json()
    assert position["qty"] == "5"


def test_canceling_a_bracket_entry_before_it_fills_cancels_its_held_legs(
    api: Api, book: Book
) -> None:
    entry = placed(
        api, book, qty=10, type="limit", limit_price=300, time_in_force="gtc",
        order_class="oto", stop_loss={"stop_price": "290"},
    )  # fmt: skip
    [leg] = entry["legs"]
    assert (leg["type"], leg["status"]) == ("stop", "held")
    canceled = api.trading("DELETE", *book, f"/orders/{entry['id']}").json()
    assert canceled["status"] == "canceled"
    assert [leg["status"] for leg in canceled["legs"]] == ["canceled"]


def test_rejected_bracket_cancels_its_legs(api: Api, book: Book) -> None:
    response = submit(
        api, book, qty=1_000, type="market", order_class="bracket",
        take_profit={"limit_price": "500"}, stop_loss={"stop_price": "300"},
    )  # fmt: skip
    assert response.status_code == 403
    entry = order_of(api, book, response.json()["order_id"])
    assert entry["status"] == "rejected"
    assert [leg["status"] for leg in entry["legs"]] == ["canceled", "canceled"]


def test_assets_show_how_each_symbol_trades(api: Api) -> None:
    assets = {a["symbol"]: a for a in api.client.get("/v1/assets", auth=api.alice).json()}
    aapl, eurusd = assets["AAPL"], assets["EURUSD"]
    assert (aapl["tradable"], aapl["shortable"], aapl["easy_to_borrow"], aapl["fractionable"]) == (
        True, True, True, True,
    )  # fmt: skip
    assert (eurusd["asset_class"], eurusd["fractionable"], eurusd["tradable"]) == (
        "fx", False, True,
    )  # fmt: skip
    assert all(a["easy_to_borrow"] == a["shortable"] for a in assets.values())
