"""P&L attribution: which strategy of a shared account made what.

Each fill belongs to the strategy whose label its order carries. Per
strategy and symbol, its fills are matched first in, first out:

- ``realized_pnl``: for each closed quantity ``q`` of a lot opened at ``p0``
  and closed at ``p1``, ``q × (p1 − p0)`` for a long lot, ``q × (p0 − p1)``
  for a short one;
- ``unrealized_pnl``: each open lot's ``qty × (mark − p0)`` (signed qty);
- ``fees``: the fees of its fills.

Whatever the matching, ``realized + unrealized`` of a strategy is its cash
flows plus the market value of its net position, so over all strategies
``Σ (realized + unrealized − fees) = equity − initial cash`` of the account
to the last digit (all arithmetic is exact :class:`~decimal.Decimal`), as
long as nothing but fills moved the account's cash.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from paperbroker.model.values import EXACT, ZERO


@dataclass(frozen=True)
class AttributedFill:
    """A fill as attribution needs it: who, what, signed quantity, price and fee."""

    label: str | None
    order_id: str
    symbol: str
    signed_qty: Decimal
    price: Decimal
    fee: Decimal


@dataclass(frozen=True)
class StrategyPnl:
    """One strategy's share of an account's P&L (``label`` ``None``: orders by no strategy)."""

    label: str | None
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    fees: Decimal
    fills: int
    orders: int

    @property
    def pnl(self) -> Decimal:
        """``realized + unrealized − fees``."""
        return EXACT.subtract(EXACT.add(self.realized_pnl, self.unrealized_pnl), self.fees)


class _Book:
    """One strategy's FIFO lots per symbol, and its running totals."""

    def __init__(self) -> None:
        self.lots: dict[str, deque[list[Decimal]]] = {}
        self.realized = ZERO
        self.fees = ZERO
        self.fills = 0
        self.orders: set[str] = set()

    def apply(self, fill: AttributedFill) -> None:
        self.fees = EXACT.add(self.fees, fill.fee)
        self.fills += 1
        self.orders.add(fill.order_id)
        lots = self.lots.setdefault(fill.symbol, deque())
        left = fill.signed_qty
        while left and lots and (lots[0][0] > 0) != (left > 0):
            lot_qty, lot_price = lots[0]
            closed = min(abs(lot_qty), abs(left))
            sign = 1 if lot_qty > 0 else -1
            gain = EXACT.multiply(closed * sign, EXACT.subtract(fill.price, lot_price))
            self.realized = EXACT.add(self.realized, gain)
            remaining = lot_qty - closed * sign
            if remaining:
                lots[0][0] = remaining
            else:
                lots.popleft()
            left += closed * sign
        if left:
            lots.append([left, fill.price])

    def unrealized(self, marks: Mapping[str, Decimal]) -> Decimal:
        total = ZERO
        for symbol, lots in self.lots.items():
            mark = marks.get(symbol, ZERO)
            for qty, price in lots:
                total = EXACT.add(total, EXACT.multiply(qty, EXACT.subtract(mark, price)))
        return total


def attribute(
    fills: Iterable[AttributedFill],
    marks: Mapping[str, Decimal],
    labels: Iterable[str] = (),
    orders: Mapping[str | None, int] | None = None,
) -> list[StrategyPnl]:
    """Each strategy's realized and unrealized P&L, fees, fills and orders (see the module doc).

    ``fills`` in the order they happened; ``marks`` the current price of each
    symbol (a missing one counts 0, as the account's equity does); ``labels``
    the strategies to report even without a fill, first and in that order,
    others after in order of their first fill, ``None`` (orders no strategy
    placed) last. ``orders`` counts each label's orders (default: the orders
    that filled).
    """
    books: dict[str | None, _Book] = {label: _Book() for label in labels}
    for fill in fills:
        books.setdefault(fill.label, _Book()).apply(fill)
    order: list[str | None] = [label for label in books if label is not None]
    if None in books:
        order.append(None)
    return [
        StrategyPnl(
            label,
            books[label].realized,
            books[label].unrealized(marks),
            books[label].fees,
            books[label].fills,
            len(books[label].orders) if orders is None else orders.get(label, 0),
        )
        for label in order
    ]
