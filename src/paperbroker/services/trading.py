"""The trading use cases of a session: accounts, orders and positions.

:class:`TradingUseCases` is the part of
:class:`~paperbroker.services.sessions.SessionService` that trades one
account of one session; every transport (``/v1`` and the Alpaca ``/v2``)
calls it.  It finds sessions through :meth:`TradingUseCases.runtime`,
which the session service provides, so the owner check happens in one place.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from decimal import Decimal

from paperbroker.analytics.portfolio_history import HistoryQuery, PortfolioHistory
from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.core.ids import AccountId
from paperbroker.engine.order_entry import OrderTerms
from paperbroker.model.account import AccountRules
from paperbroker.model.enums import OrderClass, OrderSide, OrderType, TimeInForce
from paperbroker.model.events import AccountOpened
from paperbroker.model.order import Order
from paperbroker.model.values import to_decimal
from paperbroker.portfolio.claims import Holding
from paperbroker.services import account_history
from paperbroker.services.account_history import Activity, ActivityQuery
from paperbroker.services.session_config import (
    LIMIT_TYPES,
    STOP_TYPES,
    check_prices,
    close_quantity,
    parse_enum,
)
from paperbroker.services.views import (
    AccountView,
    OrderRequest,
    OrderView,
    PositionView,
    ReplaceRequest,
)
from paperbroker.session.market import Asset, MarketData
from paperbroker.session.runtime import SessionRuntime

DEFAULT_CASH = Decimal(100_000)


class TradingUseCases:
    """Accounts, orders and positions of the sessions an owner can reach."""

    _market: MarketData

    def runtime(self, owner: str, session_id: str) -> SessionRuntime:
        """The owner's session's runtime (restored if need be).

        Raises:
            NotFound: if the session does not exist or belongs to another owner.
        """
        raise NotImplementedError

    # -- accounts -------------------------------------------------------------
    def open_account(
        self, owner: str, session_id: str, initial_cash: Decimal | None
    ) -> AccountView:
        cash = DEFAULT_CASH if initial_cash is None else initial_cash
        if cash < 0:
            raise InvalidRequest(f"initialCash must not be negative, got {cash}")
        runtime = self.runtime(owner, session_id)
        books = runtime.open_account(cash)
        return AccountView.of(session_id, books, runtime.now_ns)

    def account(self, owner: str, session_id: str, account_id: str) -> AccountView:
        runtime = self.runtime(owner, session_id)
        books = runtime.books(account_id)
        return AccountView.of(session_id, books, _opened_at(runtime, account_id))

    def account_rules(self, owner: str, session_id: str, account_id: str) -> AccountRules:
        """An account's rules (Alpaca's account configurations) as they stand now."""
        return self.runtime(owner, session_id).kernel.account_rules(account_id)

    def configure_account(
        self, owner: str, session_id: str, account_id: str, changes: Mapping[str, object]
    ) -> AccountRules:
        """Change some of an account's rules (``None`` keeps one); journaled; all rules after."""
        return self.runtime(owner, session_id).configure_account(account_id, **changes)

    def activities(
        self, owner: str, session_id: str, account_id: str, query: ActivityQuery
    ) -> builtins.list[Activity]:
        """One page of an account's activities (see :mod:`.account_history`)."""
        runtime = self.runtime(owner, session_id)
        return account_history.activities(runtime, account_id, query)

    def portfolio_history(
        self, owner: str, session_id: str, account_id: str, query: HistoryQuery
    ) -> PortfolioHistory:
        """An account's equity and P/L over time, up to the session's current time."""
        runtime = self.runtime(owner, session_id)
        return account_history.account_portfolio_history(runtime, account_id, query)

    # -- trading --------------------------------------------------------------
    def submit_order(
        self, owner: str, session_id: str, account_id: str, request: OrderRequest
    ) -> OrderView:
        """Submit an order; it comes back accepted or rejected (never filled yet).

        A rejected order exists, with its ``reject_reason``, among the account's
        orders: refusals are not errors here (the HTTP API answers them as errors).

        Raises:
            InvalidRequest: for a malformed order: an unknown side, type, time in
                force or class, a ``type`` that does not agree with the prices
                given, both or neither of ``qty`` and ``notional``, extended hours.
            NotFound: for an unknown session or account.
            Conflict: if the session is completed.
        """
        side = parse_enum(OrderSide, request.side, "side")
        order_type = parse_enum(OrderType, request.type, "type")
        tif = parse_enum(TimeInForce, request.time_in_force, "time_in_force")
        order_class = (
            OrderClass.SIMPLE
            if request.order_class == ""
            else parse_enum(OrderClass, request.order_class, "order_class")
        )
        if request.extended_hours:
            raise InvalidRequest("extended_hours: extended hours are not simulated")
        limit, stop = request.limit_price, request.stop_price
        if order_class is OrderClass.OCO and order_type is OrderType.LIMIT and limit is None:
            limit = request.take_profit  # Alpaca's OCO names its limit in take_profit only
        check_prices(order_type, limit, stop, request.trail_price, request.trail_percent)
        runtime = self.runtime(owner, session_id)
        terms = OrderTerms(
            request.symbol, side,
            None if request.qty is None else to_decimal(request.qty, field="qty"),
            limit=limit, stop=stop, tif=tif, client_order_id=request.client_order_id,
            trail_price=request.trail_price, trail_percent=request.trail_percent,
            notional=None if request.notional is None else to_decimal(
                request.notional, field="notional"
            ),
            order_class=order_class, take_profit=request.take_profit,
            stop_loss=request.stop_loss, stop_loss_limit=request.stop_loss_limit,
        )  # fmt: skip
        order = runtime.submit(account_id, terms)
        return _order_view(runtime, order)

    def replace_order(
        self,
        owner: str,
        session_id: str,
        account_id: str,
        order_id: str,
        request: ReplaceRequest,
    ) -> OrderView:
        """Replace a working order; return the new order (the old one ends ``replaced``).

        Fields left ``None`` keep the order's values (``qty``: what is still
        unfilled).  With latency the old order is ``pending_replace`` until the
        replacement reaches the venue, and may fill meanwhile.

        Raises:
            InvalidRequest: if nothing is changed, a price does not belong to the
                order's type, or the replacement is malformed.
            NotFound: for an unknown session, account or order.
            Conflict: if the order can no longer be replaced (an exit leg still
                held for its entry cannot be), or the session is completed.
        """
        fields = (
            request.qty, request.limit_price, request.stop_price, request.trail,
            request.time_in_force, request.client_order_id,
        )  # fmt: skip
        if all(value is None for value in fields):
            raise InvalidRequest(
                "give at least one of qty, limit_price, stop_price, trail, time_in_force "
                "and client_order_id"
            )
        runtime = self.runtime(owner, session_id)
        order = runtime.order(account_id, order_id)
        kind = order.order_type
        for name, value, fits in (
            ("limit_price", request.limit_price, kind in LIMIT_TYPES),
            ("stop_price", request.stop_price, kind in STOP_TYPES),
            ("trail", request.trail, kind is OrderType.TRAILING_STOP),
        ):
            if value is not None and not fits:
                raise InvalidRequest(f"{name} does not apply to a {kind} order")
        tif = request.time_in_force
        new = runtime.replace_order(
            account_id, order.id,
            qty=None if request.qty is None else to_decimal(request.qty, field="qty"),
            limit=request.limit_price, stop=request.stop_price, trail=request.trail,
            tif=None if tif is None else parse_enum(TimeInForce, tif, "time_in_force"),
            client_order_id=request.client_order_id,
        )  # fmt: skip
        return _order_view(runtime, new)

    def orders(
        self, owner: str, session_id: str, account_id: str, status: str = "open"
    ) -> builtins.list[OrderView]:
        """An account's orders: ``open``, ``closed`` or ``all``, oldest first.

        Exit legs are listed as orders of their own, and under their entry too.
        """
        if status not in ("open", "closed", "all"):
            raise InvalidRequest(f"status {status!r} is not one of open, closed, all")
        runtime = self.runtime(owner, session_id)
        orders = runtime.orders(account_id)
        if status != "all":
            orders = [o for o in orders if o.is_open == (status == "open")]
        return [_order_view(runtime, order) for order in orders]

    def order(self, owner: str, session_id: str, account_id: str, order_id: str) -> OrderView:
        runtime = self.runtime(owner, session_id)
        return _order_view(runtime, runtime.order(account_id, order_id))

    def cancel_order(
        self, owner: str, session_id: str, account_id: str, order_id: str
    ) -> OrderView:
        """Cancel a working order; with latency it comes back ``pending_cancel`` (see runtime).

        Raises:
            NotFound: for an unknown session, account or order.
            Conflict: if the order is no longer working, or the session is completed.
        """
        runtime = self.runtime(owner, session_id)
        return _order_view(runtime, runtime.cancel_order(account_id, order_id))

    def positions(
        self, owner: str, session_id: str, account_id: str
    ) -> builtins.list[PositionView]:
        books = self.runtime(owner, session_id).books(account_id)
        return [PositionView.of(books, s) for s, p in sorted(books.positions.items()) if p.qty]

    def position(self, owner: str, session_id: str, account_id: str, symbol: str) -> PositionView:
        books = self.runtime(owner, session_id).books(account_id)
        position = books.positions.get(symbol)
        if position is None or not position.qty:
            raise NotFound(f"no position in {symbol}")
        return PositionView.of(books, symbol)

    def holding(self, owner: str, session_id: str, account_id: str, symbol: str) -> Holding:
        """What an account's orders hold of its position in ``symbol``, and what is left
        to sell: the count its pre-trade check makes (Alpaca's ``qty_available``)."""
        runtime = self.runtime(owner, session_id)
        account = runtime.books(account_id).account.id
        with runtime.locked():  # the count is cached on the books: no command meanwhile
            return runtime.kernel.holding(symbol, account)

    def close_position(
        self,
        owner: str,
        session_id: str,
        account_id: str,
        symbol: str,
        *,
        qty: Decimal | None = None,
        percentage: Decimal | None = None,
    ) -> OrderView:
        """Close a position, or ``qty`` of it, or ``percentage`` of it, with a market order.

        A percentage is rounded down to what the instrument trades (whole
        shares, or 1e-9 of a share where fractional).

        Raises:
            NotFound: if the account holds no position in ``symbol``.
            InvalidRequest: for both ``qty`` and ``percentage``, a value out of
                range, or a part that rounds to nothing.
            InsufficientQuantity: if ``qty`` exceeds the position.
        """
        runtime = self.runtime(owner, session_id)
        position = runtime.books(account_id).positions.get(symbol)
        if position is None or not position.qty:
            raise NotFound(f"position does not exist: no position in {symbol}")
        held = abs(position.qty)
        series = self._market.series(symbol)
        if series is None:
            raise NotFound(f"position does not exist: no position in {symbol}")
        amount = close_quantity(held, qty, percentage, series.instrument)
        side = OrderSide.SELL if position.qty > 0 else OrderSide.BUY
        return _order_view(runtime, runtime.submit(account_id, OrderTerms(symbol, side, amount)))

    def assets(self) -> builtins.list[Asset]:
        return self._market.assets()


def _order_view(runtime: SessionRuntime, order: Order) -> OrderView:
    return OrderView(order, tuple(runtime.legs(order)) if order.legs else None)


def _opened_at(runtime: SessionRuntime, account_id: str) -> int:
    for event in runtime.kernel.events:
        if isinstance(event, AccountOpened) and event.account_id == AccountId(account_id):
            return event.ts
    return runtime.spec.start_ns
