"""Slippage models: how much worse than the reference price a taker fill executes.

A model returns a *cost*: the adverse fraction of the reference price a fill
pays (``0.0005`` is 5 basis points).  :func:`apply_cost` turns it into a price
on the tick grid, rounding against the taker.  Models do arithmetic in floats
on bar data (volume, volatility); the price itself stays a ``Decimal``.

Costs apply to liquidity-taking fills only (market orders, stops, marketable
limits); a resting limit filled at its price is a maker fill and pays none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, NamedTuple, Protocol

from paperbroker.model.values import BPS, quantize_to_step
from paperbroker.venue.schema import (
    CompositeSlippageSpec,
    FixedBpsSlippageSpec,
    HalfSpreadSlippageSpec,
    NoSlippageSpec,
    SquareRootImpactSpec,
    VolumeShareSlippageSpec,
)
from paperbroker.venue.schema_base import Specified

#: Bars of history behind the ``volatility`` input: the standard deviation of
#: the last 20 per-bar log returns (about a trading month of daily bars).
DEFAULT_VOLATILITY_WINDOW = 20


class SlippageInput(NamedTuple):
    """What a slippage model may know about one fill."""

    #: Price the fill rule produced, before slippage.
    reference: float
    #: Quantity of this fill (> 0).
    qty: float
    is_buy: bool
    #: Traded volume of the bar (of the part of it the order saw); 0.0 if unknown.
    bar_volume: float
    #: Standard deviation of per-bar log returns over the previous bars, known
    #: before this bar; ``math.nan`` if unknown or not asked for.
    volatility: float
    #: Half the quoted spread in price units when the data has bid/ask quotes
    #: (fills are then already at the far side); ``math.nan`` otherwise.
    half_spread: float


class SlippageModel(Protocol):
    """Prices the cost a liquidity-taking fill pays."""

    #: Whether :attr:`SlippageInput.volatility` is needed; the venue computes it only then.
    needs_volatility: bool

    def cost(self, fill: SlippageInput) -> float:
        """Adverse fraction of the reference price, ``>= 0`` (0.0005 = 5 bps)."""
        ...

    def describe(self) -> dict[str, Any]:
        """The model and its parameters as JSON (numbers as strings)."""
        ...


def apply_cost(reference: Decimal, cost: float, is_buy: bool, tick: Decimal) -> Decimal:
    """The executed price after a cost, on the tick grid and never flattering the fill.

    A buy pays ``reference * (1 + cost)`` rounded *up* to the tick, a sell
    receives ``reference * (1 - cost)`` rounded *down*.  A cost of 0 (or one
    that is not a positive number) leaves ``reference`` exactly as it is.  The
    cost is read to 12 significant digits, so float noise such as
    ``0.00030000000000000003`` cannot push a price one tick further.  A sell
    never executes below one tick, however large the cost.
    """
    if not cost > 0.0:
        return reference
    return _apply_factor(reference, Decimal(f"{cost:.12g}"), is_buy, tick)


def _apply_factor(reference: Decimal, factor: Decimal, is_buy: bool, tick: Decimal) -> Decimal:
    if not factor:
        return reference
    if is_buy:
        return quantize_to_step(reference * (1 + factor), tick, ROUND_CEILING)
    return max(quantize_to_step(reference * (1 - factor), tick, ROUND_FLOOR), tick)


class NoSlippage(Specified):
    """Fills at the reference price (an idealisation; useful to compare engines)."""

    spec_type = NoSlippageSpec
    needs_volatility = False

    def __init__(self) -> None:
        self.spec = NoSlippageSpec()

    def cost(self, fill: SlippageInput) -> float:
        return 0.0

    def slipped_price(self, reference: Decimal, is_buy: bool, tick: Decimal) -> Decimal:
        """Deprecated: the price after slippage; use :func:`apply_cost` with :meth:`cost`."""
        return reference


class FixedBpsSlippage(Specified):
    """A fixed cost of ``bps`` basis points against the taker: ``cost = bps / 10_000``.

    With :func:`apply_cost` a buy pays ``reference * (1 + bps/10_000)``
    rounded *up* to the tick, a sell receives ``reference * (1 - bps/10_000)``
    rounded *down*.  This is the constant-percentage model of LEAN's
    ``ConstantSlippageModel`` and backtrader's ``slip_perc``.

    Raises:
        InvalidRequest: if ``bps`` is negative or 10,000 and more.
    """

    spec_type = FixedBpsSlippageSpec
    needs_volatility = False

    def __init__(self, bps: Decimal | int | float | str) -> None:
        self.spec = spec = FixedBpsSlippageSpec.checked(bps=bps)
        self.bps = spec.bps
        self._factor = self.bps * BPS
        self._cost = float(self._factor)

    def cost(self, fill: SlippageInput) -> float:
        return self._cost

    def slipped_price(self, reference: Decimal, is_buy: bool, tick: Decimal) -> Decimal:
        """Deprecated: the price after slippage; use :func:`apply_cost` with :meth:`cost`."""
        return _apply_factor(reference, self._factor, is_buy, tick)


class HalfSpreadSlippage(Specified):
    """A taker crosses half the bid-ask spread: ``cost = spread_bps / 2 / 10_000``.

    Bars carry trades, not quotes, so the reference price stands in for the
    mid and the taker pays the *effective half-spread* on top of it, the
    standard measure of what immediacy costs (Harris, *Trading and Exchanges*,
    2003).  When the data has bid/ask quotes the fill rule has already
    priced the fill at the far side of the quote, so the model adds nothing.

    Raises:
        InvalidRequest: if ``spread_bps`` is negative or 20,000 and more.
    """

    spec_type = HalfSpreadSlippageSpec
    needs_volatility = False

    def __init__(self, spread_bps: Decimal | int | float | str) -> None:
        self.spec = spec = HalfSpreadSlippageSpec.checked(spread_bps=spread_bps)
        self.spread_bps = spec.spread_bps
        self._cost = float(self.spread_bps * BPS / 2)

    def cost(self, fill: SlippageInput) -> float:
        if math.isnan(fill.half_spread):
            return self._cost
        return 0.0


class VolumeShareSlippage(Specified):
    """Impact grows with the square of the fill's share of the bar's volume.

    ``cost = price_impact * min(qty / bar_volume, volume_limit) ** 2``, and 0
    when the bar's volume is 0 or unknown.  Defaults (0.1 and 0.025) are
    zipline's ``VolumeShareSlippage`` and LEAN's ``VolumeShareSlippageModel``:
    a fill of 2.5 % of the bar's volume or more costs 0.1 × 0.025² = 0.625 bps.
    Unlike zipline, the share here only caps the cost; how much may fill is
    the fill-quantity model's job (``VolumeParticipation``).

    Raises:
        InvalidRequest: if a parameter is negative, ``volume_limit`` above 1,
            or the largest cost ``price_impact * volume_limit ** 2`` 1 or more.
    """

    spec_type = VolumeShareSlippageSpec
    needs_volatility = False

    def __init__(
        self,
        price_impact: Decimal | float | str = "0.1",
        volume_limit: Decimal | float | str = "0.025",
    ) -> None:
        self.spec = spec = VolumeShareSlippageSpec.checked(
            price_impact=price_impact, volume_limit=volume_limit
        )
        self.price_impact = spec.price_impact
        self.volume_limit = spec.volume_limit
        self._impact = float(self.price_impact)
        self._limit = float(self.volume_limit)

    def cost(self, fill: SlippageInput) -> float:
        if not fill.bar_volume > 0.0:
            return 0.0
        share = min(fill.qty / fill.bar_volume, self._limit)
        return self._impact * share * share


class SquareRootImpact(Specified):
    """The square-root law of market impact: ``cost = min(k·σ·√(qty/V), max_cost)``.

    ``σ`` is the standard deviation of per-bar log returns over the previous
    :data:`DEFAULT_VOLATILITY_WINDOW` bars and ``V`` the bar's volume; the cost
    is 0 while ``σ`` is unknown (too little history) or ``V`` is 0.  Measuring
    both per bar makes the formula independent of the bar length: σ grows
    like √T and V like T, so σ_bar·√(Q/V_bar) = σ_day·√(Q/V_day).  ``k`` is of
    order 1 in every study; ``max_cost`` bounds what a fill far larger than
    the bar can cost, where the law is no longer measured.

    Sources: Almgren, Thum, Hauptmann & Li (2005), "Direct Estimation of
    Equity Market Impact"; Tóth et al. (2011), "Anomalous price impact and the
    critical nature of liquidity in financial markets"; Bouchaud, Bonart,
    Donier & Gould (2018), *Trades, Quotes and Prices*, ch. 12.

    Raises:
        InvalidRequest: if ``k`` is negative or ``max_cost`` is outside [0, 1).
    """

    spec_type = SquareRootImpactSpec
    needs_volatility = True

    def __init__(
        self, k: Decimal | float | str = "1.0", max_cost: Decimal | float | str = "0.05"
    ) -> None:
        self.spec = spec = SquareRootImpactSpec.checked(k=k, max_cost=max_cost)
        self.k = spec.k
        self.max_cost = spec.max_cost
        self._k = float(self.k)
        self._max = float(self.max_cost)

    def cost(self, fill: SlippageInput) -> float:
        # Also 0 for σ = 0 or k = 0: a fill far beyond a tiny volume must not make 0 × ∞.
        if not (fill.volatility > 0.0 and fill.bar_volume > 0.0 and self._k > 0.0):
            return 0.0
        return min(self._k * fill.volatility * math.sqrt(fill.qty / fill.bar_volume), self._max)


class CompositeSlippage(Specified):
    """The sum of several models' costs, e.g. half the spread plus market impact.

    Raises:
        InvalidRequest: if ``parts`` is empty.
    """

    spec_type = CompositeSlippageSpec

    def __init__(self, parts: Iterable[SlippageModel]) -> None:
        self.parts = tuple(parts)
        self.spec = CompositeSlippageSpec.checked(parts=[part.describe() for part in self.parts])
        self.needs_volatility = any(part.needs_volatility for part in self.parts)

    def cost(self, fill: SlippageInput) -> float:
        return sum(part.cost(fill) for part in self.parts)
