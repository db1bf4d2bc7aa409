"""Orders through the unmodified alpaca-py TradingClient against a live server.

Sessions run on the ideal execution preset over the bundled daily bars, so
every fill is checked against the CSV by hand: AAPL 2012-01-04 opens at
410.00, 2012-01-05 at 414.95; MSFT 2012-01-04 opens at 26.8199.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import httpx2
import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import (
    OrderClass,
    OrderSide,
    OrderStatus,
    OrderType,
    QueryOrderStatus,
    TimeInForce,
)
from alpaca.trading.models import Order
from alpaca.trading.requests import (
    GetOrderByIdRequest,
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLossRequest,
    TakeProfitRequest,
    TrailingStopOrderRequest,
)
from tests.compat.conftest import Bot

# The session starts 2012-01-03 09:30 New York; the first daily bar closes at 16:00.
AFTER_FIRST_CLOSE = "2012-01-03T21:00:00Z"
AFTER_SECOND_CLOSE = "2012-01-04T21:00:00Z"
AFTER_THIRD_CLOSE = "2012-01-05T21:00:00Z"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def alpaca_backend(request: pytest.FixtureRequest) -> str:
    """This module's server runs on a SQLite file and on PostgreSQL."""
    backend: str = request.param
    return backend


def buy(symbol: str = "AAPL", qty: float = 10, **fields: object) -> MarketOrderRequest:
    return MarketOrderRequest(
        symbol=symbol, qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, **fields
    )


