"""One bar as the venue's orders see it, and small helpers of the matching loop."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from paperbroker.data.bar import Bar
from paperbroker.model.enums import OrderType, TimeInForce
from paperbroker.model.fill import FillRule
from paperbroker.model.values import ZERO, price_on_grid
from paperbroker.venue.matching import (
    Match,
    at_arrival,
    match,
    match_at_open,
    match_path,
    match_trailing,
    path_points,
    price_at,
    reach_time,
    window,
)
from paperbroker.venue.working import Working, trailing_stop

if TYPE_CHECKING:
    from paperbroker.venue.fill_maker import FillMaker

_NAN: Final = math.nan
#: How many earlier bars a bar's expected volume averages.
EXPECTED_VOLUME_WINDOW: Final = 20
_TRAILING: Final = OrderType.TRAILING_STOP
_IMMEDIATE: Final = frozenset({TimeInForce.IOC, TimeInForce.FOK})


class BarView:
    """One bar as each side of the market sees it (bid for sells, ask for buys with quotes)."""

    __slots__ = ("_expected", "_fills", "_paths", "bar", "index", "row", "taken")

    def __init__(self, fills: FillMaker, index: int, bar: Bar, row: int) -> None:
        self._fills = fills
        self.index = index
        self.bar = bar
        self.row = row
        taken_row, taken = fills.taken[index]
        self.taken = taken if taken_row == row else ZERO  # what earlier orders took from it
        self._paths: dict[bool, str] = {}
        self._expected: float | None = None

    def expected_volume(self) -> float:
        """The bar's volume as known before it: the mean of the previous bars' volumes.

        The mean of the :data:`EXPECTED_VOLUME_WINDOW` bars before this one
        (fewer at the start of the series; ``nan`` for its first bar).
        """
        expected = self._expected
        if expected is None:
            row = self.row
            first = max(row - EXPECTED_VOLUME_WINDOW, 0)
            sums = self._fills.volume_sums(self.index)
            expected = float(sums[row] - sums[first]) / (row - first) if row else _NAN
            self._expected = expected
        return expected

    def prices(self, is_buy: bool) -> tuple[float, float, float, float]:
        quotes = self._fills.series[self.index].quotes
        if quotes is None:
            bar = self.bar
            return bar[2], bar[3], bar[4], bar[5]
        r = self.row
        if is_buy:
            return (
                float(quotes.ask_open[r]), float(quotes.ask_high[r]),
                float(quotes.ask_low[r]), float(quotes.ask_close[r]),
            )  # fmt: skip
        return (
            float(quotes.bid_open[r]), float(quotes.bid_high[r]),
            float(quotes.bid_low[r]), float(quotes.bid_close[r]),
        )  # fmt: skip

    def path(self, is_buy: bool) -> str:
        path = self._paths.get(is_buy)
        if path is None:
            path = self._paths[is_buy] = self._fills.config.intrabar.resolve(*self.prices(is_buy))
        return path

    def points(self, is_buy: bool) -> tuple[float, float, float, float]:
        return path_points(*self.prices(is_buy), self.path(is_buy))

    def half_spread(self) -> float:
        quotes = self._fills.series[self.index].quotes
        if quotes is None:
            return _NAN
        r = self.row
        return (float(quotes.ask_open[r]) - float(quotes.bid_open[r])) / 2


def touch_time(working: Working, sides: BarView, start: float) -> float | None:
    """When in the bar an order's price is first reached (``None``: not in this bar)."""
    order = working.order
    points = sides.points(working.is_buy)
    kind = order.order_type
    if kind is OrderType.LIMIT:
        return reach_time(points, start, working.limit, upward=not working.is_buy)
    if kind in (OrderType.STOP, OrderType.STOP_LIMIT, _TRAILING):
        return reach_time(points, start, working.stop, upward=working.is_buy)
    return start


