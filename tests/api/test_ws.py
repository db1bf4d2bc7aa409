"""/ws through a real server: topics, journal order and seqs, ownership, errors, heartbeats.

Each module of ``test_ws*.py`` runs one uvicorn server on loopback (SQLite)
with short timers, drives sessions over ``/v1`` and listens with the
``websockets`` client, as any client would. The helpers here are shared by
the other ``test_ws*`` modules.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from tests.api.conftest import END, IDEAL, START
from tests.compat.conftest import Auth, LiveServer
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from paperbroker.services.event_kinds import topic_of
from paperbroker.services.events import EventHub, EventSettings
from paperbroker.store.db import session_factory
from paperbroker.store.journal import Journal

#: Short timers, so that heartbeats, timeouts and polls happen within a test.
SETTINGS = EventSettings(
    heartbeat_seconds=0.3,
    auth_timeout_seconds=0.5,
    watch_seconds=0.2,
    log_poll_seconds=0.05,
    replay_page=40,
    send_timeout_seconds=3.0,
    allowed_origins=("https://dashboard.example",),
)
#: uvicorn pings every websocket this often and drops one that has not answered in time.
PING = {"ws_ping_interval": 0.3, "ws_ping_timeout": 0.6}
WAIT = 10.0


def start_server(tmp: Path, settings: EventSettings = SETTINGS) -> LiveServer:
    return LiveServer(
        f"sqlite:///{tmp / 'events.db'}",
        log_dir=tmp / "agent-logs",
        event_settings=settings,
        **PING,
    )


def serving(
    tmp_path_factory: pytest.TempPathFactory, settings: EventSettings = SETTINGS
) -> Iterator[LiveServer]:
    """A module's server (each ``test_ws*`` module has a ``server`` fixture made of this)."""
    live = start_server(tmp_path_factory.mktemp("ws"), settings)
    try:
        yield live
    finally:
        live.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serving(tmp_path_factory)


def hub(server: LiveServer) -> EventHub:
    events: EventHub = server.app.state.events
    return events


def apca(key: Auth) -> dict[str, str]:
    return {"APCA-API-KEY-ID": key[0], "APCA-API-SECRET-KEY": key[1]}


def basic(key: Auth) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key[0]}:{key[1]}".encode()).decode()}


def open_ws(
    server: LiveServer, headers: dict[str, str] | None = None, origin: str | None = None
) -> ClientConnection:
    return connect(
        f"ws://127.0.0.1:{server.port}/ws",
        additional_headers=headers,
        origin=None if origin is None else Origin(origin),
        open_timeout=WAIT,
        # Unread frames are buffered without a bound, so that a client closing in the
        # middle of a stream is not held up by the frames it will never read.
        max_queue=None,
    )


def recv(ws: ClientConnection, timeout: float = WAIT) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return frame


