"""Immutable domain events, past tense, each stamped with the kernel clock.

Events are the journal of a session: every state change is one of them, and
state (orders, positions, cash) is what you get by applying them in order.
``ts`` is the kernel time (epoch ns) at which the event happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paperbroker.core.ids import ClientOrderId, OrderId
from paperbroker.model.enums import OrderSide, OrderType, RejectReason, TimeInForce
from paperbroker.model.fill import Fill


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every event: when it happened on the kernel clock."""

    ts: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSubmitted(Event):
    """A strategy or client asked for an order; it now exists with status ``new``."""

    order_id: OrderId
    client_order_id: ClientOrderId
    symbol: str
    side: OrderSide
    order_type: OrderType
    qty: Decimal
    time_in_force: TimeInForce
    limit_price: Decimal | None
    stop_price: Decimal | None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderAccepted(Event):
    """The venue took the order; it is working."""

    order_id: OrderId


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRejected(Event):
    """The venue or a pre-trade check refused the order."""

    order_id: OrderId
    reason: RejectReason
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFilled(Event):
    """Part or all of an order executed; ``fill`` holds every detail."""

    order_id: OrderId
    fill: Fill


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCanceled(Event):
    """The order (or its unfilled remainder) was canceled."""

    order_id: OrderId
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderExpired(Event):
    """The order's time in force ran out with quantity unfilled."""

    order_id: OrderId


OrderEvent = OrderSubmitted | OrderAccepted | OrderRejected | OrderFilled | OrderCanceled | OrderExpired
