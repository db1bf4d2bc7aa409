"""Alpaca's ``trade_updates`` stream, as ``alpaca-py``'s ``TradingStream`` speaks it.

Served at ``/stream`` and ``/stream/`` (the legacy client adds the slash),
and at ``/sessions/{sessionId}/stream`` for the key that owns the session or
one bound to it; the account is chosen as for ``/v2`` (see :mod:`.target`).

The protocol, all JSON objects:

1. the client sends ``{"action": "authenticate", "data": {"key_id", "secret_key"}}``
   and the server's first message answers it:
   ``{"stream": "authorization", "data": {"status": "authorized", "action": "authenticate"}}``.
   A key that does not verify gets ``"status": "unauthorized"`` and the
   connection is closed (1008); so does a key that verifies but may not use
   the path, with a ``message`` saying why. Nothing is sent before it.
2. ``{"action": "listen", "data": {"streams": ["trade_updates"]}}`` is
   acknowledged with ``{"stream": "listening", "data": {"streams": [...]}}``
   (the streams the server has: only ``trade_updates``); an empty list stops
   the updates. Before authentication it is answered
   ``{"stream": "authorization", "data": {"status": "unauthorized", "action": "listen"}}``.
3. then ``{"stream": "trade_updates", "data": {...}}`` for the account's
   order events, in journal order, once they are durable:

   =====================  =============================================
   paperbroker event      ``event``
   =====================  =============================================
   ``OrderAccepted``      ``new`` (a replacement too)
   ``OrderReleased``      ``new`` (an exit leg starts working)
   ``OrderFilled``        ``partial_fill``, or ``fill`` if it completes the order
   ``CancelRequested``    ``pending_cancel`` (none for a held leg: canceled at once)
   ``ReplaceRequested``   ``pending_replace``
   ``OrderCanceled``      ``canceled``
   ``OrderExpired``       ``expired``
   ``OrderReplaced``      ``replaced``
   ``OrderRejected``      ``rejected``
   ``OrderDenied``        ``rejected`` (the session's risk layer refused it)
   =====================  =============================================

   ``data`` has ``event``, ``execution_id`` (a UUID: the fill's id for a
   fill, else one derived from the event's journal seq, the same on every
   connection), ``timestamp`` (the event's simulated time, RFC 3339) and
   ``order``: the order as it stood just after that event, legs included,
   as ``GET /v2/orders/{id}`` shows it. A fill adds ``price`` and ``qty``
   (that fill's) and ``position_qty`` (the account's signed position in
   the symbol just after it), as decimal strings. A replacement is heard in
   journal order: ``new`` for the replacing order (its ``replaces`` names
   the old one), ``pending_replace`` for the old one, then ``replaced``,
   which carries the *old* order, as Alpaca's does (status ``replaced``,
   ``replaced_by`` the new one). A refused replacement is ``rejected`` on
   the replacing order.

A frame that is not a JSON object with an ``action``, or an unknown action,
is answered ``{"stream": "error", "data": {"code": 40010000, "message": ...}}``
and the connection stays open. A client that has not authenticated within
:data:`AUTH_TIMEOUT_SECONDS` is closed (1008). Replies and updates go out
as text frames to a client whose last frame was text, as binary frames to
one whose last frame was binary (Alpaca's paper stream sends binary;
``alpaca-py`` sends text and reads either). MessagePack is not offered.

Updates wait in a queue of at most :data:`MAX_PENDING` messages; a client
reading slower than the session produces them is sent an error and closed
(1008) rather than let the queue grow. A connection whose key is revoked or
whose session is deleted is closed (1008); one whose session was reloaded
from its journal (after a failed write) is closed with 1012, to reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Final, TypeGuard, get_args

from fastapi import APIRouter, WebSocket

from paperbroker.api.access import Access, declares
from paperbroker.api.alpaca.shapes import AlpacaOrder
from paperbroker.api.alpaca.socket import INTERNAL, POLICY, SessionSocket, Subscription
from paperbroker.api.auth import verify_in
from paperbroker.api.errors import ApiError, error_code
from paperbroker.api.formats import canonical_uuid, decimal_text, time_text
from paperbroker.api.outbox import encode
from paperbroker.core.errors import NotFound, PaperbrokerError
from paperbroker.model.enums import OrderStatus
from paperbroker.model.events import (
    CancelRequested,
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReleased,
    OrderReplaced,
    OrderSubmitted,
    ReplaceRequested,
)
from paperbroker.model.order import Order
from paperbroker.model.values import ZERO
from paperbroker.session.runtime import Committed, SessionRuntime

router = APIRouter(tags=["alpaca"])
log = logging.getLogger(__name__)

#: The one stream there is.
TRADE_UPDATES: Final = "trade_updates"
#: How long a client may take to authenticate after connecting.
AUTH_TIMEOUT_SECONDS = 30.0
#: Messages waiting for a client at most; one more and the client is closed as too slow.
MAX_PENDING = 10_000
#: How often a connection checks that its key and session still stand.
WATCH_SECONDS = 5.0
#: Frames longer than this are refused unread (the protocol's are a few hundred bytes).
MAX_FRAME_CHARS: Final = 64 * 1024
_POLICY: Final = POLICY
_INTERNAL: Final = INTERNAL
_PROTOCOL_ERROR: Final = error_code(400)


_ORDER_EVENTS: Final = get_args(OrderEvent)


def is_order_event(event: Event) -> TypeGuard[OrderEvent]:
    """Whether ``event`` happened to an order (rather than to an account or the clock)."""
    return isinstance(event, _ORDER_EVENTS)


def event_name(event: OrderEvent, order: Order) -> str | None:
    """The ``trade_updates`` event an order event is, given the order just after it.

    ``None`` for events a client does not hear of: a submission (the
    acceptance or rejection that follows in the same commit is the news), a
    notional order's sizing (its fill follows), and a cancel or replacement
    request that did not leave the order pending (a held leg is canceled at once).
    """
    if isinstance(event, OrderAccepted | OrderReleased):
        return "new"
    if isinstance(event, OrderFilled):
        return "fill" if order.status is OrderStatus.FILLED else "partial_fill"
    if isinstance(event, CancelRequested):
        return "pending_cancel" if order.status is OrderStatus.PENDING_CANCEL else None
    if isinstance(event, ReplaceRequested):
        return "pending_replace" if order.status is OrderStatus.PENDING_REPLACE else None
    return _NAMES.get(type(event))


_NAMES: Final[dict[type, str]] = {
    OrderCanceled: "canceled",
    OrderExpired: "expired",
    OrderReplaced: "replaced",
    OrderRejected: "rejected",
    OrderDenied: "rejected",
}


def _copy(order: Order) -> Order:
    """An order of its own with ``order``'s state, rebuilt from its events."""
    first, *rest = order.events
    if not isinstance(first, OrderSubmitted):
        raise TypeError(f"order {order.id} does not begin with its submission")
    copy = Order(first)
    for event in rest:
        copy.apply(event)
    copy.legs = order.legs
    copy.hwm = order.hwm
    return copy


