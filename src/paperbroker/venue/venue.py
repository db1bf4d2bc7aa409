"""The simulated venue: keeps working orders and matches them against bars.

No look-ahead, by construction: an order takes part in a bar only if it
reached the venue no later than the moment the bar *opened* (``ts -
duration``).  A decision made on bar t is submitted at t's close, which is
bar t+1's open at the earliest, so it can never meet bar t's prices.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from paperbroker.core.clock import Clock
from paperbroker.core.ids import IdFactory
from paperbroker.data.bar import Bar
from paperbroker.model.enums import LiquiditySide, OrderSide, OrderType, TimeInForce
from paperbroker.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
)
from paperbroker.model.fill import Fill, FillRule
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import OPEN_STATUSES, Order
from paperbroker.model.values import ZERO, price_on_grid
from paperbroker.venue.commission import CommissionModel, NoCommission
from paperbroker.venue.fill_quantity import FillQuantityModel, FullFill
from paperbroker.venue.matching import IntrabarPath, match, match_at_open
from paperbroker.venue.slippage import NoSlippage, SlippageModel

_AT_LIMIT = frozenset({FillRule.LIMIT_TOUCHED, FillRule.STOP_LIMIT_TOUCHED})
_IMMEDIATE = frozenset({TimeInForce.IOC, TimeInForce.FOK})
_DAY = TimeInForce.DAY
_FOK = TimeInForce.FOK
_MAKER = LiquiditySide.MAKER
_TAKER = LiquiditySide.TAKER

# (highest buy limit, lowest buy stop, lowest sell limit, highest sell stop, deadline)
_Gate = tuple[float, float, float, float, float]
_VISIT: _Gate = (math.inf, -math.inf, -math.inf, math.inf, -math.inf)  # never skip

#: Given an order, a quantity and the price it would fill at, how much of that
#: quantity the account can pay for.  Cash accounts cannot spend money they do not have.
FundsGuard = Callable[[Order, Decimal, Decimal], Decimal]


@dataclass(frozen=True)
class VenueConfig:
    """The execution models of one venue."""

    commission: CommissionModel = field(default_factory=NoCommission)
    slippage: SlippageModel = field(default_factory=NoSlippage)
    fill_quantity: FillQuantityModel = field(default_factory=FullFill)
    intrabar: IntrabarPath = IntrabarPath.ADAPTIVE


class _Working:
    """Venue-side state of one working order."""

    __slots__ = (
        "arrival_ns",
        "fee_paid",
        "filled_notional",
        "is_buy",
        "limit",
        "order",
        "session_close_ns",
        "stop",
    )

    def __init__(self, order: Order, arrival_ns: int) -> None:
        self.order = order
        self.arrival_ns = arrival_ns
        self.is_buy = order.side is OrderSide.BUY
        self.limit = float(order.limit_price) if order.limit_price is not None else 0.0
        self.stop = float(order.stop_price) if order.stop_price is not None else 0.0
        self.session_close_ns = 0  # set when a day order meets its first bar
        self.fee_paid = ZERO
        self.filled_notional = ZERO


class SimulatedVenue:
    """Matches working orders against bars and reports what happened as events.

    The venue never changes an order itself: it emits events, and whoever owns
    the orders (the kernel) applies them before the venue looks again.
    """

    def __init__(
        self,
        instruments: Sequence[Instrument],
        durations_ns: Sequence[int],
        config: VenueConfig,
        clock: Clock,
        ids: IdFactory,
        emit: Callable[[OrderEvent], None],
        funds: FundsGuard | None = None,
    ) -> None:
        self.instruments = list(instruments)
        self.config = config
        self._durations = list(durations_ns)
        self._clock = clock
        self._ids = ids
        self._emit = emit
        self._funds = funds
        # working[i] holds the open orders of instrument i, in arrival order (FIFO).
        self.working: list[list[_Working]] = [[] for _ in self.instruments]
        # Per instrument, what a bar must reach to matter (None: recompute).
        self._gates: list[_Gate | None] = [None for _ in self.instruments]
        # Per instrument, the (start, close) of the session last looked up.
        self._sessions: list[tuple[int, int]] = [(0, 0) for _ in self.instruments]
        self._by_id: dict[str, tuple[int, _Working]] = {}

    def accept(self, symbol_index: int, order: Order) -> None:
        """Take a validated order: it is acknowledged now and works from now on."""
        self._gates[symbol_index] = None
        working = _Working(order, self._clock.now_ns())
        self.working[symbol_index].append(working)
        self._by_id[order.id] = (symbol_index, working)
        self._emit(OrderAccepted(ts=working.arrival_ns, order_id=order.id))

    def cancel(self, order_id: str, reason: str = "canceled by client") -> bool:
        """Cancel a working order; ``False`` if the venue has no such working order."""
        entry = self._by_id.get(order_id)
        if entry is None:
            return False
        self._close(entry[0], entry[1], OrderCanceled, reason)
        return True

    @property
    def has_working_orders(self) -> bool:
        return bool(self._by_id)

    def on_bar(self, index: int, bar: Bar) -> None:
        """Match the working orders of instrument ``index`` against a bar that has closed."""
        gate = self._gates[index]
        if gate is None:
            gate = self._gates[index] = self._gate(index)
        if gate is not _VISIT:
            # Resting orders far from the market: skip the bar unless it reaches a
            # trigger price or a day order's deadline (a bar's low <= open <= high).
            buy_limit, buy_stop, sell_limit, sell_stop, deadline = gate
            _, ts, _, high, low, _, _ = bar
            if (
                low > buy_limit
                and high < buy_stop
                and high < sell_limit
                and low > sell_stop
                and ts < deadline
            ):
                return
        self._match(index, bar, open_only=False)

    def on_open(self, index: int, bar: Bar) -> None:
        """Match against a bar in progress: only its open is known yet.

        Orders that reached the venue by the bar's open meet the open price
        (market orders, limits the open reached, stops the open gapped
        through, ``ioc``/``fok``); the rest of the bar waits for its close.
        Fill-quantity models that need the bar's volume wait too.
        """
        if self.config.fill_quantity.needs_volume:
            return
        self._match(index, bar, open_only=True)

    def _gate(self, index: int) -> _Gate:
        """The prices and time a bar must reach to matter to instrument ``index``'s orders."""
        buy_limit = sell_stop = -math.inf
        buy_stop = sell_limit = deadline = math.inf
        for working in self.working[index]:
            order = working.order
            kind = order.order_type
            if kind is OrderType.MARKET or order.time_in_force in _IMMEDIATE:
                return _VISIT
            if order.time_in_force is _DAY:
                if not working.session_close_ns:
                    return _VISIT  # not bound to its session yet
                deadline = min(deadline, working.session_close_ns)
            if working.is_buy:
                if kind is OrderType.LIMIT:
                    buy_limit = max(buy_limit, working.limit)
                else:  # a stop, or a stop-limit that must trigger first
                    buy_stop = min(buy_stop, working.stop)
            elif kind is OrderType.LIMIT:
                sell_limit = min(sell_limit, working.limit)
            else:
                sell_stop = max(sell_stop, working.stop)
        return buy_limit, buy_stop, sell_limit, sell_stop, deadline

    def _match(self, index: int, bar: Bar, *, open_only: bool) -> None:
        self._gates[index] = None  # orders change here: recompute on the next bar
        _, ts, open_, high, low, close, volume = bar
        bar_open_ns = ts - self._durations[index]
        instrument = self.instruments[index]
        config = self.config
        path: str | None = None
        taken = ZERO
        for working in self.working[index][:]:
            order = working.order
            if working.arrival_ns > bar_open_ns or order.status not in OPEN_STATUSES:
                # Not there yet when the bar opened, or closed by a callback meanwhile.
                continue
            tif = order.time_in_force
            if tif is _DAY:
                if not working.session_close_ns:
                    # A day order belongs to the session of the first bar it can trade on.
                    working.session_close_ns = self._session_close(index, ts - 1)
                elif ts > working.session_close_ns:
                    # This bar closes after the order's session ended: it belongs to a later day.
                    self._close(index, working, OrderExpired)
                    continue
            immediate = tif in _IMMEDIATE
            if open_only or immediate:
                found = match_at_open(
                    order.order_type, working.is_buy, working.limit, working.stop, open_
                )
                fill_path = "open"
            else:
                if path is None:
                    path = config.intrabar.resolve(open_, high, low, close)
                found = match(
                    order.order_type, working.is_buy, working.limit, working.stop,
                    open_, high, low, close, path,
                )  # fmt: skip
                fill_path = path
            if found is None:
                if immediate:
                    self._close(index, working, OrderCanceled, f"{tif}: not marketable on arrival")
                elif not open_only and tif is _DAY and ts >= working.session_close_ns:
                    self._close(index, working, OrderExpired)
                continue
            rule, matched = found
            reference, price, liquidity = self._execution_price(working, rule, matched, index)
            qty = order.leaves_qty
            shortfall = ""
            available = config.fill_quantity.available(volume, taken, instrument.lot_size)
            if available is not None and available < qty:
                qty, shortfall = available, "not enough volume"
            if self._funds is not None and working.is_buy:
                affordable = self._funds(order, qty, price)
                if affordable < qty:
                    qty, shortfall = affordable, "insufficient cash at execution"
            if shortfall and tif is _FOK:
                self._close(index, working, OrderCanceled, f"fok: {shortfall} to fill in full")
                continue
            if qty > ZERO:
                self._fill(working, qty, rule, reference, price, liquidity, ts, fill_path)
                taken += qty
            if order.status not in OPEN_STATUSES:
                continue
            if immediate:
                self._close(index, working, OrderCanceled, f"{tif}: unfilled remainder")
            elif shortfall.startswith("insufficient cash"):
                self._close(index, working, OrderCanceled, shortfall)
            elif not open_only and tif is _DAY and ts >= working.session_close_ns:
                self._close(index, working, OrderExpired)

    def _session_close(self, index: int, moment_ns: int) -> int:
        start, close = self._sessions[index]
        if not start <= moment_ns < close:
            start, close = self._sessions[index] = self.instruments[index].hours.session_bounds_ns(
                moment_ns
            )
        return close

    def _execution_price(
        self, working: _Working, rule: FillRule, matched: float, index: int
    ) -> tuple[Decimal, Decimal, LiquiditySide]:
        """The reference price a rule produced, the price paid after slippage, and who took."""
        order = working.order
        tick = self.instruments[index].tick_size
        if rule in _AT_LIMIT and order.limit_price is not None:
            return order.limit_price, order.limit_price, _MAKER
        if rule is FillRule.STOP_TRIGGERED and order.stop_price is not None:
            reference = order.stop_price
        elif rule is FillRule.STOP_LIMIT_AT_TRIGGER and matched == working.stop:
            reference = order.stop_price or price_on_grid(matched, tick)
        else:
            reference = price_on_grid(matched, tick)
        price = self.config.slippage.slipped_price(reference, working.is_buy, tick)
        limit = order.limit_price
        if limit is not None:
            # A limit is a promise: slippage can eat the edge, never cross the limit.
            price = min(price, limit) if working.is_buy else max(price, limit)
        return reference, price, _TAKER

    def _fill(
        self,
        working: _Working,
        qty: Decimal,
        rule: FillRule,
        reference: Decimal,
        price: Decimal,
        liquidity: LiquiditySide,
        bar_ts: int,
        path: str,
    ) -> None:
        order = working.order
        notional = working.filled_notional + qty * price
        fee = self.config.commission.order_fee(order.filled_qty + qty, notional) - working.fee_paid
        working.filled_notional = notional
        working.fee_paid += fee
        now = self._clock.now_ns()
        slippage = price - reference if working.is_buy else reference - price
        # Positional, in Fill's field order: this runs once per fill.
        fill = Fill(
            self._ids.fill_id(), order.id, order.symbol, order.side, qty, price, fee, now,
            liquidity, rule, reference, slippage, path, bar_ts, order.account_id,
        )  # fmt: skip
        self._emit(OrderFilled(now, order.id, fill))
        if not order.is_open:
            self._forget(self._by_id[order.id][0], working)

    def _close(
        self,
        index: int,
        working: _Working,
        event_type: type[OrderCanceled] | type[OrderExpired],
        reason: str = "",
    ) -> None:
        self._forget(index, working)
        now = self._clock.now_ns()
        if event_type is OrderCanceled:
            self._emit(OrderCanceled(ts=now, order_id=working.order.id, reason=reason))
        else:
            self._emit(OrderExpired(ts=now, order_id=working.order.id))

    def _forget(self, index: int, working: _Working) -> None:
        self._gates[index] = None
        self.working[index].remove(working)
        del self._by_id[working.order.id]