def next_of(ws: ClientConnection, kind: str, timeout: float = WAIT) -> dict[str, Any]:
    """The next frame of ``type`` ``kind`` (heartbeats and others skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        frame = recv(ws, max(deadline - time.monotonic(), 0.01))
        if frame["type"] == kind:
            return frame


@contextmanager
def listening(server: LiveServer, key: Auth, **subscribe: Any) -> Iterator[ClientConnection]:
    """An authenticated connection subscribed as asked (the answer consumed)."""
    with open_ws(server, apca(key)) as ws:
        assert recv(ws)["type"] == "authenticated"
        ws.send(json.dumps({"action": "subscribe", **subscribe}))
        answer = next_of(ws, "subscribed")
        ws.subscribed = answer  # type: ignore[attr-defined]
        yield ws


def closed_code(ws: ClientConnection, timeout: float = WAIT) -> tuple[int | None, list[Any]]:
    """Read until the server closes; return its close code and every frame received."""
    frames: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            frames.append(ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
    except ConnectionClosed as closed:
        return (None if closed.rcvd is None else closed.rcvd.code), frames
    raise AssertionError(f"the server did not close the connection; got {frames}")


class Trader:
    """A key, one of its sessions, and calls to drive it over /v1."""

    def __init__(self, server: LiveServer, key: Auth | None = None, **session: Any) -> None:
        self.server = server
        self.key = key or server.keys.create("trader")
        body = {"startTime": START, "endTime": END, "execution": IDEAL, **session}
        response = httpx2.post(f"{server.url}/v1/sessions", json=body, auth=self.key)
        assert response.status_code == 201, response.text
        self.session: dict[str, Any] = response.json()
        self.id: str = self.session["id"]
        self.stream = f"session:{self.id}"
        self._http = httpx2.Client(base_url=server.url, auth=self.key, timeout=WAIT)

    def order(self, **body: Any) -> dict[str, Any]:
        fields = {"symbol": "AAPL", "side": "buy", "type": "market", "qty": "1", **body}
        response = self._http.post(
            f"/v1/trading/accounts/{self.session['default_account_id']}/orders",
            json={"time_in_force": "day", **fields},
            headers={"X-Session-Id": self.id},
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def cancel(self, order_id: str) -> None:
        response = self._http.delete(
            f"/v1/trading/accounts/{self.session['default_account_id']}/orders/{order_id}",
            headers={"X-Session-Id": self.id},
        )
        assert response.status_code in (200, 204), response.text

    def advance(self, minutes: int) -> None:
        response = self._http.post(
            f"/v1/sessions/{self.id}/time/advance", json={"duration": minutes}
        )
        assert response.status_code == 200, response.text

    def journal(self, topics: frozenset[str] = frozenset({"orders", "fills"})) -> list[Any]:
        """``(seq, kind)`` of the session's journal events heard on ``topics``."""
        factory = session_factory(self.server.engine)
        return [
            (e.seq, e.kind) for e in Journal(factory).read(self.id) if topic_of(e.kind) in topics
        ]

    def close(self) -> None:
        self._http.close()


