"""The portfolio: the only place cash and positions change, and only through fills."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from paperbroker.model.account import Account
from paperbroker.model.enums import OrderSide, OrderType, RejectReason
from paperbroker.model.fill import Fill
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import Order
from paperbroker.model.position import Position
from paperbroker.model.values import ZERO, price_on_grid
from paperbroker.portfolio.equity import FillLedger
from paperbroker.venue.commission import CommissionModel

Refusal = tuple[RejectReason, str]
_BUY = OrderSide.BUY
_SELL = OrderSide.SELL


class Portfolio:
    """Cash, positions and marks of one account.

    ``last_price(i)`` gives the latest close of instrument ``i`` known to the
    kernel (a float, as the bar gave it, or ``None`` before its first bar);
    Decimal valuations put it on the instrument's tick grid first.
    """

    def __init__(
        self,
        account: Account,
        instruments: Sequence[Instrument],
        last_price: Callable[[int], float | None],
    ) -> None:
        self.account = account
        self.instruments = {instrument.symbol: instrument for instrument in instruments}
        self.positions = {
            instrument.symbol: Position(instrument.symbol) for instrument in instruments
        }
        self._last_price = last_price
        self._mark_index = {instrument.symbol: i for i, instrument in enumerate(instruments)}
        self.ledger = FillLedger(float(account.initial_cash))
        self.fees = ZERO

    @property
    def cash(self) -> Decimal:
        return self.account.cash

    def mark(self, symbol: str) -> Decimal | None:
        """The last known price of ``symbol`` on its tick grid, or ``None`` before any bar."""
        value = self._last_price(self._mark_index[symbol])
        if value is None:
            return None
        return price_on_grid(value, self.instruments[symbol].tick_size)

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
        return account.buying_power(self.equity, self.gross_exposure())

    def apply_fill(self, fill: Fill) -> None:
        """Book a fill: move cash, update the position, record it for the equity curve."""
        signed = fill.signed_qty
        self.account.cash -= signed * fill.price + fill.fee
        self.fees += fill.fee
        self.positions[fill.symbol].apply(fill)
        self.ledger.record(fill.ts, self._mark_index[fill.symbol], signed, self.account.cash)

    def check(
        self, order: Order, open_orders: Sequence[Order], commission: CommissionModel
    ) -> Refusal | None:
        """Pre-trade check of a new order against the account's rules.

        Returns the reason to refuse it, or ``None`` to let it through.  What
        the order would add to the account's exposure is valued at its limit
        (or stop) price, or at the last mark for a market order; open orders
        on the same side already reserve their share.  Selling what is held,
        or buying back a short, needs no buying power.
        """
        held = self.positions[order.symbol].qty
        if order.side is _SELL:
            pending = sum((o.leaves_qty for o in open_orders if o.side is _SELL), ZERO)
            short_qty = min(order.qty + pending - held, order.qty)
            if short_qty <= ZERO:
                return None
            if not self.account.config.allows_short:
                return RejectReason.SHORT_NOT_ALLOWED, (
                    f"a cash account cannot sell {order.symbol} short"
                )
            if not self.instruments[order.symbol].shortable:
                return RejectReason.SHORT_NOT_ALLOWED, f"{order.symbol} is not shortable"
            return self._check_cost(order, short_qty, commission, ZERO)
        opening = order.qty - min(order.qty, max(-held, ZERO))
        if not opening:
            return None
        reserved = ZERO
        for other in open_orders:
            if other.side is _BUY:
                reserved += other.leaves_qty * (self._reference_price(other) or ZERO)
        return self._check_cost(order, opening, commission, reserved)

    def _check_cost(
        self, order: Order, qty: Decimal, commission: CommissionModel, reserved: Decimal
    ) -> Refusal | None:
        price = self._reference_price(order)
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
        if order.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT):
            return order.limit_price
        if order.order_type is OrderType.STOP:
            return order.stop_price
        return self.mark(order.symbol)

    def _open(self) -> list[tuple[str, Position]]:
        return [(s, p) for s, p in self.positions.items() if p.qty]
