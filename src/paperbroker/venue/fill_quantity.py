"""How much of an order a bar can fill.

The seam for liquidity realism: :class:`FullFill` assumes unlimited size at
the matched price; :class:`VolumeParticipation` caps each bar's fills at a
share of its volume and leaves the remainder working for later bars.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Protocol

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.values import ZERO, quantize_to_step, to_decimal


class FillQuantityModel(Protocol):
    """Decides the quantity available to an order on one bar."""

    #: Whether it needs the bar's volume (known only at the bar's close).
    needs_volume: bool

    def available(self, bar_volume: float, already_filled: Decimal, lot: Decimal) -> Decimal | None:
        """Quantity still fillable on this bar, or ``None`` for no limit.

        ``already_filled`` is what earlier orders took from the same bar.
        """
        ...


class FullFill:
    """Every matched order fills completely (no liquidity limit)."""

    needs_volume = False

    def available(self, bar_volume: float, already_filled: Decimal, lot: Decimal) -> Decimal | None:
        return None

    def __repr__(self) -> str:
        return "FullFill()"


class VolumeParticipation:
    """At most ``max_share`` of each bar's volume fills, summed over all orders.

    The cap is rounded down to the lot size; what does not fit stays working
    (or is canceled for ``ioc``, or prevents the fill for ``fok``).  The idea
    is backtrader's ``FixedBarPerc`` filler and LEAN's volume-limited fills.
    """

    needs_volume = True

    def __init__(self, max_share: Decimal | float | str) -> None:
        self.max_share = to_decimal(max_share, field="max_share")
        if not ZERO < self.max_share <= 1:
            raise InvalidRequest(f"max_share must be in (0, 1], got {self.max_share}")

    def available(self, bar_volume: float, already_filled: Decimal, lot: Decimal) -> Decimal | None:
        cap = quantize_to_step(to_decimal(bar_volume) * self.max_share, lot, ROUND_FLOOR)
        return max(cap - already_filled, ZERO)

    def __repr__(self) -> str:
        return f"VolumeParticipation(max_share={self.max_share})"
