"""Venue-side state of working orders, and the market facts the venue derives from bars."""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import numpy as np

from paperbroker.core.snapshot import flt, unflt
from paperbroker.data.series import BarSeries, FloatArray
from paperbroker.model.enums import OrderSide, OrderType, TimeInForce
from paperbroker.model.fill import FillRule
from paperbroker.model.order import Order
from paperbroker.model.values import ZERO, price_on_grid, quantize_to_step
from paperbroker.venue.matching import Match

# What a bar must reach to matter to an instrument's resting orders:
# (highest buy limit, lowest buy stop, lowest sell limit, highest sell stop, deadline).
Gate = tuple[float, float, float, float, float]
VISIT: Gate = (math.inf, -math.inf, -math.inf, math.inf, -math.inf)  # never skip
_IMMEDIATE = frozenset({TimeInForce.IOC, TimeInForce.FOK})
_AUCTION = frozenset({TimeInForce.OPG, TimeInForce.CLS})
_BUY = OrderSide.BUY
_MARKET = OrderType.MARKET
_LIMIT = OrderType.LIMIT
_TRAILING_STOP = OrderType.TRAILING_STOP
_DAY = TimeInForce.DAY

#: The smallest quantity step of a fractional order (Alpaca trades shares to 9 decimals).
FRACTION_STEP = Decimal("1e-9")


class Working:
    """What the venue keeps about one order it is working."""

    __slots__ = (
        "arrival_ns",
        "cancel_ns",
        "entry",
        "entry_row",
        "fee_paid",
        "filled_notional",
        "index",
        "is_buy",
        "latency_ns",
        "limit",
        "mark",
        "order",
        "replacement",
        "session_close_ns",
        "siblings",
        "step",
        "stop",
        "trail",
        "trail_factor",
    )

    def __init__(
        self,
        order: Order,
        index: int,
        arrival_ns: int,
        latency_ns: int,
        lot: Decimal,
        fractionable: bool = False,
    ) -> None:
        self.order = order
        self.index = index
        self.arrival_ns = arrival_ns
        self.latency_ns = latency_ns
        self.is_buy = order.side is _BUY
        self.limit = float(order.limit_price) if order.limit_price is not None else 0.0
        self.stop = float(order.stop_price) if order.stop_price is not None else 0.0
        self.session_close_ns = 0  # set when a day (or cls) order meets its first bar
        self.fee_paid = ZERO
        self.filled_notional = ZERO
        #: When a pending cancel reaches the venue (0: none pending).
        self.cancel_ns = 0
        #: A pending replacement: (when it reaches the venue, the new order, its latency).
        self.replacement: tuple[int, Order, int] | None = None
        #: Orders canceled when this one fills (the other side of an OCO pair).
        self.siblings: tuple[str, ...] = ()
        # Whole lots unless the order itself is fractional (or notional) on an
        # instrument that trades fractions.
        whole = not fractionable or (order.notional is None and not order.qty % lot)
        self.step = lot if whole else min(lot, FRACTION_STEP)
        # A trailing stop: a fixed distance, or a factor of the mark (1 - p for a sell),
        # exact decimals so a stop that lands on a tick stays on it.
        self.trail = order.trail_price if order.trail_price is not None else ZERO
        self.trail_factor = ZERO
        if order.trail_percent is not None:
            percent = order.trail_percent / 100
            self.trail_factor = 1 + percent if self.is_buy else 1 - percent
        #: A trailing stop's high-water mark (low-water for a buy); nan until known.
        self.mark = math.nan
        #: The row of the last bar it entered, and what matched there (rule and
        #: price, and the path's label).
        self.entry_row = -1
        self.entry: tuple[Match, str] | None = None

    def to_state(self) -> dict[str, Any]:
        """What the venue knows of the order, for a checkpoint (orders by id)."""
        replacement = self.replacement
        entry = self.entry
        return {
            "order": self.order.id,
            "index": self.index,
            "arrival_ns": self.arrival_ns,
            "latency_ns": self.latency_ns,
            "limit": flt(self.limit),
            "stop": flt(self.stop),
            "session_close_ns": self.session_close_ns,
            "fee_paid": str(self.fee_paid),
            "filled_notional": str(self.filled_notional),
            "cancel_ns": self.cancel_ns,
            "replacement": None
            if replacement is None
            else [replacement[0], replacement[1].id, replacement[2]],
            "siblings": list(self.siblings),
            "step": str(self.step),
            "trail": str(self.trail),
            "trail_factor": str(self.trail_factor),
            "mark": flt(self.mark),
            "entry_row": self.entry_row,
            "entry": None if entry is None else [entry[0][0].value, flt(entry[0][1]), entry[1]],
        }

    def from_state(self, state: dict[str, Any], orders: Mapping[str, Order]) -> None:
        """Take the venue's view :meth:`to_state` wrote (its order was given to the
        constructor; ``orders`` finds a replacement on its way)."""
        self.limit = unflt(state["limit"])
        self.stop = unflt(state["stop"])
        self.session_close_ns = int(state["session_close_ns"])
        self.fee_paid = Decimal(state["fee_paid"])
        self.filled_notional = Decimal(state["filled_notional"])
        self.cancel_ns = int(state["cancel_ns"])
        replacement = state["replacement"]
        self.replacement = (
            None
            if replacement is None
            else (int(replacement[0]), orders[replacement[1]], int(replacement[2]))
        )
        self.siblings = tuple(state["siblings"])
        self.step = Decimal(state["step"])
        self.trail = Decimal(state["trail"])
        self.trail_factor = Decimal(state["trail_factor"])
        self.mark = unflt(state["mark"])
        self.entry_row = int(state["entry_row"])
        entry = state["entry"]
        self.entry = (
            None if entry is None else ((FillRule(entry[0]), unflt(entry[1])), str(entry[2]))
        )

    @property
    def pending_ns(self) -> int:
        """When the earliest pending cancel or replacement arrives (0: none)."""
        if self.replacement is not None:
            return self.replacement[0]
        return self.cancel_ns


