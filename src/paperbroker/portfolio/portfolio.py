"""The portfolio: the only place cash and positions change, and only through fills."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Final

from paperbroker.model.account import Account
from paperbroker.model.enums import OrderSide, OrderType, RejectReason
from paperbroker.model.fill import Fill
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import Order
from paperbroker.model.position import BASIS_QUANTUM, Position
from paperbroker.model.values import EXACT, ZERO
from paperbroker.portfolio.claims import Claim, Holding, Reservations, leaves_qty
from paperbroker.portfolio.equity import FillLedger
from paperbroker.portfolio.marks import mark
from paperbroker.venue.commission import CommissionModel

Refusal = tuple[RejectReason, str]
_BUY: Final = OrderSide.BUY
_SELL: Final = OrderSide.SELL
_LIMIT: Final = OrderType.LIMIT
_STOP_LIMIT: Final = OrderType.STOP_LIMIT
_STOP: Final = OrderType.STOP


class Portfolio:
    """Cash, positions and marks of one account.

    ``last_price(i)`` gives the latest price of instrument ``i`` known to the
    kernel (a float, as the bar gave it, or ``None`` before its first bar);
    every valuation uses its mark (:func:`~paperbroker.portfolio.marks.mark`).
    """

    def __init__(
        self,
        account: Account,
        instruments: Sequence[Instrument],
        last_price: Callable[[int], float | None],
        intraday: Callable[[], bool] | None = None,
    ) -> None:
        self.account = account
        self._intraday = intraday
        self.instruments = {instrument.symbol: instrument for instrument in instruments}
        self.positions = {
            instrument.symbol: Position(instrument.symbol) for instrument in instruments
        }
        self._last_price = last_price
        self._mark_index = {instrument.symbol: i for i, instrument in enumerate(instruments)}
        self._marks: dict[str, tuple[float, Decimal]] = {}
        self.ledger = FillLedger(float(account.initial_cash))
        self._reservations: Reservations | None = None
        #: The order checked last and the price it was valued at.
        self._checked: tuple[Order | None, Decimal | None] = (None, None)
        self.fees = ZERO
        #: What reconciliations with a broker brought into the account, at cost, less
        #: what they took out (see :meth:`reconcile_position`): a flow, not P&L.
        self.reconciled = ZERO
        #: With :meth:`keep_realized_trail`, the realized P&L of each fill's position
        #: right after it, one per fill booked since (``None``: not kept).
        self.realized_trail: list[Decimal] | None = None

    def keep_realized_trail(self) -> None:
        """Keep :attr:`realized_trail` from the next fill on: what the books worked out
        per fill, so round-trip trades need not work it out again
        (:func:`~paperbroker.analytics.trades.build_trades`).  A reconciliation or a
        checkpoint's restore ends it (``None``): positions then moved without fills."""
        self.realized_trail = []

    def to_state(self) -> dict[str, Any]:
        """Cash, fees, every position that ever traded, the fill ledger and what
        reconciliations brought in (:attr:`reconciled`), for a
        checkpoint (the account's id, settings and rules are the caller's to write).

        The reservations are a cache of the working orders' claims, recounted
        at the next check: they are not written.
        """
        return {
            "cash": str(self.account.cash),
            "fees": str(self.fees),
            "positions": {
                symbol: [str(p.qty), str(p.cost_basis), str(p.realized_pnl), str(p.fees)]
                for symbol, p in self.positions.items()
                if p.qty or p.cost_basis or p.realized_pnl or p.fees
            },
            "ledger": self.ledger.to_state(),
            "reconciled": str(self.reconciled),
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Take the books :meth:`to_state` wrote."""
        self.account.cash = Decimal(state["cash"])
        self.fees = Decimal(state["fees"])
        for symbol, (qty, basis, realized, fees) in state["positions"].items():
            position = self.positions[symbol]
            position.qty, position.cost_basis = Decimal(qty), Decimal(basis)
            position.realized_pnl, position.fees = Decimal(realized), Decimal(fees)
        self.ledger.from_state(state["ledger"])
        self.reconciled = Decimal(state["reconciled"])
        self._reservations = None
        self.realized_trail = None

    @property
    def cash(self) -> Decimal:
        return self.account.cash

    def mark(self, symbol: str) -> Decimal | None:
        """The mark of ``symbol``: its last known price on its tick grid (``None`` before a bar)."""
        value = self._last_price(self._mark_index[symbol])
        if value is None:
            return None
        # The last price a symbol was marked at, and its mark: an order reads the mark
        # several times at one price.  Positive prices only, so that a signed zero
        # (whose mark is spelled with its sign) is always worked out anew.
        cached = self._marks.get(symbol)
        if cached is not None and cached[0] == value:
            return cached[1]
        exact = mark(value, self.instruments[symbol].tick_size)
        if value > 0:
            self._marks[symbol] = (value, exact)
        return exact

    def market_value(self) -> Decimal:
        """Signed value of all positions at the last marks."""
        return sum((p.market_value(self.mark(s) or ZERO) for s, p in self._open()), ZERO)

    def gross_exposure(self) -> Decimal:
        """Absolute value of all positions at the last marks."""
        return sum((abs(p.market_value(self.mark(s) or ZERO)) for s, p in self._open()), ZERO)

    @property
    def equity(self) -> Decimal:
        """Cash plus the market value of every position."""
        return self.account.cash + self.market_value()

    @property
    def realized_pnl(self) -> Decimal:
        return sum((p.realized_pnl for p in self.positions.values()), ZERO)

    @property
    def unrealized_pnl(self) -> Decimal:
        return sum((p.unrealized_pnl(self.mark(s) or ZERO) for s, p in self._open()), ZERO)

    @property
    def buying_power(self) -> Decimal:
        account = self.account
        if not account.config.allows_short:
            return max(account.cash, ZERO)  # a cash account spends its cash, whatever it holds
        intraday = self._intraday is not None and self._intraday()
        return account.buying_power(self.equity, self.gross_exposure(), intraday)

    def apply_fill(self, fill: Fill) -> None:
        """Book a fill: move cash, update the position, record it for the equity curve."""
        signed = fill.qty if fill.side is _BUY else -fill.qty
        self._reservations = None  # positions change: claims must be recounted
        self.account.cash -= signed * fill.price + fill.fee
        self.fees += fill.fee
        position = self.positions[fill.symbol]
        position.apply(fill)
        if self.realized_trail is not None:
            self.realized_trail.append(position.realized_pnl)
        self.ledger.record(fill.ts, self._mark_index[fill.symbol], signed, self.account.cash)

    def reconcile_position(self, symbol: str, qty: Decimal, avg_price: Decimal, ts: int) -> None:
        """Set a position to a broker's figures (a reconciliation; no fill made it).

        The position's cost basis becomes ``qty * avg_price``; cash does not
        move (:meth:`reconcile_cash` sets it). What changed outside the session
        is not the session's P&L: realized P&L stays what its fills realized,
        and the basis the position gained or lost is counted in
        :attr:`reconciled`, as shares moved into or out of the account at cost.
        So the books stay whole: equity minus the initial cash is realized plus
        unrealized P&L, minus fees, plus :attr:`reconciled`, to the digit (a
        position held at the broker before the session began adds its cost; one
        sold there by hand adds what it fetched over its cost, with the cash).

        Raises:
            KeyError: for a symbol the account does not trade.
        """
        position = self.positions[symbol]
        # On the basis grid of fills (10 places), so valuations stay exact.
        basis = EXACT.multiply(qty, avg_price).quantize(BASIS_QUANTUM) if qty else ZERO
        delta = qty - position.qty
        self.reconciled = EXACT.add(self.reconciled, EXACT.subtract(basis, position.cost_basis))
        position.qty = qty
        position.cost_basis = basis
        self._reservations = None
        self.realized_trail = None  # a position moved without a fill
        self.ledger.record(ts, self._mark_index[symbol], delta, self.account.cash)

    def reconcile_cash(self, cash: Decimal, ts: int) -> None:
        """Set cash to a broker's (a reconciliation); the difference counts in
        :attr:`reconciled`, so the books stay whole (see :meth:`reconcile_position`)."""
        self.reconciled = EXACT.add(self.reconciled, EXACT.subtract(cash, self.account.cash))
        self.account.cash = cash
        self._reservations = None
        if self._mark_index:
            self.ledger.record(ts, next(iter(self._mark_index.values())), ZERO, cash)

    def check(
        self,
        order: Order,
        claims: Callable[[], Sequence[Claim]] | None,
        commission: CommissionModel,
    ) -> Refusal | None:
        """Pre-trade check of a new order against the account's rules.

        Returns the reason to refuse it, or ``None`` to let it through.

        ``claims`` are the account's working orders, oldest first, and the
        held exits of partly filled entries (see :mod:`.claims`; ``None`` when
        no order works and none is held): they claim
        their share of each position first (a linked pair once) and reserve
        the buying power their opening parts need.  Then:

        - a sell of a **long** position may sell only what the working sells
          leave of it: more is refused (``insufficient_qty``, "insufficient
          qty available for order (requested: X, available: Y)"), on a cash
          or a margin account alike, as Alpaca refuses it; such a sell never
          turns a long position short;
        - a sell with nothing long to sell opens a short: refused when the
          account may not sell short (a cash account, ``no_shorting``, an
          unshortable asset);
        - the part of an order that opens exposure must fit the buying power.
          Selling what is held, or buying back a short, needs none.  Exposure
          is valued at the limit (or stop) price, or at the last mark for a
          market order.

        The claims and reservations are kept between checks (:meth:`order_accepted`
        extends them) until the books or the marks change
        (:meth:`forget_reservations`), so a burst of orders costs one pass over
        the working ones, not one per order.
        """
        reservations = self._reservations
        if reservations is None:
            # With nothing working, the position alone decides; that count is not
            # kept (an order filled before the next check must not stay in it).
            reservations = Reservations(self.positions) if claims is None else self._counted(claims)
        # The price values what the order opens; a sized order's share is known
        # without it, so an order that only closes (most exits) is never priced.
        price = self._reference_price(order) if order.notional is not None else None
        opening = reservations.opening_qty(order, price)
        if opening and price is None:
            price = self._reference_price(order)
        self._checked = (order, price)
        if not opening:
            return None
        if order.side is _SELL:
            if self.positions[order.symbol].qty > 0:
                available = reservations.free(order.symbol, _SELL)
                return RejectReason.INSUFFICIENT_QTY, insufficient_qty_message(
                    leaves_qty(order, price), available
                )
            if not self.account.config.allows_short:
                return RejectReason.SHORT_NOT_ALLOWED, (
                    f"a cash account cannot sell {order.symbol} short"
                )
            if self.account.rules.no_shorting:
                return RejectReason.SHORT_NOT_ALLOWED, (
                    f"shorting is disabled on this account (no_shorting): this sell of "
                    f"{order.symbol} would open or add to a short position"
                )
            if not self.instruments[order.symbol].shortable:
                return RejectReason.SHORT_NOT_ALLOWED, f"{order.symbol} is not shortable"
        return self._check_cost(order, opening, commission, reservations.reserved, price)

    def holding(self, symbol: str, claims: Callable[[], Sequence[Claim]]) -> Holding:
        """What the working orders hold of the position in ``symbol``, and what is left.

        The figure the pre-trade check uses: a sell of the position is refused
        beyond ``available`` (Alpaca's ``qty_available``).
        """
        return self._counted(claims).holding(symbol)

    def order_accepted(self, order: Order) -> None:
        """A checked order now works: it claims and reserves its share from now on."""
        reservations = self._reservations
        if reservations is not None:
            # Accepted at the moment it was checked: at the price the check valued it at.
            checked, price = self._checked
            if checked is not order:
                price = self._reference_price(order)
            reservations.add(order, price)

    def forget_reservations(self) -> None:
        """The books or the marks changed: recompute reservations at the next check."""
        self._reservations = None

    def _counted(self, claims: Callable[[], Sequence[Claim]]) -> Reservations:
        reservations = self._reservations
        if reservations is None:
            reservations = self._reservations = Reservations(self.positions)
            add, price_of = reservations.add, self._reference_price
            for order, qty, group in claims():
                add(order, None, qty, group, price_of)  # priced if it opens exposure
        return reservations

    def affordable_qty(
        self, order: Order, qty: Decimal, price: Decimal, commission: CommissionModel
    ) -> Decimal:
        """How much of a buy of ``qty`` at ``price`` the account can pay for now.

        A cash account cannot spend money it does not have: a market buy sized on
        a close can meet a higher open, and then only what the cash covers fills.
        Margin accounts are limited by their margin rules instead (all of ``qty``).
        """
        account = self.account
        if account.config.allows_short:
            return qty
        cost = qty * price
        if cost + commission.order_fee(qty, cost) <= account.cash:
            return qty
        return commission.max_qty(account.cash, price, self.instruments[order.symbol].lot_size)

    def _check_cost(
        self,
        order: Order,
        qty: Decimal,
        commission: CommissionModel,
        reserved: Decimal,
        price: Decimal | None,
    ) -> Refusal | None:
        """Whether the opening ``qty`` of ``order``, valued at its reference ``price``
        (with commission), fits the buying power the working orders leave."""
        if price is None:
            return RejectReason.INVALID_ORDER, f"no price for {order.symbol} yet"
        cost = qty * price + commission.order_fee(qty, qty * price)
        available = self.buying_power - reserved
        if cost > available:
            return RejectReason.INSUFFICIENT_BUYING_POWER, (
                f"order needs {cost:.2f}, buying power available is {available:.2f}"
            )
        return None

    def _reference_price(self, order: Order) -> Decimal | None:
        kind = order.order_type
        if kind is _LIMIT or kind is _STOP_LIMIT:
            return order.limit_price
        if kind is _STOP:
            return order.stop_price
        return self.mark(order.symbol)  # market orders and trailing stops

    def _open(self) -> list[tuple[str, Position]]:
        return [(s, p) for s, p in self.positions.items() if p.qty]


def insufficient_qty_message(requested: Decimal, available: Decimal) -> str:
    """Alpaca's words for a sell beyond what a long position has available."""
    return (
        f"insufficient qty available for order (requested: {_plain(requested)}, "
        f"available: {_plain(available)})"
    )


def _plain(qty: Decimal) -> str:
    """``qty`` without trailing zeros or an exponent: ``10``, ``0.5``."""
    text = format(qty.normalize(), "f")
    return text if text != "-0" else "0"
