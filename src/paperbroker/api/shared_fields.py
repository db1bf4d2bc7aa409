"""The fields of an order and of a position that /v1 and Alpaca's /v2 write alike.

Both APIs name these fields as Alpaca does and write them the same way, so
they are written here once: :class:`~paperbroker.api.responses.OrderPublic`
and :class:`~paperbroker.api.alpaca.shapes.AlpacaOrder` (and the two position
shapes) take them as they are and add only what is their own.  The shapes
stay two pydantic models because they differ: in field order (Alpaca's
mirrors ``alpaca-py``'s models), in a few names and values (see
:class:`~paperbroker.api.alpaca.shapes.AlpacaOrder`), and in fields only one
of them has.
"""

from __future__ import annotations

from typing import TypedDict

from paperbroker.api.formats import (
    OrderTimes,
    average_text,
    decimal_text,
    order_times,
    text_or_none,
)
from paperbroker.model.enums import OrderClass, OrderSide, OrderType, RejectReason, TimeInForce
from paperbroker.model.order import Order
from paperbroker.services.views import PositionView


class OrderFields(OrderTimes):
    """An order's fields with the same name and the same text in both APIs.

    Enumerations are paperbroker's: their values are Alpaca's names too.
    """

    id: str
    client_order_id: str
    replaced_by: str | None
    replaces: str | None
    symbol: str
    side: OrderSide
    type: OrderType
    order_type: OrderType
    order_class: OrderClass
    time_in_force: TimeInForce
    qty: str | None
    notional: str | None
    filled_qty: str
    filled_avg_price: str | None
    limit_price: str | None
    stop_price: str | None
    trail_price: str | None
    trail_percent: str | None
    hwm: str | None
    extended_hours: bool
    reject_reason: RejectReason | None


def order_fields(order: Order) -> OrderFields:
    """``order``'s fields that both APIs write alike (its legs and status aside)."""
    avg = order.avg_fill_price
    return OrderFields(
        id=order.id,
        client_order_id=order.client_order_id,
        **order_times(order),
        replaced_by=order.replaced_by,
        replaces=order.replaces,
        symbol=order.symbol,
        side=order.side,
        type=order.order_type,
        order_type=order.order_type,
        order_class=order.order_class,
        time_in_force=order.time_in_force,
        qty=decimal_text(order.qty) if order.is_sized else None,
        notional=text_or_none(order.notional),
        filled_qty=decimal_text(order.filled_qty),
        filled_avg_price=None if avg is None else average_text(avg),
        limit_price=text_or_none(order.limit_price),
        stop_price=text_or_none(order.stop_price),
        trail_price=text_or_none(order.trail_price),
        trail_percent=text_or_none(order.trail_percent),
        hwm=text_or_none(order.hwm),
        extended_hours=False,
        reject_reason=order.reject_reason,
    )


class PositionFields(TypedDict):
    """A position's fields with the same name and the same text in both APIs.

    The unrealized P/L is not among them: /v1 calls it ``unrealized_pnl`` and
    Alpaca ``unrealized_pl``, so each shape writes it under its own name.
    """

    symbol: str
    qty: str
    side: str
    avg_entry_price: str
    cost_basis: str
    market_value: str
    current_price: str


def position_fields(view: PositionView) -> PositionFields:
    """``view``'s fields that both APIs write alike."""
    return PositionFields(
        symbol=view.symbol,
        qty=decimal_text(view.qty),
        side=view.side,
        avg_entry_price=average_text(view.avg_entry_price),
        cost_basis=decimal_text(view.cost_basis),
        market_value=decimal_text(view.market_value),
        current_price=decimal_text(view.current_price),
    )
