"""Emergency controls: cancel every order, close every position, reduce, tighten stops.

They act on every account of the session at once and use orders the kernel
places itself, which no rule refuses:

- ``cancel_all`` cancels every working order but the risk layer's own
  (protective orders and ``risk-close`` orders keep working);
- ``close_all`` cancels the protective orders and every other working order
  in the symbols it closes, then closes each position with a ``day`` market
  order (``risk-close-…``) for what the working ``risk-close`` orders do not
  already cover, so asking twice places nothing more;
- ``reduce`` sells (buys back) ``percent`` of every position, rounded down to
  the lot, with ``risk-close`` market orders;
- ``tighten_stops`` moves every protective stop ``percent`` of its distance
  closer to the last price (a trailing stop's percent shrinks by as much).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from paperbroker.core.errors import InvalidRequest
from paperbroker.engine.order_entry import OrderTerms
from paperbroker.model.enums import OrderSide, OrderType
from paperbroker.model.values import ZERO
from paperbroker.risk.safeguards import Key, Protection, on_tick, price_tick

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel
    from paperbroker.model.order import Order
    from paperbroker.risk.settings import Safeguards

_HUNDRED = Decimal(100)


class Emergency:
    """The emergency controls of one kernel."""

    def __init__(self, kernel: Kernel, protection: Protection) -> None:
        self._kernel = kernel
        self._protection = protection
        #: Ids of the ``risk-close`` orders placed.
        self.closing: set[str] = set()

    def working(self) -> list[Order]:
        """Every account's working orders, account by account, oldest first."""
        kernel = self._kernel
        return [o for account in kernel.portfolios for o in kernel.open_orders(account_id=account)]

    def own(self, order: Order) -> bool:
        """Whether ``order`` is one the risk layer placed."""
        return order.id in self.closing or order.id in self._protection.ids

    def cancel(self, orders: list[Order], reason: str) -> list[str]:
        """Cancel ``orders`` now (the broker's own decision); return the ids canceled."""
        venue = self._kernel.venue
        return [o.id for o in orders if venue.cancel(o.id, reason)]

    def cancel_all(self, reason: str, *, protective: bool = False) -> list[str]:
        """Cancel every working order but ``risk-close`` ones (and protective ones, unless
        ``protective``)."""
        ids = self._protection.ids
        chosen = [
            o
            for o in self.working()
            if o.id not in self.closing and (protective or o.id not in ids)
        ]
        if protective:
            for key in list(self._protection.orders):
                self._protection.orders.pop(key)
        return self.cancel(chosen, reason)

    def closing_qty(self, key: Key) -> Decimal:
        """What the working ``risk-close`` orders of one position will still trade."""
        account, symbol = key
        return sum(
            (
                o.leaves_qty
                for o in self._kernel.open_orders(symbol, account_id=account)
                if o.id in self.closing
            ),
            ZERO,
        )

    def positions(self) -> list[tuple[Key, Decimal]]:
        """Every open position of every account: ((account, symbol), qty)."""
        return [
            ((account, symbol), position.qty)
            for account, books in self._kernel.portfolios.items()
            for symbol, position in books.positions.items()
            if position.qty
        ]

    def close(self, key: Key, qty: Decimal, reason: str) -> str | None:
        """Send a market order trading ``qty`` (signed: what the position must change by)
        of one position, less what working ``risk-close`` orders already will; its id."""
        account, symbol = key
        kernel = self._kernel
        instrument = kernel.instruments[kernel._instrument_index(symbol)]
        size = abs(qty) - self.closing_qty(key)
        if not instrument.fractionable:
            size = on_tick(size, instrument.lot_size, ROUND_FLOOR)
        if size <= 0:
            return None
        side = OrderSide.BUY if qty > 0 else OrderSide.SELL
        terms = OrderTerms(
            symbol, side, size, client_order_id=self._protection.client_id("close", symbol, account)
        )
        try:
            order = kernel._place(terms, account)
        except InvalidRequest:
            return None  # a remainder off the instrument's grid: nothing can trade it
        self.closing.add(order.id)
        return order.id

    def close_all(self, reason: str) -> tuple[list[str], list[str]]:
        """Close every position; return (canceled, submitted) ids."""
        canceled: list[str] = []
        submitted: list[str] = []
        for key, qty in self.positions():
            canceled += self._protection.drop(key, reason)
            account, symbol = key
            others = [
                o
                for o in self._kernel.open_orders(symbol, account_id=account)
                if o.id not in self.closing
            ]
            canceled += self.cancel(others, reason)
            order_id = self.close(key, -qty, reason)
            if order_id is not None:
                submitted.append(order_id)
        return canceled, submitted

    def reduce(self, percent: Decimal, reason: str) -> list[str]:
        """Trade ``percent`` of every position back toward flat; the ids submitted."""
        submitted = []
        for key, qty in self.positions():
            part = on_tick(abs(qty) * percent / _HUNDRED, self._lot(key), ROUND_FLOOR)
            if not part:
                continue
            order_id = self._reduce(key, -part if qty > 0 else part)
            if order_id is not None:
                submitted.append(order_id)
        return submitted

    def _reduce(self, key: Key, qty: Decimal) -> str | None:
        account, symbol = key
        side = OrderSide.BUY if qty > 0 else OrderSide.SELL
        terms = OrderTerms(
            symbol,
            side,
            abs(qty),
            client_order_id=self._protection.client_id("close", symbol, account),
        )
        try:
            order = self._kernel._place(terms, account)
        except InvalidRequest:
            return None
        self.closing.add(order.id)
        return order.id

    def _lot(self, key: Key) -> Decimal:
        kernel = self._kernel
        return kernel.instruments[kernel._instrument_index(key[1])].lot_size

    def tighten(self, percent: Decimal, settings: Safeguards) -> tuple[list[str], list[str]]:
        """Move every protective stop ``percent`` closer to the price; (canceled, submitted)."""
        protection, kernel = self._protection, self._kernel
        keys: list[Key] = []
        for key, stop in protection.stops():
            books = kernel.books(key[0])
            long = books.positions[key[1]].qty > 0
            if stop.order_type is OrderType.TRAILING_STOP:
                trail = stop.trail_percent or ZERO
                protection.tightened_trail[key] = (trail * (1 - percent / _HUNDRED)).quantize(
                    Decimal("0.0001")
                )
            else:
                price, old = books.mark(key[1]), stop.stop_price
                if price is None or old is None:
                    continue
                distance = (price - old) * (1 - percent / _HUNDRED)
                instrument = kernel.instruments[kernel._instrument_index(key[1])]
                tick = price_tick(instrument, price)
                moved = on_tick(price - distance, tick, ROUND_FLOOR if long else ROUND_CEILING)
                if moved == old:
                    continue
                protection.tightened[key] = moved
            if key not in keys:
                keys.append(key)
        canceled: list[str] = []
        submitted: list[str] = []
        for key in keys:
            gone, placed = protection.renew(key, settings)
            canceled += gone
            submitted += placed
        return canceled, submitted


__all__ = ["Emergency"]