def events_until(
    ws: ClientConnection, done: Callable[[list[dict[str, Any]]], bool], timeout: float = WAIT
) -> list[dict[str, Any]]:
    """Event frames until ``done(events)``."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not done(events):
        frame = recv(ws, max(deadline - time.monotonic(), 0.01))
        if frame["type"] == "event":
            events.append(frame)
    return events


# -- tests ----------------------------------------------------------------------------


def test_orders_and_fills_arrive_in_journal_order_with_journal_seqs(server: LiveServer) -> None:
    trader = Trader(server)
    with listening(server, trader.key, topics=["orders", "fills"], session_id=trader.id) as ws:
        assert ws.subscribed == {  # type: ignore[attr-defined]
            "type": "subscribed",
            "topics": ["fills", "orders"],
            "streams": {trader.stream: 0},  # nothing journaled yet
        }
        placed = trader.order(qty="10")
        trader.order(type="limit", limit_price="1", qty="5")  # far below: it works on
        trader.advance(24 * 60)
        expected = trader.journal()
        events = events_until(ws, lambda got: len(got) == len(expected))
    assert [(e["seq"], e["kind"]) for e in events] == expected
    fill = next(e for e in events if e["kind"] == "OrderFilled")
    assert fill["topic"] == "fills"
    assert fill["stream"] == trader.stream
    assert fill["session_id"] == trader.id
    assert fill["time"] == "2012-01-03T21:00:00Z"  # the session's time: the bar's close
    assert fill["data"]["order_id"] == placed["id"]
    assert fill["data"]["fill"]["qty"] == "10"  # numbers as strings, as the codec writes them
    assert fill["message"] == f"buy 10 AAPL filled at {fill['data']['fill']['price']}"
    assert fill["severity"] == "info"
    assert {e["topic"] for e in events} == {"orders", "fills"}
    trader.close()


def test_unsubscribe_stops_a_topic_and_ping_is_answered(server: LiveServer) -> None:
    trader = Trader(server)
    with listening(server, trader.key, topics=["orders", "fills"]) as ws:
        ws.send(json.dumps({"action": "unsubscribe", "topics": ["orders"]}))
        assert next_of(ws, "unsubscribed")["topics"] == ["fills"]
        trader.order(qty="3")
        trader.advance(24 * 60)
        fill = next_of(ws, "event")
        assert (fill["kind"], fill["seq"]) == ("OrderFilled", trader.journal()[-1][0])
        ws.send(json.dumps({"action": "ping"}))
        assert next_of(ws, "pong")["time"].endswith("Z")
        ws.send(json.dumps({"action": "unsubscribe", "topics": ["fills"]}))
        assert next_of(ws, "unsubscribed")["topics"] == []
        trader.order(qty="3")
        trader.advance(24 * 60)
        with pytest.raises(TimeoutError):
            next_of(ws, "event", timeout=0.8)
    trader.close()


def test_every_session_of_the_key_is_heard_even_one_created_later(server: LiveServer) -> None:
    first = Trader(server)
    with listening(server, first.key, topics=["orders", "sessions"]) as ws:
        assert list(ws.subscribed["streams"]) == [first.stream]  # type: ignore[attr-defined]
        later = Trader(server, first.key)
        later.order(qty="2")
        expected = later.journal(frozenset({"orders", "sessions"}))
        events = events_until(ws, lambda got: len(got) == len(expected))
        # A session created after the subscription: all of it is news, from its first event.
        assert [(e["seq"], e["kind"]) for e in events] == expected
        assert expected[0] == (1, "OrderSubmitted")
        assert {e["stream"] for e in events} == {later.stream}
    first.close()
    later.close()


def test_another_keys_session_is_not_found_and_an_admin_sees_it(server: LiveServer) -> None:
    alice, bob = Trader(server), Trader(server)
    with listening(server, bob.key, topics=["orders"]) as ws:
        ws.send(json.dumps({"action": "subscribe", "topics": ["fills"], "session_id": alice.id}))
        error = next_of(ws, "error")
        assert error == {
            "type": "error",
            "code": 40410000,
            "message": f"session {alice.id} not found",
        }
        alice.order(qty="1")
        with pytest.raises(TimeoutError):  # bob hears nothing of alice's session
            next_of(ws, "event", timeout=0.6)
    admin = _admin(server)
    with listening(server, admin, topics=["orders"], session_id=alice.id) as ws:
        placed = alice.order(qty="4")
        event = next_of(ws, "event")
        assert (event["stream"], event["data"]["order_id"]) == (alice.stream, placed["id"])
    alice.close()
    bob.close()


def _admin(server: LiveServer) -> Auth:
    key_id, secret = server.keys.create("admin", is_admin=True)
    return key_id, secret


def test_malformed_frames_are_answered_with_errors_and_the_socket_stays_open(
    server: LiveServer,
) -> None:
    trader = Trader(server)
    bad = [
        ("not json", 40010000, "JSON object"),
        ("[1, 2]", 40010000, "JSON object"),
        ('{"action": 7}', 40010000, "JSON object"),
        ('{"action": "dance"}', 40010000, "unknown action"),
        ('{"action": "subscribe"}', 42210000, "topics"),
        ('{"action": "subscribe", "topics": ["nope"]}', 42210000, "unknown topic"),
        ('{"action": "subscribe", "topics": "orders"}', 42210000, "topics"),
        ('{"action": "subscribe", "topics": ["logs"]}', 42210000, "agent_id"),
        ('{"action": "subscribe", "topics": ["orders"], "session_id": 5}', 42210000, "string"),
        ('{"action": "subscribe", "topics": ["orders"], "session_id": "x"}', 40410000, "not found"),
        ('{"action": "subscribe", "topics": ["orders"], "last_seq": [1]}', 42210000, "last_seq"),
        (
            '{"action": "subscribe", "topics": ["orders"], "last_seq": {"session:x": -1}}',
            42210000,
            ">= 0",
        ),
        (
            '{"action": "subscribe", "topics": ["orders"], "last_seq": {"../x": 1}}',
            42210000,
            "stream",
        ),
        ('{"action": "auth", "key_id": "a", "secret_key": "b"}', 40010000, "already"),
        ("x" * 70_000, 40010000, "longer than"),
    ]
    with listening(server, trader.key, topics=["fills"]) as ws:
        for text, code, words in bad:
            ws.send(text)
            error = next_of(ws, "error")
            assert error["code"] == code, (text[:60], error)
            assert words in error["message"], (text[:60], error)
            assert "Traceback" not in error["message"]
        ws.send(b'{"action": "ping"}')  # a binary frame is read the same way
        assert next_of(ws, "pong")
    trader.close()


def test_heartbeats_arrive_and_a_dead_peer_is_dropped(server: LiveServer) -> None:
    trader = Trader(server)
    with listening(server, trader.key, topics=["fills"]) as ws:
        first, second = next_of(ws, "heartbeat"), next_of(ws, "heartbeat")
        assert first["time"] < second["time"]
    events = hub(server)
    _wait_for(lambda: events.connections == 0)
    # A peer that completes the handshake and then neither reads nor answers pings.
    with socket.create_connection(("127.0.0.1", server.port), timeout=WAIT) as peer:
        key = base64.b64encode(b"0123456789abcdef").decode()
        headers = "".join(f"{name}: {value}\r\n" for name, value in apca(trader.key).items())
        peer.sendall(
            (
                f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                f"Sec-WebSocket-Version: 13\r\n{headers}\r\n"
            ).encode()
        )
        assert peer.recv(12) == b"HTTP/1.1 101"
        _wait_for(lambda: events.connections == 1)
        _wait_for(lambda: events.connections == 0)  # dropped: no pong within the timeout
    trader.close()


def test_the_activity_topic_hears_every_activity_with_its_severity(server: LiveServer) -> None:
    trader = Trader(server)
    with listening(server, trader.key, topics=["activity"], session_id=trader.id) as ws:
        trader.order(qty="5")
        response = httpx2.post(
            f"{server.url}/v1/trading/accounts/{trader.session['default_account_id']}/orders",
            json={"symbol": "AAPL", "side": "buy", "type": "market", "qty": "1000000",
                  "time_in_force": "day"},
            headers={"X-Session-Id": trader.id},
            auth=trader.key,
        )  # fmt: skip
        assert response.status_code == 403  # refused: insufficient buying power
        trader.advance(24 * 60)
        expected = trader.journal(frozenset({"orders", "fills", "sessions", "agents"}))
        events = events_until(ws, lambda got: len(got) == len(expected))
    # Every journaled event but AdvanceRequested: the clock moving is not activity.
    assert [(e["seq"], e["kind"]) for e in events] == expected
    rejected = next(e for e in events if e["kind"] == "OrderRejected")
    assert rejected["severity"] == "warning"
    assert rejected["message"].startswith(f"order {rejected['data']['order_id'][:8]} rejected")
    assert {e["severity"] for e in events} == {"info", "warning"}
    trader.close()


def test_a_slow_consumer_is_closed_with_1013(tmp_path: Path) -> None:
    small = EventSettings(max_queue=8, replay_page=2, heartbeat_seconds=30, watch_seconds=0.2)
    live = start_server(tmp_path, small)
    try:
        trader = Trader(live)
        for _ in range(10):
            trader.order(qty="1")
        with listening(live, trader.key, topics=["orders", "fills"], session_id=trader.id) as ws:
            trader.advance(24 * 60)  # one commit: ten fills, over the bound at once
            code, frames = closed_code(ws)
        assert code == 1013
        assert json.loads(frames[-1])["code"] == 42910000
        assert "resume with last_seq" in json.loads(frames[-1])["message"]
        # A replay never overflows: it waits for the client between pages.
        with listening(
            live, trader.key, topics=["orders", "fills"], last_seq={trader.stream: 0}
        ) as ws:
            expected = trader.journal()
            events = events_until(ws, lambda got: len(got) == len(expected))
        assert [(e["seq"], e["kind"]) for e in events] == expected
        trader.close()
    finally:
        live.close()


def _wait_for(condition: Callable[[], bool], timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def test_the_docs_client_follows_and_resumes(server: LiveServer) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text()
    (code,) = [b for b in re.findall(r"```python\n(.*?)```", page, re.DOTALL) if "def follow" in b]
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    exec(compile(code, "docs/events.md", "exec"), namespace)
    follow = namespace["follow"]
    trader = Trader(server)
    for _ in range(3):
        trader.order(qty="1")
    url = f"ws://127.0.0.1:{server.port}/ws"
    heard: list[tuple[int, str]] = []

    def take(until: int) -> Callable[[dict[str, Any]], bool]:
        def handle(event: dict[str, Any]) -> bool:
            heard.append((event["seq"], event["kind"]))
            return event["seq"] < until

        return handle

    seen = follow(url, *trader.key, ["orders"], take(3), {trader.stream: 0})
    assert seen == {trader.stream: 3}
    trader.order(qty="1")
    expected = trader.journal()
    follow(url, *trader.key, ["orders"], take(expected[-1][0]), seen)
    assert heard == expected
    trader.close()
