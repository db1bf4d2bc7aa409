"""Safeguards: protective orders on every position, and the longest a position is held.

After every fill that changes a position, the position's protective orders
are canceled and placed again for the whole position, at the venue, as
ordinary ``gtc`` orders the kernel submits itself:

- ``risk-sl-…``: a stop ``stop_loss_pct`` below a long's average entry price
  (above a short's), rounded away from the price;
- ``risk-tp-…``: a limit ``take_profit_pct`` above a long's average entry
  (below a short's), rounded away from the price;

  prices are rounded to whole cents for an equity of $1.00 or more (no venue
  takes a sub-penny price there), else to the instrument's tick;
- ``risk-trail-…``: a trailing stop of ``trailing_stop_pct`` percent.

The orders of one position cancel each other (an OCO group: the first fill
cancels the rest), and are canceled when the position is flat.  They claim
nothing: they do not count toward ``max_open_orders`` nor hold shares a sell
needs, and no rule denies them.  A stop moved by ``tighten_stops`` keeps its
price (if tighter) until the position is flat.

``max_holding_minutes``: at the first bar close at least that long after a
position opened (or flipped side), it is closed with a market order
(``risk-close-…``, ``RiskAdjusted`` ``max_holding``).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from paperbroker.core.errors import InvalidRequest
from paperbroker.engine.order_entry import OrderTerms
from paperbroker.model.enums import AssetClass, OrderSide, OrderType, TimeInForce
from paperbroker.model.events import RiskAdjusted
from paperbroker.model.values import CENT
from paperbroker.risk.pretrade import text

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel
    from paperbroker.model.fill import Fill
    from paperbroker.model.instrument import Instrument
    from paperbroker.model.order import Order
    from paperbroker.risk.settings import Safeguards

_HUNDRED = Decimal(100)
_MINUTE_NS = 60_000_000_000
Key = tuple[str, str]  # (account id, symbol)


def price_tick(instrument: Instrument, price: Decimal) -> Decimal:
    """The step a protective price of about ``price`` is rounded to: for an equity at
    $1.00 or more, whole cents (US venues take no sub-penny prices there, Reg NMS
    Rule 612, and Alpaca refuses them), else the instrument's own tick."""
    tick = instrument.tick_size
    if instrument.asset_class is AssetClass.EQUITY and price >= 1:
        return max(tick, CENT)
    return tick


def on_tick(price: Decimal, tick: Decimal, rounding: str) -> Decimal:
    """``price`` on the tick grid, rounded ``ROUND_FLOOR`` or ``ROUND_CEILING``."""
    return (price / tick).to_integral_value(rounding) * tick


