"""Alpaca's API upper-cases the symbols it is given; so does ours: ``aapl`` is ``AAPL``."""

from __future__ import annotations

import httpx2
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest
from tests.compat.conftest import Bot


def test_an_order_for_aapl_through_v2_is_an_order_for_AAPL(bot: Bot) -> None:
    key_id, secret = bot.key
    headers = {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}
    body = {"symbol": "aapl", "qty": "1", "side": "buy", "type": "market", "time_in_force": "day"}
    placed = httpx2.post(f"{bot.server.url}/v2/orders", json=body, headers=headers)
    assert placed.status_code == 200, placed.text
    assert placed.json()["symbol"] == "AAPL"
    listed = httpx2.get(f"{bot.server.url}/v2/orders?symbols=aapl", headers=headers)
    assert [o["id"] for o in listed.json()] == [placed.json()["id"]]


def test_the_alpaca_client_may_name_symbols_in_any_case(bot: Bot) -> None:
    order = bot.trading().submit_order(
        MarketOrderRequest(symbol="msft", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )
    assert order.symbol == "MSFT"
    assert bot.trading().get_asset("msft").symbol == "MSFT"
