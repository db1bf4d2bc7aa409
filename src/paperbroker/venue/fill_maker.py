"""Turning a match into a fill: quantity, slippage, funds and fees, then the fill event.

A matched order gets the rule and price the matching found; here the
fill-quantity model caps what the bar's volume allows, the slippage model
moves the price (never across a limit), the account's funds cap what a
buy can pay for, the fee model prices the fill, and the fill is emitted.
The market facts these models read live here too: what orders took from
each bar so far, and the per-series volatility and running volume caches.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from paperbroker.core.clock import Clock
from paperbroker.core.ids import IdFactory
from paperbroker.data.series import BarSeries, FloatArray
from paperbroker.model.enums import LiquiditySide, TimeInForce
from paperbroker.model.events import OrderCanceled, OrderEvent, OrderFilled, OrderSized
from paperbroker.model.fill import Fill, FillRule
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import Order
from paperbroker.model.values import ZERO, price_on_grid, quantize_to_step
from paperbroker.venue.bar_view import BarView, model_name
from paperbroker.venue.book import WorkingBook
from paperbroker.venue.commission import NoCommission, OrderFees
from paperbroker.venue.fill_quantity import FullFill, QuantityInput
from paperbroker.venue.slippage import (
    DEFAULT_VOLATILITY_WINDOW,
    NoSlippage,
    SlippageInput,
    apply_cost,
)
from paperbroker.venue.working import Working, rolling_volatility

if TYPE_CHECKING:
    from paperbroker.venue.venue import VenueConfig

_AT_LIMIT: Final = frozenset({FillRule.LIMIT_TOUCHED, FillRule.STOP_LIMIT_TOUCHED})
_FOK: Final = TimeInForce.FOK
_MAKER: Final = LiquiditySide.MAKER
_TAKER: Final = LiquiditySide.TAKER
_MARKET_AT_OPEN: Final = FillRule.MARKET_AT_OPEN
#: A named tuple from a tuple of all its fields, without the call to the generated
#: constructor (which sorts out defaults and keywords): for the tuples every order builds.
_tuple_new: Final[Callable[..., Any]] = tuple.__new__
_NAN: Final = math.nan

#: Given an order, a quantity and the price it would fill at, how much of that
#: quantity the account can pay for.  Cash accounts cannot spend money they do not have.
FundsGuard = Callable[[Order, Decimal, Decimal], Decimal]


class FillMaker:
    """Fills what the models allow of a matched order and emits the fill.

    ``taken[i]`` is the ``(row, quantity)`` the orders of instrument ``i``
    took from that bar so far: the orders one bar fills share its volume.
    """

    def __init__(
        self,
        series: list[BarSeries],
        config: VenueConfig,
        book: WorkingBook,
        clock: Clock,
        ids: IdFactory,
        emit: Callable[[OrderEvent], None],
        funds: FundsGuard | None,
    ) -> None:
        self.series = series
        self.instruments: list[Instrument] = [s.instrument for s in series]
        self.config = config
        self._book = book
        self._clock = clock
        self._ids = ids
        self._emit = emit
        self._funds = funds
        self.taken: list[tuple[int, Decimal]] = [(-1, ZERO)] * len(series)
        self._volatility: list[FloatArray | None] = [None] * len(series)
        self._volume_sums: list[FloatArray | None] = [None] * len(series)
        self._model = model_name(config.slippage.describe())
        # The ideal models answer the same for every fill (all of it, no cost, no
        # fee): asked once here instead of at every fill.  Exact classes only, so a
        # subclass with its own answers is always asked.
        self.full_fill = type(config.fill_quantity) is FullFill
        self._no_slippage = type(config.slippage) is NoSlippage
        self._no_fees = type(config.commission) is NoCommission
        #: Whether any model reads the volume a fill sees (else it need not be worked out).
        self.reads_volume = not (self.full_fill and self._no_slippage)
        #: Whether every matched order fills completely (the fill-quantity model is
        #: ``FullFill``): :meth:`fits` need not be asked.

    def execute(
        self,
        working: Working,
        sides: BarView,
        found: tuple[FillRule, float],
        fill_path: str,
        volume: float,
    ) -> str:
        """Fill what the models allow of a matched order; return why not all of it ("" if all).

        ``volume`` is the volume the models see: the bar's own over the part
        of it the order saw, or at the bar's entry the expected one (``nan``
        when none is known).
        """
        order = working.order
        rule, matched = found
        if rule is _MARKET_AT_OPEN:  # the common case, as _reference prices it
            reference = price_on_grid(matched, self.instruments[working.index].tick_size)
            liquidity = _TAKER
        else:
            reference, liquidity = self._reference(working, rule, matched)
        if order.notional is not None and not order.qty:  # not order.is_sized
            units = quantize_to_step(order.notional / reference, working.step, ROUND_FLOOR)
            # One spelling per quantity: "10", "2.5", never "10.000000000".
            units = units.quantize(1) if units == units.to_integral_value() else units.normalize()
            if not units:
                return "notional is less than one unit at the market price"
            self._emit(OrderSized(self._clock.now_ns(), order.id, units, reference))
        qty = order.qty - order.filled_qty  # order.leaves_qty, without the call
        shortfall = ""
        if self.full_fill:
            available = None
        else:
            available = self.config.fill_quantity.available(
                QuantityInput(
                    volume, sides.taken, working.step, qty, self._ids.draw_key(order.id),
                    sides.bar[1],
                )
            )  # fmt: skip
        if available is not None and available < qty:
            qty, shortfall = available, "not enough volume"
        price = (
            reference
            if self._no_slippage
            else self._price(working, reference, rule, liquidity, qty, volume, sides)
        )
        if self._funds is not None and working.is_buy:
            affordable = self._funds(order, qty, price)
            if affordable < qty:
                qty, shortfall = affordable, "insufficient cash at execution"
        if shortfall and order.time_in_force is _FOK:
            self._book.close(working, OrderCanceled, f"fok: {shortfall} to fill in full")
            return shortfall
        if qty > ZERO:
            self._fill(working, qty, rule, reference, price, liquidity, sides.bar[1], fill_path)
            sides.taken += qty
            self.taken[sides.index] = (sides.row, sides.taken)
        return shortfall

    def fits(self, working: Working, sides: BarView, volume: float) -> bool:
        """Whether the fill-quantity model lets the whole order fill on ``volume``."""
        order = working.order
        if self.full_fill or not order.is_sized:
            return True  # all of it fits; or sized at its price: the model sees it then
        available = self.config.fill_quantity.available(
            QuantityInput(
                volume,
                sides.taken,
                working.step,
                order.leaves_qty,
                self._ids.draw_key(order.id),
                sides.bar[1],
            )
        )
        return available is None or available >= order.leaves_qty

    def volume_sums(self, index: int) -> FloatArray:
        """Instrument ``index``'s running volume: element ``r`` sums rows before ``r``."""
        sums = self._volume_sums[index]
        if sums is None or len(sums) <= len(self.series[index]):  # a live series grew
            volume = np.asarray(self.series[index].volume, dtype=np.float64)
            sums = np.concatenate(([0.0], np.cumsum(volume)))
            self._volume_sums[index] = sums
        return sums

    def _reference(
        self, working: Working, rule: FillRule, matched: float
    ) -> tuple[Decimal, LiquiditySide]:
        """The price a rule produced, on the grid, and who provided liquidity."""
        order = working.order
        tick = self.instruments[working.index].tick_size
        if rule in _AT_LIMIT and order.limit_price is not None:
            return order.limit_price, _MAKER
        if rule is FillRule.STOP_TRIGGERED and not order.is_trailing:
            return order.stop_price or price_on_grid(matched, tick), _TAKER
        if rule is FillRule.STOP_LIMIT_AT_TRIGGER and matched == working.stop:
            return order.stop_price or price_on_grid(matched, tick), _TAKER
        return price_on_grid(matched, tick), _TAKER

    def _price(
        self,
        working: Working,
        reference: Decimal,
        rule: FillRule,
        liquidity: LiquiditySide,
        qty: Decimal,
        volume: float,
        sides: BarView,
    ) -> Decimal:
        """The price paid after slippage: a limit is a promise slippage never crosses."""
        if liquidity is _MAKER or not qty or self._no_slippage:
            return reference
        index = working.index
        volatility = _NAN
        if self.config.slippage.needs_volatility:
            volatility = float(self._volatility_of(index)[sides.row])
        cost = self.config.slippage.cost(
            SlippageInput(
                float(reference), float(qty), working.is_buy, volume, volatility,
                sides.half_spread(),
            )
        )  # fmt: skip
        if not cost:
            return reference
        price = apply_cost(reference, cost, working.is_buy, self.instruments[index].tick_size)
        limit = working.order.limit_price
        if limit is not None:
            price = min(price, limit) if working.is_buy else max(price, limit)
        return price

    def _volatility_of(self, index: int) -> FloatArray:
        values = self._volatility[index]
        if values is None or len(values) < len(self.series[index]):  # a live series grew
            values = rolling_volatility(self.series[index], DEFAULT_VOLATILITY_WINDOW)
            self._volatility[index] = values
        return values

    def _fill(
        self,
        working: Working,
        qty: Decimal,
        rule: FillRule,
        reference: Decimal,
        price: Decimal,
        liquidity: LiquiditySide,
        bar_ts: int,
        path: str,
    ) -> None:
        order = working.order
        if self._no_fees:
            fee = ZERO
        else:
            fee = self.config.commission.fill_fee(
                OrderFees(order.filled_qty, working.filled_notional, working.fee_paid),
                qty, price, liquidity, working.is_buy,
            )  # fmt: skip
        working.filled_notional += qty * price
        working.fee_paid += fee
        now = self._clock.now_ns()
        slippage = price - reference if working.is_buy else reference - price
        model = self._model if liquidity is _TAKER else "none"
        # Positional, in Fill's field order: this runs once per fill.
        fill: Fill = _tuple_new(Fill, (
            self._ids.fill_id(), order.id, order.symbol, order.side, qty, price, fee, now,
            liquidity, rule, reference, slippage, path, bar_ts, order.account_id, model,
            working.latency_ns,
        ))  # fmt: skip
        book = self._book
        failed = None
        if order.qty - order.filled_qty == qty:  # it fills what the order leaves
            failed = book.forget(working)  # before the event: callbacks see it gone
        filled: OrderFilled = _tuple_new(OrderFilled, (now, order.id, fill))
        self._emit(filled)
        if failed is not None:
            book.fail_replacement(working, failed)
