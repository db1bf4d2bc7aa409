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
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from paperbroker.core.clock import SimClock
from paperbroker.core.errors import Conflict, InvalidRequest, NotFound
from paperbroker.core.ids import AccountId, ClientOrderId, IdFactory, OrderId
from paperbroker.data.bar import Bar
from paperbroker.engine.accounts import Accounts
from paperbroker.engine.context import BarHistory, PriceLike, StrategyContext
from paperbroker.engine.contingent import Contingencies
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.order_entry import OrderTerms, exit_legs, order_terms
from paperbroker.engine.pretrade import market_refusal, rules_refusal
from paperbroker.model.account import Account, AccountRules
from paperbroker.model.enums import OrderClass, OrderSide, OrderStatus, TimeInForce
from paperbroker.model.events import (
    AdvanceRequested,
    CancelRequested,
    Event,
    OrderAccepted,
    OrderCanceled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
    OrderSubmitted,
    ReplaceRequested,
)
from paperbroker.model.instrument import Instrument, TradingHours
from paperbroker.model.order import CHANGEABLE_STATUSES, Order
from paperbroker.model.position import Position
from paperbroker.model.values import ZERO, to_decimal
from paperbroker.portfolio.portfolio import Portfolio, Refusal
from paperbroker.strategy.base import Strategy
from paperbroker.strategy.indicators import Series, compute_indicator
from paperbroker.venue.venue import SimulatedVenue, VenueConfig

CHUNK_SIZE = 1 << 15
_REPLACEABLE = frozenset({OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED})
_HISTORY_COLUMNS = ("open", "high", "low", "close", "volume")

EventListener = Callable[[Event], None]
ProgressCallback = Callable[[int, int], None]


def _ignore(bar: Bar) -> None:
    """The per-bar callback of a kernel without a strategy."""


