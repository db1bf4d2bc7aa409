"""Account activities over HTTP with Alpaca's headers, parsed by alpaca-py's own models.

``TradingClient`` has no method for activities, so they are read with
``httpx2`` and the APCA headers, and every item is validated by
``alpaca.trading.models.TradeActivity`` or ``NonTradeActivity``.

The session starts 2012-01-03 09:30 New York with 100 000, on the ideal venue
plus a fixed fee of 1.00 per order.  A market buy of 10 AAPL sent at the
start fills at that day's open, 409.40, when its bar is processed at the
16:00 close; after the close a sell of 4 AAPL and a buy of 5 MSFT fill at
2012-01-04's opens, 410.00 and 26.8199, stamped 16:00 that day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import httpx2
import pytest
from alpaca.trading.enums import ActivityType, OrderSide, TimeInForce
from alpaca.trading.models import NonTradeActivity, Order, TradeActivity
from alpaca.trading.requests import MarketOrderRequest
from tests.compat.conftest import Bot, LiveServer, make_bot

FEES = {"preset": "ideal", "fees": {"model": "fixed", "amount": "1.00"}}
AFTER_FIRST_CLOSE = "2012-01-03T21:00:00Z"
AFTER_SECOND_CLOSE = "2012-01-04T21:00:00Z"


def market(symbol: str, qty: int, side: OrderSide = OrderSide.BUY) -> MarketOrderRequest:
    return MarketOrderRequest(symbol=symbol, qty=qty, side=side, time_in_force=TimeInForce.DAY)


def get(bot: Bot, path: str = "/v2/account/activities", **params: Any) -> httpx2.Response:
    key_id, secret = bot.key
    headers = {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}
    return httpx2.get(bot.server.url + path, params=params, headers=headers)


def items(bot: Bot, path: str = "/v2/account/activities", **params: Any) -> list[dict[str, Any]]:
    response = get(bot, path, **params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    for item in found:  # alpaca-py's own models read every item
        if item["activity_type"] == "FILL":
            TradeActivity(**item)
        else:
            NonTradeActivity(**item)
    return found


@pytest.fixture
def traded(live_server: LiveServer) -> tuple[Bot, dict[str, str]]:
    """The session of the module doc, and its orders' ids."""
    bot = make_bot(live_server, execution=FEES)
    trading = bot.trading()
    buy = trading.submit_order(market("AAPL", 10))
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    sell = trading.submit_order(market("AAPL", 4, OrderSide.SELL))
    msft = trading.submit_order(market("MSFT", 5))
    bot.advance(targetTime=AFTER_SECOND_CLOSE)
    ids = {}
    for name, order in (("buy", buy), ("sell", sell), ("msft", msft)):
        assert isinstance(order, Order)
        ids[name] = str(order.id)
    return bot, ids


def test_activities_are_fills_fees_and_the_deposit_newest_first(
    traded: tuple[Bot, dict[str, str]],
) -> None:
    bot, orders = traded
    found = items(bot)
    summary = [
        (a["activity_type"], a.get("symbol"), a.get("side"), a.get("qty"), a.get("price"),
         a.get("net_amount"))
        for a in found
    ]  # fmt: skip
    assert summary == [
        ("FEE", "MSFT", None, None, None, "-1.00"),
        ("FILL", "MSFT", "buy", "5", "26.8199", None),
        ("FEE", "AAPL", None, None, None, "-1.00"),
        ("FILL", "AAPL", "sell", "4", "410.0000", None),
        ("FEE", "AAPL", None, None, None, "-1.00"),
        ("FILL", "AAPL", "buy", "10", "409.4000", None),
        ("CSD", None, None, None, None, "100000"),
    ]
    buy = TradeActivity(**found[5])
    assert buy.activity_type is ActivityType.FILL
    assert str(buy.order_id) == orders["buy"]
    assert buy.account_id == UUID(bot.account_id)
    assert buy.transaction_time == datetime.fromisoformat("2012-01-03T21:00:00+00:00")
    assert (buy.type.value, buy.order_status.value) == ("fill", "filled")
    assert (buy.cum_qty, buy.leaves_qty) == (10, 0)
    assert found[5]["id"].startswith("20120103160000000::")  # New York time, to the ms
    UUID(found[5]["id"].split("::")[1])
    deposit = NonTradeActivity(**found[6])
    assert (deposit.date, deposit.net_amount) == (date(2012, 1, 3), 100_000.0)
    assert found[6]["id"].startswith("20120103093000000::")
    fee = NonTradeActivity(**found[0])
    assert fee.date == date(2012, 1, 4)
    assert orders["msft"] in fee.description
    assert [a["order_id"] for a in found if a["activity_type"] == "FILL"] == [
        orders["msft"], orders["sell"], orders["buy"],
    ]  # fmt: skip


