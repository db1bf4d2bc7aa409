"""The venue's book of working orders, and the cancels and replacements on their way to them.

It keeps which orders work, per instrument and in arrival order, starts and
ends them (an end emits its event), and delivers a cancel or replacement
when it reaches the venue: a replacement takes its order's place in the
queue and in its OCO pair.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from paperbroker.core.clock import Clock
from paperbroker.core.snapshot import CheckpointMismatch
from paperbroker.model.enums import OrderType
from paperbroker.model.events import OrderCanceled, OrderEvent, OrderExpired, OrderReplaced
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import OPEN_STATUSES, Order
from paperbroker.venue.bar_view import set_mark
from paperbroker.venue.working import VISIT, Gate, Working

_MARKET: Final = OrderType.MARKET

#: The latest price of instrument ``i`` known now (a trailing stop's first mark).
MarkSource = Callable[[int], float | None]


class WorkingBook:
    """The orders a venue works and the requests in flight to them.

    ``working[i]`` holds the open orders of instrument ``i`` in arrival order
    (FIFO); ``gates[i]`` what a bar must reach to matter to them (``None``:
    recompute, set whenever they change); ``pending[i]`` how many cancels or
    replacements are on their way to them.
    """

    def __init__(
        self,
        instruments: list[Instrument],
        clock: Clock,
        emit: Callable[[OrderEvent], None],
        mark: MarkSource | None,
    ) -> None:
        self.instruments = instruments
        self._clock = clock
        self._emit = emit
        self._mark = mark
        self.working: list[list[Working]] = [[] for _ in instruments]
        self.gates: list[Gate | None] = [None for _ in instruments]
        self.pending = [0] * len(instruments)
        self.by_id: dict[str, Working] = {}

    # -- checkpoints ----------------------------------------------------------------
    def to_state(self) -> list[list[dict[str, Any]]]:
        """Every working order per instrument in queue order, with the cancels and
        replacements on their way (the gates are recomputed)."""
        return [[w.to_state() for w in queue] for queue in self.working]

    def from_state(self, state: list[list[dict[str, Any]]], orders: Mapping[str, Order]) -> None:
        """Work the orders :meth:`to_state` wrote (found by id in ``orders``).

        Raises:
            CheckpointMismatch: if the state has another number of instruments.
        """
        if len(state) != len(self.instruments):
            raise CheckpointMismatch("the venue's instruments differ from the checkpoint's")
        self.by_id.clear()
        for index, queue in enumerate(state):
            instrument = self.instruments[index]
            self.working[index] = []
            self.gates[index] = None
            for item in queue:
                order = orders[item["order"]]
                working = Working(
                    order, index, int(item["arrival_ns"]), int(item["latency_ns"]),
                    instrument.lot_size, instrument.fractionable,
                )  # fmt: skip
                working.from_state(item, orders)
                self.working[index].append(working)
                self.by_id[order.id] = working
            self.pending[index] = sum(1 for w in self.working[index] if w.pending_ns)

    # -- starting and ending ------------------------------------------------------
    def start(
        self, index: int, order: Order, arrival_ns: int, latency_ns: int, place: int = -1
    ) -> Working:
        """Work an order from ``arrival_ns``: last in its queue, or at ``place``."""
        # A market order meets every bar until it fills (gate_of would say so).
        self.gates[index] = VISIT if order.order_type is _MARKET else None
        instrument = self.instruments[index]
        working = Working(
            order, index, arrival_ns, latency_ns, instrument.lot_size, instrument.fractionable
        )
        if order.is_trailing:
            mark = self._mark(index) if self._mark is not None else None
            if mark is not None:
                set_mark(working, mark, instrument.tick_size)
        if place < 0:
            self.working[index].append(working)
        else:
            self.working[index].insert(place, working)
        self.by_id[order.id] = working
        return working

    def close(
        self,
        working: Working,
        event_type: type[OrderCanceled] | type[OrderExpired],
        reason: str = "",
        ts: int = 0,
    ) -> None:
        """Cancel or expire a working order (stamped ``ts``, 0: now)."""
        failed = self.forget(working)
        now = ts or self._clock.now_ns()
        if event_type is OrderCanceled:
            self._emit(OrderCanceled(ts=now, order_id=working.order.id, reason=reason))
        else:
            self._emit(OrderExpired(ts=now, order_id=working.order.id))
        if failed is not None:
            self.fail_replacement(working, failed)

    def forget(self, working: Working) -> Order | None:
        """Stop working an order; return a replacement still on its way, which now fails."""
        if self.by_id.pop(working.order.id, None) is None:
            return None
        self.gates[working.index] = None
        self.working[working.index].remove(working)
        replacement = working.replacement
        self._clear_pending(working)
        return None if replacement is None else replacement[1]

    def fail_replacement(self, working: Working, replacement: Order) -> None:
        """Cancel a replacement whose order ended before it arrived."""
        if replacement.is_open:
            self._emit(
                OrderCanceled(
                    ts=self._clock.now_ns(),
                    order_id=replacement.id,
                    reason=f"replace failed: {working.order.id} ended before it arrived",
                )
            )

    # -- requests in flight ---------------------------------------------------------
    def send_cancel(self, working: Working, due_ns: int) -> None:
        """A cancel is on its way to ``working``: it arrives at ``due_ns``."""
        working.cancel_ns = due_ns
        self.pending[working.index] += 1
        self.gates[working.index] = None

    def send_replacement(
        self, working: Working, replacement: Order, due_ns: int, latency_ns: int
    ) -> None:
        """A replacement is on its way to ``working``: it arrives at ``due_ns``."""
        working.replacement = (due_ns, replacement, latency_ns)
        self.pending[working.index] += 1
        self.gates[working.index] = None

    def flush(self, now_ns: int) -> None:
        """Deliver every cancel and replacement that has reached the venue by ``now_ns``."""
        for index, count in enumerate(self.pending):
            if count:
                self.run_pending(index, now_ns, 0)

    def run_pending(self, index: int, until_ns: int, stamp_ns: int) -> None:
        """Act on the cancels and replacements of instrument ``index`` due by ``until_ns``.

        Their events are stamped ``stamp_ns`` (0: when each arrived).
        """
        for working in self.working[index][:]:
            due = working.pending_ns
            if due and due <= until_ns:
                self.deliver(working, stamp_ns or due)

    def deliver(self, working: Working, ts: int) -> Working | None:
        """A cancel or replacement reaches the venue; return the replacement now working."""
        due = working.pending_ns
        replacement = working.replacement
        self._clear_pending(working)
        if working.order.status not in OPEN_STATUSES:
            return None
        if replacement is None:
            self.close(working, OrderCanceled, "canceled by client", ts)
            return None
        _, order, latency = replacement
        index = working.index
        place = self.working[index].index(working)
        self.forget(working)
        self._emit(OrderReplaced(ts, working.order.id, order.id))
        if not order.is_open:
            return None
        # The replacement takes the old order's place in the queue and in its OCO pair.
        started = self.start(index, order, due, latency, place)
        started.siblings = working.siblings
        for sibling_id in working.siblings:
            sibling = self.by_id.get(sibling_id)
            if sibling is not None:
                sibling.siblings = tuple(
                    order.id if o == working.order.id else o for o in sibling.siblings
                )
        return started

    def _clear_pending(self, working: Working) -> None:
        replacement = working.replacement  # working.pending_ns, without the call
        if replacement[0] if replacement is not None else working.cancel_ns:
            self.pending[working.index] -= 1
        working.cancel_ns = 0
        working.replacement = None
