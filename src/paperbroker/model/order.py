"""Orders and their lifecycle.

An order changes only by applying an event; the transition table below is the
whole of its lifecycle::

    new --accept--> accepted --fill--> filled
     |                 |  \\--partial_fill--> partially_filled --fill--> filled
     |                 |                          |
     +--reject--> rejected                        +--cancel/expire--> canceled/expired
     +--cancel--> canceled    accepted --cancel/expire--> canceled/expired
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from paperbroker.core.fsm import TransitionTable
from paperbroker.core.ids import AccountId, ClientOrderId, OrderId
from paperbroker.model.enums import OrderStatus
from paperbroker.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
)
from paperbroker.model.values import ZERO


class OrderTrigger(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"
    CANCEL = "cancel"
    EXPIRE = "expire"


_S = OrderStatus
_T = OrderTrigger

ORDER_TRANSITIONS: TransitionTable[OrderStatus, OrderTrigger] = TransitionTable(
    {
        (_S.NEW, _T.ACCEPT): _S.ACCEPTED,
        (_S.NEW, _T.REJECT): _S.REJECTED,
        (_S.NEW, _T.CANCEL): _S.CANCELED,
        (_S.ACCEPTED, _T.PARTIAL_FILL): _S.PARTIALLY_FILLED,
        (_S.ACCEPTED, _T.FILL): _S.FILLED,
        (_S.ACCEPTED, _T.CANCEL): _S.CANCELED,
        (_S.ACCEPTED, _T.EXPIRE): _S.EXPIRED,
        (_S.PARTIALLY_FILLED, _T.PARTIAL_FILL): _S.PARTIALLY_FILLED,
        (_S.PARTIALLY_FILLED, _T.FILL): _S.FILLED,
        (_S.PARTIALLY_FILLED, _T.CANCEL): _S.CANCELED,
        (_S.PARTIALLY_FILLED, _T.EXPIRE): _S.EXPIRED,
    },
    terminal=frozenset({_S.FILLED, _S.CANCELED, _S.EXPIRED, _S.REJECTED}),
)

OPEN_STATUSES = frozenset({_S.NEW, _S.ACCEPTED, _S.PARTIALLY_FILLED})


class Order:
    """A request to trade and everything that has happened to it since.

    Build one from its :class:`OrderSubmitted` event; afterwards only
    :meth:`apply` changes it.
    """

    __slots__ = (
        "account_id",
        "client_order_id",
        "events",
        "filled_notional",
        "filled_qty",
        "id",
        "limit_price",
        "order_type",
        "qty",
        "side",
        "status",
        "stop_price",
        "symbol",
        "time_in_force",
        "ts_created",
        "ts_updated",
    )

    def __init__(self, submitted: OrderSubmitted) -> None:
        self.id: OrderId = submitted.order_id
        self.client_order_id: ClientOrderId = submitted.client_order_id
        self.account_id: AccountId = submitted.account_id
        self.symbol = submitted.symbol
        self.side = submitted.side
        self.order_type = submitted.order_type
        self.qty = submitted.qty
        self.time_in_force = submitted.time_in_force
        self.limit_price = submitted.limit_price
        self.stop_price = submitted.stop_price
        self.status = OrderStatus.NEW
        self.filled_qty = ZERO
        self.filled_notional = ZERO
        self.ts_created = submitted.ts
        self.ts_updated = submitted.ts
        self.events: list[OrderEvent] = [submitted]

    @property
    def avg_fill_price(self) -> Decimal | None:
        """Quantity-weighted average price of the fills so far (``None`` before any)."""
        return self.filled_notional / self.filled_qty if self.filled_qty else None

    @property
    def leaves_qty(self) -> Decimal:
        """Quantity still open."""
        return self.qty - self.filled_qty

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def apply(self, event: OrderEvent) -> None:
        """Move the order by one event and record it in the order's history.

        Raises:
            InvalidTransition: if the event does not fit the order's status; the
                order is left unchanged.
            ValueError: if the event belongs to another order or overfills it.
        """
        if event.order_id != self.id:
            raise ValueError(f"event for {event.order_id} applied to {self.id}")
        if isinstance(event, OrderFilled):
            fill = event.fill
            new_filled = self.filled_qty + fill.qty
            if new_filled > self.qty:
                raise ValueError(f"fill of {fill.qty} overfills order {self.id}")
            trigger = _T.FILL if new_filled == self.qty else _T.PARTIAL_FILL
            self.status = ORDER_TRANSITIONS.next_state(self.status, trigger)
            self.filled_qty = new_filled
            self.filled_notional += fill.qty * fill.price
        elif isinstance(event, OrderSubmitted):
            raise ValueError(f"order {self.id} was already submitted")
        else:
            self.status = ORDER_TRANSITIONS.next_state(self.status, _TRIGGERS[type(event)])
        self.ts_updated = event.ts
        self.events.append(event)

    def __repr__(self) -> str:
        price = f" @{self.limit_price}" if self.limit_price is not None else ""
        stop = f" stop {self.stop_price}" if self.stop_price is not None else ""
        return (
            f"Order({self.id} {self.side} {self.qty} {self.symbol} {self.order_type}"
            f"{price}{stop} {self.time_in_force} {self.status} filled={self.filled_qty})"
        )


_TRIGGERS: dict[type, OrderTrigger] = {
    OrderAccepted: _T.ACCEPT,
    OrderRejected: _T.REJECT,
    OrderCanceled: _T.CANCEL,
    OrderExpired: _T.EXPIRE,
}
