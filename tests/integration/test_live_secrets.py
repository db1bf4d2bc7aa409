"""A broker secret never leaves its encrypted column: not in any table, log, journal, event
or answer, while a live session trades with it, on SQLite and on PostgreSQL.

The broker is a second paperbroker server (it speaks Alpaca's API), whose key
bound to a backtest session has a sentinel secret. The trading server keeps
that secret as a credential and runs a live session on it (the ``custom``
endpoint): an order goes to the broker, the broker's clock moves, the fill
comes back. Then everything the trading server wrote or said is searched for
the sentinel: every column of every table (the journal included; compressed
payloads opened), every file under the test's directory (the database files
and the agents' logs among them), every log record of the process at DEBUG
(both servers and every library), every ``/ws`` frame, and every HTTP answer
made. The search is checked on the one place the secret may be: the
credential, decrypted.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import inspect, select, table, text
from tests.broker import conftest as brokers
from tests.broker.conftest import FIRST_FILL
from tests.compat.conftest import Bot, LiveServer, make_bot
from tests.waiting import wait_for
from websockets.sync.client import connect

from paperbroker.broker.credentials import CredentialStore, load_secret_keys
from paperbroker.services.event_kinds import LOGS
from paperbroker.services.event_kinds import TOPICS as ALL_TOPICS
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import hash_secret
from paperbroker.store.tables import ApiKeyRow

SENTINEL = "SENTINEL-" + secrets.token_hex(12)
TOPICS = [topic for topic in ALL_TOPICS if topic != LOGS]  # logs: one agent's, by its id
FEED = {"type": "synthetic", "seed": 3, "interval_seconds": 0.05}

broker_server = brokers.broker_server


def sentinel_key(bot: Bot) -> tuple[str, str]:
    """A key of the broker server bound to ``bot``'s account, whose secret is the sentinel."""
    key_id = "PKSENTINEL" + secrets.token_hex(4).upper()
    with session_factory(bot.server.engine).begin() as session:
        session.add(
            ApiKeyRow(
                key_id=key_id, secret_hash=hash_secret(SENTINEL), is_admin=False,
                label="sentinel", created_at=time.time_ns(), revoked_at=None,
                session_id=bot.session_id, account_id=bot.account_id,
            )
        )  # fmt: skip
    return key_id, SENTINEL


class Listener:
    """Every ``/ws`` frame a key hears on every topic (of ``subscribe``), read in a thread."""

    def __init__(self, server: LiveServer, key: tuple[str, str], **subscribe: Any) -> None:
        self.frames: list[str] = []
        self._stop = threading.Event()
        self._ws = connect(
            f"ws://127.0.0.1:{server.port}/ws",
            additional_headers={"APCA-API-KEY-ID": key[0], "APCA-API-SECRET-KEY": key[1]},
            open_timeout=10,
        )
        self.frames.append(str(self._ws.recv(timeout=10)))  # authenticated
        self._ws.send(json.dumps({"action": "subscribe", "topics": TOPICS, **subscribe}))
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                self.frames.append(str(self._ws.recv(timeout=0.2)))
            except TimeoutError:
                continue
            except Exception:  # the connection closed: nothing more to hear
                return

    def heard(self, kind: str) -> bool:
        return any(f'"{kind}"' in frame for frame in self.frames)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._ws.close()


