"""Slippage models: how much worse than the reference price a taker fill executes."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Protocol

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.values import BPS, ZERO, quantize_to_step, to_decimal


class SlippageModel(Protocol):
    """Turns a reference price into the price a liquidity-taking fill gets."""

    def slipped_price(self, reference: Decimal, is_buy: bool, tick: Decimal) -> Decimal:
        """The executed price: never better than ``reference`` for the taker."""
        ...


class NoSlippage:
    """Fills at the reference price (an idealisation; useful to compare engines)."""

    def slipped_price(self, reference: Decimal, is_buy: bool, tick: Decimal) -> Decimal:
        return reference

    def __repr__(self) -> str:
        return "NoSlippage()"


class FixedBpsSlippage:
    """A fixed cost of ``bps`` basis points against the taker.

    A buy pays ``reference * (1 + bps/10_000)`` rounded *up* to the tick, a sell
    receives ``reference * (1 - bps/10_000)`` rounded *down*: the rounding
    never flatters the fill.  This is the constant-percentage model of
    LEAN's ``ConstantSlippageModel`` and backtrader's ``slip_perc``.
    """

    def __init__(self, bps: Decimal | int | str) -> None:
        self.bps = to_decimal(bps, field="slippage bps")
        if self.bps < ZERO:
            raise InvalidRequest(f"slippage must not be negative, got {self.bps} bps")
        self._factor = self.bps * BPS

    def slipped_price(self, reference: Decimal, is_buy: bool, tick: Decimal) -> Decimal:
        if is_buy:
            return quantize_to_step(reference * (1 + self._factor), tick, ROUND_CEILING)
        return quantize_to_step(reference * (1 - self._factor), tick, ROUND_FLOOR)

    def __repr__(self) -> str:
        return f"FixedBpsSlippage(bps={self.bps})"
