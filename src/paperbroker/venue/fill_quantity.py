"""How much of an order a bar can fill.

The seam for liquidity realism: :class:`FullFill` assumes unlimited size at
the matched price; :class:`VolumeParticipation` caps each bar's fills at a
share of its volume; :class:`RandomPartialFill` fills only part of an order
now and then, as Alpaca's paper venue does.  What a bar cannot fill keeps
working on later bars.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal
from typing import Any, NamedTuple, Protocol

from paperbroker.model.values import ZERO, quantize_to_step, to_decimal
from paperbroker.venue.latency import unit_draw
from paperbroker.venue.schema import (
    CompositeQuantitySpec,
    FullFillSpec,
    RandomPartialFillSpec,
    VolumeParticipationSpec,
)
from paperbroker.venue.schema_base import Specified


class QuantityInput(NamedTuple):
    """What a fill-quantity model may know about an order on one bar."""

    #: Volume of the bar (or of the part of it the order saw); where an order
    #: enters a bar, before the bar's own volume is known, its expected volume
    #: (``nan`` if none is known).
    bar_volume: float
    #: What earlier orders already took from this bar.
    taken: Decimal
    lot: Decimal
    #: Quantity the order still wants.
    leaves: Decimal
    order_id: str
    bar_ts: int


class FillQuantityModel(Protocol):
    """Decides the quantity available to an order on one bar."""

    #: True if it decides with the bar's volume or once per bar.  Where an
    #: order enters a bar (its open, or its arrival inside it) the bar's own
    #: volume is not known yet: such a model sees the bar's expected volume
    #: there, and the bar's own volume for what is left at its close.
    needs_full_bar: bool

    def available(self, q: QuantityInput) -> Decimal | None:
        """Quantity fillable on this bar, or ``None`` for no limit."""
        ...

    def describe(self) -> dict[str, Any]:
        """The model and its parameters as JSON (numbers as strings)."""
        ...


class FullFill(Specified):
    """Every matched order fills completely (no liquidity limit)."""

    spec_type = FullFillSpec
    needs_full_bar = False
    #: Deprecated alias of :attr:`needs_full_bar`.
    needs_volume = False

    def __init__(self) -> None:
        self.spec = FullFillSpec()

    def available(self, q: QuantityInput) -> Decimal | None:
        return None


class VolumeParticipation(Specified):
    """At most ``max_share`` of each bar's volume fills, summed over all orders.

    ``available = floor(bar_volume × max_share to the lot) − taken``, never
    negative: the bar's orders share the cap first come, first served.  Where
    an order enters a bar, before the bar's volume is known, ``bar_volume`` is
    the bar's expected volume (the mean of the 20 bars before it); nothing
    fills there on a series' first bar, which has none.  What
    does not fit stays working (or is canceled for ``ioc``, or prevents the
    fill for ``fok``).  The idea is backtrader's ``FixedBarPerc`` filler and
    LEAN's volume-limited fills.

    Raises:
        InvalidRequest: if ``max_share`` is outside (0, 1].
    """

    spec_type = VolumeParticipationSpec
    needs_full_bar = True
    #: Deprecated alias of :attr:`needs_full_bar`.
    needs_volume = True

    def __init__(self, max_share: Decimal | float | str) -> None:
        self.spec = spec = VolumeParticipationSpec.checked(max_share=max_share)
        self.max_share = spec.max_share

    def available(self, q: QuantityInput) -> Decimal | None:
        if math.isnan(q.bar_volume):
            return ZERO  # no volume known yet: wait for the bar's own
        cap = quantize_to_step(to_decimal(q.bar_volume) * self.max_share, q.lot, ROUND_FLOOR)
        return max(cap - q.taken, ZERO)


class RandomPartialFill(Specified):
    """Now and then a bar fills only part of an order; the rest works on later bars.

    On each bar, with probability ``probability`` (``u = unit_draw(seed,
    order_id, bar_ts, "partial") < probability``) the bar fills only a
    fraction ``f`` of the order's remaining quantity, ``f`` uniform on
    ``[min_fraction, max_fraction]`` (a second draw), rounded down to the lot
    but at least one lot; otherwise the order fills without limit.  Draws
    depend only on the seed, the order and the bar, so runs are reproducible.

    Alpaca's paper venue fills at the quote with no size limit and no
    slippage, but gives random partial fills (about one order in ten): this
    model with ``probability=0.1`` imitates that, so a strategy meets partial
    fills in a backtest before it meets them on paper.

    Raises:
        InvalidRequest: if ``probability`` or a fraction is outside [0, 1],
            ``min_fraction`` is above ``max_fraction``, or ``seed`` is negative.
    """

    spec_type = RandomPartialFillSpec
    needs_full_bar = True
    #: Deprecated alias of :attr:`needs_full_bar`.
    needs_volume = True

    def __init__(
        self,
        probability: Decimal | float | str = "0.1",
        seed: int = 0,
        min_fraction: Decimal | float | str = "0.1",
        max_fraction: Decimal | float | str = "0.9",
    ) -> None:
        self.spec = spec = RandomPartialFillSpec.checked(
            probability=probability, min_fraction=min_fraction, max_fraction=max_fraction, seed=seed
        )
        self.probability = spec.probability
        self.min_fraction = spec.min_fraction
        self.max_fraction = spec.max_fraction
        self.seed = seed
        self._p = float(self.probability)
        self._low = float(self.min_fraction)
        self._span = float(self.max_fraction - self.min_fraction)

    def available(self, q: QuantityInput) -> Decimal | None:
        if unit_draw(self.seed, q.order_id, q.bar_ts, "partial") >= self._p:
            return None
        fraction = self._low + self._span * unit_draw(self.seed, q.order_id, q.bar_ts, "fraction")
        qty = quantize_to_step(q.leaves * to_decimal(fraction), q.lot, ROUND_FLOOR)
        if q.leaves >= q.lot:
            qty = max(qty, q.lot)
        return qty


class CompositeQuantity(Specified):
    """The tightest of several limits: the minimum of the parts' answers.

    A part answering ``None`` sets no limit; if every part does, neither does
    the composite.  It waits for the full bar if any part does.

    Raises:
        InvalidRequest: if ``parts`` is empty.
    """

    spec_type = CompositeQuantitySpec

    def __init__(self, parts: Iterable[FillQuantityModel]) -> None:
        self.parts = tuple(parts)
        self.spec = CompositeQuantitySpec.checked(parts=[part.describe() for part in self.parts])
        self.needs_full_bar = any(part.needs_full_bar for part in self.parts)
        #: Deprecated alias of :attr:`needs_full_bar`.
        self.needs_volume = self.needs_full_bar

    def available(self, q: QuantityInput) -> Decimal | None:
        limits = [limit for part in self.parts if (limit := part.available(q)) is not None]
        return min(limits) if limits else None