class Recorded:
    """HTTP calls to the trading server, every answer (headers and body) kept."""

    def __init__(self, server: LiveServer, key: tuple[str, str]) -> None:
        self.answers: list[str] = []
        self._client = httpx2.Client(base_url=server.url, auth=key, timeout=20)

    def __call__(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        response = self._client.request(method, path, **kwargs)
        self.answers.append(f"{response.status_code} {dict(response.headers)} {response.text}")
        return response

    def close(self) -> None:
        self._client.close()


def found_in(value: object) -> bool:
    """Whether the sentinel is in ``value``: text, bytes (raw, or zlib-compressed), anything."""
    if value is None:
        return False
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        if SENTINEL.encode() in raw:
            return True
        try:
            return SENTINEL.encode() in zlib.decompress(raw)
        except zlib.error:
            return False
    return SENTINEL in str(value)


def database_rows(url: str) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every row of every table of the database (not only the ones the code knows)."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as conn:
            for name in inspect(conn).get_table_names():
                for row in conn.execute(select(text("*")).select_from(table(name))):
                    yield name, tuple(row)
    finally:
        engine.dispose()


@pytest.fixture
def trading_server(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(database_url, log_dir=tmp_path / "logs")
    # As `paperbroker serve` keeps them: no PAPERBROKER_SECRET_KEY, so a key file.
    keys = load_secret_keys(None, tmp_path / "data")
    server.service.credentials = CredentialStore(server.service.factory, keys)
    try:
        yield server
    finally:
        server.close()


def test_the_broker_secret_is_nowhere_but_its_encrypted_column(
    broker_server: LiveServer,
    trading_server: LiveServer,
    database_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    bot = make_bot(broker_server)
    key_id, secret = sentinel_key(bot)
    owner = trading_server.keys.create("owner")
    call = Recorded(trading_server, owner)
    system = Listener(trading_server, owner)  # the owner's system stream, from the start
    listener = system
    try:
        # A bad request carrying the secret: refused without repeating it.
        refused = call("POST", "/v1/broker-credentials",
                       json={"label": "", "key_id": key_id, "secret_key": secret})  # fmt: skip
        assert refused.status_code == 422
        made = call("POST", "/v1/broker-credentials",
                    json={"label": "broker", "key_id": key_id, "secret_key": secret})  # fmt: skip
        assert made.status_code == 201, made.text
        credential_id = made.json()["id"]
        broker = {"endpoint": "custom", "base_url": broker_server.url,
                  "credentials_id": credential_id}  # fmt: skip
        created = call("POST", "/api/live-trading/sessions",
                       json={"symbols": ["AAPL"], "feed": FEED, "broker": broker})  # fmt: skip
        assert created.status_code == 201, created.text
        session = created.json()
        stream = f"session:{session['id']}"  # the session's stream, from its first event
        listener = Listener(trading_server, owner, session_id=session["id"],
                            last_seq={stream: 0})  # fmt: skip
        account, header = session["default_account_id"], {"X-Session-Id": session["id"]}
        order = {"symbol": "AAPL", "side": "buy", "qty": 2, "type": "market"}
        wait_for(lambda: call("POST", f"/v1/trading/accounts/{account}/orders", json=order,
                              headers=header).status_code == 200, "an order")  # fmt: skip
        wait_for(lambda: bot.v1("GET", f"/v1/sessions/{bot.session_id}").status_code == 200
                 and broker_orders(bot), "the order at the broker")  # fmt: skip
        bot.advance(targetTime=FIRST_FILL)
        wait_for(lambda: call("GET", f"/v1/trading/accounts/{account}/positions",
                              headers=header).json(), "the fill in the live session")  # fmt: skip
        wait_for(lambda: listener.heard("OrderFilled"), "the fill on /ws")
        for path in ("/v1/sessions", f"/v1/sessions/{session['id']}", "/api/live-trading/sessions",
                     "/v1/broker-credentials", f"/v1/trading/accounts/{account}/orders",
                     "/api/activity", "/api/system/status"):  # fmt: skip
            call("GET", path, headers=header)
        killed = call("POST", f"/v1/sessions/{session['id']}/kill")
        assert killed.status_code == 200, killed.text
    finally:
        for heard in {system, listener}:
            heard.close()
        call.close()
    trading_server.close()  # every thread stopped, every file written

    # The search finds the secret where it is, decrypted: it would find it elsewhere.
    store = trading_server.service.credentials
    engine = create_engine_for(database_url)
    try:
        opened = CredentialStore(session_factory(engine), store._keys).open(owner[0], credential_id)
    finally:
        engine.dispose()
    assert found_in(opened.secret_key)

    tables = {name for name, _ in database_rows(database_url)}
    assert {"broker_credentials", "session_events", "sessions"} <= tables
    leaks = [name for name, row in database_rows(database_url) if any(map(found_in, row))]
    assert leaks == []
    files = [p for p in tmp_path.rglob("*") if p.is_file() and found_in(p.read_bytes())]
    assert files == []
    logged = [r for r in caplog.records
              if found_in(r.getMessage()) or found_in(r.exc_text) or found_in(r.args)]  # fmt: skip
    assert [f"{r.name}: {r.getMessage()[:200]}" for r in logged] == []
    frames = system.frames + listener.frames
    assert len(frames) > 10
    assert [f for f in frames if found_in(f)] == []
    assert len(call.answers) > 10
    assert [a for a in call.answers if found_in(a)] == []


def broker_orders(bot: Bot) -> list[Any]:
    key_id, secret = bot.key
    answer = httpx2.get(
        f"{bot.server.url}/v2/orders", params={"status": "all"},
        headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
    )  # fmt: skip
    orders: list[Any] = answer.json()
    return orders
