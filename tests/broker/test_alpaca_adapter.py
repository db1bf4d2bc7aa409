"""The Alpaca adapter against a real broker server (a second paperbroker on loopback)."""

from __future__ import annotations

import socket
import threading
import uuid
from decimal import Decimal

import pytest
from tests.broker.conftest import FIRST_FILL, SECOND_DAY, Broker
from tests.waiting import wait_for

from paperbroker.broker.adapter import (
    BrokerNotSent,
    BrokerRefused,
    OrderRequest,
    TradeUpdate,
)
from paperbroker.broker.alpaca import AlpacaBroker


def market(qty: str = "10", side: str = "buy") -> OrderRequest:
    return OrderRequest(str(uuid.uuid4()), "AAPL", side, "market", "day", qty=Decimal(qty))


def test_submit_then_find_it_by_client_order_id_and_see_it_fill(broker: Broker) -> None:
    adapter = broker.adapter
    request = market()
    order = adapter.submit(request)
    assert order.client_order_id == request.client_order_id
    assert order.status == "new"
    assert order.qty == Decimal(10)
    assert adapter.order_by_client_id(request.client_order_id) == order
    assert adapter.order_by_client_id(str(uuid.uuid4())) is None

    broker.advance(FIRST_FILL)
    filled = adapter.order_by_client_id(request.client_order_id)
    assert filled is not None
    assert filled.status == "filled"
    assert filled.filled_qty == Decimal(10)
    (fill,) = adapter.fills()
    assert (fill.order_id, fill.qty, fill.price) == (order.id, Decimal(10), filled.filled_avg_price)
    (position,) = adapter.positions()
    assert (position.symbol, position.qty) == ("AAPL", Decimal(10))
    account = adapter.account()
    assert account.cash == Decimal(100_000) - Decimal(10) * fill.price


def test_a_second_order_with_the_same_client_order_id_is_refused(broker: Broker) -> None:
    request = market()
    broker.adapter.submit(request)
    with pytest.raises(BrokerRefused) as refused:
        broker.adapter.submit(request)
    assert refused.value.status == 422
    assert len(broker.orders()) == 1


def test_cancel_and_replace_a_limit_order(broker: Broker) -> None:
    adapter = broker.adapter
    request = OrderRequest(
        str(uuid.uuid4()), "AAPL", "buy", "limit", "gtc", qty=Decimal(5), limit_price=Decimal(50)
    )
    order = adapter.submit(request)
    new_client_id = str(uuid.uuid4())
    new = adapter.replace(order.id, limit_price=Decimal(51), client_order_id=new_client_id)
    assert (new.client_order_id, new.limit_price) == (new_client_id, Decimal(51))
    old = adapter.order_by_client_id(request.client_order_id)
    assert old is not None
    assert (old.status, old.replaced_by) == ("replaced", new.id)
    adapter.cancel(new.id)
    canceled = adapter.order_by_client_id(new_client_id)
    assert canceled is not None
    assert canceled.status == "canceled"
    with pytest.raises(BrokerRefused) as refused:
        adapter.cancel(new.id)
    assert refused.value.status == 422
    statuses = sorted(o.status for o in adapter.orders())
    assert statuses == ["canceled", "replaced"]


def test_orders_and_fills_page_through_everything(broker: Broker) -> None:
    adapter = broker.adapter
    sent = [adapter.submit(market("1")) for _ in range(3)]
    broker.advance(FIRST_FILL)
    more = [adapter.submit(market("1")) for _ in range(2)]
    broker.advance(SECOND_DAY)
    orders = adapter.orders()
    assert [o.id for o in orders] == [o.id for o in sent + more]
    assert [o.id for o in adapter.orders(after_ns=orders[2].submitted_at)] == [o.id for o in more]
    fills = adapter.fills()
    assert len(fills) == len({f.id for f in fills}) == 5
    later = adapter.fills(after_ns=fills[2].ts)
    assert {f.order_id for f in later} == {o.id for o in more}


def test_a_refused_connection_is_not_sent() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = AlpacaBroker("k", "s", endpoint="custom", base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(BrokerNotSent):
        adapter.submit(market())
    adapter.close()


def test_an_unknown_endpoint_is_refused() -> None:
    from paperbroker.core.errors import InvalidRequest

    with pytest.raises(InvalidRequest, match="endpoint"):
        AlpacaBroker("k", "s", endpoint="sandbox")
    live = AlpacaBroker("k", "s", endpoint="live")
    assert live.real_money
    assert live.base_url == "https://api.alpaca.markets"
    live.close()


class Heard:
    def __init__(self) -> None:
        self.updates: list[TradeUpdate] = []
        self.connections = 0

    def update(self, update: TradeUpdate) -> None:
        self.updates.append(update)

    def connected(self) -> None:
        self.connections += 1


def test_a_fill_arrives_on_the_stream_as_a_trade_update(broker: Broker) -> None:
    adapter = broker.adapter
    heard = Heard()
    stop = threading.Event()
    thread = threading.Thread(target=adapter.stream, args=(heard.update, heard.connected, stop))
    thread.start()
    try:
        wait_for(lambda: heard.connections == 1, "the stream to connect")
        request = market("3")
        order = adapter.submit(request)
        broker.advance(FIRST_FILL)
        wait_for(lambda: any(u.event == "fill" for u in heard.updates), "the fill")
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    events = [u.event for u in heard.updates]
    assert events == ["new", "fill"]
    fill = heard.updates[1].fill
    assert fill is not None
    assert (fill.order_id, fill.qty) == (order.id, Decimal(3))
    # The stream and the fill activities name the fill alike.
    assert [f.id for f in adapter.fills()] == [fill.id]
