"""Positions and assets through the unmodified alpaca-py TradingClient.

Hand-checked from the bundled CSV: AAPL 2012-01-04 opens 410.00 and closes
413.44; 2012-01-05 opens 414.95 and closes 418.03.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import AssetClass, AssetExchange, OrderSide, PositionSide, TimeInForce
from alpaca.trading.models import Asset, ClosePositionResponse, Order, Position
from alpaca.trading.requests import (
    ClosePositionRequest,
    GetAssetsRequest,
    LimitOrderRequest,
    MarketOrderRequest,
)
from tests.compat.conftest import Bot
from tests.compat.test_orders import AFTER_FIRST_CLOSE, AFTER_SECOND_CLOSE, AFTER_THIRD_CLOSE


def market(symbol: str, qty: float, side: OrderSide = OrderSide.BUY) -> MarketOrderRequest:
    return MarketOrderRequest(symbol=symbol, qty=qty, side=side, time_in_force=TimeInForce.DAY)


def test_a_position_is_valued_at_the_session_time(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    trading.submit_order(market("AAPL", 10))
    bot.advance(targetTime=AFTER_THIRD_CLOSE)  # bought at 410.00; now 418.03, yesterday 413.44
    position = trading.get_open_position("AAPL")
    assert isinstance(position, Position)
    assert position.side is PositionSide.LONG
    assert position.exchange is AssetExchange.NASDAQ
    assert position.asset_class is AssetClass.US_EQUITY
    assert Decimal(position.qty) == 10
    assert Decimal(position.avg_entry_price) == Decimal("410.00")
    assert Decimal(position.cost_basis) == Decimal("4100.00")
    assert Decimal(str(position.current_price)) == Decimal("418.03")
    assert Decimal(str(position.market_value)) == Decimal("4180.30")
    assert Decimal(str(position.unrealized_pl)) == Decimal("80.30")
    assert Decimal(str(position.lastday_price)) == Decimal("413.44")
    assert Decimal(str(position.unrealized_intraday_pl)) == Decimal("45.90")
    assert Decimal(str(position.unrealized_plpc)) == Decimal("0.0195853659")
    by_asset_id = trading.get_open_position(str(position.asset_id))
    assert isinstance(by_asset_id, Position)
    assert by_asset_id.symbol == "AAPL"
    assert [p.symbol for p in trading.get_all_positions() if isinstance(p, Position)] == ["AAPL"]


def test_qty_available_leaves_out_what_open_orders_hold(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    trading.submit_order(market("AAPL", 10))
    bot.advance(targetTime=AFTER_SECOND_CLOSE)
    trading.submit_order(
        LimitOrderRequest(
            symbol="AAPL", qty=4, side=OrderSide.SELL, time_in_force=TimeInForce.GTC,
            limit_price=500,
        )
    )  # fmt: skip
    position = trading.get_open_position("AAPL")
    assert isinstance(position, Position)
    assert position.qty_available == "6"


def test_close_part_of_a_position_by_qty_or_percentage(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    trading.submit_order(market("AAPL", 10))
    bot.advance(targetTime=AFTER_SECOND_CLOSE)
    by_qty = trading.close_position("AAPL", ClosePositionRequest(qty="3"))
    assert isinstance(by_qty, Order)
    assert (by_qty.side, by_qty.qty) == (OrderSide.SELL, "3")
    by_percent = trading.close_position("AAPL", ClosePositionRequest(percentage="25"))
    assert isinstance(by_percent, Order)
    assert by_percent.qty == "2.5"  # the bundled stocks are fractionable
    bot.advance(targetTime=AFTER_THIRD_CLOSE)  # both sell at the 414.95 open
    position = trading.get_open_position("AAPL")
    assert isinstance(position, Position)
    assert Decimal(position.qty) == Decimal("4.5")

    with pytest.raises(APIError) as error:
        trading.close_position("AAPL", ClosePositionRequest(qty="5"))
    assert (error.value.status_code, error.value.code) == (403, 40310000)
    assert "insufficient qty" in error.value.message


def test_close_all_positions_answers_per_symbol(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    trading.submit_order(market("AAPL", 2))
    trading.submit_order(market("MSFT", 10))
    bot.advance(targetTime=AFTER_SECOND_CLOSE)
    trading.submit_order(
        LimitOrderRequest(
            symbol="MSFT", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
            limit_price=1,
        )
    )  # fmt: skip
    results = trading.close_all_positions(cancel_orders=True)
    assert isinstance(results, list)
    assert all(isinstance(r, ClosePositionResponse) for r in results)
    assert [(r.symbol, r.status) for r in results] == [("AAPL", 200), ("MSFT", 200)]
    orders = [r.body for r in results]
    assert all(isinstance(o, Order) and o.side is OrderSide.SELL for o in orders)
    open_orders = trading.get_orders()
    assert sorted(o.symbol for o in open_orders if isinstance(o, Order)) == ["AAPL", "MSFT"]
    bot.advance(targetTime=AFTER_THIRD_CLOSE)
    assert trading.get_all_positions() == []


def test_missing_positions_are_404(bot: Bot) -> None:
    trading = bot.trading()
    for name in ("AAPL", "NOPE", str(uuid4())):
        with pytest.raises(APIError) as error:
            trading.get_open_position(name)
        assert (error.value.status_code, error.value.code) == (404, 40410000)
    with pytest.raises(APIError) as error:
        trading.close_position("MSFT")
    assert error.value.code == 40410000


def test_assets_are_alpaca_assets_with_stable_ids(bot: Bot) -> None:
    trading = bot.trading()
    assets = trading.get_all_assets()
    assert isinstance(assets, list)
    symbols = [a.symbol for a in assets if isinstance(a, Asset)]
    assert symbols == ["AAPL", "FB", "GOOG", "IBM", "MSFT"]  # EURUSD has no Alpaca class
    ibm = trading.get_asset("IBM")
    assert isinstance(ibm, Asset)
    assert ibm.exchange is AssetExchange.NYSE
    assert ibm.asset_class is AssetClass.US_EQUITY
    assert (ibm.tradable, ibm.shortable, ibm.fractionable) == (True, True, True)
    assert isinstance(ibm.id, UUID)
    again = trading.get_asset(str(ibm.id))
    assert isinstance(again, Asset)
    assert again.symbol == "IBM"
    nyse = trading.get_all_assets(GetAssetsRequest(exchange=AssetExchange.NYSE))
    assert [a.symbol for a in nyse if isinstance(a, Asset)] == ["IBM"]
    with pytest.raises(APIError) as error:
        trading.get_asset("EURUSD")
    assert error.value.code == 40410000


def test_the_session_prefix_trades_the_default_account_with_the_owner_key(bot: Bot) -> None:
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    order = bot.trading(prefixed=True).submit_order(market("MSFT", 3))
    assert isinstance(order, Order)
    seen = bot.trading().get_order_by_id(order.id)  # the bound key trades the same account
    assert isinstance(seen, Order)
    assert seen.symbol == "MSFT"
