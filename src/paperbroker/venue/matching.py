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

from collections.abc import Callable
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


class FillTiming(StrEnum):
    """When an order decided on a bar's close may first trade.

    - ``next_bar`` (default): no earlier than the next bar's open; the decision
      never meets the prices it was made on.
    - ``signal_close``: a market order decided at a bar's close fills at that
      close (the ``signal_close`` rule), as LEAN fills market orders on minute
      bars and as backtesting.py's ``trade_on_close=True`` and backtrader's
      cheat-on-close do.  Optimistic: nobody trades at the very price they
      decided on.  Every other order keeps the next-bar rule.
    """

    NEXT_BAR = "next_bar"
    SIGNAL_CLOSE = "signal_close"


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
    limit: float, stop: float, points: tuple[float, ...] | list[float]
) -> Match | None:
    if points[0] >= stop:
        trigger_price, after = points[0], 1
    else:
        # Price starts below the stop: the first point at or above it ends the
        # segment during which the stop triggered (exactly at the stop price).
        for index in range(1, len(points)):
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


# -- orders that see only part of a bar ----------------------------------------
# An order that reaches the venue while a bar is in progress (latency), or a
# cancel that reaches it then, splits the bar's path in time.  The path is
# walked at constant speed: each of its three legs takes a third of the bar,
# so the open is at 0, the first extreme at 1/3, the second at 2/3 and the
# close at 1.

_AT_ARRIVAL = {
    FillRule.MARKET_AT_OPEN: FillRule.MARKET_AT_ARRIVAL,
    FillRule.LIMIT_AT_OPEN: FillRule.LIMIT_AT_ARRIVAL,
    FillRule.STOP_GAP_AT_OPEN: FillRule.STOP_GAP_AT_ARRIVAL,
}


def path_points(
    open_: float, high: float, low: float, close: float, path: str
) -> tuple[float, float, float, float]:
    """The four points of a bar's assumed path (``path`` is ``"OHLC"`` or ``"OLHC"``)."""
    return (open_, high, low, close) if path == "OHLC" else (open_, low, high, close)


def price_at(points: tuple[float, float, float, float], t: float) -> float:
    """The path's price at time ``t`` (0 = open, 1 = close)."""
    leg = min(int(t * 3), 2)
    start = points[leg]
    return start + (points[leg + 1] - start) * (t * 3 - leg)


def window(points: tuple[float, float, float, float], start: float, end: float) -> list[float]:
    """The path between times ``start`` and ``end``: its price at ``start``, the
    corners in between, and its price at ``end``."""
    result = [price_at(points, start)]
    for corner in (1, 2):
        if start < corner / 3 < end:
            result.append(points[corner])
    result.append(price_at(points, end))
    return result


def at_arrival(found: Match | None) -> Match | None:
    """A match made at the first price an order saw mid-bar, named for its arrival."""
    if found is None:
        return None
    return _AT_ARRIVAL.get(found[0], found[0]), found[1]


def match_path(
    order_type: OrderType,
    is_buy: bool,
    limit: float,
    stop: float,
    points: list[float],
    at_open: bool,
) -> Match | None:
    """:func:`match` for a piece of a path: ``points[0]`` is the first price the
    order saw (the open when ``at_open``, else its price on arrival)."""
    if is_buy:
        found = _match_buy_path(order_type, limit, stop, points)
    else:
        negated = [-p for p in points]
        found = _match_buy_path(order_type, -limit, -stop, negated)
        if found is not None:
            found = (found[0], -found[1])
    return found if at_open else at_arrival(found)


def _match_buy_path(
    order_type: OrderType, limit: float, stop: float, points: list[float]
) -> Match | None:
    entry = points[0]
    rest = points[1:]
    if order_type is OrderType.MARKET:
        return FillRule.MARKET_AT_OPEN, entry
    if order_type is OrderType.LIMIT:
        if entry <= limit:
            return FillRule.LIMIT_AT_OPEN, entry
        return (FillRule.LIMIT_TOUCHED, limit) if min(rest) <= limit else None
    if order_type is OrderType.STOP:
        if entry >= stop:
            return FillRule.STOP_GAP_AT_OPEN, entry
        return (FillRule.STOP_TRIGGERED, stop) if max(rest) >= stop else None
    return _match_stop_limit_buy(limit, stop, points)


def match_trailing(
    is_buy: bool, mark: float, stop_of: Callable[[float], float], points: list[float], at_open: bool
) -> tuple[Match | None, float]:
    """Walk a trailing stop along a path; return the match (if any) and the new mark.

    ``mark`` is the high-water mark of a sell (the low-water mark of a buy)
    and ``stop_of(mark)`` the stop price it implies.  The mark ratchets with
    every new extreme in the order's favour; the stop triggers when the price
    comes back to it, and fills at the stop (at the first price seen, if that
    is already through it).
    """
    sign = 1.0 if is_buy else -1.0
    # Work on the sell side: a buy is the mirror image on the negated axis.
    high = -sign * mark

    def level(h: float) -> float:
        return -sign * stop_of(-sign * h)

    entry = -sign * points[0]
    if entry <= level(high):
        rule = FillRule.STOP_GAP_AT_OPEN if at_open else FillRule.STOP_GAP_AT_ARRIVAL
        return (rule, points[0]), mark
    high = max(high, entry)
    previous = entry
    for raw in points[1:]:
        price = -sign * raw
        if price > previous:
            high = max(high, price)
        else:
            stop = level(high)
            if price <= stop:
                return (FillRule.STOP_TRIGGERED, -sign * stop), -sign * high
        previous = price
    return None, -sign * high


def reach_time(
    points: tuple[float, float, float, float], start: float, level: float, upward: bool
) -> float | None:
    """The first time from ``start`` at which the path reaches ``level`` from below
    (``upward``) or from above; ``None`` if it never does in the bar."""
    sign = 1.0 if upward else -1.0
    first = sign * price_at(points, start)
    target = sign * level
    if first >= target:
        return start
    previous, previous_t = first, start
    for corner in (1, 2, 3):
        t = corner / 3
        if t <= start:
            continue
        price = sign * points[corner]
        if price >= target:
            return previous_t + (t - previous_t) * (target - previous) / (price - previous)
        previous, previous_t = price, t
    return None
