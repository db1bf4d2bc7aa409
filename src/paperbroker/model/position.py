"""Positions: net quantity per symbol with average-cost accounting.

A position keeps its *cost basis* (the signed amount paid for the open
quantity) rather than a rounded average price.  Reducing a position removes a
proportional share of the basis, rounded to 10 decimal places, and realizes
``proceeds - removed basis``.  The same removed amount leaves the basis and
enters realized P&L, and every addition and subtraction is exact, so
``realized + unrealized`` equals the cash flows plus market value to the last
digit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from paperbroker.model.enums import OrderSide
from paperbroker.model.fill import Fill
from paperbroker.model.values import EXACT, ZERO

_BUY: Final = OrderSide.BUY

# The removed share of a basis is a quotient (often a repeating decimal): it is
# rounded once, to far below any currency's smallest unit, and then used as is.
BASIS_QUANTUM: Final = Decimal("1e-10")


class Position:
    """Net holding of one symbol; negative ``qty`` is a short."""

    __slots__ = ("cost_basis", "fees", "qty", "realized_pnl", "symbol")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.qty = ZERO
        self.cost_basis = ZERO
        self.realized_pnl = ZERO
        self.fees = ZERO

    @property
    def avg_price(self) -> Decimal:
        """Average entry price of the open quantity (0 when flat)."""
        if not self.qty:
            return ZERO
        return self.cost_basis / self.qty

    @property
    def is_flat(self) -> bool:
        return not self.qty

    def market_value(self, mark: Decimal) -> Decimal:
        return self.qty * mark

    def unrealized_pnl(self, mark: Decimal) -> Decimal:
        return self.qty * mark - self.cost_basis

    def apply(self, fill: Fill) -> Decimal:
        """Apply a fill and return the P&L it realized (before fees)."""
        signed = fill.qty if fill.side is _BUY else -fill.qty  # fill.signed_qty
        price = fill.price
        self.fees += fill.fee
        qty = self.qty
        long = qty > ZERO
        if not qty or long == (signed > ZERO):
            self.qty = qty + signed
            self.cost_basis = EXACT.add(self.cost_basis, signed * price)
            return ZERO
        held, size = abs(qty), fill.qty  # size == abs(signed)
        closing = size if size < held else held  # min(held, size), which keeps held on a tie
        removed = (self.cost_basis * closing / held).quantize(BASIS_QUANTUM)
        # Closing a long sells `closing` units; closing a short buys them back.
        proceeds = closing * price if long else -closing * price
        realized = EXACT.subtract(proceeds, removed)
        self.cost_basis = EXACT.subtract(self.cost_basis, removed)
        self.realized_pnl = EXACT.add(self.realized_pnl, realized)
        remainder = size - closing
        self.qty = qty + signed
        if remainder:
            # The fill flipped the position: what is left opens at the fill price.
            self.cost_basis = (-remainder if long else remainder) * price
        elif not self.qty:
            self.cost_basis = ZERO
        return realized

    def __repr__(self) -> str:
        return f"Position({self.symbol} qty={self.qty} avg={self.avg_price:.4f})"