def model_name(described: dict[str, object]) -> str:
    """A short name for a slippage model's description: ``half_spread+sqrt_impact``."""
    parts = described.get("parts")
    if isinstance(parts, list):
        return "+".join(model_name(p) for p in parts if isinstance(p, dict))
    return str(described.get("model", "none"))


def find(
    working: Working, sides: BarView, open_only: bool, start: float, end: float, tick: Decimal
) -> tuple[Match | None, str]:
    """The rule and price at which an order trades in its window of the bar, and the path."""
    order = working.order
    open_, high, low, close = sides.prices(working.is_buy)
    if order.is_trailing:
        return find_trailing(working, sides, open_only, start, end, tick)
    if open_only or order.time_in_force in _IMMEDIATE:
        if not start:
            found = match_at_open(
                order.order_type, working.is_buy, working.limit, working.stop, open_
            )
            return found, "open"
        entry = price_at(sides.points(working.is_buy), start)
        found = match_at_open(order.order_type, working.is_buy, working.limit, working.stop, entry)
        return at_arrival(found), f"arrival@{start:.4f}"
    path = sides.path(working.is_buy)
    if order.order_type is OrderType.MARKET:
        # A market order takes the first price it sees: the open, or its arrival's.
        if not start:
            return (FillRule.MARKET_AT_OPEN, open_), path
        price = price_at(sides.points(working.is_buy), start)
        return (FillRule.MARKET_AT_ARRIVAL, price), f"{path}[{start:.4f},{end:.4f}]"
    if start == 0.0 and end == 1.0:
        found = match(
            order.order_type, working.is_buy, working.limit, working.stop,
            open_, high, low, close, path,
        )  # fmt: skip
        return found, path
    points = window(sides.points(working.is_buy), start, end)
    found = match_path(
        order.order_type, working.is_buy, working.limit, working.stop, points, start == 0.0
    )
    return found, f"{path}[{start:.4f},{end:.4f}]"


def find_at_entry(
    working: Working, sides: BarView, start: float, tick: Decimal
) -> tuple[Match | None, str]:
    """The rule and price at which an order trades where it enters a bar, and the path.

    Only the open is known there: an order there by the open meets it
    (``start == 0``, rules ``*_at_open``); one arriving inside the bar
    (``start`` is the share of the bar gone by) meets it as the last price
    known at its arrival (rules ``*_at_arrival``).
    """
    order = working.order
    if order.is_trailing:
        found, label = find_trailing(working, sides, True, start, 1.0, tick)
    else:
        open_ = sides.prices(working.is_buy)[0]
        found = match_at_open(order.order_type, working.is_buy, working.limit, working.stop, open_)
        label = "open"
    if not start:
        return found, label
    return at_arrival(found), f"arrival@{start:.4f}"


def find_trailing(
    working: Working, sides: BarView, open_only: bool, start: float, end: float, tick: Decimal
) -> tuple[Match | None, str]:
    """:func:`find` for a trailing stop, which also moves its mark along the path."""
    points = sides.points(working.is_buy)
    if open_only:
        piece = [points[0]]
        label = "open"
    elif start == 0.0 and end == 1.0:
        piece = list(points)
        label = sides.path(working.is_buy)
    else:
        piece = window(points, start, end)
        label = f"{sides.path(working.is_buy)}[{start:.4f},{end:.4f}]"
    mark = working.mark
    if math.isnan(mark):
        mark = piece[0]  # no price before it arrived: its first price starts the mark
    found, new_mark = match_trailing(
        working.is_buy, mark, lambda m: trailing_stop(m, working, tick), piece, start == 0.0
    )
    if not open_only or found is not None:
        set_mark(working, new_mark, tick)
    return found, label


def set_mark(working: Working, mark: float, tick: Decimal) -> None:
    """Move a trailing stop's mark, and with it its stop price (on the order too)."""
    working.mark = mark
    working.stop = trailing_stop(mark, working, tick)
    order = working.order
    order.hwm = price_on_grid(mark, tick)
    order.stop_price = price_on_grid(working.stop, tick)
