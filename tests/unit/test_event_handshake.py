"""The /ws handshake: origins compared exactly, keys read from headers, keys kept out of logs."""

from __future__ import annotations

import base64
import logging

import pytest
from starlette.datastructures import Headers

from paperbroker.api.events.handshake import (
    MALFORMED,
    Credentials,
    Origin,
    RedactKeys,
    header_credentials,
    origin_allowed,
    parse_origin,
)


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://Example.com", Origin("https", "example.com", 443)),
        ("http://127.0.0.1:5000", Origin("http", "127.0.0.1", 5000)),
        ("http://[::1]:8080/", Origin("http", "::1", 8080)),
        ("null", None),
        ("file:///etc/passwd", None),
        ("https://user@example.com", None),
        ("https://example.com/path", None),
        ("https://example.com:99999", None),
        ("", None),
    ],
)
def test_an_origin_is_parsed_to_scheme_host_and_port(text: str, origin: Origin | None) -> None:
    assert parse_origin(text) == origin


@pytest.mark.parametrize(
    ("headers", "scheme", "allowed"),
    [
        ({"host": "127.0.0.1:5000"}, "ws", True),  # no Origin: not a browser
        ({"host": "127.0.0.1:5000", "origin": "http://127.0.0.1:5000"}, "ws", True),
        ({"host": "example.com", "origin": "https://example.com"}, "wss", True),
        ({"host": "example.com", "origin": "https://example.com:443"}, "wss", True),
        ({"host": "example.com", "origin": "http://example.com"}, "wss", False),  # scheme
        ({"host": "127.0.0.1:5000", "origin": "http://127.0.0.1:5001"}, "ws", False),  # port
        ({"host": "127.0.0.1:5000", "origin": "http://localhost:5000"}, "ws", False),  # host
        ({"host": "127.0.0.1:5000", "origin": "null"}, "ws", False),
        ({"host": "127.0.0.1:5000", "origin": "https://dash.example"}, "ws", True),  # allowed
        ({"host": "127.0.0.1:5000", "origin": "https://dash.example.evil"}, "ws", False),
    ],
)
def test_an_origin_must_be_the_servers_own_or_allowed(
    headers: dict[str, str], scheme: str, allowed: bool
) -> None:
    assert origin_allowed(Headers(headers), scheme, ["https://dash.example"]) is allowed


def basic(text: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(text.encode()).decode()}


@pytest.mark.parametrize(
    ("headers", "credentials"),
    [
        ({}, None),
        ({"apca-api-key-id": "PK1", "apca-api-secret-key": "s"}, Credentials("PK1", "s")),
        (basic("PK1:s:with:colons"), Credentials("PK1", "s:with:colons")),
        ({"apca-api-key-id": "PK1"}, MALFORMED),
        ({"apca-api-secret-key": "s"}, MALFORMED),
        ({"authorization": "Bearer token"}, MALFORMED),
        ({"authorization": "Basic !!!"}, MALFORMED),
        (basic("no-colon"), MALFORMED),
        (basic(":s"), MALFORMED),
    ],
)
def test_a_key_is_read_from_the_apca_headers_else_basic(
    headers: dict[str, str], credentials: Credentials | None
) -> None:
    assert header_credentials(Headers(headers)) == credentials


def record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.error", logging.DEBUG, __file__, 1, msg, args, None)


def test_the_websocket_librarys_debug_log_loses_the_keys() -> None:
    redact = RedactKeys()
    lines = [
        record("< %s: %s", "APCA-API-SECRET-KEY", "s3cret"),
        record("< %s: %s", "apca-api-key-id", "PKSECRETID"),
        record("< %s: %s", "Authorization", "Basic czNjcmV0"),
        record("< %s", 'TEXT \'{"action": "auth", "secret_key": "s3cret"}\' [48 bytes]'),
        record("< %s", "BINARY 7b 22 73 65 63 [48 bytes]"),
    ]
    for line in lines:
        assert redact.filter(line)  # kept, redacted
    text = "\n".join(line.getMessage() for line in lines)
    assert "s3cret" not in text
    assert "PKSECRETID" not in text
    assert "czNjcmV0" not in text
    assert text.splitlines()[0] == "< APCA-API-SECRET-KEY: [redacted]"
    assert text.splitlines()[3] == "< TEXT [content not logged] [48 bytes]"
    harmless = [record("< %s: %s", "host", "127.0.0.1"), record("> %s", "TEXT 'hi' [2 bytes]")]
    for line in harmless:
        before = line.getMessage()
        redact.filter(line)
        assert line.getMessage() == before
