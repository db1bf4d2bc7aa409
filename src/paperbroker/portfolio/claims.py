"""What an account's working orders hold: their claims on its positions and its buying power.

A sell first uses up the long quantity that earlier sells have not claimed,
a buy the short quantity that earlier buys have not claimed; whatever is left
of an order opens (or adds to) exposure and reserves its value.

**Linked orders count once.** Of an OCO pair, or a bracket's two exits, only
one can trade: the first fill of either cancels the other. Such orders share
a *group*, named by the kernel from its links (so a replaced leg stays in its
pair), and a group holds what its largest member leaves, not the sum: 20
shares with one OCO of 5 working leave 15 available, as Alpaca counts them.

**Held exits hold their entry's fills.** A bracket or OTO exit waits
(``held``) until its entry has filled completely, and then works for the
entry's filled quantity; while the entry is partly filled, the shares it has
bought are already promised to its exits. The kernel passes such legs as
claims of the entry's filled quantity, so another sell cannot take them first
and leave the exits to oversell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from paperbroker.model.enums import OrderSide
from paperbroker.model.order import Order
from paperbroker.model.position import Position
from paperbroker.model.values import ZERO

_SELL: Final = OrderSide.SELL


#: A working (or held) order, the quantity it may still trade (``None``: all the
#: order leaves; a notional order not yet sized, its notional at the reference
#: price) and its linked group (``None``: it is linked to nothing). A plain tuple,
#: as a check may count thousands of them.
Claim = tuple[Order, Decimal | None, str | None]


@dataclass(frozen=True, slots=True)
class Holding:
    """What an account's working orders hold of one position (Alpaca's ``held_for_orders``).

    ``existing`` is the position's size (unsigned), ``held`` what the closing
    orders hold of it, ``available`` the rest, and ``related`` the ids of the
    orders that hold it, oldest first.
    """

    existing: Decimal
    held: Decimal
    available: Decimal
    related: tuple[str, ...] = field(default=())


class Reservations:
    """The claims and reservations of an account's working orders, added oldest first."""

    __slots__ = ("_free", "_groups", "_positions", "_related", "reserved")

    def __init__(self, positions: dict[str, Position]) -> None:
        self._positions = positions
        #: What is left of each position for closing orders, by (symbol, side).
        self._free: dict[tuple[str, OrderSide], Decimal] = {}
        #: The most any member of a linked group has counted, by (group, side).
        self._groups: dict[tuple[str, OrderSide], Decimal] = {}
        #: The orders that hold part of each position, by (symbol, side).
        self._related: dict[tuple[str, OrderSide], list[str]] = {}
        self.reserved = ZERO

    def opening_qty(self, order: Order, price: Decimal | None) -> Decimal:
        """The part of a new ``order`` that would open exposure (nothing is claimed)."""
        leaves = leaves_qty(order, price)
        return leaves - min(leaves, self.free(order.symbol, order.side))

    def add(
        self,
        order: Order,
        price: Decimal | None,
        qty: Decimal | None = None,
        group: str | None = None,
        price_of: Callable[[Order], Decimal | None] | None = None,
    ) -> None:
        """Let a working order claim its share and reserve its opening part's value.

        A member of a ``group`` already counted adds only what it leaves beyond
        the largest member counted so far.  With ``price_of``, ``price`` is not
        known yet: it is asked of ``price_of`` only if the order needs one (a
        notional order not yet sized, or one that opens exposure), so a count of
        closing orders prices none of them.
        """
        if price_of is not None and order.notional is not None:
            price, price_of = price_of(order), None
        leaves = leaves_qty(order, price) if qty is None else qty
        counted = ZERO
        if group is not None:
            linked = (group, order.side)
            counted = self._groups.get(linked, ZERO)
            self._groups[linked] = max(counted, leaves)
        extra = leaves - counted if leaves > counted else ZERO
        key = (order.symbol, order.side)
        free = self._free.get(key)
        if free is None:
            free = self.free(order.symbol, order.side)
        used = extra if extra < free else free
        if used or counted:
            self._related.setdefault(key, []).append(order.id)
        self._free[key] = free - used
        if extra != used:
            if price_of is not None:
                price = price_of(order)
            self.reserved += (extra - used) * (price or ZERO)

    def free(self, symbol: str, side: OrderSide) -> Decimal:
        """What closing orders on ``side`` may still take of the position in ``symbol``."""
        free = self._free.get((symbol, side))
        if free is not None:
            return free
        held = self._positions[symbol].qty
        return max(held, ZERO) if side is _SELL else max(-held, ZERO)

    def holding(self, symbol: str) -> Holding:
        """What the closing orders hold of the position in ``symbol`` (zero when flat)."""
        held = self._positions[symbol].qty
        if not held:
            return Holding(ZERO, ZERO, ZERO)
        side = _SELL if held > 0 else OrderSide.BUY
        available = self.free(symbol, side)
        existing = abs(held)
        return Holding(
            existing, existing - available, available, tuple(self._related.get((symbol, side), ()))
        )


def leaves_qty(order: Order, price: Decimal | None) -> Decimal:
    """Quantity an order still wants; a notional order not yet sized, at ``price``."""
    if order.notional is not None and not order.qty:
        return order.notional / price if price else order.notional
    return order.leaves_qty
