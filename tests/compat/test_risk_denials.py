"""An order the session's risk layer denies, as Alpaca clients see it: the unmodified
alpaca-py client, the raw body, and a ``rejected`` trade update.

Alpaca answers a refused order 403 (``40310000``); paperbroker's body also
names the order, ``reject_reason`` ``risk_denied`` and the rule at fault.
"""

from __future__ import annotations

import json

import httpx2
import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import OrderSide, OrderStatus, TimeInForce
from alpaca.trading.requests import MarketOrderRequest
from tests.compat.conftest import Bot, LiveServer, make_bot

from paperbroker.api.alpaca.stream import event_name
from paperbroker.model.events import OrderDenied


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def alpaca_backend(request: pytest.FixtureRequest) -> str:
    """This module's server runs on a SQLite file and on PostgreSQL."""
    backend: str = request.param
    return backend


def buy(qty: float) -> MarketOrderRequest:
    return MarketOrderRequest(
        symbol="AAPL", qty=qty, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
    )


def test_an_order_over_max_position_qty_is_alpacas_403_risk_denied(
    live_server: LiveServer,
) -> None:
    bot: Bot = make_bot(live_server, risk={"limits": {"max_position_qty": "100"}})
    trading = bot.trading()
    with pytest.raises(APIError) as error:
        trading.submit_order(buy(150))
    assert (error.value.status_code, error.value.code) == (403, 40310000)
    body = json.loads(str(error.value))
    assert body["reject_reason"] == "risk_denied"
    assert (body["rule"], body["limit"], body["value"]) == ("limits.max_position_qty", "100", "150")
    rejected = trading.get_order_by_id(body["order_id"])
    assert rejected.status is OrderStatus.REJECTED
    accepted = trading.submit_order(buy(100))
    assert accepted.status is OrderStatus.NEW


def test_a_denied_order_is_a_403_naming_the_rule_its_limit_and_the_value(bot: Bot) -> None:
    owner_key_id = bot.owner[0]
    runtime = bot.server.service.runtime(owner_key_id, bot.session_id)
    settings = {"limits": {"max_order_qty": 5}}
    runtime.risk_command("configure", {"settings": settings}, by=owner_key_id, reason="test")
    key_id, secret = bot.key
    response = httpx2.post(
        f"{bot.server.url}/v2/orders",
        json={"symbol": "AAPL", "qty": "10", "side": "buy", "type": "market",
              "time_in_force": "day"},
        headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
    )  # fmt: skip
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == 40310000
    assert (body["reject_reason"], body["rule"], body["limit"], body["value"]) == (
        "risk_denied", "limits.max_order_qty", "5", "10",
    )  # fmt: skip
    assert "limits.max_order_qty" in body["message"]
    order = runtime.kernel.orders[body["order_id"]]
    denial = order.events[-1]
    assert isinstance(denial, OrderDenied)
    assert event_name(denial, order) == "rejected"