class _Book:
    """One account's working orders and positions as its stream has told them.

    Built from the session under the runtime's lock, then moved on by the
    committed events alone (on the event loop), so each update shows the
    order and the position as of its own event, however many events one
    commit holds. Ended orders are dropped: nothing happens to them any more.
    """

    def __init__(self, runtime: SessionRuntime, account_id: str) -> None:
        kernel = runtime.kernel
        self._namespace = uuid.UUID(runtime.spec.session_id)
        self._orders: dict[str, Order] = {}
        for order in runtime.orders(account_id):
            if order.is_open:
                self._orders[order.id] = _copy(order)
                for leg in order.legs:  # an open parent's JSON shows its legs
                    if leg in kernel.orders and leg not in self._orders:
                        self._orders[leg] = _copy(kernel.orders[leg])
        self._positions = {s: p.qty for s, p in runtime.books(account_id).positions.items()}

    def update(self, committed: Committed, hwm: Decimal | None) -> dict[str, Any] | None:
        """Apply one event; return the ``trade_updates`` message it makes, if any."""
        event = committed.event
        if isinstance(event, OrderSubmitted):
            self._orders[event.order_id] = Order(event)
            parent = None if event.parent_id is None else self._orders.get(event.parent_id)
            if parent is not None and event.replaces is None:
                parent.legs = (*parent.legs, event.order_id)
            return None
        if not is_order_event(event):
            return None
        order = self._orders.get(event.order_id)
        if order is None:
            return None  # it ended before the stream began
        order.apply(event)
        order.hwm = hwm  # market state, not an event: the value at the commit
        name = event_name(event, order)
        message = None if name is None else self._message(name, committed.seq, event, order)
        self._retire(order)
        return message

    def _message(self, name: str, seq: int, event: OrderEvent, order: Order) -> dict[str, Any]:
        legs = tuple(self._orders[i] for i in order.legs if i in self._orders)
        data: dict[str, Any] = {
            "event": name,
            "execution_id": str(uuid.uuid5(self._namespace, f"trade_update/{seq}")),
            "order": AlpacaOrder.of(order, legs if order.legs else None).model_dump(mode="json"),
            "timestamp": time_text(event.ts),
        }
        if isinstance(event, OrderFilled):
            fill = event.fill
            position = self._positions.get(fill.symbol, ZERO) + fill.signed_qty
            self._positions[fill.symbol] = position
            data["execution_id"] = canonical_uuid(fill.id) or str(
                uuid.uuid5(self._namespace, f"execution/{fill.id}")
            )
            data["price"] = decimal_text(fill.price)
            data["qty"] = decimal_text(fill.qty)
            data["position_qty"] = decimal_text(position)
        return {"stream": TRADE_UPDATES, "data": data}

    def _retire(self, order: Order) -> None:
        if order.is_open:
            return
        parent = None if order.parent_id is None else self._orders.get(order.parent_id)
        if parent is not None and parent.is_open:
            return  # the parent's updates still show it
        del self._orders[order.id]
        for leg in order.legs:
            if leg in self._orders and not self._orders[leg].is_open:
                del self._orders[leg]


