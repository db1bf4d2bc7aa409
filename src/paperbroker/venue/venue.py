"""The simulated venue: matches working orders against bars.

It takes orders, cancels and replacements (its book delivers the last two
when they reach it: :mod:`.book`), and meets each bar: every order at its
entry (the open, or its arrival inside the bar), then along the whole bar
at its close; ``opg`` and ``cls`` orders in the auctions, and a
``signal_close`` market order at its decision bar's close.  What matches
becomes a fill in :mod:`.fill_maker`.

No look-ahead, by construction: an order takes part in a bar only if it was
sent no later than the moment the bar *opened* (``ts - duration``), and only
from the moment it reached the venue.  A decision made on bar t is submitted
at t's close, which is bar t+1's open at the earliest, so it can never meet
bar t's prices.  With latency the order arrives later than it was sent: if
that is inside a bar, it sees only the rest of the bar's path (see
:mod:`.matching`); and a cancel arriving inside a bar leaves the order the
part of the path before it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from paperbroker.core.clock import Clock
from paperbroker.core.ids import IdFactory
from paperbroker.core.snapshot import CheckpointMismatch
from paperbroker.data.bar import Bar
from paperbroker.data.series import BarSeries
from paperbroker.model.enums import OrderType, TimeInForce
from paperbroker.model.events import OrderCanceled, OrderEvent, OrderExpired
from paperbroker.model.fill import FillRule
from paperbroker.model.order import OPEN_STATUSES, Order
from paperbroker.venue.bar_view import BarView, find, find_at_entry, touch_time
from paperbroker.venue.book import MarkSource, WorkingBook
from paperbroker.venue.commission import FeeModel, NoCommission
from paperbroker.venue.fill_maker import FillMaker, FundsGuard
from paperbroker.venue.fill_quantity import FillQuantityModel, FullFill
from paperbroker.venue.latency import LatencyModel, ZeroLatency
from paperbroker.venue.matching import FillTiming, IntrabarPath, Match, match_at_open
from paperbroker.venue.slippage import NoSlippage, SlippageModel
from paperbroker.venue.working import VISIT, Working, gate_of

_IMMEDIATE: Final = frozenset({TimeInForce.IOC, TimeInForce.FOK})
_NAN: Final = math.nan
_MARKET: Final = OrderType.MARKET
_MARKET_AT_OPEN: Final = FillRule.MARKET_AT_OPEN
_AUCTION: Final = frozenset({TimeInForce.OPG, TimeInForce.CLS})
_DAY: Final = TimeInForce.DAY
_OPG: Final = TimeInForce.OPG
_CLS: Final = TimeInForce.CLS
_SIGNAL_CLOSE: Final = FillTiming.SIGNAL_CLOSE

__all__ = ["FundsGuard", "MarkSource", "SimulatedVenue", "VenueConfig"]


@dataclass(frozen=True)
class VenueConfig:
    """The execution models of one venue."""

    commission: FeeModel = field(default_factory=NoCommission)
    slippage: SlippageModel = field(default_factory=NoSlippage)
    fill_quantity: FillQuantityModel = field(default_factory=FullFill)
    intrabar: IntrabarPath = IntrabarPath.ADAPTIVE
    latency: LatencyModel = field(default_factory=ZeroLatency)
    fill_timing: FillTiming = FillTiming.NEXT_BAR


class SimulatedVenue:
    """Matches working orders against bars and reports what happened as events.

    The venue never moves an order through its lifecycle itself: it emits
    events, and whoever owns the orders (the kernel) applies them before the
    venue looks again.  (It does keep a trailing stop's mark and stop price
    on the order: market state, not lifecycle.)  Its book
    (:class:`~.book.WorkingBook`) keeps the working orders and the requests
    on their way to them; its fill maker (:class:`~.fill_maker.FillMaker`)
    turns what matched into fills.
    """

    def __init__(
        self,
        series: Sequence[BarSeries],
        config: VenueConfig,
        clock: Clock,
        ids: IdFactory,
        emit: Callable[[OrderEvent], None],
        funds: FundsGuard | None = None,
        mark: MarkSource | None = None,
    ) -> None:
        self.series = list(series)
        self.instruments = [s.instrument for s in self.series]
        self.config = config
        self._durations = [s.duration_ns for s in self.series]
        self._clock = clock
        book = self._book = WorkingBook(self.instruments, clock, emit, mark)
        self._fills = FillMaker(self.series, config, book, clock, ids, emit, funds)
        self._draw_key = ids.draw_key
        # The book's lists and the methods the per-bar paths call, bound once here:
        # matching reaches them without a lookup through the book.
        # working[i] holds the open orders of instrument i, in arrival order (FIFO).
        self.working = book.working
        self._gates = book.gates
        self._pending = book.pending
        self._by_id = book.by_id
        self._close = book.close
        self._run_pending = book.run_pending
        self._execute = self._fills.execute
        # Per instrument, the (start, close) of the session last looked up.
        self._sessions: list[tuple[int, int]] = [(0, 0) for _ in self.instruments]
        # The bar the latest signal_close fills met, shared by the orders filled at its close.
        self._close_view: BarView | None = None
        # Requests reach the venue at once: no delay to draw (exact class: a subclass
        # may have its own delays).
        self._no_latency = type(config.latency) is ZeroLatency

    # -- checkpoints ---------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """The working orders and requests in flight, and what each instrument's latest
        bar has given so far, for a checkpoint.

        The models keep no state of their own: their random draws are a seeded
        hash of the order and the bar (:func:`~.latency.unit_draw`), and the
        sessions, volumes and volatilities they look up are caches of the bars.
        """
        return {
            "working": self._book.to_state(),
            "taken": [[row, str(qty)] for row, qty in self._fills.taken],
        }

    def from_state(self, state: dict[str, Any], orders: Mapping[str, Order]) -> None:
        """Take the state :meth:`to_state` wrote (orders found by id in ``orders``).

        Raises:
            CheckpointMismatch: if the state has another number of instruments.
        """
        taken = state["taken"]
        if len(taken) != len(self.instruments):
            raise CheckpointMismatch("the venue's instruments differ from the checkpoint's")
        self._book.from_state(state["working"], orders)
        self._fills.taken = [(int(row), Decimal(qty)) for row, qty in taken]
        self._close_view = None

    # -- commands ----------------------------------------------------------------
    def accept(self, symbol_index: int, order: Order, *, delayed: bool = True) -> None:
        """Take an order that passed its checks; it works once it reaches the venue.

        ``delayed=False`` starts it at once (an exit leg the venue releases itself).
        """
        now = self._clock.now_ns()
        latency = (
            self.config.latency.delay_ns(self._draw_key(order.id), "submit")
            if delayed and not self._no_latency
            else 0
        )
        self._book.start(symbol_index, order, now + latency, latency)

    def request_cancel(self, order_id: str) -> bool:
        """Send a cancel; it acts when it reaches the venue (at once without latency).

        ``False`` if the venue has no such working order.
        """
        working = self._by_id.get(order_id)
        if working is None:
            return False
        delay = self.config.latency.delay_ns(self._draw_key(order_id), "cancel")
        if not delay:
            self._close(working, OrderCanceled, "canceled by client")
        else:
            self._book.send_cancel(working, self._clock.now_ns() + delay)
        return True

    def request_replace(self, order_id: str, replacement: Order) -> bool:
        """Send a replacement for a working order; it swaps when it reaches the venue."""
        working = self._by_id.get(order_id)
        if working is None:
            return False
        delay = self.config.latency.delay_ns(self._draw_key(replacement.id), "replace")
        due = self._clock.now_ns() + delay
        self._book.send_replacement(working, replacement, due, delay)
        if not delay:
            self._run_pending(working.index, due, due)
        return True

    def cancel(self, order_id: str, reason: str = "canceled by client") -> bool:
        """Cancel a working order now, without latency (the broker's own decision)."""
        working = self._by_id.get(order_id)
        if working is None:
            return False
        self._close(working, OrderCanceled, reason)
        return True

    def expire(self, order_id: str) -> bool:
        """Expire a working order now (its session is over); ``False`` if none works."""
        working = self._by_id.get(order_id)
        if working is None:
            return False
        self._close(working, OrderExpired)
        return True

    def link(self, order_ids: Sequence[str]) -> None:
        """Make working orders one-cancels-other: the first to fill cancels the rest."""
        for order_id in order_ids:
            working = self._by_id.get(order_id)
            if working is not None:
                working.siblings = tuple(o for o in order_ids if o != order_id)

    @property
    def has_working_orders(self) -> bool:
        return bool(self._by_id)

    def working_order(self, order_id: str) -> Working | None:
        return self._by_id.get(order_id)

    def flush(self, now_ns: int) -> None:
        """Deliver every cancel and replacement that has reached the venue by ``now_ns``."""
        self._book.flush(now_ns)

    # -- time ---------------------------------------------------------------------
    def on_bar(self, index: int, bar: Bar, row: int) -> None:
        """Match the working orders of instrument ``index`` against a bar that has closed."""
        gate = self._gates[index]
        if gate is None:
            gate = self._gates[index] = gate_of(self.working[index], bool(self._pending[index]))
        if gate is not VISIT:
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
        if self._pending[index]:
            self._run_pending(index, bar[1] - self._durations[index], 0)
        self._enter(index, bar, row, bar[1])
        if self.working[index]:  # what its entry did not fill meets the whole bar
            self._match(index, bar, row)
        if self._pending[index]:
            # Cancels that arrived during the bar: their orders had the bar up to then.
            self._run_pending(index, bar[1], self._clock.now_ns())

    def on_open(self, index: int, bar: Bar, row: int, now_ns: int) -> None:
        """Match against a bar in progress: only its open is known yet.

        Every order that has reached the venue by ``now_ns`` meets the bar's
        entry price (see :meth:`_enter`); the rest of the bar waits for its close.
        """
        if self._pending[index]:
            self._run_pending(index, bar[1] - self._durations[index], 0)
        self._enter(index, bar, row, now_ns)

    def at_close(self, order: Order) -> bool:
        """Whether ``order`` fills at its decision bar's close (``fill_timing`` ``signal_close``).

        Only market orders do, and not the auctions' ``opg`` and ``cls``: a
        limit, stop or trailing order still waits for a later bar's path.
        """
        return (
            self.config.fill_timing is _SIGNAL_CLOSE
            and order.order_type is _MARKET
            and order.time_in_force not in _AUCTION
        )

    def on_close(self, index: int, bar: Bar, row: int, order_id: str) -> None:
        """Fill a market order decided at this bar's close at that close (``signal_close``).

        The order reached the venue at once (:meth:`accept` with
        ``delayed=False``); it meets the close with the fill-quantity, cash
        and fee models as any fill does, and the orders filled at one close
        share that bar's volume.  What is left works from the next bar on
        (``ioc``/``fok``: is canceled).
        """
        working = self._by_id.get(order_id)
        if working is None:
            return
        sides = self._close_view
        if sides is None or sides.index != index or sides.row != row or sides.bar[1] != bar[1]:
            sides = self._close_view = BarView(self._fills, index, bar, row)
        close = sides.prices(working.is_buy)[3]
        shortfall = self._execute(
            working, sides, (FillRule.SIGNAL_CLOSE, close), "close", sides.bar[6]
        )
        self._keeps_working(working, shortfall)

    def _keeps_working(self, working: Working, shortfall: str) -> bool:
        """After a match: cancel an order whose remainder must not work on; whether it does.

        An ``ioc``/``fok`` order keeps no remainder, nor does one that ran out
        of cash or whose notional is worth less than one unit.
        """
        order = working.order
        if order.status not in OPEN_STATUSES:
            return False
        tif = order.time_in_force
        if tif in _IMMEDIATE:
            self._close(working, OrderCanceled, shortfall or f"{tif}: unfilled remainder")
        elif shortfall.startswith(("insufficient cash", "notional")):
            self._close(working, OrderCanceled, shortfall)
        else:
            return True
        return False

    # -- matching -------------------------------------------------------------------
    def _enter(self, index: int, bar: Bar, row: int, now_ns: int) -> None:
        """Let every order that reached the venue by ``now_ns`` meet a bar's entry price.

        An order meets each bar first where it enters it: at the open if it
        reached the venue by then, else at its arrival inside the bar.  Only
        the open is known there (the last price before the bar's path), so
        that is the price, and volume-aware models see the bar's expected
        volume (:meth:`BarView.expected_volume`), not its own.  Each order
        enters a bar once, whether the kernel stops inside the bar or runs
        through it, so both give the same fills.
        """
        queue = self.working[index]
        if not queue:
            return
        self._gates[index] = None
        sides = BarView(self._fills, index, bar, row)
        for working in queue[:]:
            if working.entry_row != row and working.arrival_ns <= now_ns:
                self._enter_one(working, sides)

    def _enter_one(self, working: Working, sides: BarView) -> None:
        index = sides.index
        ts = sides.bar[1]
        duration = self._durations[index]
        bar_open_ns = ts - duration
        order = working.order
        if order.status not in OPEN_STATUSES or working.arrival_ns >= ts:
            return
        replacement = working.replacement  # working.pending_ns, without the call
        due = working.cancel_ns if replacement is None else replacement[0]
        if due and due <= max(working.arrival_ns, bar_open_ns):
            return  # a cancel or replacement reaches the venue first
        working.entry_row = sides.row
        working.entry = None
        tif = order.time_in_force
        if tif is _CLS:
            return
        start = max(working.arrival_ns - bar_open_ns, 0) / duration
        if tif is _OPG:
            self._opening_auction(working, sides, ts, start)
            return
        if tif is _DAY and not self._bind_day(working, ts):
            return
        found: Match | None
        if not start and order.order_type is _MARKET:  # as find_at_entry finds it
            found, fill_path = (_MARKET_AT_OPEN, sides.prices(working.is_buy)[0]), "open"
        else:
            tick = self.instruments[index].tick_size
            found, fill_path = find_at_entry(working, sides, start, tick)
            if found is None:
                if tif in _IMMEDIATE:
                    self._close(working, OrderCanceled, f"{tif}: not marketable on arrival")
                return
        working.entry = (found, fill_path)
        # Only volume-aware models read it: the ideal ones are spared the lookup.
        fills = self._fills
        volume = sides.expected_volume() * (1.0 - start) if fills.reads_volume else _NAN
        if not fills.full_fill and not fills.fits(working, sides, volume):
            return  # large against the bar's expected volume: the bar's own decides
        shortfall = self._execute(working, sides, found, fill_path, volume)
        if order.status in OPEN_STATUSES:  # else nothing is left to keep working
            self._keeps_working(working, shortfall)

    def _bind_day(self, working: Working, ts: int) -> bool:
        """Bind a day order to its session on its first bar; expire it on a later day's bar.

        ``False`` if it expired.
        """
        if not working.session_close_ns:
            # A day order belongs to the session of the first bar it can trade on.
            working.session_close_ns = self._session_close(working.index, ts - 1)
        elif ts > working.session_close_ns:
            # This bar closes after the order's session ended: it belongs to a later day.
            self._close(working, OrderExpired)
            return False
        return True

    def _match(self, index: int, bar: Bar, row: int) -> None:
        """Match instrument ``index``'s working orders against a bar, oldest first."""
        self._gates[index] = None  # orders change here: recompute on the next bar
        sides = BarView(self._fills, index, bar, row)
        ts = bar[1]
        queue = self.working[index][:]
        position = 0
        while position < len(queue):
            working = queue[position]
            position += 1
            self._match_one(working, sides)
            replacement = working.replacement
            if replacement is not None and replacement[0] < ts:
                # A replacement arriving during the bar: the old order had the bar up
                # to then (its window ended there), the replacement has the rest.
                started = self._book.deliver(working, self._clock.now_ns())
                if started is not None:
                    queue.insert(position, started)

    def _match_one(self, working: Working, sides: BarView) -> None:
        """Match one order against the whole of a bar that has closed.

        It has met the bar's entry price already (:meth:`_enter`); what that
        matched keeps its rule and price, and its remainder now meets the
        bar's own volume.  Otherwise the bar's path after the order's
        arrival decides, as far as the order was there to see it.
        """
        index = sides.index
        ts = sides.bar[1]
        duration = self._durations[index]
        bar_open_ns = ts - duration
        order = working.order
        if order.status not in OPEN_STATUSES or working.arrival_ns >= ts:
            return  # closed by a callback meanwhile, or not there before the close
        tif = order.time_in_force
        if tif is _CLS:
            self._closing_auction(working, sides, ts)
            return
        entered = working.entry if working.entry_row == sides.row else None
        if working.arrival_ns > bar_open_ns:
            if entered is None and working.arrival_ns - working.latency_ns > bar_open_ns:
                # Decided after the bar opened and not marketable at its entry: the
                # bar's path from here on is not known to have included the
                # decision's moment; wait for the next (a day order's session may
                # end with this bar).
                if tif is _DAY and 0 < working.session_close_ns <= ts:
                    self._close(working, OrderExpired)
                return
            # Delayed into the bar: the rest of the path is its own.
            start = (working.arrival_ns - bar_open_ns) / duration
        else:
            start = 0.0
        if tif is _OPG:
            self._opening_auction(working, sides, ts, start)
            return
        if tif is _DAY and not self._bind_day(working, ts):
            return
        due = working.pending_ns
        end = (due - bar_open_ns) / duration if due and due < ts else 1.0
        if end <= start:
            return  # canceled (or replaced) before it could see this bar
        immediate = tif in _IMMEDIATE
        found: Match | None
        if entered is not None:
            found, fill_path = entered
        else:
            tick = self.instruments[index].tick_size
            found, fill_path = find(working, sides, False, start, end, tick)
        if found is None:
            if immediate:
                self._close(working, OrderCanceled, f"{tif}: not marketable on arrival")
            elif tif is _DAY and ts >= working.session_close_ns:
                self._close(working, OrderExpired)
            return
        if entered is None and working.siblings and self._sibling_first(working, sides, start):
            return  # the other side of the OCO pair got there first this bar
        volume = sides.bar[6] * (end - start)
        shortfall = self._execute(working, sides, found, fill_path, volume)
        if (
            self._keeps_working(working, shortfall)
            and tif is _DAY
            and ts >= working.session_close_ns
        ):
            self._close(working, OrderExpired)

    def _sibling_first(self, working: Working, sides: BarView, start: float) -> bool:
        """Whether an OCO sibling reaches its price earlier in this bar's path."""
        mine = touch_time(working, sides, start)
        for sibling_id in working.siblings:
            sibling = self._by_id.get(sibling_id)
            if sibling is None or sibling.arrival_ns > sides.bar[1] - self._durations[sides.index]:
                continue
            theirs = touch_time(sibling, sides, start)
            if theirs is not None and (mine is None or theirs < mine):
                return True
        return False

    def _opening_auction(self, working: Working, sides: BarView, ts: int, start: float) -> None:
        """``opg``: trade at the open of a session's first bar, or not at all."""
        index = working.index
        instrument = self.instruments[index]
        bar_open_ns = ts - self._durations[index]
        trading_date = instrument.hours.trading_date(ts - 1)
        if start or bar_open_ns > instrument.hours.session_open_ns(trading_date):
            self._close(working, OrderCanceled, "opg: missed the opening auction")
            return
        open_ = sides.prices(working.is_buy)[0]
        order = working.order
        found = match_at_open(order.order_type, working.is_buy, working.limit, 0.0, open_)
        if found is None:
            self._close(working, OrderCanceled, "opg: limit not reached in the opening auction")
            return
        found = (FillRule.OPENING_AUCTION, open_)
        shortfall = self._execute(working, sides, found, "open", sides.expected_volume())
        if order.status in OPEN_STATUSES:
            self._close(working, OrderCanceled, f"opg: {shortfall or 'unfilled in the auction'}")

    def _closing_auction(self, working: Working, sides: BarView, ts: int) -> None:
        """``cls``: trade at the close of the session's last bar, or not at all."""
        if not working.session_close_ns:
            working.session_close_ns = self._session_close(working.index, working.arrival_ns)
        if ts > working.session_close_ns:
            self._close(working, OrderCanceled, "cls: missed the closing auction")
            return
        if ts < working.session_close_ns:
            return  # the auction is at this session's close: wait for the closing bar
        close = sides.prices(working.is_buy)[3]
        order = working.order
        limit = working.limit
        if order.order_type is OrderType.LIMIT and (
            close > limit if working.is_buy else close < limit
        ):
            self._close(working, OrderCanceled, "cls: limit not reached in the closing auction")
            return
        found = (FillRule.CLOSING_AUCTION, close)
        shortfall = self._execute(working, sides, found, "close", sides.bar[6])
        if order.status in OPEN_STATUSES:
            self._close(working, OrderCanceled, f"cls: {shortfall or 'unfilled in the auction'}")

    def _session_close(self, index: int, moment_ns: int) -> int:
        start, close = self._sessions[index]
        if not start <= moment_ns < close:
            start, close = self._sessions[index] = self.instruments[index].hours.session_bounds_ns(
                moment_ns
            )
        return close