class Protection:
    """The protective orders of each position, and when each position opened."""

    def __init__(self, kernel: Kernel) -> None:
        self._kernel = kernel
        #: Protective order ids by position.
        self.orders: dict[Key, list[str]] = {}
        #: Every working protective order id (what claims and counts leave out).
        self.ids: set[str] = set()
        #: When each position opened (session ns).
        self.opened_at: dict[Key, int] = {}
        #: Stop prices and trail percents ``tighten_stops`` set, per position.
        self.tightened: dict[Key, Decimal] = {}
        self.tightened_trail: dict[Key, Decimal] = {}
        self._serial = 0

    def to_state(self) -> dict[str, Any]:
        """The protective orders and the positions' opening times and tightenings,
        for a checkpoint (each by ``[account, symbol, value]``)."""
        return {
            "orders": [[a, s, list(ids)] for (a, s), ids in self.orders.items()],
            "ids": sorted(self.ids),
            "opened_at": [[a, s, ts] for (a, s), ts in self.opened_at.items()],
            "tightened": [[a, s, str(v)] for (a, s), v in self.tightened.items()],
            "tightened_trail": [[a, s, str(v)] for (a, s), v in self.tightened_trail.items()],
            "serial": self._serial,
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Take the state :meth:`to_state` wrote."""
        self.orders = {(a, s): list(ids) for a, s, ids in state["orders"]}
        self.ids = set(state["ids"])
        self.opened_at = {(a, s): int(ts) for a, s, ts in state["opened_at"]}
        self.tightened = {(a, s): Decimal(v) for a, s, v in state["tightened"]}
        self.tightened_trail = {(a, s): Decimal(v) for a, s, v in state["tightened_trail"]}
        self._serial = int(state["serial"])

    def client_id(self, kind: str, symbol: str, account: str) -> str:
        """The next client order id of a risk order, ``risk-<kind>-<symbol>-<n>``, one
        the account has not used (a client may have taken one first)."""
        while True:
            self._serial += 1
            client_id = f"risk-{kind}-{symbol}-{self._serial}"
            if not self._kernel.client_id_in_use(account, client_id):
                return client_id

    def after_fill(self, order: Order, fill: Fill, settings: Safeguards) -> None:
        """A fill of ``order`` changed its position: track its age, renew its protection."""
        key = (order.account_id, order.symbol)
        qty = self._kernel.books(order.account_id).positions[order.symbol].qty
        if not qty:
            self.opened_at.pop(key, None)
            self.tightened.pop(key, None)
            self.tightened_trail.pop(key, None)
        elif key not in self.opened_at or _flipped(fill, qty):
            self.opened_at[key] = fill.ts
        if order.id in self.ids and order.is_open:
            return  # a protective order partly filled: it works on for the rest
        if key in self.orders or (qty and _protects(settings)):
            self.renew(key, settings)

    def renew(self, key: Key, settings: Safeguards) -> tuple[list[str], list[str]]:
        """Cancel ``key``'s protective orders and place them again for the position as it
        is now; return (canceled, submitted) ids."""
        kernel = self._kernel
        canceled = self.drop(key, "risk: protection renewed")
        account, symbol = key
        qty = kernel.books(account).positions[symbol].qty
        submitted: list[str] = []
        if not qty or not _protects(settings):
            return canceled, submitted
        instrument = kernel.instruments[kernel._instrument_index(symbol)]
        # Whole lots: a stop may not trade a fraction of one (a remainder is left unguarded).
        size = on_tick(abs(qty), instrument.lot_size, ROUND_FLOOR)
        if not size:
            return canceled, submitted
        position = kernel.books(account).positions[symbol]
        entry = position.avg_price
        long = qty > 0
        side = OrderSide.SELL if long else OrderSide.BUY
        tick = price_tick(instrument, entry)
        away = ROUND_FLOOR if long else ROUND_CEILING
        toward = ROUND_CEILING if long else ROUND_FLOOR
        sign = Decimal(1) if long else Decimal(-1)
        placed: list[tuple[Order | None, str]] = []
        if settings.stop_loss_pct is not None:
            stop = on_tick(entry * (1 - sign * settings.stop_loss_pct / _HUNDRED), tick, away)
            tight = self.tightened.get(key)
            if tight is not None and (tight > stop if long else tight < stop):
                stop = tight
            if stop > 0:
                order = self._place(account, symbol, "sl", side, size, stop=stop)
                placed.append((order, f"stop {text(stop)}"))
        if settings.take_profit_pct is not None:
            limit = on_tick(entry * (1 + sign * settings.take_profit_pct / _HUNDRED), tick, toward)
            if limit > 0:
                order = self._place(account, symbol, "tp", side, size, limit=limit)
                placed.append((order, f"take profit {text(limit)}"))
        if settings.trailing_stop_pct is not None:
            trail = self.tightened_trail.get(key, settings.trailing_stop_pct)
            order = self._place(account, symbol, "trail", side, size, trail_percent=trail)
            placed.append((order, f"trailing stop {text(trail)} %"))
        ids: list[str] = [o.id for o, _ in placed if o is not None]
        parts = [part for o, part in placed if o is not None]
        if not ids:
            return canceled, ids
        self.orders[key] = ids
        self.ids.update(ids)
        if len(ids) > 1:
            kernel._links.link(ids)
        kernel.books(account).forget_reservations()
        kernel._publish(
            RiskAdjusted(
                kernel.clock.now_ns(), "safeguard", f"{symbol} {text(size)}",
                f"{symbol}: {', '.join(parts)} for {text(size)} (entry {text(entry)})",
            )
        )  # fmt: skip
        return canceled, ids

    def _place(
        self,
        account: str,
        symbol: str,
        kind: str,
        side: OrderSide,
        qty: Decimal,
        **prices: Decimal,
    ) -> Order | None:
        """Place one protective order; ``None`` if its terms are not valid for the
        instrument (a trailing stop of 100 %, say): that one is left out."""
        client_id = self.client_id(kind, symbol, account)
        terms = OrderTerms(
            symbol, side, qty, tif=TimeInForce.GTC, client_order_id=client_id,
            limit=prices.get("limit"), stop=prices.get("stop"),
            trail_percent=prices.get("trail_percent"),
        )  # fmt: skip
        try:
            return self._kernel._place(terms, account)
        except InvalidRequest:
            return None

    def drop(self, key: Key, reason: str) -> list[str]:
        """Cancel ``key``'s protective orders (at once: the broker's own decision)."""
        canceled = []
        for order_id in self.orders.pop(key, ()):
            self.ids.discard(order_id)
            if self._kernel.venue.cancel(order_id, reason):
                canceled.append(order_id)
        return canceled

    def stops(self) -> list[tuple[Key, Order]]:
        """The working protective stops (plain and trailing), by position."""
        orders = self._kernel.orders
        found = []
        for key, ids in self.orders.items():
            for order_id in ids:
                order = orders[order_id]
                if order.is_open and order.order_type in (OrderType.STOP, OrderType.TRAILING_STOP):
                    found.append((key, order))
        return found

    def overdue(self, now: int, minutes: int) -> list[Key]:
        """The positions held at least ``minutes`` at ``now``."""
        horizon = now - minutes * _MINUTE_NS
        return [key for key, opened in self.opened_at.items() if opened <= horizon]


def _flipped(fill: Fill, qty: Decimal) -> bool:
    """Whether ``fill`` took the position (now ``qty``) from one side to the other."""
    before = qty - fill.qty if fill.side is OrderSide.BUY else qty + fill.qty
    return before != 0 and (before > 0) != (qty > 0)


def _protects(settings: Safeguards) -> bool:
    return (
        settings.stop_loss_pct is not None
        or settings.take_profit_pct is not None
        or settings.trailing_stop_pct is not None
    )


__all__ = ["Key", "Protection", "on_tick", "price_tick"]
