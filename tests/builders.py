"""Builders of real domain objects shared by tests."""

from __future__ import annotations

import itertools
from decimal import Decimal

from paperbroker.core.ids import AccountId, FillId, OrderId
from paperbroker.model.enums import LiquiditySide, OrderSide
from paperbroker.model.fill import Fill, FillRule

_fill_ids = itertools.count(1)


def make_fill(
    side: OrderSide | str,
    qty: int | str | Decimal,
    price: str | Decimal,
    *,
    fee: str | Decimal = "0",
    symbol: str = "XYZ",
    ts: int = 0,
) -> Fill:
    """A standalone fill (for model and portfolio tests)."""
    n = next(_fill_ids)
    return Fill(
        id=FillId(f"F-{n}"),
        order_id=OrderId(f"O-{n}"),
        symbol=symbol,
        side=OrderSide(side),
        qty=Decimal(qty),
        price=Decimal(price),
        fee=Decimal(fee),
        ts=ts,
        liquidity=LiquiditySide.TAKER,
        rule=FillRule.MARKET_AT_OPEN,
        reference_price=Decimal(price),
        slippage=Decimal(0),
        path="OHLC",
        bar_ts=ts,
        account_id=AccountId("A-1"),
    )
