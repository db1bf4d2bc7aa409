"""A session's round trips reviewed one by one: what each cost in slippage, how far it
went against and for its holder (:mod:`~paperbroker.analytics.excursions`), and
the orders that opened and closed it.

The trades are those of the session's default account
(:func:`~paperbroker.services.session_metrics.session_metrics`). A trade's
slippage is the money its fills paid against their reference prices
(``slippage × qty`` of each fill). Its ``factor`` is the reason the strategy
gave for its entry order, when the order records one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from paperbroker.analytics.trades import Trade
from paperbroker.model.events import OrderFilled
from paperbroker.model.fill import Fill
from paperbroker.services.session_metrics import session_metrics
from paperbroker.session.runtime import SessionRuntime


@dataclass(frozen=True, slots=True)
class TradeReview:
    """One round trip (its MAE/MFE on it: :func:`~paperbroker.analytics.excursions.with_excursions`)
    and what its review adds to it."""

    trade: Trade
    slippage: Decimal
    entry_order_id: str | None
    exit_order_id: str | None
    factor: str | None


def trade_reviews(runtime: SessionRuntime) -> list[TradeReview]:
    """The default account's round trips, oldest entry first, each reviewed."""
    trades = session_metrics(runtime).trades
    with runtime.locked():
        fills = {e.fill.id: e.fill for e in runtime.kernel.events if isinstance(e, OrderFilled)}
        orders = dict(runtime.kernel.orders)
    reviews = []
    for trade in trades:
        own: list[Fill] = [fills[f] for f in trade.fill_ids if f in fills]
        entry = own[0].order_id if own else None
        exit_id = own[-1].order_id if own and trade.exit_ts is not None else None
        reason = getattr(orders.get(entry), "reason", None) if entry is not None else None
        reviews.append(
            TradeReview(
                trade=trade,
                slippage=sum((f.slippage * f.qty for f in own), Decimal(0)),
                entry_order_id=entry,
                exit_order_id=exit_id,
                factor=reason if isinstance(reason, str) and reason else None,
            )
        )
    return reviews
