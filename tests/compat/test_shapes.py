"""One rich order and one position as /v1 and Alpaca's /v2 write them, pinned to the key.

A bracket entry that filled, with its two working exits nested, the
position it opened and the account's portfolio history, read as JSON from a
live server: every value, and the order of the keys, of both shapes. The two
APIs write their shared fields from one source; what differs (Alpaca's
status names and field names, each API's own fields) is pinned here too.
Ids are the session's and replaced by their roles.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
from alpaca.trading.enums import OrderClass, OrderSide, TimeInForce
from alpaca.trading.models import Order, Position
from alpaca.trading.requests import MarketOrderRequest, StopLossRequest, TakeProfitRequest
from tests.compat.conftest import Bot
from tests.compat.test_orders import AFTER_FIRST_CLOSE, AFTER_THIRD_CLOSE

# Submitted at the first close; the entry fills on the next bar, stamped at its close.
TIMES = {
    "created_at": "2012-01-03T21:00:00Z",
    "updated_at": "2012-01-04T21:00:00Z",
    "submitted_at": "2012-01-03T21:00:00Z",
}

V1_ENTRY: dict[str, Any] = {
    "id": "entry", "client_order_id": "entry", "account_id": "account",
    "symbol": "AAPL", "side": "buy", "type": "market", "order_type": "market",
    "order_class": "bracket", "qty": "10", "notional": None, "filled_qty": "10",
    "filled_avg_price": "410.0000", "limit_price": None, "stop_price": None,
    "trail_price": None, "trail_percent": None, "hwm": None, "time_in_force": "gtc",
    "extended_hours": False, "status": "filled", **TIMES,
    "filled_at": "2012-01-04T21:00:00Z", "canceled_at": None, "expired_at": None,
    "failed_at": None, "replaced_at": None, "replaced_by": None, "replaces": None,
    "legs": [
        {
            "id": "take_profit", "client_order_id": "take_profit",
            "account_id": "account", "symbol": "AAPL", "side": "sell", "type": "limit",
            "order_type": "limit", "order_class": "bracket", "qty": "10", "notional": None,
            "filled_qty": "0", "filled_avg_price": None, "limit_price": "430.0000",
            "stop_price": None, "trail_price": None, "trail_percent": None, "hwm": None,
            "time_in_force": "gtc", "extended_hours": False, "status": "accepted", **TIMES,
            "filled_at": None, "canceled_at": None, "expired_at": None, "failed_at": None,
            "replaced_at": None, "replaced_by": None, "replaces": None, "legs": None,
            "reject_reason": None, "reject_message": None, "denial": None,
        },
        {
            "id": "stop_loss", "client_order_id": "stop_loss", "account_id": "account",
            "symbol": "AAPL", "side": "sell", "type": "stop_limit", "order_type": "stop_limit",
            "order_class": "bracket", "qty": "10", "notional": None, "filled_qty": "0",
            "filled_avg_price": None, "limit_price": "399.0000", "stop_price": "400.0000",
            "trail_price": None, "trail_percent": None, "hwm": None, "time_in_force": "gtc",
            "extended_hours": False, "status": "accepted", **TIMES, "filled_at": None,
            "canceled_at": None, "expired_at": None, "failed_at": None, "replaced_at": None,
            "replaced_by": None, "replaces": None, "legs": None, "reject_reason": None,
            "reject_message": None, "denial": None,
        },
    ],
    "reject_reason": None, "reject_message": None, "denial": None,
}  # fmt: skip

V2_ENTRY: dict[str, Any] = {
    "id": "entry", "client_order_id": "entry", **TIMES,
    "filled_at": "2012-01-04T21:00:00Z", "expired_at": None, "canceled_at": None,
    "failed_at": None, "replaced_at": None, "replaced_by": None, "replaces": None,
    "asset_id": "aapl", "symbol": "AAPL", "asset_class": "us_equity", "notional": None,
    "qty": "10", "filled_qty": "10", "filled_avg_price": "410.0000", "order_class": "bracket",
    "order_type": "market", "type": "market", "side": "buy", "position_intent": None,
    "time_in_force": "gtc", "limit_price": None, "stop_price": None, "status": "filled",
    "extended_hours": False,
    "legs": [
        {
            "id": "take_profit", "client_order_id": "take_profit", **TIMES,
            "filled_at": None, "expired_at": None, "canceled_at": None, "failed_at": None,
            "replaced_at": None, "replaced_by": None, "replaces": None, "asset_id": "aapl",
            "symbol": "AAPL", "asset_class": "us_equity", "notional": None, "qty": "10",
            "filled_qty": "0", "filled_avg_price": None, "order_class": "bracket",
            "order_type": "limit", "type": "limit", "side": "sell", "position_intent": None,
            "time_in_force": "gtc", "limit_price": "430.0000", "stop_price": None, "status": "new",
            "extended_hours": False, "legs": None, "trail_percent": None, "trail_price": None,
            "hwm": None, "expires_at": None, "source": None, "subtag": None,
            "reject_reason": None,
        },
        {
            "id": "stop_loss", "client_order_id": "stop_loss", **TIMES,
            "filled_at": None, "expired_at": None, "canceled_at": None, "failed_at": None,
            "replaced_at": None, "replaced_by": None, "replaces": None, "asset_id": "aapl",
            "symbol": "AAPL", "asset_class": "us_equity", "notional": None, "qty": "10",
            "filled_qty": "0", "filled_avg_price": None, "order_class": "bracket",
            "order_type": "stop_limit", "type": "stop_limit", "side": "sell",
            "position_intent": None, "time_in_force": "gtc", "limit_price": "399.0000",
            "stop_price": "400.0000", "status": "new", "extended_hours": False, "legs": None,
            "trail_percent": None, "trail_price": None, "hwm": None, "expires_at": None,
            "source": None, "subtag": None, "reject_reason": None,
        },
    ],
    "trail_percent": None, "trail_price": None, "hwm": None, "expires_at": None,
    "source": None, "subtag": None, "reject_reason": None,
}  # fmt: skip

# Bought at 410.00 on 2012-01-04; on 2012-01-05 AAPL closes at 418.03, after 413.44.
# Prices are on the bundled stocks' 0.0001 tick, lastday_price too (one valuation).
V1_POSITION = {
    "symbol": "AAPL", "qty": "10", "side": "long", "avg_entry_price": "410.0000",
    "cost_basis": "4100.0000", "market_value": "4180.3000", "current_price": "418.0300",
    "unrealized_pnl": "80.3000",
}  # fmt: skip
V2_POSITION = {
    "asset_id": "aapl", "symbol": "AAPL", "exchange": "NASDAQ", "asset_class": "us_equity",
    "asset_marginable": True, "avg_entry_price": "410.0000", "qty": "10", "qty_available": "0",
    "side": "long", "market_value": "4180.3000", "cost_basis": "4100.0000",
    "unrealized_pl": "80.3000", "unrealized_plpc": "0.0195853659",
    "unrealized_intraday_pl": "45.9000", "unrealized_intraday_plpc": "0.0111019737",
    "current_price": "418.0300", "lastday_price": "413.4400", "change_today": "0.0111019737",
}  # fmt: skip


#: The portfolio history of those days (one shape: Alpaca's), as text.
HISTORY = (
    '{"timestamp": [1325566800, 1325653200, 1325739600], "equity": [100000.0, 100034.4, '
    '100080.3], "profit_loss": [0.0, 34.4, 80.3], "profit_loss_pct": [0.0, 0.000344, 0.000803], '
    '"base_value": 100000.0, "timeframe": "1D", "cashflow": {"CSD": [100000.0, 0.0, 0.0], '
    '"FEE": [0.0, 0.0, 0.0]}}'
)


def roles(value: Any, names: dict[str, str]) -> Any:
    """``value`` with every id in ``names`` replaced by its role, keys kept in order."""
    if isinstance(value, dict):
        return {key: roles(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [roles(item, names) for item in value]
    return names.get(value, value) if isinstance(value, str) else value


def same_keys_in_order(got: Any, pinned: Any) -> bool:
    if isinstance(pinned, dict):
        return list(got) == list(pinned) and all(
            same_keys_in_order(got[key], pinned[key]) for key in pinned
        )
    if isinstance(pinned, list):
        return all(same_keys_in_order(g, p) for g, p in zip(got, pinned, strict=True))
    return True


def test_an_order_and_a_position_as_each_api_writes_them(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=AFTER_FIRST_CLOSE)
    entry = trading.submit_order(
        MarketOrderRequest(
            symbol="AAPL", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.GTC,
            order_class=OrderClass.BRACKET, take_profit=TakeProfitRequest(limit_price=430),
            stop_loss=StopLossRequest(stop_price=400, limit_price=399),
        )
    )  # fmt: skip
    assert isinstance(entry, Order)
    assert entry.legs is not None
    bot.advance(targetTime=AFTER_THIRD_CLOSE)

    v1_headers = {"X-Session-Id": bot.session_id}
    v1 = f"/v1/trading/accounts/{bot.account_id}"
    v1_order = bot.v1("GET", f"{v1}/orders/{entry.id}", headers=v1_headers).json()
    v1_position = bot.v1("GET", f"{v1}/positions/AAPL", headers=v1_headers).json()
    v2 = httpx2.get(
        f"{bot.server.url}/v2/orders/{entry.id}", params={"nested": "true"}, auth=bot.key
    ).json()
    v2_position = httpx2.get(f"{bot.server.url}/v2/positions/AAPL", auth=bot.key).json()

    take_profit, stop_loss = entry.legs
    names = {
        str(entry.id): "entry", str(take_profit.id): "take_profit",
        str(stop_loss.id): "stop_loss",
        bot.account_id: "account", str(entry.asset_id): "aapl",
    }  # fmt: skip
    for got, pinned in (
        (roles(v1_order, names), V1_ENTRY),
        (roles(v2, names), V2_ENTRY),
        (roles(v1_position, names), V1_POSITION),
        (roles(v2_position, names), V2_POSITION),
    ):
        assert got == pinned
        assert same_keys_in_order(got, pinned)
    history = httpx2.get(
        f"{bot.server.url}/v2/account/portfolio/history",
        params={"period": "1W", "timeframe": "1D", "cashflow_types": "ALL"},
        auth=bot.key,
    ).json()
    assert json.dumps(history) == HISTORY
    # alpaca-py reads the pinned shapes.
    assert isinstance(trading.get_open_position("AAPL"), Position)
