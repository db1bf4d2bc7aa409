"""/ws authentication and origin: keys in headers or in the first message, nothing before.

A connection whose key is missing, malformed, unknown, wrong or revoked, or
whose browser origin is foreign, receives no data frame: the handshake is
refused (origin) or the server closes with 1008. Keys never reach a log.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from tests.api.test_ws import (
    apca,
    basic,
    closed_code,
    listening,
    next_of,
    open_ws,
    recv,
    serving,
)
from tests.compat.conftest import Auth, LiveServer
from websockets.exceptions import InvalidStatus


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serving(tmp_path_factory)


@pytest.fixture
def key(server: LiveServer) -> Auth:
    key_id, secret = server.keys.create("listener")
    return key_id, secret


@pytest.mark.parametrize("how", ["apca", "basic"])
def test_a_key_in_the_handshake_headers_is_authenticated(
    server: LiveServer,
    key: Auth,
    how: str,
) -> None:
    headers = apca(key) if how == "apca" else basic(key)
    with open_ws(server, headers) as ws:
        assert recv(ws) == {"type": "authenticated", "admin": False}
        ws.send(json.dumps({"action": "subscribe", "topics": ["system"]}))
        assert next_of(ws, "subscribed")["streams"] == {f"system:{key[0]}": 0}


def test_a_key_in_the_first_message_is_authenticated(
    server: LiveServer,
    key: Auth,
) -> None:
    with open_ws(server) as ws:
        ws.send(json.dumps({"action": "auth", "key_id": key[0], "secret_key": key[1]}))
        assert recv(ws) == {"type": "authenticated", "admin": False}
        ws.send(json.dumps({"action": "ping"}))
        assert next_of(ws, "pong")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {"APCA-API-KEY-ID": "PKAAAAAAAAAAAAAAAA", "APCA-API-SECRET-KEY": "x" * 40}, id="unknown"
        ),
        pytest.param({"APCA-API-KEY-ID": "PKAAAAAAAAAAAAAAAA"}, id="half-a-pair"),
        pytest.param({"Authorization": "Bearer abc"}, id="bearer"),
        pytest.param({"Authorization": "Basic %%%"}, id="bad-base64"),
    ],
)
def test_a_bad_key_in_the_headers_is_closed_before_any_frame(
    server: LiveServer,
    headers: dict[str, str],
) -> None:
    with open_ws(server, headers) as ws:
        code, frames = closed_code(ws)
    assert (code, frames) == (1008, [])


def test_a_wrong_secret_is_closed_before_any_frame(
    server: LiveServer,
    key: Auth,
) -> None:
    with open_ws(server, apca((key[0], key[1][::-1]))) as ws:
        assert closed_code(ws) == (1008, [])
    with open_ws(server) as ws:
        ws.send(json.dumps({"action": "auth", "key_id": key[0], "secret_key": "nope"}))
        assert closed_code(ws) == (1008, [])


@pytest.mark.parametrize(
    "first",
    [
        '{"action": "subscribe", "topics": ["orders"]}',
        '{"action": "auth", "key_id": 7}',
        "not json",
    ],
)
def test_a_first_message_that_is_not_a_good_auth_is_closed_before_any_frame(
    server: LiveServer,
    first: str,
) -> None:
    with open_ws(server) as ws:
        ws.send(first)
        assert closed_code(ws) == (1008, [])


def test_no_key_at_all_is_closed_when_the_auth_time_runs_out(
    server: LiveServer,
) -> None:
    with open_ws(server) as ws:
        code, frames = closed_code(ws, timeout=5)
        assert ws.close_reason == "authentication timed out"
    assert (code, frames) == (1008, [])


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://127.0.0.1:1", "null", "https://dashboard.example.evil"],
)
def test_a_foreign_browser_origin_is_refused_at_the_handshake(
    server: LiveServer,
    key: Auth,
    origin: str,
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        open_ws(server, apca(key), origin=origin)
    response = refused.value.response
    assert response.status_code == 403
    assert json.loads(response.body or b"{}")["code"] == 40310000


@pytest.mark.parametrize(
    "origin", ["own", "https://dashboard.example", "https://DASHBOARD.example:443"]
)
def test_the_servers_own_origin_and_allowed_ones_may_connect(
    server: LiveServer,
    key: Auth,
    origin: str,
) -> None:
    sent = f"http://127.0.0.1:{server.port}" if origin == "own" else origin
    with open_ws(server, apca(key), origin=sent) as ws:
        assert recv(ws)["type"] == "authenticated"


def test_a_revoked_key_is_closed(
    server: LiveServer,
    key: Auth,
) -> None:
    with listening(server, key, topics=["system"]) as ws:
        server.keys.revoke(key[0])
        code, _frames = closed_code(ws)
        assert (code, ws.close_reason) == (1008, "the API key was revoked")


@pytest.fixture
def server_logs() -> Iterator[list[str]]:
    """Every record the server's loggers write, at every level, formatted."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s %(exc_info)s"))
    names = ["paperbroker", "uvicorn", "uvicorn.error", "uvicorn.access"]
    levels = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).addHandler(handler)
    try:
        yield records
    finally:
        for name in names:
            logging.getLogger(name).removeHandler(handler)
            logging.getLogger(name).setLevel(levels[name])


def test_keys_never_reach_the_server_logs(
    server: LiveServer,
    key: Auth,
    server_logs: list[str],
) -> None:
    with open_ws(server, apca(key)) as ws:
        assert recv(ws)["type"] == "authenticated"
    with open_ws(server, basic(key)) as ws:
        assert recv(ws)["type"] == "authenticated"
    with open_ws(server) as ws:
        ws.send(json.dumps({"action": "auth", "key_id": key[0], "secret_key": key[1]}))
        assert recv(ws)["type"] == "authenticated"
    with open_ws(server, apca((key[0], key[1][::-1]))) as ws:
        closed_code(ws)
    assert any("WebSocket /ws" in line for line in server_logs)  # the handshakes were logged
    for line in server_logs:
        assert key[0] not in line
        assert key[1] not in line
        assert key[1][::-1] not in line