class Kernel:
    """Drives one feed through one venue for one or more accounts, and a strategy.

    The account given at construction is the default one: the strategy trades
    it, and calls that name no account use it.  :meth:`open_account` adds more;
    every account has its own portfolio, orders and pre-trade checks, and all
    share the clock, the data and the venue.
    """

    def __init__(
        self,
        feed: HistoricalFeed,
        account: Account,
        venue_config: VenueConfig,
        clock: SimClock,
        strategy: Strategy | None = None,
        ids: IdFactory | None = None,
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
        self.venue = SimulatedVenue(
            feed.series, venue_config, clock, self.ids, self._emit,
            funds=self._affordable_at, mark=self._last_price,
        )  # fmt: skip
        self.orders: dict[str, Order] = {}
        self._links = Contingencies(self.orders, self.venue, self._emit, self._instrument_index)
        self.events: list[Event] = []
        self._listeners: list[EventListener] = []
        self._client_ids: set[tuple[str, str]] = set()
        self._cursor = 0
        self._seen = [0] * len(self.instruments)
        # Per instrument: (append to the visible series, all precomputed values).
        self._growing: list[list[tuple[Callable[[float], None], array[float]]]] = [
            [] for _ in self.instruments
        ]
        self.strategy = strategy
        self.ctx = StrategyContext(self)
        self._started = False
        # Callbacks a strategy does not override are not called at all.
        self._on_fill = _overridden(strategy, "on_fill")
        self._on_order = _overridden(strategy, "on_order")

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
        for books in self.portfolios.values():
            books.forget_reservations()  # marks moved: market orders are valued anew
        if self.venue.has_working_orders:
            self._match_bars_in_progress(end_ns)
            self.venue.flush(self.clock.now_ns())
        return self._cursor - start

    def _match_bars_in_progress(self, now_ns: int) -> None:
        """Let working orders meet the open of each bar that has opened but not closed.

        A run that stops inside a bar (a session advanced to 09:31 on daily
        bars) must not hold back what the open already decided: a market order
        placed before 09:30 trades at the 09:30 open.  Only the open is used.
        """
        working = self.venue.working
        for index, series in enumerate(self.feed.series):
            row = self._seen[index]
            if not working[index] or row >= len(series):
                continue
            if int(series.ts[row]) - series.duration_ns <= now_ns:
                self.venue.on_open(index, series.bar(row), row)

    def _run_chunk(self, start: int, stop: int) -> None:
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
        series = self.feed.series[index]
        if seen < len(series) and int(series.ts[seen]) - series.duration_ns < self.clock.now_ns():
            return float(series.open[seen])
        return float(series.close[seen - 1]) if seen else None

    # -- events -------------------------------------------------------------
    def _emit(self, event: OrderEvent) -> None:
        """Apply an event to its order (and a fill to the portfolio), then publish it."""
        order = self.orders[event.order_id]
        fill = event.fill if isinstance(event, OrderFilled) else None
        submitted = isinstance(event, OrderSubmitted)
        if not submitted:  # the order was built from that one
            order.apply(event)
            if isinstance(event, OrderCanceled | OrderExpired | OrderReplaced):
                self.portfolios[order.account_id].forget_reservations()  # it stopped working
        if fill is not None:
            self.portfolios[order.account_id].apply_fill(fill)
        self._publish(event)
        if self._links.active and not submitted:
            self._links.after(event, order)
        if fill is not None:
            if self._on_fill is not None:
                self._on_fill(fill)
        elif not submitted and self._on_order is not None:
            self._on_order(order)

    def _publish(self, event: Event) -> None:
        self.events.append(event)
        for listener in self._listeners:
            listener(event)

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

    # -- orders -------------------------------------------------------------
    def submit_order(
        self,
        symbol: str,
        side: OrderSide,
        qty: PriceLike | None = None,
        *,
        limit: PriceLike | None = None,
        stop: PriceLike | None = None,
        tif: TimeInForce | str = TimeInForce.DAY,
        client_order_id: str | None = None,
        account_id: str | None = None,
        trail_price: PriceLike | None = None,
        trail_percent: PriceLike | None = None,
        notional: PriceLike | None = None,
        order_class: OrderClass | str = OrderClass.SIMPLE,
        take_profit: PriceLike | None = None,
        stop_loss: PriceLike | None = None,
        stop_loss_limit: PriceLike | None = None,
        refusal: Refusal | None = None,
    ) -> Order:
        """Validate and submit an order; it is accepted or rejected before this returns.

        The prices choose the type: none is a market order, ``limit`` a limit,
        ``stop`` a stop, both a stop-limit, ``trail_price``/``trail_percent``
        a trailing stop.  ``notional`` (instead of ``qty``) buys or sells that
        much money's worth.  ``order_class`` ``bracket``/``oto`` adds exit
        legs at ``take_profit`` (a limit) and ``stop_loss`` (a stop, or a
        stop-limit with ``stop_loss_limit``); ``oco`` makes a limit order and a
        stop-loss cancel each other.  ``account_id`` names the account
        (default: the kernel's default account).  ``refusal`` rejects the
        order with that reason instead of checking it (a pipeline's risk
        agent decided before the broker).

        Raises:
            InvalidRequest: for an unknown symbol, a malformed order (see
                :func:`~paperbroker.engine.order_entry.order_terms`), or a
                ``client_order_id`` the account already used.
            NotFound: for an unknown account.
        """
        portfolio = self.books(account_id)
        index = self._index.get(symbol)
        if index is None:
            raise self._unknown_symbol(symbol)
        terms = order_terms(
            self.instruments[index], side, qty, limit=limit, stop=stop, tif=tif,
            trail_price=trail_price, trail_percent=trail_percent, notional=notional,
            order_class=order_class, take_profit=take_profit, stop_loss=stop_loss,
            stop_loss_limit=stop_loss_limit,
        )  # fmt: skip
        self._check_client_id(portfolio.account.id, client_order_id)
        order = self._new_order(terms, portfolio.account.id, client_order_id)
        legs = [
            self._new_order(leg, portfolio.account.id, None, parent_id=order.id)
            for leg in exit_legs(terms)
        ]
        order.legs = [leg.id for leg in legs]
        # A refusal decided before the broker (a pipeline's risk agent) is recorded as such.
        refusal = refusal or self._refusal(order, portfolio, index)
        if refusal is not None:
            self._reject(order, refusal)
            for leg in legs:
                if leg.status is OrderStatus.HELD:
                    self._emit(OrderCanceled(leg.ts_created, leg.id, f"entry {order.id} rejected"))
                else:
                    self._reject(leg, refusal)
            return order
        self._accept(order, portfolio, index)
        if terms.order_class is OrderClass.OCO:
            # The stop-loss of an OCO works beside its limit order from the start.
            for leg in legs:
                self._emit(OrderAccepted(ts=leg.ts_created, order_id=leg.id))
                self.venue.accept(index, leg)
            self._links.link([order.id, *order.legs])
        elif legs:
            self._links.hold(order.id, order.legs)
        return order

    def replace_order(
        self,
        order_id: str,
        *,
        qty: PriceLike | None = None,
        limit: PriceLike | None = None,
        stop: PriceLike | None = None,
        trail: PriceLike | None = None,
        tif: TimeInForce | str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """Replace a working order with a new one; return the new order.

        The replacement keeps the order's symbol, side, type and links and
        takes the given fields (the rest from the order; ``qty`` defaults to
        what is left unfilled).  It is checked now and reaches the venue after
        the latency; until then the old order is ``pending_replace`` and may
        still fill.  If it fills completely first, the replacement is canceled.

        Raises:
            NotFound: if no order has that id.
            Conflict: if the order is not working (or is held, or has a
                cancel or replacement on its way).
            InvalidRequest: for a malformed replacement.
        """
        old = self.orders.get(order_id)
        if old is None:
            raise NotFound(f"order {order_id} not found")
        if old.status not in _REPLACEABLE:
            raise Conflict(f"order {order_id} is {old.status} and cannot be replaced")
        if old.notional is not None:
            raise Conflict("a notional order cannot be replaced")
        index = self._instrument_index(old.symbol)
        trailing_percent = old.trail_percent is not None
        terms = order_terms(
            self.instruments[index], old.side, old.leaves_qty if qty is None else qty,
            limit=old.limit_price if limit is None else limit,
            stop=(old.stop_price if stop is None else stop) if not old.is_trailing else None,
            tif=old.time_in_force if tif is None else tif,
            trail_price=(trail or old.trail_price) if old.trail_price is not None else None,
            trail_percent=(trail or old.trail_percent) if trailing_percent else None,
        )  # fmt: skip
        portfolio = self.books(old.account_id)
        self._check_client_id(portfolio.account.id, client_order_id)
        new = self._new_order(
            terms, portfolio.account.id, client_order_id, parent_id=old.parent_id,
            replaces=old.id, order_class=old.order_class,
        )  # fmt: skip
        refusal = self._refusal(new, portfolio, index, replacing=old.id)
        # The check counted the working orders without the replaced one: recount.
        portfolio.forget_reservations()
        if refusal is not None:
            self._reject(new, refusal)
            return new
        self._emit(OrderAccepted(ts=new.ts_created, order_id=new.id))
        self._emit(ReplaceRequested(ts=new.ts_created, order_id=old.id, replacement_id=new.id))
        self.venue.request_replace(old.id, new)
        return new

    def _check_client_id(self, account: str, client_order_id: str | None) -> None:
        if client_order_id is not None and (account, client_order_id) in self._client_ids:
            raise InvalidRequest(f"client_order_id {client_order_id!r} is already in use")

    def _new_order(
        self,
        terms: OrderTerms,
        account: AccountId,
        client_order_id: str | None,
        *,
        parent_id: OrderId | None = None,
        replaces: OrderId | None = None,
        order_class: OrderClass | None = None,
    ) -> Order:
        """Create an order (its ``OrderSubmitted`` event) from validated terms."""
        order_id = self.ids.order_id()
        client_id = client_order_id or order_id
        self._client_ids.add((account, client_id))
        submitted = OrderSubmitted(
            self.clock.now_ns(), order_id, ClientOrderId(client_id), account, terms.symbol,
            terms.side, terms.order_type, terms.qty, terms.time_in_force, terms.limit_price,
            terms.stop_price, terms.trail_price, terms.trail_percent, terms.notional,
            order_class or terms.order_class, parent_id, replaces,
            None if parent_id else terms.take_profit, None if parent_id else terms.stop_loss,
            None if parent_id else terms.stop_loss_limit,
        )  # fmt: skip
        order = Order(submitted)
        self.orders[order_id] = order
        self._emit(submitted)
        return order

    def _refusal(
        self, order: Order, portfolio: Portfolio, index: int, replacing: str | None = None
    ) -> Refusal | None:
        """Why the broker would refuse ``order`` now (``None``: it would not)."""
        refusal = rules_refusal(order, portfolio.account.rules) or market_refusal(
            order, self.feed.series[index], self._seen[index], self.instruments[index],
            self.clock.now_ns(),
        )  # fmt: skip
        if refusal is not None:
            return refusal
        account = portfolio.account.id
        # A replacement takes the old order's place, and its OCO siblings are the
        # other way out of the same position: neither claims anything beside it.
        excluded = set() if replacing is None else {replacing, *self._links.siblings(replacing)}
        if excluded:
            portfolio.forget_reservations()  # counted with them; count again without

        def working() -> list[Order]:
            orders = self.open_orders(account_id=account)
            return [o for o in orders if o.id not in excluded] if excluded else orders

        return portfolio.check(order, working, self.venue.config.commission)

    def _reject(self, order: Order, refusal: Refusal) -> None:
        reason, message = refusal
        self._emit(
            OrderRejected(ts=order.ts_created, order_id=order.id, reason=reason, message=message)
        )

    def _accept(self, order: Order, portfolio: Portfolio, index: int) -> None:
        self._emit(OrderAccepted(ts=order.ts_created, order_id=order.id))
        self.venue.accept(index, order)
        portfolio.order_accepted(order)

    def cancel_order(self, order_id: str) -> bool:
        """Cancel an order; ``False`` (and no event) if it can no longer be canceled.

        A cancel publishes ``CancelRequested`` (the order is ``pending_cancel``)
        and reaches the venue after the latency: the order may still fill
        meanwhile.  A held exit leg is canceled at once.

        Raises:
            NotFound: if no order has that id.
        """
        order = self.orders.get(order_id)
        if order is None:
            raise NotFound(f"order {order_id} not found")
        if order.status not in CHANGEABLE_STATUSES:
            return False
        now = self.clock.now_ns()
        self._emit(CancelRequested(ts=now, order_id=order.id))
        if order.status is OrderStatus.HELD:
            self._emit(OrderCanceled(ts=now, order_id=order.id, reason="canceled by client"))
            return True
        return self.venue.request_cancel(order_id)

    def open_orders(self, symbol: str | None = None, account_id: str | None = None) -> list[Order]:
        """Working orders of one account (default: the default account), oldest first.

        ``symbol`` keeps only that symbol's orders.
        """
        account = self.books(account_id).account.id
        indices = (
            range(len(self.instruments)) if symbol is None else [self._instrument_index(symbol)]
        )
        working = self.venue.working
        return [w.order for i in indices for w in working[i] if w.order.account_id == account]

    # -- queries --------------------------------------------------------------
    def position(self, symbol: str, account_id: str | None = None) -> Position:
        """The position in ``symbol`` of one account (default: the default account)."""
        symbol = self.instruments[self._instrument_index(symbol)].symbol
        return self.books(account_id).positions[symbol]

    def affordable_qty(
        self, symbol: str, price: PriceLike | None = None, budget: PriceLike | None = None
    ) -> Decimal:
        """Largest lot-multiple quantity whose cost plus commission fits ``budget``."""
        instrument = self.instruments[self._instrument_index(symbol)]
        reference = (
            self.portfolio.mark(symbol) if price is None else to_decimal(price, field="price")
        )
        if reference is None or reference <= ZERO:
            return ZERO
        available = (
            self.portfolio.buying_power if budget is None else to_decimal(budget, field="budget")
        )
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
        values = compute_indicator(fn, getattr(self.feed.series[index], source), *args, **kwargs)
        full: array[float] = array("d")
        full.frombytes(np.ascontiguousarray(values).data.cast("B"))
        visible: array[float] = array("d", full[: self._seen[index]])
        self._growing[index].append((visible.append, full))
        return visible

    def history(self, symbol: str, length: int | None = None) -> BarHistory:
        """Read-only views of ``symbol``'s bars up to the current one."""
        index = self._instrument_index(symbol)
        series = self.feed.series[index]
        stop = self._seen[index]
        start = 0 if length is None else max(0, stop - length)
        return BarHistory(
            *(np.asarray(getattr(series, c))[start:stop] for c in ("ts", *_HISTORY_COLUMNS))
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
