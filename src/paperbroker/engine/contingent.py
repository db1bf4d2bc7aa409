"""Linked orders: brackets, OTO and OCO groups.

The links live with the broker, not the venue: a held exit leg is released
the moment its entry completes, and the first fill of one side of an OCO pair
cancels the other at once (no latency: it is the broker's own decision).

- **Bracket / OTO**: the exit legs are ``held`` until the entry has filled
  completely, then work for the entry's quantity.  If the entry ends with
  part filled (canceled, expired), the legs work for the part that filled; if
  it ends with nothing filled (or is rejected), the legs are canceled.
- **OCO** (and a bracket's two released legs): the first fill of either
  order, partial or full, cancels the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from paperbroker.model.events import (
    OrderCanceled,
    OrderDenied,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReleased,
    OrderReplaced,
)
from paperbroker.model.order import Order
from paperbroker.portfolio.claims import Claim

if TYPE_CHECKING:
    from paperbroker.venue.base import Venue

#: What ends an order: a held leg of an entry that ended with nothing filled (a
#: rejection, a risk denial, a cancel, an expiry) is canceled with it.
_ENDED = (OrderCanceled, OrderExpired, OrderRejected, OrderDenied)


class Contingencies:
    """Which orders wait on which, and what their events set off."""

    def __init__(
        self,
        orders: dict[str, Order],
        venue: Venue,
        emit: Callable[[OrderEvent], None],
        index_of: Callable[[str], int],
    ) -> None:
        self._orders = orders
        self._venue = venue
        self._emit = emit
        self._index_of = index_of
        #: Held exit legs by the id of the entry they wait for.
        self._held: dict[str, list[str]] = {}
        #: The other side(s) of each order in an OCO group.
        self._siblings: dict[str, tuple[str, ...]] = {}
        #: Whether any leg is held or any order linked: read on every order's events,
        #: so kept as a plain attribute, set again by each change of the links (a
        #: change made while :meth:`after` runs may leave it ``True`` until it returns,
        #: which only sends an event through :meth:`after` that finds nothing to do).
        self.active = False

    def to_state(self) -> dict[str, Any]:
        """The held legs and the OCO groups, for a checkpoint."""
        return {
            "held": {entry: list(legs) for entry, legs in self._held.items()},
            "siblings": {order: list(others) for order, others in self._siblings.items()},
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Take the links :meth:`to_state` wrote (the venue keeps its own side of them)."""
        self._held = {entry: list(legs) for entry, legs in state["held"].items()}
        self._siblings = {order: tuple(others) for order, others in state["siblings"].items()}
        self._refresh()

    def hold(self, entry_id: str, leg_ids: Sequence[str]) -> None:
        """Legs that wait for ``entry_id`` to fill."""
        self._held[entry_id] = list(leg_ids)
        self.active = True

    def link(self, order_ids: Sequence[str]) -> None:
        """Orders that cancel each other on a fill (they must be working)."""
        for order_id in order_ids:
            self._siblings[order_id] = tuple(o for o in order_ids if o != order_id)
        self._refresh()
        self._venue.link(order_ids)

    def siblings(self, order_id: str) -> tuple[str, ...]:
        """The working orders that ``order_id``'s first fill would cancel (OCO)."""
        return self._siblings.get(order_id, ())

    def held_claims(self) -> list[Claim]:
        """Each exit leg still held for an entry that has filled in part, claiming what
        the entry filled: the leg will work for that, so those shares are already
        promised to it (see :mod:`paperbroker.portfolio.claims`)."""
        held: list[Claim] = []
        for entry_id, leg_ids in self._held.items():
            entry = self._orders[entry_id]
            if not entry.filled_qty:
                continue
            for leg_id in leg_ids:
                leg = self._orders[leg_id]
                if leg.is_open:
                    held.append((leg, entry.filled_qty, entry.id))
        return held

    def group(self, order_id: str) -> str | None:
        """The linked group of a working order: the least id of it and the orders its
        first fill would cancel (``None``: it cancels nothing)."""
        siblings = self._siblings.get(order_id)
        return min(order_id, *siblings) if siblings else None

    def _refresh(self) -> None:
        self.active = bool(self._held or self._siblings)

    def after(self, event: OrderEvent, order: Order) -> None:
        """React to an event that has been applied to ``order``."""
        order_id = order.id
        if isinstance(event, OrderFilled):
            siblings = self._siblings.pop(order_id, ())
            for sibling in siblings:
                self._siblings.pop(sibling, None)
                self._venue.cancel(sibling, f"oco: {order_id} filled")
            if not order.is_open and order_id in self._held:
                self._release(order)
        elif isinstance(event, _ENDED):
            self._drop_sibling(order_id)
            if order_id in self._held:
                if order.filled_qty:
                    self._release(order)
                else:
                    self._cancel_held(order, f"entry {order_id} {order.status}")
        elif isinstance(event, OrderReplaced):
            self._hand_over(order_id, event.replaced_by)
        self._refresh()

    def _release(self, entry: Order) -> None:
        legs = self._held.pop(entry.id)
        ts = entry.ts_updated
        released = []
        for leg_id in legs:
            leg = self._orders[leg_id]
            if not leg.is_open:
                continue
            self._emit(OrderReleased(ts, leg.id, entry.filled_qty))
            self._venue.accept(self._index_of(leg.symbol), leg, delayed=False)
            released.append(leg_id)
        if len(released) > 1:
            self.link(released)

    def _cancel_held(self, entry: Order, reason: str) -> None:
        for leg_id in self._held.pop(entry.id):
            leg = self._orders[leg_id]
            if leg.is_open:
                self._emit(OrderCanceled(entry.ts_updated, leg.id, reason))

    def _drop_sibling(self, order_id: str) -> None:
        """An order of a pair ended without a fill: its partner stands alone."""
        for sibling in self._siblings.pop(order_id, ()):
            rest = tuple(o for o in self._siblings.get(sibling, ()) if o != order_id)
            if rest:
                self._siblings[sibling] = rest
            else:
                self._siblings.pop(sibling, None)

    def _hand_over(self, old: str, new: str) -> None:
        """A replacement takes its predecessor's place in every link."""
        if old in self._held:
            self._held[new] = self._held.pop(old)
        siblings = self._siblings.pop(old, None)
        if siblings is not None:
            self._siblings[new] = siblings
            for sibling in siblings:
                self._siblings[sibling] = tuple(
                    new if o == old else o for o in self._siblings.get(sibling, ())
                )
        for legs in self._held.values():
            legs[:] = [new if leg == old else leg for leg in legs]
