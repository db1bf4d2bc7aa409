"""Where, inside one bar, an order executes.

A bar tells us four prices but not the path between them.  We assume the price
moves in straight lines through four points: the open, one extreme, the other
extreme, the close.  :class:`IntrabarPath` chooses which extreme comes first:

- ``OHLC``: open → high → low → close.
- ``OLHC``: open → low → high → close.
- ``ADAPTIVE`` (default): the extreme nearer the open is visited first, the
  common heuristic (NautilusTrader's adaptive bar ordering); on a tie, a bar
  that closes down is assumed to rise first (``OHLC``) and one that closes up
  to fall first (``OLHC``).

Rules for a buy (a sell is the mirror image; see :func:`match`):

- market: fills at the open (the first price after the decision).
- limit ``L``: open <= L fills at the open (the bar gapped through the limit;
  the better price is the open); otherwise low <= L fills at ``L`` (a touch
  counts as a fill: optimistic for queue position, which a later model refines).
- stop ``S``: open >= S fills at the open (gap through the stop: the stop
  became a market order at the open, a *worse* price than ``S``); otherwise
  high >= S fills at ``S``.
- stop-limit ``S``/``L``: triggers as a stop; at the trigger price (``S``, or the
  open on a gap) it fills there if that price is within the limit, else it
  rests as a limit for the rest of the path and fills at ``L`` if the path
  after the trigger comes back to it.

Only prices reached *after* the order arrived count; the venue guarantees an
order never meets the bar on which it was decided.
"""

from __future__ import annotations

from enum import StrEnum

from paperbroker.model.enums import OrderType
from paperbroker.model.fill import FillRule


class IntrabarPath(StrEnum):
    OHLC = "OHLC"
    OLHC = "OLHC"
    ADAPTIVE = "adaptive"

    def resolve(self, open_: float, high: float, low: float, close: float) -> str:
        """The concrete path (``"OHLC"`` or ``"OLHC"``) assumed for one bar."""
        if self is not IntrabarPath.ADAPTIVE:
            return self.value
        to_high = high - open_
        to_low = open_ - low
        if to_high == to_low:
            return "OHLC" if close < open_ else "OLHC"
        return "OHLC" if to_high < to_low else "OLHC"


Match = tuple[FillRule, float]


def match(
    order_type: OrderType,
    is_buy: bool,
    limit: float,
    stop: float,
    open_: float,
    high: float,
    low: float,
    close: float,
    path: str,
) -> Match | None:
    """The rule and reference price at which an order executes on a bar, if it does.

    ``limit``/``stop`` are ignored by order types that have none.  Sells are
    matched as buys on the negated price axis, so one set of rules serves both.
    """
    first, second = (high, low) if path == "OHLC" else (low, high)
    if is_buy:
        return _match_buy(order_type, limit, stop, (open_, first, second, close), low, high)
    found = _match_buy(order_type, -limit, -stop, (-open_, -first, -second, -close), -high, -low)
    return None if found is None else (found[0], -found[1])


def match_at_open(
    order_type: OrderType, is_buy: bool, limit: float, stop: float, open_: float
) -> Match | None:
    """What an order does at a bar's open alone, the first price after it arrived.

    Used for ``ioc``/``fok`` orders (immediate: nothing later in the bar counts)
    and while a bar is still in progress (only its open is known).  The rules
    are those of :func:`match` at the open point: a market order fills, a
    limit the open has reached fills at the open, a stop the open gapped
    through fills at the open, a stop-limit whose gap open is within its limit
    fills there.
    """
    if order_type is OrderType.MARKET:
        return FillRule.MARKET_AT_OPEN, open_
    sign = 1.0 if is_buy else -1.0
    price = sign * open_
    if order_type is OrderType.LIMIT:
        return (FillRule.LIMIT_AT_OPEN, open_) if price <= sign * limit else None
    if order_type is OrderType.STOP:
        return (FillRule.STOP_GAP_AT_OPEN, open_) if price >= sign * stop else None
    if price >= sign * stop and price <= sign * limit:
        return FillRule.STOP_LIMIT_AT_TRIGGER, open_
    return None


def _match_buy(
    order_type: OrderType,
    limit: float,
    stop: float,
    points: tuple[float, float, float, float],
    low: float,
    high: float,
) -> Match | None:
    open_ = points[0]
    if order_type is OrderType.MARKET:
        return FillRule.MARKET_AT_OPEN, open_
    if order_type is OrderType.LIMIT:
        if open_ <= limit:
            return FillRule.LIMIT_AT_OPEN, open_
        return (FillRule.LIMIT_TOUCHED, limit) if low <= limit else None
    if order_type is OrderType.STOP:
        if open_ >= stop:
            return FillRule.STOP_GAP_AT_OPEN, open_
        return (FillRule.STOP_TRIGGERED, stop) if high >= stop else None
    return _match_stop_limit_buy(limit, stop, points)


def _match_stop_limit_buy(
    limit: float, stop: float, points: tuple[float, float, float, float]
) -> Match | None:
    if points[0] >= stop:
        trigger_price, after = points[0], 1
    else:
        # Price starts below the stop: the first point at or above it ends the
        # segment during which the stop triggered (exactly at the stop price).
        for index in (1, 2, 3):
            if points[index] >= stop:
                trigger_price, after = stop, index
                break
        else:
            return None
    if trigger_price <= limit:
        return FillRule.STOP_LIMIT_AT_TRIGGER, trigger_price
    # The limit sits below the trigger: it fills only if the rest of the path dips to it.
    if min(points[after:]) <= limit:
        return FillRule.STOP_LIMIT_TOUCHED, limit
    return None
