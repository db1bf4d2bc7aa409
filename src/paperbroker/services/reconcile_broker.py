"""Reading a broker's books for a reconciliation: one consistent view, without rereading
all history every time.

:func:`read_broker` asks the adapter for the account and positions, the
orders and the fills, then the account and positions again: if they moved
meanwhile (a fill landed while it read), it reads again, so the fills and
the positions it returns agree. It reads the orders and fills since a
**watermark** (:class:`BrokerWindow`): everything the first time, then from a
day before the newest order or fill it saw (orders still working, and the
session's working orders, are always read, however old). The broker's times
are the broker's, never compared with the session's clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from paperbroker.broker.adapter import BrokerAdapter, BrokerOrder
from paperbroker.core.clock import NANOS_PER_SECOND
from paperbroker.core.errors import TemporaryFailure
from paperbroker.session.reconcile import BrokerBooks, LocalBooks

#: How often the broker's books may move under a read before a run gives up.
MAX_READS: Final = 3
#: How far before the newest order or fill seen the next read starts.
OVERLAP_NS: Final = 86_400 * NANOS_PER_SECOND


@dataclass
class BrokerWindow:
    """Where the next read of a session's broker starts (``None``: from the beginning)."""

    after_ns: int | None = None

    def advance(self, times: Iterable[int]) -> None:
        newest = max(times, default=None)
        if newest is not None:
            start = newest - OVERLAP_NS
            self.after_ns = start if self.after_ns is None else max(self.after_ns, start)


def read_broker(
    adapter: BrokerAdapter, local: LocalBooks, window: BrokerWindow | None = None
) -> BrokerBooks:
    """The broker's books, consistent (see the module doc); ``window`` moves on.

    Raises:
        BrokerUnavailable: if the broker cannot be reached.
        TemporaryFailure: if its books moved under every one of :data:`MAX_READS` reads.
    """
    window = window or BrokerWindow()
    for _read in range(MAX_READS):
        account, positions = adapter.account(), adapter.positions()
        orders = _orders(adapter, local, window.after_ns)
        fills = adapter.fills(after_ns=window.after_ns)
        if (account, positions) == (adapter.account(), adapter.positions()):
            window.advance([o.submitted_at for o in orders] + [f.ts for f in fills])
            return BrokerBooks(orders, fills, positions, account)
    raise TemporaryFailure(
        f"the broker's books moved under {MAX_READS} reads in a row: reconcile again later"
    )


def _orders(adapter: BrokerAdapter, local: LocalBooks, after_ns: int | None) -> list[BrokerOrder]:
    found = {o.id: o for o in adapter.orders(after_ns=after_ns)}
    if after_ns is not None:
        found.update((o.id, o) for o in adapter.orders(open_only=True))
        held = {o.client_order_id for o in found.values()}
        for order in local.orders:
            if order.is_open and order.broker_order_id and order.id not in held:
                theirs = adapter.order_by_client_id(order.id)
                if theirs is not None:
                    found[theirs.id] = theirs
    return sorted(found.values(), key=lambda o: (o.submitted_at, o.id))


__all__ = ["MAX_READS", "OVERLAP_NS", "BrokerWindow", "read_broker"]