#: What a runtime listener hands the event loop: the account's events and each
#: order's high-water mark at the commit.
_Batch = list[tuple[Committed, Decimal | None]]


class _Feed(Subscription):
    """One subscription of a connection to its session's commits."""

    def __init__(self) -> None:
        super().__init__()
        self.book: _Book | None = None


def _authorization(status: str, action: str, message: str | None = None) -> dict[str, Any]:
    data = {"status": status, "action": action}
    if message is not None:
        data["message"] = message
    return {"stream": "authorization", "data": data}


def _listening(streams: list[str]) -> dict[str, Any]:
    return {"stream": "listening", "data": {"streams": streams}}


def _error(message: str) -> dict[str, Any]:
    return {"stream": "error", "data": {"code": _PROTOCOL_ERROR, "message": message}}


class _Connection(SessionSocket):
    """One ``trade_updates`` client (see :class:`~paperbroker.api.alpaca.socket.SessionSocket`).

    Everything sent goes through one queue drained by the writer, so replies
    and updates leave in the order they were decided.
    """

    label = TRADE_UPDATES

    def __init__(self, websocket: WebSocket) -> None:
        super().__init__(websocket)
        self._binary = False
        self._feed: _Feed | None = None

    def auth_timeout_seconds(self) -> float:
        return AUTH_TIMEOUT_SECONDS

    def watch_seconds(self) -> float:
        return WATCH_SECONDS

    async def send(self, item: str | bytes) -> None:
        # Text to a client whose last frame was text, binary to one that sent binary.
        text = item if isinstance(item, str) else item.decode()
        if self._binary:
            await self.ws.send_bytes(text.encode())
        else:
            await self.ws.send_text(text)

    # -- reading --------------------------------------------------------------
    async def handle(self, text: str | None, data: bytes | None) -> None:
        self._binary = text is None
        raw: str | bytes | None = text if text is not None else data
        if raw is None:
            return
        if len(raw) > MAX_FRAME_CHARS:
            self.out.send(_error(f"frame longer than {MAX_FRAME_CHARS} characters"))
            return
        try:
            request = json.loads(raw)
        except ValueError:
            self.out.send(_error("frame is not JSON"))
            return
        action = request.get("action") if isinstance(request, dict) else None
        if not isinstance(action, str):
            self.out.send(_error('expected a JSON object {"action": ..., "data": ...}'))
            return
        if action == "authenticate":
            await self._authenticate(request.get("data"))
        elif action == "listen":
            await self._listen(request.get("data"))
        else:
            self.out.send(_error(f"unknown action {action[:32]!r}: authenticate or listen"))

    async def _authenticate(self, data: object) -> None:
        if self.target is not None:
            self.out.send(_error("already authenticated"))
            return
        key_id = data.get("key_id") if isinstance(data, dict) else None
        secret = data.get("secret_key") if isinstance(data, dict) else None
        if not isinstance(key_id, str) or not isinstance(secret, str):
            self._refuse(None)
            return
        record = await asyncio.to_thread(verify_in, self.context.keys, key_id, secret)
        if record is None:
            log.info("trade_updates: key %r did not verify", key_id[:32])
            self._refuse(None)
            return
        try:
            target, runtime = await self.resolve(record)
        except ApiError as error:
            self._refuse(error.message)
            return
        except NotFound as error:
            self._refuse(str(error))
            return
        except PaperbrokerError:
            log.exception("trade_updates: the session could not be loaded")
            self.out.send(_error("the session could not be loaded"))
            self.out.close(_INTERNAL, "the session could not be loaded")
            return
        self.authorized(record, target, runtime)
        self.out.send(_authorization("authorized", "authenticate"))

    def _refuse(self, why: str | None) -> None:
        self.out.send(_authorization("unauthorized", "authenticate", why))
        self.out.close(_POLICY, "unauthorized")

    async def _listen(self, data: object) -> None:
        if self.target is None:
            self.out.send(_authorization("unauthorized", "listen"))
            return
        streams = data.get("streams") if isinstance(data, dict) else None
        if not isinstance(streams, list) or not all(isinstance(s, str) for s in streams):
            self.out.send(_error("listen: data.streams must be a list of stream names"))
            return
        if TRADE_UPDATES not in streams:
            self.stop_feed()
            self.out.send(_listening([]))
        elif self._feed is not None:
            self.out.send(_listening([TRADE_UPDATES]))
        else:
            await self._start_feed()

    # -- the feed ---------------------------------------------------------------
    async def _start_feed(self) -> None:
        runtime, target = self.runtime, self.target
        if runtime is None or target is None:
            raise RuntimeError("a feed needs an authenticated connection")
        feed = self._feed = _Feed()
        account_id = target.account_id
        loop = self.loop
        ack = encode(_listening([TRADE_UPDATES]))

        def listener(batch: Sequence[Committed]) -> None:
            # The committing thread, under the runtime's lock: pick the account's
            # events, nothing more, and hand them to the event loop.
            mine: _Batch = []
            orders = runtime.kernel.orders
            for committed in batch:
                event = committed.event
                if not is_order_event(event):
                    continue
                order = orders.get(event.order_id)
                if order is not None and order.account_id == account_id:
                    mine.append((committed, order.hwm))
            if mine:
                with contextlib.suppress(RuntimeError):  # a closed loop: a closed connection
                    loop.call_soon_threadsafe(self._deliver, feed, mine)

        def subscribe() -> None:
            with runtime.locked():
                feed.book = _Book(runtime, account_id)
                # Queued before any update can be: the acknowledgement goes first.
                loop.call_soon_threadsafe(self.out.push, ack)
                feed.attach(runtime.subscribe(listener))

        await asyncio.to_thread(subscribe)

    def _deliver(self, feed: _Feed, batch: _Batch) -> None:
        """Turn a commit's events into updates (on the event loop, in commit order)."""
        book = feed.book
        if feed is not self._feed or book is None or self.out.closing:
            return  # unsubscribed meanwhile
        try:
            messages = [book.update(committed, hwm) for committed, hwm in batch]
        except Exception:
            log.exception("trade_updates: an update could not be built")
            self.stop_feed()
            self.out.send(_error("internal error: the updates stopped; reconnect"))
            self.out.close(_INTERNAL, "internal error")
            return
        for message in messages:
            if message is not None:
                self.out.push(encode(message))
        if len(self.out.items) > MAX_PENDING:
            self.out.items.clear()
            self.stop_feed()
            self.out.send(
                _error(f"more than {MAX_PENDING} updates waiting: the client is too slow")
            )
            self.out.close(_POLICY, "too slow: updates overflowed")

    def stop_feed(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            feed.stop()


@router.websocket("/stream")
@router.websocket("/stream/")
@declares(Access.BOUND_TRADING)
async def trade_updates(websocket: WebSocket) -> None:
    """Alpaca's ``trade_updates`` stream of the caller's account (see the module doc)."""
    await _Connection(websocket).serve()
