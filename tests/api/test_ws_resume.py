"""/ws resume: dropped connections that come back with ``last_seq`` miss nothing and repeat nothing.

While a thread keeps trading a session over /v1 (orders, cancels, the clock
moving), a client drops its connection fifty times, at random points of
the replay or of the live stream, sometimes without a close handshake, and
comes back each time with the last seq it received. What it received, in
order, must be exactly the session's journal (its orders and fills).
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from tests.api.test_ws import (
    SETTINGS,
    Trader,
    apca,
    basic,
    hub,
    listening,
    next_of,
    open_ws,
    recv,
    serving,
)
from tests.compat.conftest import LiveServer

DROPS = 50


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Replays of a few events a page: live events arrive while a replay is under way.
    yield from serving(tmp_path_factory, replace(SETTINGS, replay_page=3))


class Producer:
    """A thread trading the session until stopped: orders, a cancel now and then, the clock."""

    def __init__(self, trader: Trader) -> None:
        self.trader = trader
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.rounds = 0
        self._thread = threading.Thread(target=self._run, name="producer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self.stop.is_set():
                self.trader.order(qty="1")
                if self.rounds % 3 == 0:
                    working = self.trader.order(type="limit", limit_price="1")
                    self.trader.cancel(working["id"])
                self.trader.advance(60)
                self.rounds += 1
        except BaseException as error:
            self.error = error

    def finish(self) -> None:
        self.stop.set()
        self._thread.join(timeout=30)
        if self.error is not None:
            raise self.error


def test_fifty_drops_under_load_lose_and_repeat_nothing(server: LiveServer) -> None:
    trader = Trader(server, initialCash="100000000")
    rng = random.Random(20121)
    received: list[tuple[int, str]] = []
    last = 0
    producer = Producer(trader)
    try:
        for attempt in range(DROPS):
            headers = apca(trader.key) if attempt % 2 else basic(trader.key)
            scope: dict[str, Any] = {"session_id": trader.id} if attempt % 3 else {}
            with open_ws(server, headers) as ws:
                assert recv(ws)["type"] == "authenticated"
                ws.send(
                    json.dumps(
                        {
                            "action": "subscribe",
                            "topics": ["orders", "fills"],
                            "last_seq": {trader.stream: last},
                            **scope,
                        }
                    )
                )
                assert next_of(ws, "subscribed")["streams"][trader.stream] >= last
                for _ in range(rng.randint(0, 12)):
                    event = next_of(ws, "event")
                    assert event["seq"] > last, f"seq {event['seq']} again after {last}"
                    received.append((event["seq"], event["kind"]))
                    last = event["seq"]
                if rng.random() < 0.4:  # gone without a close handshake
                    ws.socket.shutdown(socket.SHUT_RDWR)
            if rng.random() < 0.3:
                time.sleep(rng.uniform(0.05, 0.3))  # let a backlog build up for the replay
    finally:
        producer.finish()
    expected = trader.journal()
    assert producer.rounds > DROPS
    with listening(
        server, trader.key, topics=["orders", "fills"], last_seq={trader.stream: last}
    ) as ws:
        while last < expected[-1][0]:
            event = next_of(ws, "event")
            received.append((event["seq"], event["kind"]))
            last = event["seq"]
    assert received == expected
    assert {kind for _, kind in expected} >= {"OrderFilled", "OrderCanceled", "OrderAccepted"}
    trader.close()


def test_the_system_stream_resumes_after_its_last_seq(server: LiveServer) -> None:
    key = server.keys.create("system")
    stream = f"system:{key[0]}"
    events = hub(server)
    stranger = server.keys.create("stranger")
    assert events.record_system(key[0], "SystemStarted", message="started") == 1
    with listening(server, key, topics=["system"], last_seq={stream: 0}) as ws:
        assert ws.subscribed["streams"] == {stream: 1}  # type: ignore[attr-defined]
        first = next_of(ws, "event")  # replayed
        events.record_system(key[0], "SessionCreated", session_id=None, name="a")
        second = next_of(ws, "event")  # live
    assert [(first["seq"], first["kind"]), (second["seq"], second["kind"])] == [
        (1, "SystemStarted"),
        (2, "SessionCreated"),
    ]
    assert (first["topic"], first["message"], first["data"]) == (
        "system", "started", {"message": "started"},
    )  # fmt: skip
    events.record_system(key[0], "SystemStopFailed", message="could not stop")
    events.record_system(stranger[0], "SystemStarted")  # another owner's: never heard here
    events.record_system(key[0], "SystemStopped")
    with listening(server, key, topics=["system"], last_seq={stream: 2}) as ws:
        third, fourth = next_of(ws, "event"), next_of(ws, "event")
        events.record_system(key[0], "SystemStarted")
        fifth = next_of(ws, "event")
    assert [(e["seq"], e["kind"], e["severity"]) for e in (third, fourth, fifth)] == [
        (3, "SystemStopFailed", "error"),
        (4, "SystemStopped", "info"),
        (5, "SystemStarted", "info"),
    ]
    assert {e["stream"] for e in (third, fourth, fifth)} == {stream}


def test_an_admin_hears_every_owners_system_stream_even_a_new_one(server: LiveServer) -> None:
    admin = server.keys.create("admin", is_admin=True)
    known, newcomer = server.keys.create("known"), server.keys.create("newcomer")
    events = hub(server)
    events.record_system(known[0], "SystemStarted")
    with listening(server, admin, topics=["system"]) as ws:
        assert ws.subscribed["streams"][f"system:{known[0]}"] >= 1  # type: ignore[attr-defined]
        events.record_system(known[0], "SystemStopped")
        events.record_system(newcomer[0], "SessionCreated")
        events.record_system(newcomer[0], "SessionDeleted")
        heard = [next_of(ws, "event") for _ in range(3)]
    # Order is kept within a stream, not across streams (docs/events.md).
    by_stream = {
        stream: [(e["seq"], e["kind"]) for e in heard if e["stream"] == stream]
        for stream in {e["stream"] for e in heard}
    }
    assert by_stream == {
        f"system:{known[0]}": [(2, "SystemStopped")],
        f"system:{newcomer[0]}": [(1, "SessionCreated"), (2, "SessionDeleted")],
    }


def test_a_last_seq_beyond_the_stream_is_told_and_goes_on_live(server: LiveServer) -> None:
    trader = Trader(server)
    trader.order(qty="1")
    with listening(server, trader.key, topics=["orders"], last_seq={trader.stream: 999}) as ws:
        warning = next_of(ws, "error")
        assert warning["code"] == 42210000
        assert "beyond its last event 2" in warning["message"]
        placed = trader.order(qty="1")
        event = next_of(ws, "event")
        assert (event["seq"], event["data"]["order_id"]) == (3, placed["id"])
    trader.close()


def test_a_resume_replays_a_stream_it_does_not_name_from_its_start(server: LiveServer) -> None:
    trader = Trader(server)
    other = Trader(server, trader.key)
    trader.order(qty="1")
    other.order(qty="1")
    # The client knew ``trader``'s stream only: ``other`` is news from its first event.
    with listening(server, trader.key, topics=["orders"], last_seq={trader.stream: 2}) as ws:
        event = next_of(ws, "event")
        second = next_of(ws, "event")
    assert [(e["stream"], e["seq"]) for e in (event, second)] == [
        (other.stream, 1),
        (other.stream, 2),
    ]
    trader.close()
    other.close()
