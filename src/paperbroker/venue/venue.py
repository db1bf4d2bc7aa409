"""The simulated venue: keeps working orders and matches them against bars.

No look-ahead, by construction: an order takes part in a bar only if it
reached the venue no later than the moment the bar *opened* (``ts -
duration``).  A decision made on bar t is submitted at t's close, which is
bar t+1's open at the earliest, so it can never meet bar t's prices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from paperbroker.core.clock import Clock
from paperbroker.core.ids import IdFactory
from paperbroker.data.bar import Bar
from paperbroker.model.enums import LiquiditySide, OrderSide, TimeInForce
from paperbroker.model.events import (
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
)
from paperbroker.model.fill import Fill, FillRule
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import Order
from paperbroker.model.values import ZERO, price_on_grid
from paperbroker.venue.commission import CommissionModel, NoCommission
from paperbroker.venue.fill_quantity import FillQuantityModel, FullFill
from paperbroker.venue.matching import IntrabarPath, match, match_at_open
from paperbroker.venue.slippage import NoSlippage, SlippageModel

_MAKER_RULES = frozenset({FillRule.LIMIT_TOUCHED, FillRule.STOP_LIMIT_TOUCHED})
_AT_LIMIT = _MAKER_RULES
_IMMEDIATE = frozenset({TimeInForce.IOC, TimeInForce.FOK})


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
        emit: Callable[[Event], None],
    ) -> None:
        self.instruments = list(instruments)
        self.config = config
        self._durations = list(durations_ns)
        self._clock = clock
        self._ids = ids
        self._emit = emit
        # working[i] holds the open orders of instrument i, in arrival order (FIFO).
        self.working: list[list[_Working]] = [[] for _ in self.instruments]
        # Per instrument, the (start, close) of the session last looked up.
        self._sessions: list[tuple[int, int]] = [(0, 0) for _ in self.instruments]
        self._by_id: dict[str, tuple[int, _Working]] = {}

    def accept(self, symbol_index: int, order: Order) -> None:
        """Take a validated order: it is acknowledged now and works from now on."""
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

    def is_working(self, order_id: str) -> bool:
        return order_id in self._by_id

    def on_bar(self, index: int, bar: Bar) -> None:
        """Match the working orders of instrument ``index`` against one bar."""
        _, ts, open_, high, low, close, volume = bar
        bar_open_ns = ts - self._durations[index]
        instrument = self.instruments[index]
        config = self.config
        path: str | None = None
        taken = ZERO
        for working in self.working[index][:]:
            if working.arrival_ns > bar_open_ns:
                continue  # the order did not exist when this bar opened
            order = working.order
            tif = order.time_in_force
            if tif is TimeInForce.DAY:
                if not working.session_close_ns:
                    # A day order belongs to the session of the first bar it can trade on.
                    working.session_close_ns = self._session_close(index, ts - 1)
                elif ts > working.session_close_ns:
                    # This bar closes after the order's session ended: it belongs to a later day.
                    self._close(index, working, OrderExpired)
                    continue
            if tif in _IMMEDIATE:
                found = match_at_open(order.order_type, working.is_buy, working.limit, open_)
            else:
                if path is None:
                    path = config.intrabar.resolve(open_, high, low, close)
                found = match(
                    order.order_type, working.is_buy, working.limit, working.stop,
                    open_, high, low, close, path,
                )  # fmt: skip
            if found is not None:
                qty = order.leaves_qty
                available = config.fill_quantity.available(volume, taken, instrument.lot_size)
                if available is not None and available < qty:
                    if tif is TimeInForce.FOK:
                        self._close(index, working, OrderCanceled, "fok: not fillable in full")
                        continue
                    qty = available
                if qty > ZERO:
                    self._fill(index, working, qty, found[0], found[1], ts, path or "OHLC")
                    taken += qty
            if order.is_open:
                if tif in _IMMEDIATE:
                    self._close(index, working, OrderCanceled, f"{tif}: unfilled remainder")
                elif tif is TimeInForce.DAY and ts >= working.session_close_ns:
                    self._close(index, working, OrderExpired)

    def _session_close(self, index: int, moment_ns: int) -> int:
        start, close = self._sessions[index]
        if not start <= moment_ns < close:
            start, close = self._sessions[index] = self.instruments[index].hours.session_bounds_ns(
                moment_ns
            )
        return close

    def _fill(
        self,
        index: int,
        working: _Working,
        qty: Decimal,
        rule: FillRule,
        matched: float,
        ts: int,
        path: str,
    ) -> None:
        order = working.order
        instrument = self.instruments[index]
        tick = instrument.tick_size
        reference = self._reference_price(order, rule, matched, tick)
        if rule in _MAKER_RULES:
            price, liquidity = reference, LiquiditySide.MAKER
        else:
            price = self.config.slippage.slipped_price(reference, working.is_buy, tick)
            if order.limit_price is not None:
                # A limit is a promise: slippage can eat the edge, never cross the limit.
                limit = order.limit_price
                price = min(price, limit) if working.is_buy else max(price, limit)
            liquidity = LiquiditySide.TAKER
        notional = working.filled_notional + qty * price
        fee = self.config.commission.order_fee(order.filled_qty + qty, notional) - working.fee_paid
        working.filled_notional = notional
        working.fee_paid += fee
        now = self._clock.now_ns()
        fill = Fill(
            id=self._ids.fill_id(),
            order_id=order.id,
            symbol=order.symbol,
            side=order.side,
            qty=qty,
            price=price,
            fee=fee,
            ts=now,
            liquidity=liquidity,
            rule=rule,
            reference_price=reference,
            slippage=price - reference if working.is_buy else reference - price,
            path=path,
            bar_ts=ts,
        )
        self._emit(OrderFilled(ts=now, order_id=order.id, fill=fill))
        if not order.is_open:
            self._forget(index, working)

    @staticmethod
    def _reference_price(order: Order, rule: FillRule, matched: float, tick: Decimal) -> Decimal:
        if rule in _AT_LIMIT and order.limit_price is not None:
            return order.limit_price
        if rule is FillRule.STOP_TRIGGERED and order.stop_price is not None:
            return order.stop_price
        if (
            rule is FillRule.STOP_LIMIT_AT_TRIGGER
            and order.stop_price is not None
            and matched == float(order.stop_price)
        ):
            return order.stop_price
        return price_on_grid(matched, tick)

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
        self.working[index].remove(working)
        del self._by_id[working.order.id]
