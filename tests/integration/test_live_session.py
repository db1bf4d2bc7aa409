"""A live session's runtime trading through a real broker (a second paperbroker server).

On SQLite and on PostgreSQL: the session's orders reach the broker only once
they are journaled, with the local order id as ``client_order_id``; the
broker's fills move the session's books; a restore rebuilds them from the
journal alone; and across restarts every order reaches the broker exactly
once and every fill is applied exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from tests.broker import conftest as brokers
from tests.broker.conftest import FIRST_FILL, SECOND_DAY, Broker
from tests.broker.proxy import DroppingProxy, Relay
from tests.waiting import wait_for

from paperbroker.broker.alpaca import AlpacaBroker
from paperbroker.broker.venue import BrokerVenue
from paperbroker.core.clock import ManualClock
from paperbroker.feeds.synthetic import SyntheticFeed
from paperbroker.model.codec import decode_event
from paperbroker.model.enums import OrderSide, OrderStatus, OrderType, RejectReason
from paperbroker.model.events import BrokerReported, Event, OrderFilled, OrderSubmitted
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.session.broker_link import BrokerLink, fill_report
from paperbroker.session.lifecycle import SessionState, SessionTrigger
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.journal import Journal
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import preset

WALL_START = 1_790_000_000 * 10**9
SECOND = 10**9
FEED = {"type": "synthetic", "seed": 3, "interval_seconds": 1.0}
BUY = OrderSide.BUY


# The broker server and a broker account on it (tests/broker/conftest.py).
broker_server = brokers.broker_server
broker = brokers.broker


class Live:
    """A live session on one database: its spec, journal, and runtimes built from them."""

    def __init__(self, url: str, cash: Decimal = Decimal(100_000)) -> None:
        self.engine = create_engine_for(url)
        migrate(self.engine)
        factory = session_factory(self.engine)
        self.journal = Journal(factory)
        owner, _ = ApiKeys(factory).create("owner")
        end = WALL_START + 10**6 * SECOND
        record = SessionsRepo(factory).create(
            owner, name="live", simulation_start=WALL_START, simulation_end=end, kind="live"
        )
        self.spec = SessionSpec(
            record.id, WALL_START, end, cash, execution=preset("ideal"),
            kind="live", symbols=("AAPL",), feed=FEED,
            broker={"type": "alpaca", "endpoint": "custom", "credentials_id": "test"},
        )  # fmt: skip
        self.wall = ManualClock(WALL_START)
        self.market = MarketData.bundled()
        self._bars = SyntheticFeed(
            ["AAPL"], seed=3, interval_seconds=1.0, wall_start_ns=WALL_START, clock=self.wall
        ).batches(None)

    def runtime(self, *, new: bool = False) -> SessionRuntime:
        return SessionRuntime.restore(self.spec, self.market, self.journal, new=new, wall=self.wall)

    def started(self) -> SessionRuntime:
        """A new session, running, with one bar of AAPL (its price to check orders by)."""
        runtime = self.runtime(new=True)
        runtime.transition(SessionTrigger.RESUME)
        self.bar(runtime)
        return runtime

    def bar(self, runtime: SessionRuntime) -> None:
        batch = next(self._bars)
        self.wall.ns = max(self.wall.ns, batch[0].ts) + 1_000_000
        runtime.ingest(batch)

    def journaled(self) -> list[tuple[int, Event]]:
        stored = self.journal.read(self.spec.session_id)
        return [(e.seq, decode_event(e.kind, e.schema_version, e.payload)) for e in stored]

    def reports(self, update: str) -> list[tuple[int, BrokerReported]]:
        return [
            (seq, e)
            for seq, e in self.journaled()
            if isinstance(e, BrokerReported) and e.update == update
        ]

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def live(database_url: str) -> Iterator[Live]:
    made = Live(database_url)
    try:
        yield made
    finally:
        made.close()


class Linked:
    """Links started by a test, stopped at its end."""

    def __init__(self) -> None:
        self.links: list[BrokerLink] = []

    def __call__(self, runtime: SessionRuntime, broker: Broker, **options: Any) -> BrokerLink:
        link = BrokerLink(runtime, broker.adapter, retry_seconds=0.2, **options)
        link.start()
        self.links.append(link)
        return link

    def stop(self) -> None:
        for link in self.links:
            link.stop()


@pytest.fixture
def linked() -> Iterator[Linked]:
    links = Linked()
    try:
        yield links
    finally:
        links.stop()


def by_client_id(broker: Broker, client_order_id: str) -> list[dict[str, Any]]:
    return [o for o in broker.orders() if o["client_order_id"] == client_order_id]


def test_an_order_is_journaled_before_the_broker_sees_it_and_its_fill_moves_the_books(
    live: Live, broker: Broker, linked: Linked
) -> None:
    runtime = live.started()
    link = linked(runtime, broker)
    order = runtime.submit_order(runtime.default_account_id, "AAPL", BUY, Decimal(10))
    assert order.status is OrderStatus.ACCEPTED
    wait_for(lambda: live.reports("accepted"), "the broker's acknowledgement")
    (sent,) = by_client_id(broker, order.id)  # the broker's client_order_id is the order id
    submitted = next(s for s, e in live.journaled() if isinstance(e, OrderSubmitted))
    ((accepted_seq, accepted),) = live.reports("accepted")
    assert submitted < accepted_seq
    assert accepted.broker_order_id == sent["id"]

    broker.advance(FIRST_FILL)
    account = runtime.default_account_id
    wait_for(lambda: live.reports("fill"), "the fill, journaled")
    (position,) = broker.adapter.positions()
    local = runtime.books(account).positions["AAPL"]
    assert (local.qty, local.avg_price) == (position.qty, position.avg_entry_price)
    (fill,) = broker.adapter.fills()
    ((_, reported),) = live.reports("fill")
    assert (reported.fill_id, reported.qty, reported.price) == (fill.id, fill.qty, fill.price)
    assert runtime.books(account).cash == Decimal(100_000) - fill.qty * fill.price
    link.stop()

    # The same fill once more (the stream, then a catch-up): nothing changes.
    before = live.journaled()
    assert runtime.broker_report([fill_report(order.id, fill)]) == 0
    link.catch_up()
    assert live.journaled() == before

    # A restore rebuilds the books from the journal alone.
    restored = live.runtime()
    assert restored.kernel.events == runtime.kernel.events
    books = restored.books(account)
    assert books.positions["AAPL"].qty == 10
    assert books.cash == runtime.books(account).cash
    assert restored.order(account, order.id).status is OrderStatus.FILLED


def test_a_fill_while_the_link_is_away_is_caught_up_once(
    live: Live, broker: Broker, linked: Linked
) -> None:
    runtime = live.started()
    link = linked(runtime, broker)
    order = runtime.submit_order(runtime.default_account_id, "AAPL", BUY, Decimal(4))
    wait_for(lambda: live.reports("accepted"), "the broker's acknowledgement")
    link.stop()  # the stream stops being read
    broker.advance(FIRST_FILL)  # the broker fills meanwhile
    assert runtime.order(runtime.default_account_id, order.id).status is OrderStatus.ACCEPTED
    linked(runtime, broker)  # reconnects: the catch-up finds the fill
    account = runtime.default_account_id
    wait_for(lambda: live.reports("fill"), "the caught-up fill, journaled")
    live.bar(runtime)
    assert runtime.books(account).positions["AAPL"].qty == 4
    assert len(live.reports("fill")) == 1
    fills = [e for e in runtime.kernel.events if isinstance(e, OrderFilled)]
    assert [f.fill.qty for f in fills] == [Decimal(4)]


def test_an_order_journaled_but_never_sent_is_sent_once_after_a_restart(
    live: Live, broker: Broker, linked: Linked
) -> None:
    runtime = live.started()  # no link: the process dies before it sends
    order = runtime.submit_order(runtime.default_account_id, "AAPL", BUY, Decimal(2))
    assert broker.orders() == []
    restored = live.runtime()
    link = linked(restored, broker)
    wait_for(lambda: live.reports("accepted"), "the broker's acknowledgement")
    link.stop()
    again = live.runtime()  # one more restart: nothing left to send
    assert isinstance(again.kernel.venue, BrokerVenue)
    assert again.kernel.venue.pending() == []
    link = linked(again, broker)
    assert link.wait_for_pass(link.passes)
    assert len(by_client_id(broker, order.id)) == 1
    assert len(broker.orders()) == 1


def test_an_order_the_broker_has_but_the_journal_does_not_know_is_found_not_sent_again(
    live: Live, broker: Broker, linked: Linked
) -> None:
    runtime = live.started()
    order = runtime.submit_order(runtime.default_account_id, "AAPL", BUY, Decimal(3))
    venue = runtime.kernel.venue
    assert isinstance(venue, BrokerVenue)
    (request,) = venue.pending()
    assert request.order is not None
    # Sent, and the process died before the broker's answer was journaled.
    at_broker = broker.adapter.submit(request.order)
    restored = live.runtime()
    linked(restored, broker)
    ((_, accepted),) = wait_for(lambda: live.reports("accepted"), "the order to be found")
    assert accepted.broker_order_id == at_broker.id
    assert len(by_client_id(broker, order.id)) == 1
    assert len(broker.orders()) == 1


def test_a_cancel_and_a_replacement_go_to_the_broker(
    live: Live, broker: Broker, linked: Linked
) -> None:
    runtime = live.started()
    linked(runtime, broker)
    account = runtime.default_account_id
    order = runtime.submit_order(account, "AAPL", BUY, Decimal(5), limit=Decimal(1), tif="gtc")
    assert order.order_type is OrderType.LIMIT
    wait_for(lambda: live.reports("accepted"), "the broker's acknowledgement")
    new = runtime.replace_order(account, order.id, limit=Decimal(2))
    wait_for(lambda: live.reports("replaced"), "the replacement")
    assert runtime.order(account, order.id).status is OrderStatus.REPLACED
    (replacement,) = by_client_id(broker, new.id)
    assert Decimal(replacement["limit_price"]) == 2
    runtime.cancel_order(account, new.id)
    assert runtime.order(account, new.id).status is OrderStatus.PENDING_CANCEL
    wait_for(lambda: live.reports("canceled"), "the cancel, journaled")
    assert runtime.order(account, new.id).status is OrderStatus.CANCELED
    assert sorted(o["status"] for o in broker.orders()) == ["canceled", "replaced"]
    restored = live.runtime()
    assert restored.kernel.events == runtime.kernel.events


def test_a_notional_order_is_refused_at_once(live: Live) -> None:
    runtime = live.started()
    order = runtime.submit_order(
        runtime.default_account_id, "AAPL", BUY, None, notional=Decimal(1000)
    )
    assert order.status is OrderStatus.REJECTED
    assert "notional" in order.reject_message


def test_an_order_whose_answer_was_lost_is_found_by_client_order_id_not_sent_again(
    live: Live, broker: Broker, linked: Linked, caplog: pytest.LogCaptureFixture
) -> None:
    proxy = DroppingProxy(broker.bot.server.port, b"POST /v2/orders ")
    key_id, secret = broker.bot.key
    adapter = AlpacaBroker(key_id, secret, endpoint="custom", base_url=proxy.url)
    try:
        runtime = live.started()
        link = BrokerLink(runtime, adapter, retry_seconds=0.2, stream=False)
        linked.links.append(link)
        link.start()
        with caplog.at_level(logging.WARNING, logger="paperbroker.session.broker_link"):
            order = runtime.submit_order(runtime.default_account_id, "AAPL", BUY, Decimal(6))
            ((_, accepted),) = wait_for(lambda: live.reports("accepted"), "the order to be found")
    finally:
        proxy.close()
        adapter.close()
    assert proxy.dropped == 1  # the broker's answer to the order was lost
    assert any("outcome unknown" in r.getMessage() for r in caplog.records)
    (at_broker,) = by_client_id(broker, order.id)
    assert accepted.broker_order_id == at_broker["id"]
    assert len(broker.orders()) == 1


def test_a_fill_while_the_stream_is_cut_is_caught_up_once_on_reconnection(
    live: Live, broker: Broker, linked: Linked
) -> None:
    relay = Relay(broker.bot.server.port)
    key_id, secret = broker.bot.key
    adapter = AlpacaBroker(key_id, secret, endpoint="custom", base_url=relay.url)
    try:
        runtime = live.started()
        link = BrokerLink(runtime, adapter, retry_seconds=0.2)
        linked.links.append(link)
        link.start()
        wait_for(lambda: link.catch_ups, "the stream to connect")
        order = runtime.submit_order(runtime.default_account_id, "AAPL", BUY, Decimal(7))
        wait_for(lambda: live.reports("accepted"), "the broker's acknowledgement")
        relay.cut()  # the network goes down: the stream drops, and cannot reconnect
        broker.advance(FIRST_FILL)  # the broker fills meanwhile (its trade update is lost)
        account = runtime.default_account_id
        assert runtime.order(account, order.id).status is OrderStatus.ACCEPTED
        relay.resume()
        wait_for(lambda: live.reports("fill"), "the caught-up fill, journaled")
    finally:
        relay.close()
        adapter.close()
    assert link.catch_ups >= 2  # it reconnected, and caught up there
    assert runtime.books(account).positions["AAPL"].qty == 7
    assert len(live.reports("fill")) == 1


def test_a_stopping_live_session_stops_when_the_broker_fills_its_closing_order(
    live: Live, broker: Broker, linked: Linked
) -> None:
    runtime = live.started()
    linked(runtime, broker)
    account = runtime.default_account_id
    runtime.submit_order(account, "AAPL", BUY, Decimal(8))
    wait_for(lambda: live.reports("accepted"), "the broker's acknowledgement")
    broker.advance(FIRST_FILL)
    wait_for(lambda: live.reports("fill"), "the fill, journaled")
    assert runtime.stop() is SessionState.STOPPING  # its closing sell goes to the broker
    (closing,) = [o for o in runtime.orders(account) if o.is_open]
    assert closing.side is OrderSide.SELL
    wait_for(lambda: by_client_id(broker, closing.id), "the closing order at the broker")
    broker.advance(SECOND_DAY)
    wait_for(lambda: len(live.reports("fill")) == 2, "the closing fill, journaled")
    assert runtime.state is SessionState.STOPPED
    assert runtime.books(account).positions["AAPL"].qty == 0
    assert broker.adapter.positions() == []
    restored = live.runtime()
    assert restored.state is SessionState.STOPPED
    assert restored.kernel.events == runtime.kernel.events


def test_an_order_the_broker_refuses_is_rejected_with_its_reason(
    database_url: str, broker: Broker, linked: Linked
) -> None:
    live = Live(database_url, cash=Decimal(10_000_000))  # far more than the broker account
    try:
        runtime = live.started()
        linked(runtime, broker)
        account = runtime.default_account_id
        order = runtime.submit_order(account, "AAPL", BUY, Decimal(5000))
        assert order.status is OrderStatus.ACCEPTED  # the session's own books allow it
        ((_, refused),) = wait_for(lambda: live.reports("rejected"), "the broker's refusal")
        assert "buying power" in refused.reason
        rejected = runtime.order(account, order.id)
        assert rejected.status is OrderStatus.REJECTED
        assert rejected.reject_reason is RejectReason.INSUFFICIENT_BUYING_POWER
        assert broker.orders() == [] or all(o["status"] == "rejected" for o in broker.orders())
        assert live.runtime().kernel.events == runtime.kernel.events
    finally:
        live.close()
