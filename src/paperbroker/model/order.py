"""Orders and their lifecycle.

An order changes only by applying an event; :data:`ORDER_TRANSITIONS` is the
whole of its lifecycle (docs/architecture.md renders it).  In short::

    new --accept--> accepted --partial_fill--> partially_filled --fill--> filled
     |                 |                          |
     +--reject--> rejected                        +--cancel/expire--> canceled/expired
    held --release--> accepted        (an exit leg waiting for its entry)
    accepted --cancel_request--> pending_cancel --cancel--> canceled
    accepted --replace_request--> pending_replace --replace--> replaced

A cancel or a replacement travels to the venue with latency; meanwhile the
order may still fill, and a fill that completes it wins the race.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Final

from paperbroker.core.fsm import TransitionTable
from paperbroker.core.ids import AccountId, ClientOrderId, OrderId
from paperbroker.model.enums import OrderClass, OrderStatus, OrderType, RejectReason
from paperbroker.model.events import (
    CancelRequested,
    OrderAccepted,
    OrderCanceled,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReleased,
    OrderReplaced,
    OrderSized,
    OrderSubmitted,
    ReplaceRequested,
)
from paperbroker.model.values import ZERO


class OrderTrigger(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    PARTIAL_FILL = "partial_fill"
    FILL = "fill"
    CANCEL = "cancel"
    EXPIRE = "expire"
    RELEASE = "release"
    CANCEL_REQUEST = "cancel_request"
    REPLACE_REQUEST = "replace_request"
    REPLACE = "replace"


_S: Final = OrderStatus
_T: Final = OrderTrigger

ORDER_TRANSITIONS: Final[TransitionTable[OrderStatus, OrderTrigger]] = TransitionTable(
    {
        (_S.NEW, _T.ACCEPT): _S.ACCEPTED,
        (_S.NEW, _T.REJECT): _S.REJECTED,
        (_S.NEW, _T.CANCEL): _S.CANCELED,
        (_S.ACCEPTED, _T.PARTIAL_FILL): _S.PARTIALLY_FILLED,
        (_S.ACCEPTED, _T.FILL): _S.FILLED,
        (_S.ACCEPTED, _T.CANCEL): _S.CANCELED,
        (_S.ACCEPTED, _T.EXPIRE): _S.EXPIRED,
        (_S.ACCEPTED, _T.REJECT): _S.REJECTED,  # a broker refused what the session took
        (_S.PARTIALLY_FILLED, _T.PARTIAL_FILL): _S.PARTIALLY_FILLED,
        (_S.PARTIALLY_FILLED, _T.FILL): _S.FILLED,
        (_S.PARTIALLY_FILLED, _T.CANCEL): _S.CANCELED,
        (_S.PARTIALLY_FILLED, _T.EXPIRE): _S.EXPIRED,
        (_S.HELD, _T.RELEASE): _S.ACCEPTED,
        (_S.HELD, _T.CANCEL): _S.CANCELED,
        (_S.HELD, _T.CANCEL_REQUEST): _S.HELD,  # held by the broker: canceled at once
        (_S.ACCEPTED, _T.CANCEL_REQUEST): _S.PENDING_CANCEL,
        (_S.PARTIALLY_FILLED, _T.CANCEL_REQUEST): _S.PENDING_CANCEL,
        (_S.PENDING_CANCEL, _T.PARTIAL_FILL): _S.PENDING_CANCEL,
        (_S.PENDING_CANCEL, _T.FILL): _S.FILLED,
        (_S.PENDING_CANCEL, _T.CANCEL): _S.CANCELED,
        (_S.PENDING_CANCEL, _T.EXPIRE): _S.EXPIRED,
        (_S.ACCEPTED, _T.REPLACE_REQUEST): _S.PENDING_REPLACE,
        (_S.PARTIALLY_FILLED, _T.REPLACE_REQUEST): _S.PENDING_REPLACE,
        (_S.PENDING_REPLACE, _T.PARTIAL_FILL): _S.PENDING_REPLACE,
        (_S.PENDING_REPLACE, _T.FILL): _S.FILLED,
        (_S.PENDING_REPLACE, _T.REPLACE): _S.REPLACED,
        (_S.PENDING_REPLACE, _T.CANCEL): _S.CANCELED,
        (_S.PENDING_REPLACE, _T.EXPIRE): _S.EXPIRED,
    },
    terminal=frozenset({_S.FILLED, _S.CANCELED, _S.EXPIRED, _S.REJECTED, _S.REPLACED}),
)

#: Statuses of an order that has not ended (a held leg has not started either).
OPEN_STATUSES: Final = frozenset(
    {_S.NEW, _S.HELD, _S.ACCEPTED, _S.PARTIALLY_FILLED, _S.PENDING_CANCEL, _S.PENDING_REPLACE}
)
#: Statuses in which a client may still cancel or replace an order.
CHANGEABLE_STATUSES: Final = frozenset({_S.HELD, _S.ACCEPTED, _S.PARTIALLY_FILLED})
#: Order classes whose exit legs wait (``held``) until the entry has filled.
_WAITING_LEGS: Final = frozenset({OrderClass.BRACKET, OrderClass.OTO})
_HELD: Final = OrderStatus.HELD
_NEW: Final = OrderStatus.NEW
_TRAILING_STOP: Final = OrderType.TRAILING_STOP
_ACCEPT: Final = OrderTrigger.ACCEPT
_FILL: Final = OrderTrigger.FILL
_PARTIAL_FILL: Final = OrderTrigger.PARTIAL_FILL


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
        "hwm",
        "id",
        "legs",
        "limit_price",
        "notional",
        "order_class",
        "order_type",
        "parent_id",
        "qty",
        "reject_message",
        "reject_reason",
        "replaced_by",
        "replaces",
        "side",
        "status",
        "stop_price",
        "symbol",
        "time_in_force",
        "trail_percent",
        "trail_price",
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
        self.trail_price = submitted.trail_price
        self.trail_percent = submitted.trail_percent
        self.notional = submitted.notional
        self.order_class = submitted.order_class
        self.parent_id = submitted.parent_id
        self.replaces = submitted.replaces
        self.replaced_by: OrderId | None = None
        #: Ids of the exit legs (of a bracket, OTO or OCO parent), in submission order.
        self.legs: tuple[OrderId, ...] = ()
        #: A trailing stop's high-water mark (low-water for a buy): market
        #: state the venue tracks, not a lifecycle change.
        self.hwm: Decimal | None = None
        self.reject_reason: RejectReason | None = None
        self.reject_message = ""
        # An exit leg waits for its entry; its replacement (sent once it works) does not.
        waits = (
            submitted.parent_id is not None
            and submitted.replaces is None
            and submitted.order_class in _WAITING_LEGS
        )
        self.status = _HELD if waits else _NEW
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

    @property
    def is_sized(self) -> bool:
        """Whether the quantity is known (a notional order is sized when it first trades)."""
        return self.notional is None or bool(self.qty)

    @property
    def denial(self) -> OrderDenied | None:
        """Why the session's risk layer denied the order (``None``: it did not)."""
        return next((e for e in reversed(self.events) if isinstance(e, OrderDenied)), None)

    @property
    def is_trailing(self) -> bool:
        return self.order_type is _TRAILING_STOP

    def apply(self, event: OrderEvent) -> None:
        """Move the order by one event and record it in the order's history.

        Raises:
            InvalidTransition: if the event does not fit the order's status; the
                order is left unchanged.
            ValueError: if the event belongs to another order or overfills it.
        """
        if event.order_id != self.id:
            raise ValueError(f"event for {event.order_id} applied to {self.id}")
        if type(event) is OrderAccepted:  # every working order's first step: no lookups
            self.status = ORDER_TRANSITIONS.next_state(self.status, _ACCEPT)
        elif isinstance(event, OrderFilled):
            fill = event.fill
            new_filled = self.filled_qty + fill.qty
            if new_filled > self.qty:
                raise ValueError(f"fill of {fill.qty} overfills order {self.id}")
            trigger = _FILL if new_filled == self.qty else _PARTIAL_FILL
            self.status = ORDER_TRANSITIONS.next_state(self.status, trigger)
            self.filled_qty = new_filled
            self.filled_notional += fill.qty * fill.price
        elif isinstance(event, OrderSubmitted):
            raise ValueError(f"order {self.id} was already submitted")
        elif isinstance(event, OrderSized):
            if self.is_sized:
                raise ValueError(f"order {self.id} is already sized")
            self.qty = event.qty
        elif isinstance(event, OrderReleased):
            self.status = ORDER_TRANSITIONS.next_state(self.status, _T.RELEASE)
            self.qty = event.qty
        else:
            self.status = ORDER_TRANSITIONS.next_state(self.status, _TRIGGERS[type(event)])
            if isinstance(event, OrderRejected):
                self.reject_reason, self.reject_message = event.reason, event.message
            elif isinstance(event, OrderDenied):
                self.reject_reason, self.reject_message = RejectReason.RISK_DENIED, event.message
            elif isinstance(event, OrderReplaced):
                self.replaced_by = event.replaced_by
        self.ts_updated = event.ts
        self.events.append(event)

    def __repr__(self) -> str:
        price = f" @{self.limit_price}" if self.limit_price is not None else ""
        stop = f" stop {self.stop_price}" if self.stop_price is not None else ""
        return (
            f"Order({self.id} {self.side} {self.qty} {self.symbol} {self.order_type}"
            f"{price}{stop} {self.time_in_force} {self.status} filled={self.filled_qty})"
        )


_TRIGGERS: Final[dict[type, OrderTrigger]] = {
    OrderAccepted: _T.ACCEPT,
    OrderRejected: _T.REJECT,
    OrderDenied: _T.REJECT,
    OrderCanceled: _T.CANCEL,
    OrderExpired: _T.EXPIRE,
    CancelRequested: _T.CANCEL_REQUEST,
    ReplaceRequested: _T.REPLACE_REQUEST,
    OrderReplaced: _T.REPLACE,
}
