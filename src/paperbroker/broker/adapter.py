"""What a live session needs of a broker, and the broker's view of its books.

A :class:`BrokerAdapter` sends orders (each with the session's
``client_order_id``, which the broker keeps unique: a retry can never make a
second order), cancels and replaces them, answers what it holds (orders,
fills, positions, the account) and streams what happens to the orders.
Every call is synchronous and may raise :class:`BrokerUnavailable` (the
outcome is unknown: ask again, never send again) or :class:`BrokerRefused`
(the broker said no; the outcome is known).

Quantities and prices are :class:`~decimal.Decimal`; times are epoch ns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from paperbroker.core.errors import PaperbrokerError


class BrokerUnavailable(PaperbrokerError):
    """The broker could not be reached or did not answer: the outcome is unknown."""

    code = "broker_unavailable"


class BrokerNotSent(BrokerUnavailable):
    """The request never left (no connection could be made): safe to send again."""

    code = "broker_not_sent"


class BrokerRefused(PaperbrokerError):
    """The broker answered no (``status`` its HTTP status, ``message`` its reason)."""

    code = "broker_refused"

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class OrderRequest:
    """An order as sent to the broker."""

    client_order_id: str
    symbol: str
    side: str  # buy | sell
    order_type: str  # market | limit | stop | stop_limit | trailing_stop
    time_in_force: str
    qty: Decimal | None = None
    notional: Decimal | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trail_price: Decimal | None = None
    trail_percent: Decimal | None = None


@dataclass(frozen=True)
class BrokerOrder:
    """An order as the broker holds it."""

    id: str
    client_order_id: str
    symbol: str
    side: str
    order_type: str
    time_in_force: str
    status: str  # the broker's status: new, accepted, partially_filled, filled, canceled, ...
    qty: Decimal | None
    filled_qty: Decimal
    filled_avg_price: Decimal | None
    submitted_at: int
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    replaced_by: str | None = None


@dataclass(frozen=True)
class BrokerFill:
    """One execution at the broker; ``id`` is the broker's, unique per fill."""

    id: str
    order_id: str
    client_order_id: str
    symbol: str
    side: str
    qty: Decimal
    price: Decimal
    ts: int
    fee: Decimal = Decimal(0)


@dataclass(frozen=True)
class BrokerPosition:
    """A position as the broker holds it (``qty`` negative for a short)."""

    symbol: str
    qty: Decimal
    avg_entry_price: Decimal


@dataclass(frozen=True)
class BrokerAccount:
    """The broker account's cash and equity."""

    account_id: str
    cash: Decimal
    equity: Decimal
    buying_power: Decimal
    currency: str = "USD"


@dataclass(frozen=True)
class TradeUpdate:
    """One message of the broker's order stream: ``event`` (``new``, ``fill``,
    ``partial_fill``, ``canceled``, ``expired``, ``rejected``, ``replaced``, …),
    the order as it is now, and for a fill the execution."""

    event: str
    order: BrokerOrder
    fill: BrokerFill | None = None
    reason: str = ""


class BrokerAdapter(Protocol):
    """One broker account (see the module doc)."""

    #: ``alpaca-paper``, ``alpaca-live``, …: shown to operators; ``live`` means real money.
    name: str
    real_money: bool

    def submit(self, request: OrderRequest) -> BrokerOrder: ...
    def order_by_client_id(self, client_order_id: str) -> BrokerOrder | None: ...
    def cancel(self, broker_order_id: str) -> None: ...
    def replace(
        self,
        broker_order_id: str,
        *,
        qty: Decimal | None = None,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
        time_in_force: str | None = None,
        client_order_id: str | None = None,
    ) -> BrokerOrder: ...
    def orders(
        self, *, after_ns: int | None = None, open_only: bool = False
    ) -> list[BrokerOrder]: ...
    def fills(self, *, after_ns: int | None = None) -> list[BrokerFill]: ...
    def positions(self) -> list[BrokerPosition]: ...
    def account(self) -> BrokerAccount: ...
    def stream(
        self,
        on_update: Callable[[TradeUpdate], None],
        on_connect: Callable[[], None],
        stop: threading.Event,
    ) -> None:
        """Follow the order stream until ``stop`` is set, reconnecting as needed;
        ``on_connect`` runs after every (re)connection, before its first update
        (the caller catches up through REST there)."""
        ...

    def close(self) -> None: ...


__all__ = [
    "BrokerAccount",
    "BrokerAdapter",
    "BrokerFill",
    "BrokerNotSent",
    "BrokerOrder",
    "BrokerPosition",
    "BrokerRefused",
    "BrokerUnavailable",
    "OrderRequest",
    "TradeUpdate",
]
