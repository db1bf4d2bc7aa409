"""qty_available and the sells refused beyond it, through the unmodified alpaca-py client.

20 AAPL are bought at the 2012-01-04 open (410.00); the exits here (profit
at 500, stop at 300) never trade in the bundled bars. Alpaca counts an OCO
or a bracket's two exits once, and refuses a sell beyond what they leave
with a 403 whose body names the quantities, on cash and margin accounts alike.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import OrderClass, OrderSide, TimeInForce
from alpaca.trading.models import Order, Position
from alpaca.trading.requests import (
    ClosePositionRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    StopLossRequest,
    TakeProfitRequest,
)
from tests.compat.conftest import Bot, LiveServer, make_bot
from tests.compat.test_orders import AFTER_FIRST_CLOSE, AFTER_SECOND_CLOSE


@pytest.fixture(params=["cash", "margin"])
def account_bot(live_server: LiveServer, request: pytest.FixtureRequest) -> Bot:
    return make_bot(live_server, account={"type": request.param})


def oco_sell(qty: int) -> LimitOrderRequest:
    return LimitOrderRequest(
        symbol="AAPL", qty=qty, side=OrderSide.SELL, time_in_force=TimeInForce.GTC,
        limit_price=500, order_class=OrderClass.OCO, take_profit=TakeProfitRequest(limit_price=500),
        stop_loss=StopLossRequest(stop_price=300),
    )  # fmt: skip


def buy_twenty(bot: Bot, **exits: Any) -> Order:
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    order = bot.trading().submit_order(
        MarketOrderRequest(
            symbol="AAPL", qty=20, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, **exits
        )
    )
    assert isinstance(order, Order)
    bot.advance(targetTime=AFTER_SECOND_CLOSE)
    return order


def body_of(error: APIError) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(str(error))
    return body


def test_an_oco_of_5_on_20_shares_leaves_15_available(account_bot: Bot) -> None:
    trading = account_bot.trading()
    buy_twenty(account_bot)
    pair = trading.submit_order(oco_sell(5))
    assert isinstance(pair, Order)
    position = trading.get_open_position("AAPL")
    assert isinstance(position, Position)
    assert (position.qty, position.qty_available) == ("20", "15")
    with pytest.raises(APIError) as refused:
        trading.submit_order(MarketOrderRequest(
            symbol="AAPL", qty=16, side=OrderSide.SELL, time_in_force=TimeInForce.DAY
        ))  # fmt: skip
    assert refused.value.status_code == 403
    body = body_of(refused.value)
    assert pair.legs is not None
    expected = {
        "code": 40310000,
        "message": "insufficient qty available for order (requested: 16, available: 15)",
        "available": "15",
        "existing_qty": "20",
        "held_for_orders": "5",
        "symbol": "AAPL",
        "related_orders": [str(pair.id), str(pair.legs[0].id)],
        "reject_reason": "insufficient_qty",
    }
    assert {k: body[k] for k in expected} == expected
    rejected = trading.get_order_by_id(body["order_id"])
    assert isinstance(rejected, Order)
    assert rejected.status == "rejected"


def test_closing_half_while_bracket_exits_hold_the_shares_is_refused(account_bot: Bot) -> None:
    trading = account_bot.trading()
    entry = buy_twenty(
        account_bot,
        order_class=OrderClass.BRACKET,
        take_profit=TakeProfitRequest(limit_price=500),
        stop_loss=StopLossRequest(stop_price=300),
    )
    with pytest.raises(APIError) as refused:
        trading.close_position("AAPL", ClosePositionRequest(percentage="50"))
    assert refused.value.status_code == 403
    body = body_of(refused.value)
    assert body["message"] == "insufficient qty available for order (requested: 10, available: 0)"
    assert (body["code"], body["available"], body["existing_qty"], body["held_for_orders"]) == (
        40310000, "0", "20", "20",
    )  # fmt: skip
    legs = trading.get_order_by_id(entry.id).legs  # type: ignore[union-attr]
    assert legs is not None
    assert body["related_orders"] == [str(leg.id) for leg in legs]
    with pytest.raises(APIError) as by_qty:
        trading.close_position("AAPL", ClosePositionRequest(qty="25"))  # more than is held
    assert body_of(by_qty.value)["message"] == (
        "insufficient qty available for order (requested: 25, available: 0)"
    )
    position = trading.get_open_position("AAPL")
    assert isinstance(position, Position)
    assert (position.qty, position.qty_available) == ("20", "0")
