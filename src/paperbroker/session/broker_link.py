"""A live session's link to its broker: requests go out after the commit, reports come in.

Use::

    link = BrokerLink(runtime, adapter)   # a live session's runtime, a BrokerAdapter
    link.start()                          # two daemon threads: sender and stream
    ...
    link.stop()                           # joins them; closes nothing it was given

The **sender** drains the session's broker venue's outbox
(:attr:`~paperbroker.broker.venue.BrokerVenue.outbox`). It runs after every
commit of the runtime (a commit listener wakes it) and every
``retry_seconds``; what it reads under the runtime's lock is durable, since
commands commit before they release the lock (a poisoned runtime is not
read: the service reloads it, and starts a new link). So an order is in the
journal before the broker hears of it. Each answer is journaled as
``BrokerReported`` through :meth:`SessionRuntime.broker_report
<paperbroker.session.runtime.SessionRuntime.broker_report>`, which applies it.

A request whose outcome is unknown (:class:`~paperbroker.broker.adapter.BrokerUnavailable`:
a timeout, a dropped connection), and every request found in the outbox when
the link starts (a restored session: it may have been sent before the
restart), is **resolved** before anything is sent again: the broker is asked
for the order by its ``client_order_id`` (the local order id). Found: its
state is reported. Not found: it never arrived, and is sent now (the broker
refuses a second order with one ``client_order_id`` anyway).

The **stream** thread follows the broker's order updates
(:meth:`BrokerAdapter.stream <paperbroker.broker.adapter.BrokerAdapter.stream>`)
and, on every (re)connection, catches up through REST: each order the
session still works is read by ``client_order_id``, and the fills of those
the broker filled further than the session knows are read from its fill
activities. Fills are applied once, by the broker's fill id, whether they
come from the stream, from a catch-up, or both; reports that change nothing
are not journaled.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Final

from paperbroker.broker.adapter import (
    BrokerAdapter,
    BrokerFill,
    BrokerNotSent,
    BrokerOrder,
    BrokerRefused,
    BrokerUnavailable,
    TradeUpdate,
)
from paperbroker.broker.venue import BrokerRequest, BrokerVenue
from paperbroker.core.crashpoints import crash_point
from paperbroker.core.errors import Conflict, PaperbrokerError
from paperbroker.core.ids import OrderId
from paperbroker.model.events import BrokerReported
from paperbroker.session.runtime import SessionRuntime
from paperbroker.session.spec import Committed

log = logging.getLogger(__name__)

#: A broker order's statuses that end it, and the report each is.
_ENDED: Final = {"canceled": "canceled", "expired": "expired", "rejected": "rejected"}
#: ``trade_updates`` events and the report each is (fills and replacements apart).
_STREAM_EVENTS: Final = {
    "new": "accepted",
    "accepted": "accepted",
    "pending_new": "accepted",
    "canceled": "canceled",
    "expired": "expired",
    "rejected": "rejected",
}
#: What the stream may tell of a replacement the session has not seen replaced yet.
_EARLY: Final = frozenset({"new", "accepted", "pending_new", "rejected"})
#: A microsecond in ns: the broker's times are to the microsecond.
_MICRO: Final = 1_000


def accepted(order_id: str, broker_order_id: str) -> BrokerReported:
    return BrokerReported(0, OrderId(order_id), "accepted", broker_order_id)


def fill_report(order_id: str, fill: BrokerFill) -> BrokerReported:
    return BrokerReported(
        0, OrderId(order_id), "fill", fill.order_id, fill.id, fill.qty, fill.price, fill.fee,
        fill.ts,
    )  # fmt: skip


class BrokerLink:
    """Sends one live session's requests to its broker and journals the answers
    (see the module doc).

    The sender wakes on every commit and every ``retry_seconds``; a cancel
    the broker has not reported done is asked after every ``poll_seconds``;
    ``stream=False`` follows no stream (the sender alone).
    """

    def __init__(
        self,
        runtime: SessionRuntime,
        adapter: BrokerAdapter,
        *,
        retry_seconds: float = 1.0,
        poll_seconds: float = 5.0,
        stream: bool = True,
    ) -> None:
        venue = runtime.kernel.venue
        if not isinstance(venue, BrokerVenue):
            raise TypeError("a broker link needs a live session (a broker venue)")
        self.runtime = runtime
        self.adapter = adapter
        self.venue = venue
        self.retry_seconds = retry_seconds
        self.poll_seconds = poll_seconds
        self._polled = 0.0
        self._follow = stream
        self._wake = threading.Event()
        self._stop = threading.Event()
        #: Set when the stream told of something the session could not apply yet.
        self._recheck = threading.Event()
        self._threads: list[threading.Thread] = []
        self._unsubscribe: list[Callable[[], None]] = []
        #: Requests whose outcome is unknown: resolved before they are sent again.
        self._uncertain: set[tuple[str, str]] = set()
        #: Cancels sent and not yet reported done by the broker.
        self._sent: set[tuple[str, str]] = set()
        #: Called after each (re)connection's catch-up: the session's reconciler runs then.
        self.on_connect: Callable[[], None] | None = None
        #: How many passes the sender made, and how many catch-ups the stream's
        #: connections ran (for operators and tests).
        self.passes = 0
        self.catch_ups = 0
        self._passed = threading.Condition()

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> None:
        """Resolve what the journal holds unanswered, then send and follow in the background.

        Raises:
            Conflict: for a read-only session (its journal does not replay): it trades no more.
        """
        if self.runtime.diverged is not None:
            raise Conflict(f"the session is read-only: {self.runtime.diverged}")
        with self.runtime.locked():
            self._uncertain = {r.key for r in self.venue.pending()}
            unsubscribe = self.runtime.subscribe(self._committed)
        self._unsubscribe.append(unsubscribe)
        session = self.runtime.spec.session_id[:8]
        sender = threading.Thread(target=self._send_loop, name=f"broker-send-{session}")
        self._threads = [sender]
        if self._follow:
            follower = threading.Thread(target=self._stream_loop, name=f"broker-stream-{session}")
            self._threads.append(follower)
        for thread in self._threads:
            thread.daemon = True
            thread.start()
        self._wake.set()  # the first pass resolves what the journal left unanswered

    def stop(self, timeout: float = 10.0) -> None:
        """Stop both threads and wait for them (the adapter is the caller's to close)."""
        self._stop.set()
        self._wake.set()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for thread in self._threads:
            thread.join(timeout)

    def wait_for_pass(self, after: int, timeout: float = 10.0) -> bool:
        """Wait until the sender has finished a pass numbered above ``after``."""
        with self._passed:
            return self._passed.wait_for(lambda: self.passes > after, timeout)

    def _committed(self, committed: Sequence[Committed]) -> None:
        self._wake.set()  # under the runtime's lock: only a flag

    # -- the sender -------------------------------------------------------------------
    def _send_loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.retry_seconds)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.drain()
                self._poll_cancels()
                if self._recheck.is_set():
                    self._recheck.clear()
                    self.catch_up()
            except Exception:
                log.exception("session %s: the broker link's pass failed", self._session)
            with self._passed:
                self.passes += 1
                self._passed.notify_all()

    def drain(self) -> None:
        """One pass over the outbox: resolve, send, report (see the module doc)."""
        handled: set[tuple[str, str]] = set()  # once a pass: the next pass retries the rest
        while not self._stop.is_set():
            with self.runtime.locked():
                if self.runtime.poisoned:
                    return  # the kernel is ahead of the journal: nothing of it is sent
                skip = self._sent | handled
                pending = [r for r in self.venue.pending() if r.key not in skip]
            if not pending:
                return
            progressed = False
            for request in pending:
                if self._stop.is_set():
                    return
                with self.runtime.locked():
                    if request.key not in self.venue.outbox:
                        continue  # answered meanwhile (an earlier request's report, the stream)
                handled.add(request.key)
                try:
                    progressed |= self._handle(request)
                except BrokerNotSent as error:
                    log.warning("session %s: %s not sent: %s", self._session, request.key, error)
                    return  # the broker is out of reach: the next pass tries again
                except BrokerUnavailable as error:
                    self._uncertain.add(request.key)
                    log.warning("session %s: %s: outcome unknown: %s", self._session,
                                request.key, error)  # fmt: skip
                    return
            if not progressed:
                return

    def _poll_cancels(self) -> None:
        """Ask after the cancels sent and not reported done (the stream may be away), at
        most every ``poll_seconds``."""
        now = time.monotonic()
        if not self._sent or now - self._polled < self.poll_seconds:
            return
        self._polled = now
        for kind, order_id in sorted(self._sent):
            found = self.adapter.order_by_client_id(order_id)
            if found is not None:
                self._report(self._order_reports(order_id, found))
            elif kind == "cancel":
                self._sent.discard((kind, order_id))  # sent again by the next pass

    def _handle(self, request: BrokerRequest) -> bool:
        """Send (or resolve) one request; whether it was answered."""
        if request.key in self._uncertain:
            if self._resolve(request):
                self._uncertain.discard(request.key)
                return True
            self._uncertain.discard(request.key)  # it never arrived: send it now
        if request.kind == "submit":
            return self._submit(request)
        if request.kind == "cancel":
            return self._cancel(request)
        return self._replace(request)

    def _submit(self, request: BrokerRequest) -> bool:
        assert request.order is not None
        crash_point("after-journal-before-send")
        try:
            order = self.adapter.submit(request.order)
        except BrokerRefused as error:
            found = self.adapter.order_by_client_id(request.order_id)
            if found is not None and found.status != "rejected":
                # A duplicate client_order_id: it is there already.
                self._report(self._order_reports(request.order_id, found))
                return True
            broker_id = "" if found is None else found.id
            self._report([BrokerReported(0, OrderId(request.order_id), "rejected", broker_id,
                                         reason=str(error))])  # fmt: skip
            return True
        crash_point("after-send-before-ack")
        self._report(self._order_reports(request.order_id, order))
        return True

    def _cancel(self, request: BrokerRequest) -> bool:
        broker_id = self._broker_id(request.order_id)
        if broker_id is None:
            with self.runtime.locked():
                submitting = ("submit", request.order_id) in self.venue.outbox
            if submitting:
                return False  # its submission first
            self._report([BrokerReported(0, OrderId(request.order_id), "canceled",
                                         reason="never reached the broker")])  # fmt: skip
            return True
        with contextlib.suppress(BrokerRefused):  # no longer cancelable: its state says why
            self.adapter.cancel(broker_id)
        self._sent.add(request.key)
        found = self.adapter.order_by_client_id(request.order_id)
        if found is not None:
            self._report(self._order_reports(request.order_id, found))
        return True

    def _replace(self, request: BrokerRequest) -> bool:
        broker_id = self._broker_id(request.order_id)
        if broker_id is None:
            return False  # its submission first
        try:
            new = self.adapter.replace(
                broker_id, qty=request.qty, limit_price=request.limit_price,
                stop_price=request.stop_price, time_in_force=request.time_in_force,
                client_order_id=request.replacement_id,
            )  # fmt: skip
        except BrokerRefused as error:
            old = self.adapter.order_by_client_id(request.order_id)
            reports = [] if old is None else self._order_reports(request.order_id, old)
            refused = BrokerReported(0, OrderId(request.replacement_id), "rejected",
                                     reason=str(error))  # fmt: skip
            self._report([*reports, refused])
            return True
        self._report([BrokerReported(0, OrderId(request.order_id), "replaced", new.id)])
        return True

    def _resolve(self, request: BrokerRequest) -> bool:
        """Ask the broker what became of a request; whether it had arrived."""
        if request.kind == "cancel":
            return False  # a cancel is sent again: the broker refuses one too many
        wanted = request.replacement_id if request.kind == "replace" else request.order_id
        found = self.adapter.order_by_client_id(wanted)
        if found is None:
            return False
        if request.kind == "replace":
            self._report([BrokerReported(0, OrderId(request.order_id), "replaced", found.id)])
        else:
            self._report(self._order_reports(request.order_id, found))
        return True

    # -- reports ------------------------------------------------------------------------
    def _order_reports(self, order_id: str, order: BrokerOrder) -> list[BrokerReported]:
        """What a broker order's state says of the local one: accepted, the fills the
        session lacks (from the fill activities), then how it ended."""
        reports = [accepted(order_id, order.id)]
        with self.runtime.locked():
            applied = self.venue.filled_qty(order_id)
        if order.filled_qty > applied:
            after = order.submitted_at - _MICRO if order.submitted_at else None
            fills = self.adapter.fills(after_ns=after)
            reports += [fill_report(order_id, f) for f in fills if f.order_id == order.id]
        ended = _ENDED.get(order.status)
        if ended is not None:
            reports.append(BrokerReported(0, OrderId(order_id), ended, order.id))
        elif order.status == "replaced" and order.replaced_by:
            reports.append(BrokerReported(0, OrderId(order_id), "replaced", order.replaced_by))
        return reports

    def _report(self, reports: Iterable[BrokerReported]) -> int:
        chosen = list(reports)
        if not chosen:
            return 0
        news = self.runtime.broker_report(chosen)
        with self.runtime.locked():
            for key in list(self._sent):
                if key not in self.venue.outbox:
                    self._sent.discard(key)  # answered
        return news

    def _broker_id(self, order_id: str) -> str | None:
        with self.runtime.locked():
            known = self.venue.broker_ids.get(order_id)
        if known is not None:
            return known
        found = self.adapter.order_by_client_id(order_id)
        if found is None:
            return None
        self._report([accepted(order_id, found.id)])
        return found.id

    # -- the stream ---------------------------------------------------------------------
    def _stream_loop(self) -> None:
        try:
            self.adapter.stream(self._on_update, self.catch_up, self._stop)
        except Exception:
            log.exception("session %s: the broker's stream stopped", self._session)

    def _on_update(self, update: TradeUpdate) -> None:
        order = update.order
        with self.runtime.locked():
            local = order.client_order_id
            early = self.venue.replaced_order(local) is not None
            if not (self.venue.known(local) or early):
                local = self.venue.local_id(order.id) or ""
                if not local:
                    return  # not one of the session's orders: reconciliation's business
            if update.event == "rejected" and ("submit", local) in self.venue.outbox:
                return  # refused as it was sent: the sender reports it, with the reason
        if early and update.event not in _EARLY:
            # News of a replacement before the broker's answer to the replace is
            # journaled: the session cannot apply it yet, so it asks again after.
            self._recheck.set()
            self._wake.set()
            return
        reports = self._update_reports(local, update)
        if update.fill is not None:
            crash_point("while-fills-stream")
        if reports:
            try:
                self._report(reports)
            except PaperbrokerError as error:
                log.warning("session %s: a broker update was not journaled: %s",
                            self._session, error)  # fmt: skip

    @staticmethod
    def _update_reports(local: str, update: TradeUpdate) -> list[BrokerReported]:
        order = update.order
        if update.event in ("fill", "partial_fill") and update.fill is not None:
            return [accepted(local, order.id), fill_report(local, update.fill)]
        if update.event == "replaced" and order.replaced_by:
            return [BrokerReported(0, OrderId(local), "replaced", order.replaced_by)]
        kind = _STREAM_EVENTS.get(update.event)
        if kind is None:
            return []
        return [BrokerReported(0, OrderId(local), kind, order.id, reason=update.reason)]

    def catch_up(self) -> None:
        """Bring the session up to the broker: each order it works, read by
        ``client_order_id``, and the fills it lacks (run on every stream connection).

        Raises:
            BrokerUnavailable: if the broker does not answer (the stream reconnects,
                and catches up again).
        """
        self.catch_ups += 1
        with self.runtime.locked():
            open_ids = self.venue.open_order_ids()
            unsent = {r.order_id for r in self.venue.pending() if r.kind == "submit"}
        for order_id in open_ids:
            if order_id in unsent and ("submit", order_id) not in self._uncertain:
                continue  # the sender has it
            found = self.adapter.order_by_client_id(order_id)
            if found is not None:
                self._report(self._order_reports(order_id, found))
        self._wake.set()
        if self.on_connect is not None:
            self.on_connect()

    @property
    def _session(self) -> str:
        return self.runtime.spec.session_id


__all__ = ["BrokerLink", "accepted", "fill_report"]
