"""Account configurations through the unmodified alpaca-py TradingClient, with real effect.

The session starts 2012-01-03 09:30 New York on the bundled daily bars; after
that day's close AAPL is marked at its close, 411.23.  A Reg-T margin
account of 100 000 may then hold 2x its equity overnight: 200 000.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import DTBPCheck, OrderSide, PDTCheck, TimeInForce, TradeConfirmationEmail
from alpaca.trading.models import AccountConfiguration, Order
from alpaca.trading.requests import MarketOrderRequest
from tests.compat.conftest import Bot, LiveServer, make_bot

AFTER_FIRST_CLOSE = "2012-01-03T21:00:00Z"
PATH = "/v2/account/configurations"


def order(symbol: str = "AAPL", side: OrderSide = OrderSide.BUY, **qty: Any) -> MarketOrderRequest:
    return MarketOrderRequest(
        symbol=symbol, side=side, time_in_force=TimeInForce.DAY, **(qty or {"qty": 1})
    )


def refusal(error: APIError) -> tuple[int, str, str]:
    body = json.loads(str(error))
    return error.status_code, body["reject_reason"], body["message"]


def patch(bot: Bot, body: dict[str, Any]) -> httpx2.Response:
    key_id, secret = bot.key
    headers = {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}
    return httpx2.patch(bot.server.url + PATH, json=body, headers=headers)


@pytest.fixture
def margin_bot(live_server: LiveServer) -> Bot:
    return make_bot(live_server, account={"type": "margin"})


def test_a_new_account_has_a_fresh_paper_accounts_configurations(bot: Bot) -> None:
    config = bot.trading().get_account_configurations()
    assert isinstance(config, AccountConfiguration)
    assert config == AccountConfiguration(
        dtbp_check=DTBPCheck.ENTRY,
        fractional_trading=True,
        max_margin_multiplier="4",
        no_shorting=False,
        pdt_check=PDTCheck.ENTRY,
        suspend_trade=False,
        trade_confirm_email=TradeConfirmationEmail.ALL,
        ptp_no_exception_entry=False,
        max_options_trading_level=None,
    )
    prefixed = bot.trading(prefixed=True).get_account_configurations()
    assert prefixed == config


def test_set_configurations_sends_the_whole_model_and_echoes_every_field(bot: Bot) -> None:
    trading = bot.trading()
    config = trading.get_account_configurations()
    assert isinstance(config, AccountConfiguration)
    config.trade_confirm_email = TradeConfirmationEmail.NONE
    config.dtbp_check = DTBPCheck.BOTH
    config.pdt_check = None  # null: kept as it is
    config.ptp_no_exception_entry = True
    config.max_options_trading_level = 2
    changed = trading.set_account_configurations(config)
    assert isinstance(changed, AccountConfiguration)
    assert changed.trade_confirm_email is TradeConfirmationEmail.NONE
    assert changed.dtbp_check is DTBPCheck.BOTH
    assert changed.pdt_check is PDTCheck.ENTRY
    assert (changed.ptp_no_exception_entry, changed.max_options_trading_level) == (True, 2)
    assert trading.get_account_configurations() == changed


def test_suspend_trade_rejects_new_orders_from_every_client_until_lifted(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    config = trading.get_account_configurations()
    assert isinstance(config, AccountConfiguration)
    config.suspend_trade = True
    trading.set_account_configurations(config)
    with pytest.raises(APIError) as refused:
        trading.submit_order(order())
    status, reason, message = refusal(refused.value)
    assert reason == "trading_suspended"
    assert status in (403, 422)  # a refusal either way; the Alpaca routes choose which
    assert message == (
        "trading is suspended on this account (suspend_trade): no new orders are taken"
    )
    # The /v1 API trades the same account under the same rules.
    v1 = bot.v1(
        "POST",
        f"/v1/trading/accounts/{bot.account_id}/orders",
        headers={"X-Session-Id": bot.session_id},
        json={"symbol": "AAPL", "side": "buy", "type": "market", "qty": 1},
    )
    assert v1.status_code == 422, v1.text
    assert v1.json()["reject_reason"] == "trading_suspended"

    config.suspend_trade = False
    trading.set_account_configurations(config)
    accepted = trading.submit_order(order())
    assert isinstance(accepted, Order)
    assert accepted.status.value == "new"


def test_no_shorting_refuses_a_short_sale_but_not_a_closing_one(margin_bot: Bot) -> None:
    trading = margin_bot.trading()
    assert isinstance(trading.submit_order(order(side=OrderSide.SELL)), Order)  # may short
    config = trading.get_account_configurations()
    assert isinstance(config, AccountConfiguration)
    config.no_shorting = True
    trading.set_account_configurations(config)
    with pytest.raises(APIError) as refused:
        trading.submit_order(order("MSFT", OrderSide.SELL))
    status, reason, message = refusal(refused.value)
    assert (status, reason) == (403, "short_not_allowed")
    assert "no_shorting" in message
    margin_bot.advance(targetTime=AFTER_FIRST_CLOSE)  # the first short (1 AAPL) fills
    closing = trading.submit_order(order(side=OrderSide.BUY))  # buys it back: allowed
    assert isinstance(closing, Order)


def test_fractional_trading_off_refuses_fractions_and_notional(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    assert isinstance(trading.submit_order(order(qty=0.5)), Order)
    config = trading.get_account_configurations()
    assert isinstance(config, AccountConfiguration)
    config.fractional_trading = False
    trading.set_account_configurations(config)
    for fractional in ({"qty": 1.5}, {"notional": 250}):
        with pytest.raises(APIError) as refused:
            trading.submit_order(order(**fractional))
        _, reason, message = refusal(refused.value)
        assert reason == "fractional_not_allowed"
        assert "fractional_trading" in message
    assert isinstance(trading.submit_order(order(qty=2)), Order)


def test_fractional_trading_off_names_its_reason_whatever_else_the_fraction_breaks(
    bot: Bot,
) -> None:
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    assert patch(bot, {"fractional_trading": False}).status_code == 200
    key_id, secret = bot.key
    headers = {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}
    base = {"symbol": "AAPL", "side": "buy", "qty": 0.5}
    for body in (
        {"type": "market", "time_in_force": "day"},
        {"type": "limit", "limit_price": 400, "time_in_force": "gtc"},  # fractions are day only
        {"type": "stop", "stop_price": 450, "time_in_force": "day"},  # and market or limit only
    ):
        response = httpx2.post(
            bot.server.url + "/v2/orders", json={**base, **body}, headers=headers
        )
        assert response.status_code == 422, response.text
        assert (response.json()["code"], response.json()["reject_reason"]) == (
            42210000, "fractional_not_allowed",
        )  # fmt: skip
        assert response.json()["message"] == (
            "fractional trading is disabled on this account (fractional_trading): "
            "qty 0.5 is not a whole number"
        )
    notional_limit = {"symbol": "AAPL", "side": "buy", "notional": 100, "type": "limit",
                      "limit_price": 400, "time_in_force": "day"}  # fmt: skip
    response = httpx2.post(bot.server.url + "/v2/orders", json=notional_limit, headers=headers)
    assert response.json()["reject_reason"] == "fractional_not_allowed"


def test_max_margin_multiplier_caps_the_buying_power(margin_bot: Bot) -> None:
    trading = margin_bot.trading()
    margin_bot.advance(targetTime=AFTER_FIRST_CLOSE)
    # 300 x 411.23 = 123 369: within 2x of 100 000 overnight, beyond 1x.
    big = order(qty=300)
    first = trading.submit_order(big)
    assert isinstance(first, Order)
    trading.cancel_order_by_id(first.id)
    config = trading.get_account_configurations()
    assert isinstance(config, AccountConfiguration)
    config.max_margin_multiplier = "1"
    changed = trading.set_account_configurations(config)
    assert isinstance(changed, AccountConfiguration)
    assert changed.max_margin_multiplier == "1"
    with pytest.raises(APIError) as refused:
        trading.submit_order(big)
    status, reason, message = refusal(refused.value)
    assert (status, reason) == (403, "insufficient_buying_power")
    assert message == "order needs 123369.00, buying power available is 100000.00"
    # 200 x 411.23 = 82 246 fits in the equity.
    assert isinstance(trading.submit_order(order(qty=200)), Order)


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"colour": "red"}, "colour"),
        ({"max_margin_multiplier": "3"}, "max_margin_multiplier"),
        ({"dtbp_check": "never"}, "dtbp_check"),
        ({"no_shorting": "yes"}, "no_shorting"),
        ({"trade_confirm_email": "some"}, "trade_confirm_email"),
        ({"max_options_trading_level": 4}, "max_options_trading_level"),
    ],
)
def test_a_bad_configuration_is_a_422_naming_the_field(
    bot: Bot, body: dict[str, Any], names: str
) -> None:
    response = patch(bot, body)
    assert response.status_code == 422, response.text
    assert names in response.json()["message"]
    config = bot.trading().get_account_configurations()
    assert isinstance(config, AccountConfiguration)
    assert config.max_margin_multiplier == "4"


def test_a_number_is_read_as_the_multiplier_and_nulls_keep_everything(bot: Bot) -> None:
    response = patch(bot, {"max_margin_multiplier": 2, "no_shorting": None})
    assert response.status_code == 200, response.text
    assert response.json()["max_margin_multiplier"] == "2"
    assert response.json()["no_shorting"] is False
