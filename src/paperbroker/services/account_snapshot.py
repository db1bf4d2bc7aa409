"""An account's equity as of an earlier moment, exactly, from its fills and the bars.

Alpaca's ``last_equity`` is the equity at the end of the previous trading
day. Cash moves only at fills, and positions only at fills, so the equity at
``ts`` is the initial cash less what the fills up to ``ts`` cost, plus each
position then at the last close at or before ``ts``: all in ``Decimal``, the
closes read on their instrument's tick grid as the portfolio reads them.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from paperbroker.model.events import OrderFilled
from paperbroker.model.values import ZERO, price_on_grid
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
        bars = series[symbol]
        row = int(np.searchsorted(bars.ts, ts, side="right")) - 1
        if row >= 0:
            value += qty * price_on_grid(float(bars.close[row]), bars.instrument.tick_size)
    return cash + value
