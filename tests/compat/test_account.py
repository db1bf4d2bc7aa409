"""GET /v2/account through the unmodified alpaca-py TradingClient.

Hand-checked from the bundled CSV: 10 AAPL bought at the 2012-01-04 open
(410.00); that day closes 413.44, the next 418.03.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

import pytest
from alpaca.trading.enums import AccountStatus, OrderSide, TimeInForce
from alpaca.trading.models import TradeAccount
from alpaca.trading.requests import MarketOrderRequest
from tests.compat.conftest import Bot, LiveServer, make_bot
from tests.compat.test_orders import AFTER_FIRST_CLOSE, AFTER_THIRD_CLOSE


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def alpaca_backend(request: pytest.FixtureRequest) -> str:
    """This module's server runs on a SQLite file and on PostgreSQL."""
    backend: str = request.param
    return backend


def account_of(bot: Bot) -> TradeAccount:
    account = bot.trading().get_account()
    assert isinstance(account, TradeAccount)
    return account


def test_a_new_account_holds_the_sessions_cash(bot: Bot) -> None:
    account = account_of(bot)
    assert account.id == UUID(bot.account_id)
    assert account.status is AccountStatus.ACTIVE
    assert (account.cash, account.equity, account.last_equity) == ("100000", "100000", "100000")
    assert (account.buying_power, account.multiplier) == ("100000", "1")
    assert account.shorting_enabled is False  # a cash account
    assert account.currency == "USD"


def test_the_account_is_valued_at_the_session_time(bot: Bot) -> None:
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    bot.trading().submit_order(
        MarketOrderRequest(symbol="AAPL", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.DAY)
    )
    bot.advance(targetTime=AFTER_THIRD_CLOSE)
    account = account_of(bot)
    assert Decimal(str(account.cash)) == Decimal("95900.00")
    assert Decimal(str(account.long_market_value)) == Decimal("4180.30")
    assert Decimal(str(account.equity)) == Decimal("100080.30")
    assert Decimal(str(account.portfolio_value)) == Decimal("100080.30")
    # The day began with the position at the previous close, 413.44.
    assert Decimal(str(account.last_equity)) == Decimal("100034.40")


def test_a_reg_t_margin_account_is_a_4x_account_that_may_short(live_server: LiveServer) -> None:
    bot = make_bot(live_server, account={"type": "margin"})
    account = account_of(bot)
    assert account.multiplier == "4"
    assert account.shorting_enabled is True
    assert Decimal(str(account.initial_margin)) == 0


def test_regt_buying_power_is_the_2x_overnight_figure_even_intraday(
    live_server: LiveServer,
) -> None:
    bot = make_bot(live_server, account={"type": "margin"})
    bot.advance(targetTime="2012-01-03T15:00:00Z")  # 10:00 New York: the market is open
    intraday = account_of(bot)
    assert (intraday.buying_power, intraday.regt_buying_power) == ("400000", "200000")
    assert intraday.daytrading_buying_power == "400000"
    bot.advance(targetTime=AFTER_FIRST_CLOSE)  # closed: overnight buying power
    overnight = account_of(bot)
    assert (overnight.buying_power, overnight.regt_buying_power) == ("200000", "200000")
    assert overnight.daytrading_buying_power == "400000"
