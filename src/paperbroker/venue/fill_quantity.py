"""How much of an order a bar can fill.

The seam for liquidity realism: :class:`FullFill` assumes unlimited size at
the matched price; :class:`VolumeParticipation` caps each bar's fills at a
share of its volume; :class:`RandomPartialFill` fills only part of an order
now and then, as Alpaca's paper venue does.  What a bar cannot fill keeps
working on later bars.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal
from typing import Any, NamedTuple, Protocol

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.values import ZERO, quantize_to_step, to_decimal
from paperbroker.venue.latency import unit_draw


class QuantityInput(NamedTuple):
    """What a fill-quantity model may know about an order on one bar."""

    #: Volume of the bar (or of the part of it the order saw).
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

    #: True if it decides only once the bar has closed (it needs the bar's
    #: volume, or draws once per bar); the venue then skips bars in progress.
    needs_full_bar: bool

    def available(self, q: QuantityInput) -> Decimal | None:
        """Quantity fillable on this bar, or ``None`` for no limit."""
        ...

    def describe(self) -> dict[str, Any]:
        """The model and its parameters as JSON (numbers as strings)."""
        ...


def _fraction(value: Decimal | float | str, name: str) -> Decimal:
    result = to_decimal(value, field=name)
    if not ZERO <= result <= 1:
        raise InvalidRequest(f"{name}: must be in [0, 1], got {result}")
    return result


class FullFill:
    """Every matched order fills completely (no liquidity limit)."""

    needs_full_bar = False
    #: Deprecated alias of :attr:`needs_full_bar`.
    needs_volume = False

    def available(self, q: QuantityInput) -> Decimal | None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"model": "full"}

    def __repr__(self) -> str:
        return "FullFill()"


class VolumeParticipation:
    """At most ``max_share`` of each bar's volume fills, summed over all orders.

    ``available = floor(bar_volume × max_share to the lot) − taken``, never
    negative: the bar's orders share the cap first come, first served.  What
    does not fit stays working (or is canceled for ``ioc``, or prevents the
    fill for ``fok``).  The idea is backtrader's ``FixedBarPerc`` filler and
    LEAN's volume-limited fills.

    Raises:
        InvalidRequest: if ``max_share`` is outside (0, 1].
    """

    needs_full_bar = True
    #: Deprecated alias of :attr:`needs_full_bar`.
    needs_volume = True

    def __init__(self, max_share: Decimal | float | str) -> None:
        self.max_share = to_decimal(max_share, field="max_share")
        if not ZERO < self.max_share <= 1:
            raise InvalidRequest(f"max_share: must be in (0, 1], got {self.max_share}")

    def available(self, q: QuantityInput) -> Decimal | None:
        cap = quantize_to_step(to_decimal(q.bar_volume) * self.max_share, q.lot, ROUND_FLOOR)
        return max(cap - q.taken, ZERO)

    def describe(self) -> dict[str, Any]:
        return {"model": "volume_participation", "max_share": str(self.max_share)}

    def __repr__(self) -> str:
        return f"VolumeParticipation(max_share={self.max_share})"


class RandomPartialFill:
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
        self.probability = _fraction(probability, "probability")
        self.min_fraction = _fraction(min_fraction, "min_fraction")
        self.max_fraction = _fraction(max_fraction, "max_fraction")
        if self.min_fraction > self.max_fraction:
            raise InvalidRequest(
                f"min_fraction: must not be above max_fraction {self.max_fraction}, "
                f"got {self.min_fraction}"
            )
        if seed < 0:
            raise InvalidRequest(f"seed: must not be negative, got {seed}")
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

    def describe(self) -> dict[str, Any]:
        return {
            "model": "random_partial",
            "probability": str(self.probability),
            "min_fraction": str(self.min_fraction),
            "max_fraction": str(self.max_fraction),
            "seed": self.seed,
        }

    def __repr__(self) -> str:
        return (
            f"RandomPartialFill(probability={self.probability}, seed={self.seed}, "
            f"min_fraction={self.min_fraction}, max_fraction={self.max_fraction})"
        )


class CompositeQuantity:
    """The tightest of several limits: the minimum of the parts' answers.

    A part answering ``None`` sets no limit; if every part does, neither does
    the composite.  It waits for the full bar if any part does.

    Raises:
        InvalidRequest: if ``parts`` is empty.
    """

    def __init__(self, parts: Iterable[FillQuantityModel]) -> None:
        self.parts = tuple(parts)
        if not self.parts:
            raise InvalidRequest("parts: must name at least one model")
        self.needs_full_bar = any(part.needs_full_bar for part in self.parts)
        #: Deprecated alias of :attr:`needs_full_bar`.
        self.needs_volume = self.needs_full_bar

    def available(self, q: QuantityInput) -> Decimal | None:
        limits = [limit for part in self.parts if (limit := part.available(q)) is not None]
        return min(limits) if limits else None

    def describe(self) -> dict[str, Any]:
        return {"model": "min", "parts": [part.describe() for part in self.parts]}

    def __repr__(self) -> str:
        return f"CompositeQuantity({list(self.parts)!r})"
