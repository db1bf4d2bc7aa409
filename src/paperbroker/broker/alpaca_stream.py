"""Alpaca's ``trade_updates`` websocket, followed through reconnections.

The protocol is Alpaca's (and paperbroker's own ``/stream``, see
:mod:`paperbroker.api.alpaca.stream`): send ``{"action": "authenticate",
"data": {"key_id", "secret_key"}}`` and read ``authorized``; send
``{"action": "listen", "data": {"streams": ["trade_updates"]}}`` and read
``listening``; then every ``{"stream": "trade_updates", "data": ...}`` is one
order event. Frames may be text or binary (Alpaca's paper stream sends binary).

A connection that fails, closes or cannot authenticate is made again after a
backoff (0.5 s doubling to 30 s, reset by a connection that authenticates).
``on_connect`` runs after every connection is listening and before its first
update: the caller catches up there on what happened while it was away (its
REST calls may fail: the connection is then dropped and made again, so the
catch-up is retried).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any, Final

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect

from paperbroker.broker.adapter import BrokerRefused, BrokerUnavailable, TradeUpdate
from paperbroker.broker.alpaca_json import trade_update

log = logging.getLogger(__name__)
#: The websocket client's own logger: never below INFO, as its DEBUG lines show every frame,
#: the authentication (the broker's secret key) among them.
_FRAMES = logging.getLogger(f"{__name__}.frames")
_FRAMES.setLevel(logging.INFO)

FIRST_BACKOFF_SECONDS: Final = 0.5
MAX_BACKOFF_SECONDS: Final = 30.0
#: How often a quiet connection looks at its stop flag.
POLL_SECONDS: Final = 0.25


def stream_url(base_url: str) -> str:
    """The ``trade_updates`` URL of a Trading API base URL (``https`` → ``wss``)."""
    if base_url.startswith("https://"):
        return "wss://" + base_url.removeprefix("https://").rstrip("/") + "/stream"
    return "ws://" + base_url.removeprefix("http://").rstrip("/") + "/stream"


def follow_trade_updates(
    url: str,
    key: tuple[str, str],
    on_update: Callable[[TradeUpdate], None],
    on_connect: Callable[[], None],
    stop: threading.Event,
    *,
    open_timeout: float = 5.0,
    max_backoff: float = MAX_BACKOFF_SECONDS,
) -> None:
    """Follow the stream at ``url`` until ``stop`` is set (see the module doc)."""
    delay = FIRST_BACKOFF_SECONDS
    while not stop.is_set():
        try:
            with connect(url, open_timeout=open_timeout, close_timeout=1.0, logger=_FRAMES) as ws:
                _handshake(ws, key, open_timeout)
                delay = FIRST_BACKOFF_SECONDS
                on_connect()
                _listen(ws, on_update, stop)
        except (OSError, TimeoutError, WebSocketException, BrokerUnavailable) as error:
            log.warning("trade_updates at %s: %s; reconnecting in %.1f s", url, error, delay)
        except BrokerRefused as error:
            log.error("trade_updates at %s refused: %s; retrying in %.1f s", url, error, delay)
        if stop.wait(delay):
            return
        delay = min(delay * 2, max_backoff)


def _handshake(ws: ClientConnection, key: tuple[str, str], timeout: float) -> None:
    key_id, secret = key
    auth = {"key_id": key_id, "secret_key": secret}
    ws.send(json.dumps({"action": "authenticate", "data": auth}))
    reply = _first(ws, timeout)
    data = reply.get("data") if reply.get("stream") == "authorization" else None
    if not isinstance(data, dict) or data.get("status") != "authorized":
        raise BrokerRefused(f"trade_updates: not authorized: {reply}", 401)
    ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
    reply = _first(ws, timeout)
    data = reply.get("data") if reply.get("stream") == "listening" else None
    streams = data.get("streams") if isinstance(data, dict) else None
    if not isinstance(streams, list) or "trade_updates" not in streams:
        raise BrokerUnavailable(f"trade_updates: not listening: {reply}")


def _first(ws: ClientConnection, timeout: float) -> dict[str, Any]:
    for message in _messages(ws.recv(timeout=timeout)):
        return message
    raise BrokerUnavailable("trade_updates: an empty reply")


def _listen(
    ws: ClientConnection, on_update: Callable[[TradeUpdate], None], stop: threading.Event
) -> None:
    while not stop.is_set():
        try:
            raw = ws.recv(timeout=POLL_SECONDS)
        except TimeoutError:
            continue
        for message in _messages(raw):
            data = message.get("data")
            if message.get("stream") == "trade_updates" and isinstance(data, dict):
                try:
                    update = trade_update(data)
                except (BrokerUnavailable, KeyError, TypeError):
                    log.warning("trade_updates: a message that is not an order update: %.300s", raw)
                    continue
                on_update(update)
            elif message.get("stream") == "error":
                log.warning("trade_updates: the broker says %s", data)


def _messages(raw: str | bytes) -> Iterator[dict[str, Any]]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        log.warning("trade_updates: a frame that is not JSON")
        return
    for item in parsed if isinstance(parsed, list) else [parsed]:
        if isinstance(item, dict):
            yield item
