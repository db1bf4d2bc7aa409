"""The venue of a live session: orders go to a broker, and what it reports comes back.

:class:`BrokerVenue` implements the kernel's :class:`~paperbroker.venue.base.Venue`
without touching the network. The kernel hands it orders, cancels and
replacements as it would the simulated venue; the venue keeps them
working and queues one **request** per action in its :attr:`~BrokerVenue.outbox`
(keyed by the local order id). The session's broker link
(:mod:`paperbroker.session.broker_link`) sends the outbox once the command
that filled it is durable in the journal (persist, then send), and hands
each answer back as a journaled ``BrokerReported``, which :meth:`BrokerVenue.report`
turns into the kernel's ordinary order events. Bars match nothing here: the
broker fills.

The order events keep the simulated venue's meaning, so the portfolio, the
links of brackets and OCO pairs and the risk layer work unchanged:

=========================  ==========================================================
broker report              order events
=========================  ==========================================================
``accepted``               none (the order works from its journaled ``OrderAccepted``);
                           the broker's order id is noted, the submission answered
``fill``                   ``OrderFilled``, once per broker fill id; its ``Fill`` has
                           ``rule`` ``broker``, ``path``/``model`` the broker's name
``canceled``/``expired``   ``OrderCanceled``/``OrderExpired``
``rejected``               ``OrderRejected`` (``OrderCanceled`` for an order with a
                           cancel or replacement on its way); of a replacement: it
                           is rejected, and the order works on (``pending_replace``)
``replaced``               ``OrderReplaced``; the replacement works from then on
=========================  ==========================================================

A cancel (by the client, by the risk layer or by an OCO fill) and a
replacement are requests: the order is ``pending_cancel``/``pending_replace``
and may still fill until the broker reports. Day orders expire at the broker
(:meth:`BrokerVenue.expire` does nothing), which reports it.

What a live session trades: market, limit, stop, stop-limit and trailing-stop
orders by quantity, with any time in force the broker takes (it refuses the
rest, and the order ends ``rejected`` with its reason). Notional orders are
refused at once (``rejected``, ``invalid_order``): the session's books must
know an order's quantity before the broker sizes it. Brackets, OTO and OCO
orders are kept by the session as in a simulation: their exits are sent to
the broker as simple orders when the entry has filled, and the first fill of
one side of a pair sends the cancel of the other, so there is a moment in
which both sides may fill at the broker (the fill is then applied, and the
position shows it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from paperbroker.broker.adapter import OrderRequest
from paperbroker.broker.venue_state import venue_from_state, venue_to_state
from paperbroker.core.clock import Clock
from paperbroker.core.ids import FillId
from paperbroker.data.bar import Bar
from paperbroker.model.enums import LiquiditySide, OrderStatus, RejectReason
from paperbroker.model.events import (
    BrokerReported,
    CancelRequested,
    OrderCanceled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)
from paperbroker.model.fill import Fill, FillRule
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import Order
from paperbroker.venue.base import Venue, VenueFactory, VenuePorts
from paperbroker.venue.venue import VenueConfig
from paperbroker.venue.working import Working

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel
    from paperbroker.session.spec import SessionSpec

log = logging.getLogger(__name__)

#: The namespace of the local ids of broker fills: ``uuid5(FILL_NAMESPACE, "broker/fill id")``.
FILL_NAMESPACE = uuid.UUID("3c9f27a4-0d5e-4b8e-9a8c-6b1f2e7d4a15")
#: What a broker may report of an order (``BrokerReported.update``).
UPDATES = frozenset({"accepted", "fill", "canceled", "expired", "rejected", "replaced"})
_CHANGEABLE = frozenset({OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED})


class BrokerRequest(NamedTuple):
    """One request the broker must be sent: ``submit`` an order, ``cancel`` or
    ``replace`` one (``order_id`` the local id, also the broker's ``client_order_id``).

    A replacement names its new order (``replacement_id``, the new
    ``client_order_id``) and the fields it changes.
    """

    kind: str  # submit | cancel | replace
    order_id: str
    order: OrderRequest | None = None
    replacement_id: str = ""
    qty: Decimal | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.order_id


def order_request(order: Order) -> OrderRequest:
    """The broker's order for a local one: its ``client_order_id`` is the local order id."""
    return OrderRequest(
        client_order_id=order.id, symbol=order.symbol, side=order.side.value,
        order_type=order.order_type.value, time_in_force=order.time_in_force.value,
        qty=order.qty, limit_price=order.limit_price,
        stop_price=None if order.is_trailing else order.stop_price,
        trail_price=order.trail_price, trail_percent=order.trail_percent,
    )  # fmt: skip


def broker_fill_id(broker: str, fill_id: str) -> FillId:
    """The local id of a broker's fill (the same on every replay)."""
    return FillId(str(uuid.uuid5(FILL_NAMESPACE, f"{broker}/{fill_id}")))


class BrokerVenue:
    """The working orders of a live session and the requests its broker must be sent.

    ``broker`` names the broker on fills (``alpaca``); ``config`` holds the
    fee model the pre-trade checks count (the broker's own fees come with its fills).
    """

    def __init__(
        self,
        instruments: Sequence[Instrument],
        clock: Clock,
        emit: Callable[[OrderEvent], None],
        *,
        broker: str = "broker",
        config: VenueConfig | None = None,
    ) -> None:
        self.config = config or VenueConfig()
        self.broker = broker
        self._instruments = list(instruments)
        self._clock = clock
        self._emit = emit
        self.working: list[list[Working]] = [[] for _ in self._instruments]
        self._by_id: dict[str, Working] = {}
        #: What the broker must still be told, oldest first.
        self.outbox: dict[tuple[str, str], BrokerRequest] = {}
        #: The broker's order id of each local order it acknowledged.
        self.broker_ids: dict[str, str] = {}
        #: Local ids by the broker's order id.
        self._local_ids: dict[str, str] = {}
        #: Replacements on their way, by the id of the order they replace.
        self._replacing: dict[str, Order] = {}
        #: The order each replacement on its way replaces.
        self._replaces: dict[str, str] = {}
        #: Broker fill ids applied already.
        self.applied_fills: set[str] = set()

    @classmethod
    def factory(cls, broker: str, config: VenueConfig | None = None) -> VenueFactory:
        """The :data:`~paperbroker.venue.base.VenueFactory` of a live session's kernel."""

        def build(ports: VenuePorts) -> Venue:
            instruments = [s.instrument for s in ports.series]
            return cls(instruments, ports.clock, ports.emit, broker=broker, config=config)

        return build

    # -- the kernel's commands --------------------------------------------------------
    def accept(self, symbol_index: int, order: Order, *, delayed: bool = True) -> None:
        """Work an order and queue its submission (a notional order is refused)."""
        if order.notional is not None and not order.qty:
            self._emit(
                OrderRejected(
                    self._clock.now_ns(), order.id, RejectReason.INVALID_ORDER,
                    "a live session takes orders by quantity: notional orders are not sent",
                )
            )  # fmt: skip
            return
        self._start(symbol_index, order)
        self._queue(BrokerRequest("submit", order.id, order_request(order)))

    def request_cancel(self, order_id: str) -> bool:
        """Queue a cancel (the order is ``pending_cancel`` until the broker reports)."""
        if order_id not in self._by_id:
            return False
        self._queue(BrokerRequest("cancel", order_id))
        return True

    def request_replace(self, order_id: str, replacement: Order) -> bool:
        """Queue a replacement; the order is ``pending_replace`` until the broker reports."""
        if order_id not in self._by_id:
            return False
        self._replacing[order_id] = replacement
        self._replaces[replacement.id] = order_id
        self._queue(
            BrokerRequest(
                "replace", order_id, replacement_id=replacement.id, qty=replacement.qty,
                limit_price=replacement.limit_price,
                stop_price=None if replacement.is_trailing else replacement.stop_price,
                time_in_force=replacement.time_in_force.value,
            )
        )  # fmt: skip
        return True

    def cancel(self, order_id: str, reason: str = "canceled by client") -> bool:
        """The session's own cancel (an OCO fill, the risk layer): requested from the
        broker like a client's; the order is ``pending_cancel`` until it reports."""
        working = self._by_id.get(order_id)
        if working is None:
            return False
        if working.order.status in _CHANGEABLE:
            self._emit(CancelRequested(self._clock.now_ns(), working.order.id))
        self._queue(BrokerRequest("cancel", order_id))
        return True

    def expire(self, order_id: str) -> bool:
        """Nothing: the broker expires orders, and reports it."""
        return False

    def link(self, order_ids: Sequence[str]) -> None:
        """Nothing: the session's links send the cancel of an OCO pair's other side."""

    @property
    def has_working_orders(self) -> bool:
        return bool(self._by_id)

    def working_order(self, order_id: str) -> Working | None:
        return self._by_id.get(order_id)

    def flush(self, now_ns: int) -> None:
        """Nothing: requests leave through the outbox."""

    def on_bar(self, index: int, bar: Bar, row: int) -> None:
        """Nothing: the broker fills."""

    def on_open(self, index: int, bar: Bar, row: int, now_ns: int) -> None:
        """Nothing: the broker fills."""

    def at_close(self, order: Order) -> bool:
        return False

    def on_close(self, index: int, bar: Bar, row: int, order_id: str) -> None:
        """Nothing: the broker fills."""

    # -- checkpoints -------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """The venue's state for a checkpoint (:mod:`~paperbroker.broker.venue_state`)."""
        return venue_to_state(self)

    def from_state(self, state: dict[str, Any], orders: Mapping[str, Order]) -> None:
        """Take the state :meth:`to_state` wrote (orders found by id in ``orders``)."""
        venue_from_state(self, state, orders)

    # -- the outbox --------------------------------------------------------------------
    def pending(self) -> list[BrokerRequest]:
        """The requests the broker has not answered yet, oldest first."""
        return list(self.outbox.values())

    def known(self, order_id: str) -> bool:
        """Whether ``order_id`` is one of the session's orders the broker may report on."""
        return order_id in self._by_id or order_id in self.broker_ids

    def local_id(self, broker_order_id: str) -> str | None:
        """The local order of a broker order id, if the broker acknowledged it."""
        return self._local_ids.get(broker_order_id)

    def open_order_ids(self) -> list[str]:
        """The orders the venue works, oldest first."""
        return list(self._by_id)

    def filled_qty(self, order_id: str) -> Decimal:
        """What the session has applied of a working order's fills (0 if it does not work)."""
        working = self._by_id.get(order_id)
        return Decimal(0) if working is None else working.order.filled_qty

    def replaced_order(self, replacement_id: str) -> str | None:
        """The order a replacement on its way is to replace."""
        return self._replaces.get(replacement_id)

    # -- what the broker reports ----------------------------------------------------------
    def is_news(self, update: BrokerReported) -> bool:
        """Whether a report would change anything (a repeated one does not: it is not
        journaled)."""
        order_id = update.order_id
        kind = update.update
        if kind == "fill":
            return update.fill_id not in self.applied_fills and order_id in self._by_id
        if kind == "accepted":
            return (
                self.broker_ids.get(order_id) != update.broker_order_id
                and bool(update.broker_order_id)
            ) or ("submit", order_id) in self.outbox
        if kind == "replaced":
            return order_id in self._by_id and order_id in self._replacing
        if kind == "rejected" and order_id in self._replaces:
            return True  # a replacement the broker refused
        return order_id in self._by_id

    def report(self, update: BrokerReported) -> None:
        """Apply what the broker reported of an order (see the module doc); a repeated
        report, or one about an order the venue no longer works, changes nothing."""
        kind = update.update
        order_id = update.order_id
        if update.broker_order_id and kind != "replaced":
            self._bind(order_id, update.broker_order_id)
        if kind == "accepted":
            self.outbox.pop(("submit", order_id), None)
            return
        if kind == "rejected" and order_id in self._replaces:
            self._refused_replacement(order_id, update)
            return
        working = self._by_id.get(order_id)
        if working is None:
            log.info("%s reported %s of order %s, which no longer works", self.broker,
                     kind, order_id)  # fmt: skip
            return
        self.outbox.pop(("submit", order_id), None)  # it reached the broker
        if kind == "fill":
            self._fill(working, update)
        elif kind in ("canceled", "expired", "rejected"):
            self._end(working, update)
        elif kind == "replaced":
            self._replaced(working, update)
        else:
            log.warning("%s: unknown report %r of order %s", self.broker, kind, order_id)

    def _fill(self, working: Working, update: BrokerReported) -> None:
        if update.fill_id in self.applied_fills:
            return
        self.applied_fills.add(update.fill_id)
        order = working.order
        qty, price = update.qty, update.price
        if qty is None or price is None or qty <= 0:
            log.warning("%s: fill %s of %s has no quantity or price", self.broker,
                        update.fill_id, order.id)  # fmt: skip
            return
        if qty > order.leaves_qty:
            log.warning("%s: fill %s of %s for %s exceeds the %s left: left to reconciliation",
                        self.broker, update.fill_id, order.id, qty, order.leaves_qty)  # fmt: skip
            return
        if qty == order.leaves_qty:
            self._forget(working)
        fill = Fill(
            broker_fill_id(self.broker, update.fill_id), order.id, order.symbol, order.side,
            qty, price, update.fee or Decimal(0), update.ts, LiquiditySide.TAKER,
            FillRule.BROKER, price, Decimal(0), self.broker, update.ts, order.account_id,
            model=self.broker,
        )  # fmt: skip
        self._emit(OrderFilled(update.ts, order.id, fill))
        if not order.is_open:
            self._fail_replacement(order, update.ts, "filled")

    def _end(self, working: Working, update: BrokerReported) -> None:
        order = working.order
        self._forget(working)
        ts = update.ts
        if update.update == "expired":
            self._emit(OrderExpired(ts, order.id))
        elif update.update == "canceled":
            self._emit(OrderCanceled(ts, order.id, update.reason or f"canceled at {self.broker}"))
        elif order.status is OrderStatus.ACCEPTED:
            reason, message = _rejection(update.reason)
            self._emit(OrderRejected(ts, order.id, reason, f"{self.broker}: {message}"))
        else:
            self._emit(OrderCanceled(ts, order.id, f"rejected by {self.broker}: {update.reason}"))
        self._fail_replacement(order, ts, update.update)

    def _replaced(self, working: Working, update: BrokerReported) -> None:
        old = working.order
        replacement = self._replacing.pop(old.id)
        self._replaces.pop(replacement.id, None)
        self.outbox.pop(("replace", old.id), None)
        index = working.index
        self._forget(working)
        self._emit(OrderReplaced(update.ts, old.id, replacement.id))
        if update.broker_order_id:
            self._bind(replacement.id, update.broker_order_id)
        if replacement.is_open:
            self._start(index, replacement)

    def _refused_replacement(self, replacement_id: str, update: BrokerReported) -> None:
        """The broker refused a replacement: it is rejected, and the order it was to
        replace works on (``pending_replace`` until it ends: the lifecycle has no way back)."""
        old_id = self._replaces.pop(replacement_id)
        replacement = self._replacing.pop(old_id)
        self.outbox.pop(("replace", old_id), None)
        if replacement.status is OrderStatus.ACCEPTED:
            reason, message = _rejection(update.reason)
            self._emit(
                OrderRejected(update.ts, replacement.id, reason, f"{self.broker}: {message}")
            )

    def _fail_replacement(self, order: Order, ts: int, why: str) -> None:
        replacement = self._replacing.pop(order.id, None)
        self.outbox.pop(("replace", order.id), None)
        if replacement is not None:
            self._replaces.pop(replacement.id, None)
        if replacement is not None and replacement.is_open:
            reason = f"replace failed: {order.id} {why} before it was replaced"
            self._emit(OrderCanceled(ts, replacement.id, reason))

    # -- internals ----------------------------------------------------------------------
    def _start(self, index: int, order: Order) -> None:
        instrument = self._instruments[index]
        now = self._clock.now_ns()
        working = Working(order, index, now, 0, instrument.lot_size, instrument.fractionable)
        self.working[index].append(working)
        self._by_id[order.id] = working

    def _forget(self, working: Working) -> None:
        if self._by_id.pop(working.order.id, None) is not None:
            self.working[working.index].remove(working)
        for kind in ("submit", "cancel"):
            self.outbox.pop((kind, working.order.id), None)

    def _queue(self, request: BrokerRequest) -> None:
        self.outbox.setdefault(request.key, request)

    def _bind(self, order_id: str, broker_order_id: str) -> None:
        self.broker_ids[order_id] = broker_order_id
        self._local_ids[broker_order_id] = order_id


def _rejection(reason: str) -> tuple[RejectReason, str]:
    text = reason or "the broker refused the order"
    lowered = text.lower()
    if "buying power" in lowered:
        return RejectReason.INSUFFICIENT_BUYING_POWER, text
    if "qty" in lowered and "available" in lowered:
        return RejectReason.INSUFFICIENT_QTY, text
    return RejectReason.INVALID_ORDER, text


def broker_venue(spec: SessionSpec, config: VenueConfig) -> VenueFactory:
    """The venue factory of a live session: its broker (``spec.broker["type"]``) named on
    its fills, ``config``'s fee model counted by its pre-trade checks."""
    name = str((spec.broker or {}).get("type") or "broker")
    return BrokerVenue.factory(name, config)


def apply_reports(kernel: Kernel, reports: Sequence[BrokerReported]) -> int:
    """Publish each report that is news (stamped with the kernel's time), then apply it;
    return how many were. The runtime journals them with their effects.

    Raises:
        TypeError: if the kernel's venue is not a broker's.
    """
    venue = kernel.venue
    if not isinstance(venue, BrokerVenue):
        raise TypeError("broker reports for a session without a broker venue")
    now = kernel.clock.now_ns()
    news = 0
    for report in reports:
        stamped = report._replace(ts=now)
        if venue.is_news(stamped):
            kernel.events.append(stamped)  # the input first, then what it caused
            venue.report(stamped)
            news += 1
    return news


def replay_report(venue: Venue, update: BrokerReported) -> None:
    """Apply a journaled report again (a live session's replay).

    Raises:
        TypeError: if the session's venue is not a broker's.
    """
    if not isinstance(venue, BrokerVenue):
        raise TypeError("a BrokerReported event in a session without a broker venue")
    venue.report(update)


__all__ = [
    "FILL_NAMESPACE",
    "UPDATES",
    "BrokerRequest",
    "BrokerVenue",
    "apply_reports",
    "broker_fill_id",
    "broker_venue",
    "order_request",
    "replay_report",
]