def trailing_stop(mark: float, working: Working, tick: Decimal) -> float:
    """The stop a trailing order's mark implies, on the tick grid away from the market.

    Computed in decimals from the mark on its grid: 5 % below 51.00 is 48.45
    exactly, not a float a hair below it that would round down a tick.
    """
    exact = price_on_grid(mark, tick)
    if working.trail_factor:
        level = exact * working.trail_factor
    else:
        level = exact + working.trail if working.is_buy else exact - working.trail
    rounding = ROUND_CEILING if working.is_buy else ROUND_FLOOR
    return float(quantize_to_step(level, tick, rounding))


def rolling_volatility(series: BarSeries, window: int) -> FloatArray:
    """Per bar, the std of the ``window`` log returns that closed before it opened.

    Row ``r`` uses the returns of bars ``r - window`` … ``r - 1``, all known when
    bar ``r`` opens; earlier rows are ``nan``.
    """
    closes = np.asarray(series.close, dtype=np.float64)
    result = np.full(closes.shape[0], np.nan)
    returns = np.diff(np.log(closes))
    if returns.shape[0] < window:
        return result
    sums = np.concatenate(([0.0], np.cumsum(returns)))
    squares = np.concatenate(([0.0], np.cumsum(returns * returns)))
    total = sums[window:] - sums[:-window]
    total_sq = squares[window:] - squares[:-window]
    variance = np.maximum(total_sq - total * total / window, 0.0) / (window - 1)
    # variance[k] covers returns k .. k+window-1, the last ending at bar k+window.
    result[window + 1 :] = np.sqrt(variance[:-1])
    return result


def gate_of(workings: list[Working], pending: bool) -> Gate:
    """The prices and time a bar must reach to matter to instrument ``index``'s orders."""
    if pending:
        return VISIT
    buy_limit = sell_stop = -math.inf
    buy_stop = sell_limit = deadline = math.inf
    for working in workings:
        order = working.order
        kind = order.order_type
        tif = order.time_in_force
        if kind is _MARKET or kind is _TRAILING_STOP or tif in _IMMEDIATE or tif in _AUCTION:
            return VISIT
        if tif is _DAY:
            if not working.session_close_ns:
                return VISIT  # not bound to its session yet
            deadline = min(deadline, working.session_close_ns)
        if working.is_buy:
            if kind is _LIMIT:
                buy_limit = max(buy_limit, working.limit)
            else:  # a stop, or a stop-limit that must trigger first
                buy_stop = min(buy_stop, working.stop)
        elif kind is _LIMIT:
            sell_limit = min(sell_limit, working.limit)
        else:
            sell_stop = max(sell_stop, working.stop)
    return buy_limit, buy_stop, sell_limit, sell_stop, deadline
