"""The kernel's order desk: taking, replacing and canceling orders.

A request (its :class:`~paperbroker.engine.order_entry.OrderTerms`) passes
three checks before it reaches the venue.
:func:`~paperbroker.engine.order_entry.check_terms` validates it: a malformed
request raises and leaves no trace.  Then the account's rules and the market
(:mod:`paperbroker.engine.pretrade`), the session's risk rules
(:mod:`paperbroker.risk`) and the portfolio's buying power decide: a refused
order is recorded as ``rejected`` (``OrderRejected``, or ``OrderDenied`` naming
the risk rule), an accepted one goes to the venue.  The exit legs of a
bracket, OTO or OCO order are handed to
:class:`~paperbroker.engine.contingent.Contingencies`.

:class:`OrderDesk` is a mixin of :class:`~paperbroker.engine.kernel.Kernel`,
not a helper object the kernel calls.  Its methods are the kernel's own public
API (``kernel.submit_order``), and strategies call them from ``on_bar``, so a
delegating wrapper would add a call to every order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Unpack

from paperbroker.core.errors import Conflict, InvalidRequest, NotFound
from paperbroker.core.ids import AccountId, OrderId
from paperbroker.engine.order_entry import (
    CheckedTerms,
    OrderTerms,
    PriceLike,
    TermOptions,
    check_terms,
    exit_legs,
)
from paperbroker.engine.pretrade import market_refusal, rules_refusal
from paperbroker.model.enums import OrderClass, OrderSide, OrderStatus, TimeInForce
from paperbroker.model.events import (
    CancelRequested,
    OrderAccepted,
    OrderCanceled,
    OrderRejected,
    OrderSubmitted,
    ReplaceRequested,
)
from paperbroker.model.order import CHANGEABLE_STATUSES, Order
from paperbroker.portfolio.claims import Claim, Holding
from paperbroker.portfolio.portfolio import Portfolio, Refusal
from paperbroker.risk.pretrade import Denial

if TYPE_CHECKING:
    from paperbroker.core.clock import SimClock
    from paperbroker.core.ids import IdFactory
    from paperbroker.engine.accounts import Accounts
    from paperbroker.engine.contingent import Contingencies
    from paperbroker.engine.feed import BarStream
    from paperbroker.model.events import OrderEvent
    from paperbroker.model.instrument import Instrument
    from paperbroker.risk.guard import RiskGuard
    from paperbroker.venue.base import Venue

_REPLACEABLE: Final = frozenset({OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED})
_SIMPLE: Final = OrderClass.SIMPLE
_OCO: Final = OrderClass.OCO
#: A named tuple from a tuple of all its fields, without the call to the generated
#: constructor (which sorts out defaults and keywords): for the tuples every order builds.
_tuple_new: Final[Callable[..., Any]] = tuple.__new__


class OrderDesk:
    """Order entry for a :class:`~paperbroker.engine.kernel.Kernel`: submit, replace,
    cancel and list orders.

    The desk keeps no state of its own.  The kernel builds everything it uses
    (orders by id, the venue, the links, the client order ids in use) and
    applies the events it emits; the declarations below name those parts.
    """

    # Built by the kernel; declared here for the type checker only.
    clock: SimClock
    feed: BarStream
    ids: IdFactory
    instruments: list[Instrument]
    orders: dict[str, Order]
    venue: Venue
    _index: dict[str, int]
    _seen: list[int]
    _links: Contingencies
    _client_ids: set[tuple[str, str]]  # (account, id) given with an order
    accounts: Accounts
    risk: RiskGuard

    # The kernel's, which it overrides (a class body cannot hide them from the compiler).
    def books(self, account_id: str | None = None) -> Portfolio:
        raise NotImplementedError

    def _emit(self, event: OrderEvent) -> None:
        raise NotImplementedError

    def _instrument_index(self, symbol: str) -> int:
        raise NotImplementedError

    def _unknown_symbol(self, symbol: str) -> InvalidRequest:
        raise NotImplementedError

    def submit_order(
        self,
        symbol: str,
        side: OrderSide,
        qty: PriceLike | None = None,
        *,
        account_id: str | None = None,
        refusal: Refusal | None = None,
        **options: Unpack[TermOptions],
    ) -> Order:
        """:meth:`submit` of ``OrderTerms(symbol, side, qty, **options)``: the terms as
        keyword arguments (``limit=``, ``stop=``, ``tif=``, ``order_class=``, ...).

        Raises:
            InvalidRequest: for an unknown symbol, a malformed order, or a
                ``client_order_id`` the account already used.
            NotFound: for an unknown account.
        """
        return self.submit(
            OrderTerms(symbol, side, qty, **options), account_id=account_id, refusal=refusal
        )

    def submit(
        self, terms: OrderTerms, *, account_id: str | None = None, refusal: Refusal | None = None
    ) -> Order:
        """Validate and submit an order; it is accepted or rejected before this returns.

        ``terms`` are the order's (see :class:`~paperbroker.engine.order_entry.OrderTerms`).
        ``account_id`` names the account (default: the kernel's default
        account).  ``refusal`` rejects the order with that reason instead of
        checking it (a pipeline's risk agent decided before the broker).  An order
        the session's risk rules deny is rejected with an ``OrderDenied`` event.

        Raises:
            InvalidRequest: for an unknown symbol, a malformed order (see
                :func:`~paperbroker.engine.order_entry.check_terms`), or a
                ``client_order_id`` the account already used.
            NotFound: for an unknown account.
        """
        portfolio = self.accounts.default if account_id is None else self.books(account_id)
        index = self._index.get(terms.symbol)
        if index is None:
            raise self._unknown_symbol(terms.symbol)
        fractional = portfolio.account.rules.fractional_trading
        checked = check_terms(terms, self.instruments[index], fractional=fractional)
        if terms.client_order_id is not None:
            self._check_client_id(portfolio.account.id, terms.client_order_id)
        order = self._new_order(checked, portfolio.account.id, terms.client_order_id)
        legs: list[Order] = []
        if checked.order_class is not _SIMPLE:  # a simple order has no legs
            legs = [
                self._new_order(leg, portfolio.account.id, None, parent_id=order.id)
                for leg in exit_legs(checked)
            ]
            order.legs = tuple(leg.id for leg in legs)
        # A refusal decided before the broker (a pipeline's risk agent) is recorded as such.
        refused = refusal or self._refusal(order, portfolio, index)
        if refused is not None:
            self._reject(order, refused)
            for leg in legs:
                if leg.status is OrderStatus.HELD:
                    self._emit(OrderCanceled(leg.ts_created, leg.id, f"entry {order.id} rejected"))
                else:
                    self._reject(leg, refused)
            return order
        close_row = self._decision_row(order, index)
        self._accept(order, portfolio, index, delayed=close_row is None)
        if checked.order_class is _OCO:
            # The stop-loss of an OCO works beside its limit order from the start.
            for leg in legs:
                self._emit(OrderAccepted(ts=leg.ts_created, order_id=leg.id))
                self.venue.accept(index, leg)
            self._links.link([order.id, *order.legs])
            portfolio.forget_reservations()  # the pair is one claim: count it as linked
        elif legs:
            self._links.hold(order.id, order.legs)
        if close_row is not None:  # its exits are held first: they follow its fill
            self.venue.on_close(index, self.feed.series[index].bar(close_row), close_row, order.id)
        return order

    def _decision_row(self, order: Order, index: int) -> int | None:
        """The row of the bar whose close ``order`` fills at (``fill_timing`` ``signal_close``):
        the instrument's latest bar, if it closed now; ``None`` for every other order."""
        if not self.venue.at_close(order):
            return None
        row = self._seen[index] - 1
        if row < 0 or int(self.feed.series[index].ts[row]) != self.clock.now_ns():
            return None
        return row

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
        portfolio = self.books(old.account_id)
        terms = OrderTerms(
            old.symbol, old.side, old.leaves_qty if qty is None else qty,
            limit=old.limit_price if limit is None else limit,
            stop=(old.stop_price if stop is None else stop) if not old.is_trailing else None,
            tif=old.time_in_force if tif is None else tif, client_order_id=client_order_id,
            trail_price=(trail or old.trail_price) if old.trail_price is not None else None,
            trail_percent=(trail or old.trail_percent) if trailing_percent else None,
        )  # fmt: skip
        fractional = portfolio.account.rules.fractional_trading
        checked = check_terms(terms, self.instruments[index], fractional=fractional)
        self._check_client_id(portfolio.account.id, client_order_id)
        new = self._new_order(
            checked, portfolio.account.id, client_order_id, parent_id=old.parent_id,
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

    def client_id_in_use(self, account: str, client_order_id: str) -> bool:
        """Whether ``account`` has used ``client_order_id``: given with one of its orders
        (kept in ``_client_ids``), or as the id of one of its orders sent without one,
        whose client order id is its id (found among the orders, not kept twice)."""
        if (account, client_order_id) in self._client_ids:
            return True
        order = self.orders.get(client_order_id)
        return (
            order is not None
            and order.account_id == account
            and order.client_order_id == client_order_id
        )

    def _check_client_id(self, account: str, client_order_id: str | None) -> None:
        if client_order_id is not None and self.client_id_in_use(account, client_order_id):
            raise InvalidRequest(f"client_order_id {client_order_id!r} is already in use")

    def _new_order(
        self,
        terms: CheckedTerms,
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
        if client_id != order_id:  # its own id (none given, or replayed) is found by its id
            self._client_ids.add((account, client_id))
        submitted: OrderSubmitted = _tuple_new(OrderSubmitted, (
            self.clock._ns, order_id, client_id, account, terms.symbol,
            terms.side, terms.order_type, terms.qty, terms.time_in_force, terms.limit_price,
            terms.stop_price, terms.trail_price, terms.trail_percent, terms.notional,
            order_class or terms.order_class, parent_id, replaces,
            None if parent_id else terms.take_profit, None if parent_id else terms.stop_loss,
            None if parent_id else terms.stop_loss_limit,
        ))  # fmt: skip
        order = Order(submitted)
        self.orders[order_id] = order
        self._emit(submitted)
        return order

    def _refusal(
        self, order: Order, portfolio: Portfolio, index: int, replacing: str | None = None
    ) -> Refusal | Denial | None:
        """Why the broker would refuse ``order`` now (``None``: it would not): the
        account's rules, the market, the session's risk rules, then the books."""
        refusal = rules_refusal(order, portfolio.account.rules) or market_refusal(
            order, self.feed.series[index], self._seen[index], self.instruments[index],
            self.clock._ns,
        )  # fmt: skip
        if refusal is not None:
            return refusal
        if self.risk.active:
            denial = self.risk.check(order, portfolio, index, replacing)
            if denial is not None:
                return denial
        account = portfolio.account.id
        if replacing is None:
            commission = self.venue.config.commission
            if not self.venue.has_working_orders and not self._links.active:
                return portfolio.check(order, None, commission)  # nothing claims
            return portfolio.check(order, lambda: self.claims(account), commission)
        # A replacement takes the old order's place, and its OCO siblings are the
        # other way out of the same position: neither claims anything beside it.
        excluded = {replacing, *self._links.siblings(replacing)}
        portfolio.forget_reservations()  # counted with them; count again without

        def working() -> list[Claim]:
            return [c for c in self.claims(account) if c[0].id not in excluded]

        return portfolio.check(order, working, self.venue.config.commission)

    def _reject(self, order: Order, refusal: Refusal | Denial) -> None:
        if isinstance(refusal, Denial):
            self._emit(self.risk.denied(order, refusal))
            return
        reason, message = refusal
        self._emit(
            OrderRejected(ts=order.ts_created, order_id=order.id, reason=reason, message=message)
        )

    def _place(self, terms: OrderTerms, account_id: str) -> Order:
        """Submit an order the broker places itself (the risk layer's protective and
        closing orders): no check refuses it, and it works at once.

        Raises:
            InvalidRequest: for malformed terms (the caller builds valid ones).
        """
        portfolio = self.books(account_id)
        index = self._instrument_index(terms.symbol)
        checked = check_terms(terms, self.instruments[index])
        self._check_client_id(portfolio.account.id, terms.client_order_id)
        order = self._new_order(checked, portfolio.account.id, terms.client_order_id)
        self._emit(OrderAccepted(ts=order.ts_created, order_id=order.id))
        self.venue.accept(index, order, delayed=False)
        portfolio.forget_reservations()
        return order

    def _accept(
        self, order: Order, portfolio: Portfolio, index: int, *, delayed: bool = True
    ) -> None:
        accepted: OrderAccepted = _tuple_new(OrderAccepted, (order.ts_created, order.id))
        self._emit(accepted)
        self.venue.accept(index, order, delayed=delayed)
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
        if order.status is not OrderStatus.HELD and self.venue.working_order(order_id) is None:
            return False  # a replacement still on its way to the venue: nothing works yet
        now = self.clock.now_ns()
        self._emit(CancelRequested(ts=now, order_id=order.id))
        if order.status is OrderStatus.HELD:
            self._emit(OrderCanceled(ts=now, order_id=order.id, reason="canceled by client"))
            return True
        return self.venue.request_cancel(order_id)

    def claims(self, account_id: str | None = None) -> list[Claim]:
        """What one account's orders may still trade (default: the default account):
        its working orders, oldest first, then the exits held for partly filled entries."""
        account = self.books(account_id).account.id
        if not self.venue.has_working_orders and not self._links.active:
            return []  # nothing works and nothing is held: nothing claims
        held = [c for c in self._links.held_claims() if c[0].account_id == account]
        group = self._links.group
        working = self.open_orders(account_id=account)
        protective = self.risk.protection.ids
        if protective:  # the risk layer's protective orders claim nothing
            working = [o for o in working if o.id not in protective]
        return [(o, None, group(o.id)) for o in working] + held

    def holding(self, symbol: str, account_id: str | None = None) -> Holding:
        """What one account's orders hold of its position in ``symbol``, and what is left
        to sell (Alpaca's ``qty_available``): the pre-trade check's own count."""
        books = self.books(account_id)
        return books.holding(symbol, lambda: self.claims(books.account.id))

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