def test_a_market_order_is_new_then_fills_at_the_next_open(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    order = trading.submit_order(buy(client_order_id="first-buy"))
    assert isinstance(order, Order)
    assert isinstance(order.id, UUID)
    assert order.status is OrderStatus.NEW
    assert order.qty == "10"
    assert order.filled_qty == "0"
    assert order.order_class is OrderClass.SIMPLE
    assert order.type is OrderType.MARKET

    bot.advance(targetTime=AFTER_SECOND_CLOSE)
    filled = trading.get_order_by_id(order.id)
    assert isinstance(filled, Order)
    assert filled.status is OrderStatus.FILLED
    assert filled.filled_qty == "10"
    assert Decimal(str(filled.filled_avg_price)) == Decimal("410.00")
    assert filled.filled_at is not None
    by_client_id = trading.get_order_by_client_id("first-buy")
    assert isinstance(by_client_id, Order)
    assert by_client_id.id == order.id


def test_orders_are_listed_with_alpacas_filters(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    aapl = trading.submit_order(buy("AAPL", 1))
    msft = trading.submit_order(buy("MSFT", 5))
    limit = trading.submit_order(
        LimitOrderRequest(
            symbol="MSFT", qty=5, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
            limit_price=20,
        )
    )  # fmt: skip
    bot.advance(targetTime=AFTER_SECOND_CLOSE)  # both market orders fill; the limit waits

    def ids(**filters: object) -> list[UUID]:
        orders = trading.get_orders(GetOrdersRequest(**filters))
        assert isinstance(orders, list)
        return [o.id for o in orders if isinstance(o, Order)]

    assert ids() == [limit.id]  # open, the default
    assert ids(status=QueryOrderStatus.CLOSED) == [msft.id, aapl.id]  # newest first
    assert ids(status=QueryOrderStatus.ALL, direction="asc") == [aapl.id, msft.id, limit.id]
    assert ids(status=QueryOrderStatus.ALL, symbols=["MSFT"], limit=1) == [limit.id]
    assert ids(status=QueryOrderStatus.ALL, side=OrderSide.SELL) == []


def test_a_bracket_order_nests_its_legs_and_they_wait_for_the_entry(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    entry = trading.submit_order(
        MarketOrderRequest(
            symbol="AAPL", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
            order_class=OrderClass.BRACKET,
            take_profit=TakeProfitRequest(limit_price=430),
            stop_loss=StopLossRequest(stop_price=400, limit_price=399),
        )
    )  # fmt: skip
    assert isinstance(entry, Order)
    assert entry.order_class is OrderClass.BRACKET
    assert entry.legs is not None
    assert [leg.status for leg in entry.legs] == [OrderStatus.HELD, OrderStatus.HELD]
    assert [leg.type for leg in entry.legs] == [OrderType.LIMIT, OrderType.STOP_LIMIT]

    nested = trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, nested=True))
    assert [o.id for o in nested if isinstance(o, Order)] == [entry.id]
    bot.advance(targetTime=AFTER_SECOND_CLOSE)
    after = trading.get_order_by_id(entry.id, GetOrderByIdRequest(nested=True))
    assert isinstance(after, Order)
    assert after.status is OrderStatus.FILLED
    assert after.legs is not None
    assert [leg.status for leg in after.legs] == [OrderStatus.NEW, OrderStatus.NEW]


def test_a_trailing_stop_reports_its_high_water_mark(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    trading.submit_order(buy("AAPL", 10))
    bot.advance(targetTime=AFTER_SECOND_CLOSE)
    stop = trading.submit_order(
        TrailingStopOrderRequest(
            symbol="AAPL", qty=10, side=OrderSide.SELL, time_in_force=TimeInForce.GTC,
            trail_price=5,
        )
    )  # fmt: skip
    bot.advance(targetTime=AFTER_THIRD_CLOSE)  # 2012-01-05: high 418.55
    working = trading.get_order_by_id(stop.id)
    assert isinstance(working, Order)
    assert Decimal(str(working.hwm)) == Decimal("418.55")
    assert Decimal(str(working.stop_price)) == Decimal("413.55")
    assert Decimal(str(working.trail_price)) == 5


def test_replace_returns_a_new_order_and_the_old_one_ends_replaced(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    old = trading.submit_order(
        LimitOrderRequest(
            symbol="AAPL", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
            limit_price=400,
        )
    )  # fmt: skip
    new = trading.replace_order_by_id(old.id, ReplaceOrderRequest(qty=4, limit_price=411))
    assert isinstance(new, Order)
    assert new.id != old.id
    assert new.replaces == old.id
    assert new.qty == "4"
    assert Decimal(str(new.limit_price)) == 411
    replaced = trading.get_order_by_id(old.id)
    assert isinstance(replaced, Order)
    assert replaced.status is OrderStatus.REPLACED
    assert replaced.replaced_by == new.id
    bot.advance(targetTime=AFTER_SECOND_CLOSE)  # opens at 410.00, under the new limit
    filled = trading.get_order_by_id(new.id)
    assert isinstance(filled, Order)
    assert filled.status is OrderStatus.FILLED
    assert Decimal(str(filled.filled_avg_price)) == Decimal("410.00")


def test_cancel_one_and_cancel_all(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    limits = [
        trading.submit_order(
            LimitOrderRequest(
                symbol="MSFT", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
                limit_price=price,
            )
        )
        for price in (20, 21, 22)
    ]  # fmt: skip
    assert trading.cancel_order_by_id(limits[0].id) is None  # 204, no body
    canceled = trading.get_order_by_id(limits[0].id)
    assert isinstance(canceled, Order)
    assert canceled.status is OrderStatus.CANCELED
    assert canceled.canceled_at is not None

    results = trading.cancel_orders()
    assert isinstance(results, list)
    assert sorted(str(r.id) for r in results) == sorted(str(o.id) for o in limits[1:])
    assert {r.status for r in results} == {200}
    assert trading.get_orders() == []

    with pytest.raises(APIError) as error:
        trading.cancel_order_by_id(limits[0].id)
    assert error.value.status_code == 422
    assert error.value.code == 42210000


def test_refusals_and_lookups_raise_apierror_with_alpacas_codes(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    with pytest.raises(APIError) as error:
        trading.submit_order(buy("AAPL", 1_000))  # 411,230 of 100,000 cash
    assert (error.value.status_code, error.value.code) == (403, 40310000)
    assert "buying power" in error.value.message

    with pytest.raises(APIError) as error:
        trading.submit_order(buy("NOPE", 1))
    assert (error.value.status_code, error.value.code) == (422, 42210000)
    assert "NOPE" in error.value.message

    with pytest.raises(APIError) as error:
        trading.get_order_by_id("6f1d3f0e-0000-4000-8000-000000000000")
    assert (error.value.status_code, error.value.code) == (404, 40410000)

    with pytest.raises(APIError) as error:
        trading.get_order_by_client_id("never-used")
    assert error.value.code == 40410000

    trading.submit_order(buy("AAPL", 1, client_order_id="once"))
    with pytest.raises(APIError) as error:
        trading.submit_order(buy("AAPL", 1, client_order_id="once"))
    assert error.value.code == 42210000


def test_a_malformed_order_id_is_alpacas_422(bot: Bot) -> None:
    key_id, secret = bot.key
    response = httpx2.get(
        f"{bot.server.url}/v2/orders/not-a-uuid",
        headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
    )
    assert response.status_code == 422
    assert response.json()["code"] == 40010001


def test_requests_take_numbers_or_strings_and_unknown_fields_are_named(bot: Bot) -> None:
    key_id, secret = bot.key
    headers = {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    body = {"symbol": "MSFT", "qty": "2", "side": "buy", "type": "limit",
            "time_in_force": "gtc", "limit_price": "20.5"}  # fmt: skip
    response = httpx2.post(f"{bot.server.url}/v2/orders", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["limit_price"] == "20.5000"  # on the data's 0.0001 tick grid
    typo = {**body, "limit_prise": 20}
    response = httpx2.post(f"{bot.server.url}/v2/orders", json=typo, headers=headers)
    assert response.status_code == 422
    assert "limit_prise" in response.json()["message"]
