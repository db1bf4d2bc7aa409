"""Fills: one execution of (part of) an order, with the evidence of how it was priced."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any, NamedTuple

from paperbroker.core.clock import ns_to_text
from paperbroker.core.ids import AccountId, FillId, OrderId
from paperbroker.model.enums import LiquiditySide, OrderSide

_BUY = OrderSide.BUY  # enum attribute lookups are slow on hot paths


class FillRule(StrEnum):
    """Which matching rule produced a fill's reference price (see docs/fill-models.md)."""

    MARKET_AT_OPEN = "market_at_open"
    LIMIT_AT_OPEN = "limit_at_open"  # the bar opened through the limit: filled at the better open
    LIMIT_TOUCHED = "limit_touched"  # the path reached the limit: filled at the limit
    STOP_GAP_AT_OPEN = "stop_gap_at_open"  # the bar opened through the stop: filled at the open
    STOP_TRIGGERED = "stop_triggered"  # the path crossed the stop: filled at the stop
    STOP_LIMIT_AT_TRIGGER = "stop_limit_at_trigger"  # triggered and the limit was marketable there
    STOP_LIMIT_TOUCHED = "stop_limit_touched"  # triggered, then the path came back to the limit
    # The order reached the venue while the bar was in progress (latency): the
    # first price it saw was the path's price at that moment, not the open.
    MARKET_AT_ARRIVAL = "market_at_arrival"
    LIMIT_AT_ARRIVAL = "limit_at_arrival"
    STOP_GAP_AT_ARRIVAL = "stop_gap_at_arrival"
    OPENING_AUCTION = "opening_auction"  # opg: the session's first bar's open
    CLOSING_AUCTION = "closing_auction"  # cls: the session's last bar's close
    # fill_timing signal_close: a market order filled at the close of the bar it was
    # decided on (optimistic: the price the decision was made on).
    SIGNAL_CLOSE = "signal_close"
    # A live session's fill: the broker executed it (its price is the broker's).
    BROKER = "broker"


class Fill(NamedTuple):
    """One execution (immutable).

    ``price`` is what was paid or received per unit, after slippage.
    ``reference_price`` is the price the matching rule produced before slippage;
    ``slippage`` is the adverse difference per unit (>= 0), so the cost of
    slippage for the fill is ``slippage * qty``.  ``path`` names the assumed
    intrabar order of extremes (``"OHLC"`` or ``"OLHC"``), and ``bar_ts`` the
    close time of the bar that produced the fill; ``account_id`` the account
    whose order it was.  ``model`` names the slippage model that priced it and
    ``latency_ns`` how long the order (or its replacement) took to reach the
    venue.
    """

    id: FillId
    order_id: OrderId
    symbol: str
    side: OrderSide
    qty: Decimal
    price: Decimal
    fee: Decimal
    ts: int
    liquidity: LiquiditySide
    rule: FillRule
    reference_price: Decimal
    slippage: Decimal
    path: str
    bar_ts: int
    account_id: AccountId
    model: str = "none"
    latency_ns: int = 0

    @property
    def signed_qty(self) -> Decimal:
        """Quantity with the sign of its effect on the position."""
        return self.qty if self.side is _BUY else -self.qty

    @property
    def notional(self) -> Decimal:
        return self.qty * self.price

    def __repr__(self) -> str:
        bar = "" if self.bar_ts == self.ts else f" bar={ns_to_text(self.bar_ts)}"
        latency = f" latency={self.latency_ns / 1e6:g}ms" if self.latency_ns else ""
        return (
            f"Fill({self.id} {self.order_id} {self.side} {self.qty} {self.symbol} @ {self.price} "
            f"fee={self.fee} at={ns_to_text(self.ts)}{bar} {self.rule} {self.liquidity} "
            f"reference={self.reference_price} slippage={self.slippage} path={self.path} "
            f"model={self.model}{latency} account={self.account_id})"
        )


def typed_equality(cls: type[Any]) -> None:
    """Make a named tuple class compare equal only to instances of the same class.

    Plain tuple equality ignores the type, so ``OrderAccepted(1, "O-1")`` would
    equal ``OrderExpired(1, "O-1")``; records of the domain must not.
    """

    def __eq__(self: tuple[Any, ...], other: object) -> bool:
        return type(self) is type(other) and tuple.__eq__(self, other)

    def __ne__(self: tuple[Any, ...], other: object) -> bool:
        return not __eq__(self, other)

    def __hash__(self: tuple[Any, ...]) -> int:
        return hash((type(self).__name__, *self))

    cls.__eq__ = __eq__  # type: ignore[assignment]
    cls.__ne__ = __ne__  # type: ignore[assignment]
    cls.__hash__ = __hash__  # type: ignore[assignment]


typed_equality(Fill)
