"""A reconciliation's read of the broker (a broker server): consistent while the books move
under it, and from a watermark once it has read the history."""

from __future__ import annotations

from decimal import Decimal

from tests.broker.conftest import FIRST_FILL, SECOND_DAY, Broker

from paperbroker.broker.adapter import BrokerOrder, OrderRequest
from paperbroker.broker.alpaca import AlpacaBroker
from paperbroker.services.reconcile_broker import OVERLAP_NS, BrokerWindow, read_broker
from paperbroker.session.reconcile import LocalBooks

NOTHING = LocalBooks((), frozenset(), {}, Decimal(0), frozenset({"AAPL"}))


class FillsWhileRead(AlpacaBroker):
    """The broker account, whose pending order fills (the broker's clock moves) while its
    orders are being listed, the first time only."""

    def __init__(self, broker: Broker) -> None:
        key_id, secret = broker.bot.key
        super().__init__(key_id, secret, endpoint="custom", base_url=broker.bot.server.url)
        self.broker = broker
        self.listings = 0

    def orders(self, *, after_ns: int | None = None, open_only: bool = False) -> list[BrokerOrder]:
        self.listings += 1
        found = super().orders(after_ns=after_ns, open_only=open_only)
        if self.listings == 1:
            self.broker.advance(FIRST_FILL)
        return found


def buy(broker: Broker, client_order_id: str, qty: int) -> BrokerOrder:
    request = OrderRequest(client_order_id, "AAPL", "buy", "market", "day", qty=Decimal(qty))
    return broker.adapter.submit(request)


def test_a_read_the_broker_moves_under_is_read_again_and_agrees(broker: Broker) -> None:
    buy(broker, "first", 10)
    adapter = FillsWhileRead(broker)
    try:
        books = read_broker(adapter, NOTHING)
    finally:
        adapter.close()
    assert adapter.listings == 2  # the first read saw the books move: read again
    [fill] = books.fills
    [position] = books.positions
    assert (fill.qty, position.qty) == (Decimal(10), Decimal(10))  # fills and positions agree
    assert [o.status for o in books.orders] == ["filled"]
    assert books.account.cash == Decimal(100_000) - fill.qty * fill.price


def test_later_reads_start_a_day_before_the_newest_order_or_fill_seen(broker: Broker) -> None:
    first = buy(broker, "first", 10)
    broker.advance(FIRST_FILL)
    window = BrokerWindow()
    books = read_broker(broker.adapter, NOTHING, window)
    [fill] = books.fills
    assert window.after_ns == max(first.submitted_at, fill.ts) - OVERLAP_NS
    broker.advance(SECOND_DAY)
    second = buy(broker, "second", 2)
    again = read_broker(broker.adapter, NOTHING, window)
    assert {o.client_order_id for o in again.orders} == {"first", "second"}
    assert window.after_ns == second.submitted_at - OVERLAP_NS
    broker.advance("2012-01-09T14:31:00Z")
    later = read_broker(broker.adapter, NOTHING, window)
    # The first order is out of the window; the second, filled since, is in it.
    assert [o.client_order_id for o in later.orders] == ["second"]
    assert [f.qty for f in later.fills] == [Decimal(2)]