def test_activities_filter_by_type_date_and_time(traded: tuple[Bot, dict[str, str]]) -> None:
    bot, _ = traded
    fills = items(bot, activity_types="FILL", direction="asc")
    assert [(a["symbol"], a["side"]) for a in fills] == [
        ("AAPL", "buy"), ("AAPL", "sell"), ("MSFT", "buy"),
    ]  # fmt: skip
    assert [a["activity_type"] for a in items(bot, "/v2/account/activities/FEE")] == ["FEE"] * 3
    assert [a["activity_type"] for a in items(bot, "/v2/account/activities/TRANS")] == ["CSD"]
    assert {a["activity_type"] for a in items(bot, activity_types="CSD,FEE")} == {"CSD", "FEE"}
    on_the_4th = items(bot, date="2012-01-04")
    assert [a["activity_type"] for a in on_the_4th] == ["FEE", "FILL", "FEE", "FILL"]
    first_day = items(bot, until="2012-01-04T00:00:00Z")
    assert [a["activity_type"] for a in first_day] == ["FEE", "FILL", "CSD"]
    later = items(bot, after="2012-01-03T09:30:00-05:00")  # strictly after the deposit
    assert len(later) == 6
    prefixed = httpx2.get(
        f"{bot.server.url}/sessions/{bot.session_id}/v2/account/activities/CSD",
        headers={"APCA-API-KEY-ID": bot.owner[0], "APCA-API-SECRET-KEY": bot.owner[1]},
    )
    assert [a["net_amount"] for a in prefixed.json()] == ["100000"]


def test_activities_page_with_the_last_id_as_the_token(traded: tuple[Bot, dict[str, str]]) -> None:
    bot, _ = traded
    everything = items(bot)
    for direction, expected in (("desc", everything), ("asc", everything[::-1])):
        pages: list[list[dict[str, Any]]] = []
        token = None
        while True:
            params: dict[str, Any] = {"page_size": 3, "direction": direction}
            if token is not None:
                params["page_token"] = token
            page = items(bot, **params)
            if not page:
                break
            pages.append(page)
            token = page[-1]["id"]
        assert [len(p) for p in pages] == [3, 3, 1]
        assert [a for p in pages for a in p] == expected


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"direction": "up"}, "direction"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"activity_types": "FILL,BOGUS"}, "BOGUS"),
        ({"date": "yesterday"}, "date"),
        ({"date": "2012-01-04", "after": "2012-01-03"}, "date"),
        ({"after": "soon"}, "after"),
        ({"page_token": "20120103093000000::nope"}, "page_token"),
    ],
)
def test_bad_activity_queries_are_422_naming_the_parameter(
    bot: Bot, params: dict[str, Any], says: str
) -> None:
    response = get(bot, **params)
    assert response.status_code == 422, response.text
    assert says in response.json()["message"]


def test_an_unknown_activity_type_in_the_path_is_422(bot: Bot) -> None:
    response = get(bot, "/v2/account/activities/NOPE")
    assert response.status_code == 422
    assert "NOPE" in response.json()["message"]


def test_a_new_account_has_only_its_deposit_and_date_lifts_the_page_limit(bot: Bot) -> None:
    found = items(bot, date="2012-01-03", page_size=500)
    assert [(a["activity_type"], a["net_amount"]) for a in found] == [("CSD", "100000")]
