"""A live session's side of a reconciliation, and what an adopted one does to its books.

:func:`local_books` reads the default account's books from a kernel as
:func:`~paperbroker.session.reconcile.reconcile` compares them: its orders
with the broker's ids that ``BrokerReported`` events gave them, the broker
fills applied (by the broker's fill id), its positions and cash, and what
earlier reconciliations adopted (outside orders, fills taken in by positions,
statuses noted).
:func:`apply_reconciliation` applies a ``ReconciliationApplied`` to the
default account, live and on replay alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperbroker.broker.venue import BrokerVenue
from paperbroker.model.events import BrokerReported, ReconciliationApplied
from paperbroker.session.reconcile import (
    LocalBooks,
    LocalOrder,
    LocalPosition,
)
from paperbroker.session.reconcile_adjust import Adjustments

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel
    from paperbroker.portfolio.portfolio import Portfolio


def local_books(kernel: Kernel) -> LocalBooks:
    """The default account's books as a reconciliation compares them (see the module doc).

    An order is open for the comparison while the venue works it (a broker venue
    works what it sent or will send; an exit leg waiting for its entry is not at
    the broker). Call it under the session's command lock: the books must not
    move meanwhile.
    """
    venue = kernel.venue
    broker = venue if isinstance(venue, BrokerVenue) else None
    broker_ids: dict[str, str] = dict(broker.broker_ids) if broker is not None else {}
    fill_ids: set[str] = set(broker.applied_fills) if broker is not None else set()
    outside: set[str] = set()
    adopted: set[str] = set()
    noted: dict[str, str] = {}
    for event in kernel.events:
        if isinstance(event, ReconciliationApplied):
            taken = Adjustments.read(event.adjustments)
            outside.update(taken.outside_orders)
            adopted.update(taken.adopted_fills)
            noted.update(taken.noted_statuses)
        elif broker is None and isinstance(event, BrokerReported):
            if event.broker_order_id and event.update != "replaced":
                broker_ids.setdefault(event.order_id, event.broker_order_id)
            if event.update == "fill" and event.fill_id:
                fill_ids.add(event.fill_id)
    books = kernel.portfolio
    account = books.account.id
    orders = [
        LocalOrder(
            order.id,
            order.symbol,
            order.status.value,
            order.is_open if broker is None else broker.working_order(order.id) is not None,
            order.filled_qty,
            broker_ids.get(order.id, ""),
        )
        for order in kernel.orders.values()
        if order.account_id == account
    ]
    positions = {
        symbol: LocalPosition(symbol, position.qty, position.avg_price)
        for symbol, position in books.positions.items()
        if position.qty
    }
    return LocalBooks(
        orders=orders,
        fill_ids=frozenset(fill_ids),
        positions=positions,
        cash=books.cash,
        symbols=frozenset(books.instruments),
        known_outside=frozenset(outside),
        known_fills=frozenset(adopted),
        noted_statuses=noted,
    )


def apply_reconciliation(books: Portfolio, event: ReconciliationApplied) -> None:
    """Set the default account's positions and cash to what ``event`` adopted.

    A position in a symbol the account does not trade is left out (a
    reconciliation never adopts one: :func:`local_books` names the symbols).
    """
    adopted = Adjustments.read(event.adjustments)
    for symbol, position in sorted(adopted.positions.items()):
        if symbol in books.positions:
            books.reconcile_position(symbol, position.qty, position.avg_entry_price, event.ts)
    if adopted.cash is not None:
        books.reconcile_cash(adopted.cash, event.ts)


__all__ = ["apply_reconciliation", "local_books"]
