"""An account's equity as of an earlier moment, exactly, from its fills and the bars.

Alpaca's ``last_equity`` is the equity at the end of the previous trading
day. Cash moves only at fills, and positions only at fills, so the equity at
``ts`` is the initial cash less what the fills up to ``ts`` cost, plus each
position then at its mark (:mod:`paperbroker.portfolio.marks`, as the
portfolio values it): all in ``Decimal``.
"""

from __future__ import annotations

from decimal import Decimal

from paperbroker.model.events import OrderFilled
from paperbroker.model.values import ZERO
from paperbroker.portfolio.marks import PriceTrack
from paperbroker.session.runtime import SessionRuntime


def equity_as_of(runtime: SessionRuntime, account_id: str, ts: int) -> Decimal:
    """The account's equity at ``ts`` (its initial cash before its first fill).

    Raises:
        NotFound: for an account the session does not have.
    """
    account = runtime.books(account_id).account
    with runtime.locked():  # a command may be appending events meanwhile
        fills = [
            e.fill
            for e in runtime.kernel.events
            if isinstance(e, OrderFilled) and e.ts <= ts and e.fill.account_id == account.id
        ]
    cash = account.initial_cash
    held: dict[str, Decimal] = {}
    for fill in fills:
        cash -= fill.signed_qty * fill.price + fill.fee
        held[fill.symbol] = held.get(fill.symbol, ZERO) + fill.signed_qty
    series = {s.symbol: s for s in runtime.kernel.feed.series}
    value = ZERO
    for symbol, qty in held.items():
        if not qty:
            continue
        price = PriceTrack.of(series[symbol]).mark_at(ts)
        if price is not None:
            value += qty * price
    return cash + value
