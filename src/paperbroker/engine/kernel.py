"""The kernel: one clock, one feed, one venue, one portfolio and a strategy.

Every session type runs this same kernel; only the clock, the feed and the
venue it is built with differ.  For each bar, in close-time order:

1. the clock moves to the bar's close time;
2. the venue matches the instrument's working orders against the bar (fills
   are booked in the portfolio and reported to the strategy's ``on_fill``);
3. the bar becomes visible: marks, indicator series and history grow by one;
4. the strategy's ``on_bar`` runs and may submit orders, which reach the
   venue at the current time and so can only meet later bars.

Every state change is an event, applied to its order and the portfolio first
and then handed to subscribers (the journal, sockets) in order.

The session's risk layer (``kernel.risk``, :mod:`paperbroker.risk`) checks
every order, hears of fills when its safeguards or breakers want them, and,
when it has work at bar closes (breakers, holding times, scaling, an override
that ends), sees each close between steps 3 and 4.  With no rule set it costs
one attribute read per order and nothing per bar.

Taking, replacing and canceling orders is the kernel's order desk
(:mod:`paperbroker.engine.order_desk`), a mixin whose methods are the kernel's.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

import numpy as np

from paperbroker.core.clock import SimClock
from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.core.ids import IdFactory
from paperbroker.data.bar import Bar
from paperbroker.data.live_series import LiveBarSeries
from paperbroker.engine.accounts import Accounts
from paperbroker.engine.context import BarHistory, PriceLike, StrategyContext
from paperbroker.engine.contingent import Contingencies
from paperbroker.engine.feed import BarStream
from paperbroker.engine.indicator_state import IndicatorValues, Registered
from paperbroker.engine.kernel_state import kernel_from_state, kernel_to_state
from paperbroker.engine.order_desk import OrderDesk
from paperbroker.model.account import Account, AccountRules
from paperbroker.model.enums import TimeInForce
from paperbroker.model.events import (
    AdvanceRequested,
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
    OrderSubmitted,
)
from paperbroker.model.fill import Fill
from paperbroker.model.instrument import Instrument, TradingHours
from paperbroker.model.order import Order
from paperbroker.model.position import Position
from paperbroker.model.values import ZERO, to_decimal
from paperbroker.portfolio.portfolio import Portfolio
from paperbroker.risk.guard import RiskGuard, RiskOutcome
from paperbroker.risk.pretrade import SectorOf
from paperbroker.risk.settings import RiskSettings
from paperbroker.strategy.base import Strategy
from paperbroker.strategy.indicators import LiveValues, Series, compute_indicator
from paperbroker.venue.base import Venue, VenueFactory, VenuePorts, simulated
from paperbroker.venue.venue import VenueConfig

#: Bars turned into Python objects at a time.  Small enough that few of them are alive
#: when the collector runs (it scans every young object), large enough that the
#: per-chunk NumPy work stays negligible.
CHUNK_SIZE: Final = 1 << 12
#: Times in force whose orders end with the trading session.
_SESSION_TIFS: Final = frozenset({TimeInForce.DAY, TimeInForce.OPG, TimeInForce.CLS})
_HISTORY_COLUMNS: Final = ("open", "high", "low", "close", "volume")

EventListener = Callable[[Event], None]
ProgressCallback = Callable[[int, int], None]


def _ignore(bar: Bar) -> None:
    """The per-bar callback of a kernel without a strategy."""


class Kernel(OrderDesk):
    """Drives one feed through one venue for one or more accounts, and a strategy.

    The account given at construction is the default one: the strategy trades
    it, and calls that name no account use it.  :meth:`open_account` adds more;
    every account has its own portfolio, orders and pre-trade checks, and all
    share the clock, the data and the venue.  Orders are submitted, replaced
    and canceled through the methods of :class:`~paperbroker.engine.order_desk.OrderDesk`.
    """

    def __init__(
        self,
        feed: BarStream,
        account: Account,
        venue: VenueConfig | VenueFactory,
        clock: SimClock,
        strategy: Strategy | None = None,
        ids: IdFactory | None = None,
        risk: RiskSettings | None = None,
        sector_of: SectorOf | None = None,
    ) -> None:
        self.feed = feed
        self.clock = clock
        self.ids = ids or IdFactory()
        self.instruments: list[Instrument] = [s.instrument for s in feed.series]
        self._index = {instrument.symbol: i for i, instrument in enumerate(self.instruments)}
        # Margin accounts get their intraday multiplier while the (first) exchange is open.
        self._hours: TradingHours | None = next(
            (i.hours for i in self.instruments if not i.hours.is_24h), None
        )
        self.portfolio = self._new_portfolio(account)
        self.accounts = Accounts(self.portfolio, self._new_portfolio, self._publish, clock.now_ns)
        self.portfolios: dict[str, Portfolio] = self.accounts.portfolios
        build = simulated(venue) if isinstance(venue, VenueConfig) else venue
        ports = VenuePorts(
            feed.series, clock, self.ids, self._emit, self._affordable_at, self._last_price
        )
        self.venue: Venue = build(ports)
        self.orders: dict[str, Order] = {}
        self._links = Contingencies(self.orders, self.venue, self._emit, self._instrument_index)
        self.events: list[Event] = []
        self._listeners: list[EventListener] = []
        self._client_ids: set[tuple[str, str]] = set()  # (account, client order id) in use
        self._cursor = 0
        self._seen = [0] * len(self.instruments)
        # Per instrument, the latest answer of _last_price and what it depended on.
        self._prices: list[tuple[int, int, float | None]] = [
            (-1, -1, None) for _ in self.instruments
        ]
        # Per instrument: (append to the visible series, all precomputed values).
        self._growing: list[list[tuple[Callable[[float], None], IndicatorValues]]] = [
            [] for _ in self.instruments
        ]
        self._indicators: list[Registered] = []  # in registration order, for checkpoints
        self.strategy = strategy
        self.ctx = StrategyContext(self)
        self._started = False
        # Callbacks a strategy does not override are not called at all.
        self._on_fill = _overridden(strategy, "on_fill")
        self._on_order = _overridden(strategy, "on_order")
        #: The session's risk layer (:mod:`paperbroker.risk`): ``risk`` its settings,
        #: ``sector_of`` the sector of a symbol for ``limits.sector_max_pct``.
        self.risk = RiskGuard(self, risk, sector_of)

    # -- lifecycle ----------------------------------------------------------
    def subscribe(self, listener: EventListener) -> None:
        """Call ``listener`` with every event, after it has been applied."""
        self._listeners.append(listener)

    def start(self) -> None:
        """Hand the strategy its context and run its ``on_start``."""
        if self._started:
            return
        self._started = True
        if self.strategy is not None:
            self.strategy.ctx = self.ctx
            self.strategy.on_start()

    def attach(self, strategy: Strategy) -> None:
        """Give a running kernel a strategy from now on (a session's pipeline, after its
        history): it sees the bars so far as history and trades only later ones."""
        if self.strategy is not None:
            raise Conflict("the kernel already has a strategy")
        self.strategy = strategy
        self._on_fill = _overridden(strategy, "on_fill")
        self._on_order = _overridden(strategy, "on_order")
        self._started = False
        self.start()

    def stop(self) -> None:
        """Run the strategy's ``on_stop``."""
        if self.strategy is not None:
            self.strategy.on_stop()

    @property
    def bars_processed(self) -> int:
        return self._cursor

    @property
    def exhausted(self) -> bool:
        return self._cursor >= len(self.feed)

    def run_until(self, end_ns: int, progress: ProgressCallback | None = None) -> int:
        """Process every bar that closes at or before ``end_ns``; return how many.

        Afterwards the clock reads ``end_ns`` (or the last bar's time, if later).
        A call that moves time publishes ``AdvanceRequested`` first, so a
        journal holds each advance ahead of the fills and expiries it caused.
        """
        self.start()
        stop = self.feed.end_index(end_ns)
        start = self._cursor
        if end_ns > self.clock.now_ns() or stop > start:
            self._publish(AdvanceRequested(ts=self.clock.now_ns(), until=end_ns))
        total = len(self.feed)
        while self._cursor < stop:
            upper = min(self._cursor + CHUNK_SIZE, stop)
            self._run_chunk(self._cursor, upper)
            self._cursor = upper
            if progress is not None:
                progress(upper, total)
        if end_ns > self.clock.now_ns():
            self.clock.advance_to(end_ns)
        until = self.risk.until
        if until is not None and until <= self.clock.now_ns():
            self.risk.expire_override(until)
        for books in self.portfolios.values():
            books.forget_reservations()  # marks moved: market orders are valued anew
        if self.venue.has_working_orders:
            self._match_bars_in_progress(end_ns)
            self.venue.flush(self.clock.now_ns())
        return self._cursor - start

    def expire_session_orders(self) -> list[Order]:
        """Expire the working orders that end with the trading session: ``day``,
        ``opg`` and ``cls`` orders (``OrderExpired``, now), as a broker does at the
        close; return them.  ``gtc`` orders keep working."""
        expired = []
        for order in list(self.orders.values()):
            if (
                order.is_open
                and order.time_in_force in _SESSION_TIFS
                and self.venue.expire(order.id)
            ):
                expired.append(order)
        return expired

    def expire_order(self, order_id: str) -> bool:
        """Expire one working order now (``OrderExpired``); ``False`` if it is not working."""
        return self.venue.expire(order_id)

    def _match_bars_in_progress(self, now_ns: int) -> None:
        """Let working orders meet the open of each bar that has opened but not closed.

        A run that stops inside a bar (a session advanced to 09:31 on daily
        bars) must not hold back what the open already decided: a market order
        placed by 09:30 trades at the 09:30 open, one placed at 09:35 at the
        same open, the last price known then.  Only the open is used.
        """
        working = self.venue.working
        for index, series in enumerate(self.feed.series):
            row = self._seen[index]
            if not working[index] or row >= len(series):
                continue
            if int(series.ts[row]) - series.duration_ns <= now_ns:
                self.venue.on_open(index, series.bar(row), row, now_ns)

    def _run_chunk(self, start: int, stop: int) -> None:
        if self.risk.bar_work:
            self._run_guarded_chunk(start, stop)
            return
        bars, instruments, rows = self.feed.chunk(start, stop)
        clock = self.clock
        working = self.venue.working
        venue_on_bar = self.venue.on_bar
        seen = self._seen
        growing = self._growing
        on_bar = self.strategy.on_bar if self.strategy is not None else _ignore
        for bar, i, row in zip(bars, instruments, rows, strict=True):
            # The feed is sorted by close time, so this never moves the clock back;
            # assigning directly skips a per-bar method call on the hot path.
            clock._ns = bar[1]
            if working[i]:
                venue_on_bar(i, bar, row)
            seen[i] = row + 1
            for append, values in growing[i]:
                append(values[row])
            on_bar(bar)

    def _run_guarded_chunk(self, start: int, stop: int) -> None:
        """:meth:`_run_chunk` for a risk layer with work at bar closes: an override that
        ends before a bar ends first, and the layer sees each close before the strategy."""
        bars, instruments, rows = self.feed.chunk(start, stop)
        clock = self.clock
        working = self.venue.working
        venue_on_bar = self.venue.on_bar
        seen = self._seen
        growing = self._growing
        risk = self.risk
        on_close = risk.on_close
        on_bar = self.strategy.on_bar if self.strategy is not None else _ignore
        until = risk.until  # only an expiry changes it while bars run
        for bar, i, row in zip(bars, instruments, rows, strict=True):
            clock._ns = bar[1]
            if until is not None and until <= bar[1]:
                risk.expire_override(until)
                until = None
            if working[i]:
                venue_on_bar(i, bar, row)
            seen[i] = row + 1
            for append, values in growing[i]:
                append(values[row])
            on_close(bar, i, row)
            on_bar(bar)

    def _new_portfolio(self, account: Account) -> Portfolio:
        return Portfolio(account, self.instruments, self._last_price, self._in_regular_session)

    def _in_regular_session(self) -> bool:
        """Whether the exchange's regular session is in progress now."""
        hours = self._hours
        if hours is None:
            return False
        return hours.in_session(self.clock.now_ns())

    def _affordable_at(self, order: Order, qty: Decimal, price: Decimal) -> Decimal:
        portfolio = self.portfolios[order.account_id]
        return portfolio.affordable_qty(order, qty, price, self.venue.config.commission)

    def _last_price(self, index: int) -> float | None:
        """The latest price known now: the open of a bar in progress, else the last close.

        A bar is in progress strictly after its open, so at the very moment one
        bar closes and the next opens, prices are the close's.
        """
        seen = self._seen[index]
        now = self.clock._ns  # the kernel's clock is a SimClock it moves itself
        # An order asks several times at one moment (its checks, its reservation, its
        # fill's cash): the answer is kept until the clock or the bars seen move.  Only
        # while a next bar exists: after the last one a live series may still grow.
        cached = self._prices[index]
        if cached[0] == seen and cached[1] == now:
            return cached[2]
        series = self.feed.series[index]
        if seen < len(series):
            price: float | None = (
                series.open.item(seen)
                if series.ts.item(seen) - series.duration_ns < now
                else series.close.item(seen - 1)
                if seen
                else None
            )
            self._prices[index] = (seen, now, price)
            return price
        return float(series.close[seen - 1]) if seen else None

    # -- events -------------------------------------------------------------
    def _emit(self, event: OrderEvent) -> None:
        """Apply an event to its order (and a fill to the portfolio), then publish it."""
        kind = type(event)
        # The two events every order has first, told apart by their exact type.
        if kind is OrderSubmitted:  # the order was built from it: it is only published
            self.events.append(event)
            for listener in self._listeners:
                listener(event)
            return
        order = self.orders[event.order_id]
        if kind is OrderAccepted:  # it now works: nothing to book, nothing stopped
            order.apply(event)
            self.events.append(event)
            for listener in self._listeners:
                listener(event)
            if self._links.active:
                self._links.after(event, order)
            if self._on_order is not None:
                self._on_order(order)
            return
        if kind is OrderFilled or isinstance(event, OrderFilled):
            fill: Fill | None = event.fill  # type: ignore[union-attr]
            submitted = False
        else:
            fill = None
            submitted = isinstance(event, OrderSubmitted)
        if not submitted:  # the order was built from that one
            order.apply(event)
            if fill is None and isinstance(
                event, OrderCanceled | OrderExpired | OrderReplaced | OrderRejected
            ):
                # It stopped working (a broker may reject an order it had accepted).
                self.portfolios[order.account_id].forget_reservations()
        if fill is not None:
            self.portfolios[order.account_id].apply_fill(fill)
        self.events.append(event)
        for listener in self._listeners:
            listener(event)
        if not submitted and self._links.active:
            self._links.after(event, order)
        if fill is not None:
            if self.risk.on_fills:
                self.risk.after_fill(order, fill)
            if self._on_fill is not None:
                self._on_fill(fill)
        elif not submitted and self._on_order is not None:
            self._on_order(order)

    def _publish(self, event: Event) -> None:
        self.events.append(event)
        for listener in self._listeners:
            listener(event)

    # -- checkpoints ------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """Everything the kernel holds, as JSON, for a session's checkpoint
        (:func:`~paperbroker.engine.kernel_state.kernel_to_state`).

        Raises:
            NotSnapshottable: for a venue that cannot write its state, or a strategy
                that keeps state it does not save (``Strategy.keeps_no_state``).
        """
        return kernel_to_state(self)

    def from_state(self, state: dict[str, Any]) -> None:
        """Take the state :meth:`to_state` wrote
        (:func:`~paperbroker.engine.kernel_state.kernel_from_state`).

        Raises:
            CheckpointMismatch: if the state does not fit this kernel's data.
        """
        kernel_from_state(self, state)

    # -- accounts -------------------------------------------------------------
    def open_account(self, account: Account) -> Portfolio:
        """Add an account (``AccountOpened``) and return its books; Conflict if it exists."""
        return self.accounts.open(account)

    def books(self, account_id: str | None = None) -> Portfolio:
        """The portfolio of ``account_id`` (default: the default account); NotFound if none."""
        return self.accounts.books(account_id)

    def configure_account(self, account_id: str, rules: AccountRules) -> AccountRules:
        """Set an account's rules from now on (``AccountConfigured``); NotFound if none."""
        return self.accounts.configure(account_id, rules)

    def account_rules(self, account_id: str | None = None) -> AccountRules:
        """The rules an account (default: the default account) trades under now."""
        return self.accounts.rules(account_id)

    # -- risk -----------------------------------------------------------------
    def risk_command(
        self, action: str, params: Mapping[str, Any], by: str = "", reason: str = ""
    ) -> RiskOutcome:
        """Change the session's risk settings or use an emergency control: publishes
        ``RiskCommanded`` (``by`` whom, why), then its effects.

        ``action`` and ``params``: ``configure {settings}`` (a partial
        :class:`~paperbroker.risk.settings.RiskSettings` document), ``override
        {settings, until}`` (until a session time, epoch ns), ``clear_override``,
        ``reset_breaker {breaker}`` (a name or ``all``), ``cancel_all``,
        ``close_all``, ``kill``, ``reduce {percent}``, ``tighten_stops {percent}``.

        Raises:
            InvalidRequest: for an unknown action or bad parameters (nothing is published).
        """
        return self.risk.command(action, params, by, reason)

    # -- queries --------------------------------------------------------------
    def position(self, symbol: str, account_id: str | None = None) -> Position:
        """The position in ``symbol`` of one account (default: the default account)."""
        symbol = self.instruments[self._instrument_index(symbol)].symbol
        return self.books(account_id).positions[symbol]

    def affordable_qty(
        self,
        symbol: str,
        price: PriceLike | None = None,
        budget: PriceLike | None = None,
        buffer: PriceLike = 0,
    ) -> Decimal:
        """Largest lot-multiple quantity whose cost plus commission fits ``budget`` and keeps
        ``buffer`` (a fraction of equity) of the buying power free.

        Raises:
            InvalidRequest: for an unknown symbol, or a buffer outside [0, 1).
        """
        instrument = self.instruments[self._instrument_index(symbol)]
        kept = ZERO
        if not (type(buffer) is int and not buffer):  # none kept: the common case
            kept = to_decimal(buffer, field="buffer")
            if not ZERO <= kept < 1:
                raise InvalidRequest(f"buffer must be in [0, 1), got {kept}")
        reference = (
            self.portfolio.mark(symbol) if price is None else to_decimal(price, field="price")
        )
        if reference is None or reference <= ZERO:
            return ZERO
        books = self.portfolio
        available = books.buying_power if budget is None else to_decimal(budget, field="budget")
        if kept:
            available = min(available, books.buying_power - kept * books.equity)
        if available <= ZERO:
            return ZERO
        return self.venue.config.commission.max_qty(available, reference, instrument.lot_size)

    def register_indicator(
        self,
        symbol: str,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: Mapping[str, Any],
        source: str,
    ) -> Series:
        """Compute an indicator over ``symbol``'s whole history and return its growing series."""
        index = self._instrument_index(symbol)
        if source not in _HISTORY_COLUMNS:
            raise InvalidRequest(f"source {source!r} is not one of {', '.join(_HISTORY_COLUMNS)}")
        series = self.feed.series[index]
        if isinstance(series, LiveBarSeries):  # bars still arriving: computed as they do
            live = LiveValues(fn, lambda: getattr(series, source), args, kwargs)
            growing: array[float] = array("d", live.upto(self._seen[index]).tolist())
            self._growing[index].append((growing.append, live))
            self._indicators.append(Registered(index, growing, live))
            return growing
        values = compute_indicator(fn, getattr(series, source), *args, **kwargs)
        full: array[float] = array("d")
        full.frombytes(np.ascontiguousarray(values).data.cast("B"))
        visible: array[float] = array("d", full[: self._seen[index]])
        self._growing[index].append((visible.append, full))
        self._indicators.append(Registered(index, visible, full))
        return visible

    def history(self, symbol: str, length: int | None = None) -> BarHistory:
        """Read-only views of ``symbol``'s bars up to the current one."""
        index = self._instrument_index(symbol)
        series = self.feed.series[index]
        stop = self._seen[index]
        start = 0 if length is None else max(0, stop - length)
        return BarHistory(
            *[np.asarray(getattr(series, c))[start:stop] for c in ("ts", *_HISTORY_COLUMNS)]
        )

    def _instrument_index(self, symbol: str) -> int:
        index = self._index.get(symbol)
        if index is None:
            raise self._unknown_symbol(symbol)
        return index

    def _unknown_symbol(self, symbol: str) -> InvalidRequest:
        known = ", ".join(self._index)
        return InvalidRequest(f"unknown symbol {symbol!r} (this session trades {known})")


def _overridden(strategy: Strategy | None, name: str) -> Callable[[Any], None] | None:
    if strategy is None or getattr(type(strategy), name) is getattr(Strategy, name):
        return None
    callback: Callable[[Any], None] = getattr(strategy, name)
    return callback
