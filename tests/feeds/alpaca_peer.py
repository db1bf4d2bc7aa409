"""A local stand-in for Alpaca's market-data stream, for the feed's tests.

:class:`AlpacaPeer` serves the protocol of
``wss://stream.data.alpaca.markets/v2/{feed}`` on 127.0.0.1 (a free port):
``connected``, an auth check against its keys, a subscription reply, then a
script of frames that goes on across connections. Hooks play a bad day:
:data:`DROP` in the script cuts the connection there, ``resend`` sends the
last frames again after a reconnect, ``refusals`` answer the auth of the
first connections with errors, and a script frame may be any text or bytes
(garbage).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

#: A frame: items (sent as a JSON array), or raw text or bytes (garbage).
Frame = list[dict[str, object]] | str | bytes
#: In a script: cut the connection here, without a closing handshake.
DROP = "<drop>"
#: The peer's own log, kept above DEBUG: websockets logs every frame at DEBUG,
#: the client's auth frame included, and the tests look for keys in the logs.
_LOG = logging.getLogger("tests.feeds.alpaca_peer")
_LOG.setLevel(logging.INFO)


def bar(
    symbol: str, start: datetime, o: float, h: float, low: float, c: float, v: float = 100
) -> dict[str, object]:
    """A minute bar item as Alpaca sends it (``t`` is the minute's start)."""
    return {
        "T": "b", "S": symbol, "o": o, "h": h, "l": low, "c": c, "v": v,
        "t": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "n": 12, "vw": (h + low) / 2,
    }  # fmt: skip


def trade(symbol: str) -> dict[str, object]:
    """A trade item (the feed does not subscribe to trades, and must ignore it)."""
    return {"T": "t", "S": symbol, "i": 96921, "x": "V", "p": 126.55, "s": 1,
            "t": "2024-03-04T14:31:02.123456789Z", "c": ["@"], "z": "C"}  # fmt: skip


def quote(symbol: str) -> dict[str, object]:
    """A quote item (ignored like a trade)."""
    return {"T": "q", "S": symbol, "bx": "V", "bp": 126.5, "bs": 2, "ax": "V", "ap": 126.6,
            "as": 1, "t": "2024-03-04T14:31:02.5Z", "c": ["R"], "z": "C"}  # fmt: skip


class AlpacaPeer:
    """Alpaca's bar stream on 127.0.0.1, playing ``script`` (frames and :data:`DROP`)."""

    def __init__(
        self,
        script: Sequence[Frame] = (),
        *,
        key_id: str = "PKPEERKEY",
        secret_key: str = "peer-secret",
        refusals: Sequence[tuple[int, str]] = (),
        resend: int = 0,
    ) -> None:
        self.script = list(script)
        self.key_id = key_id
        self.secret_key = secret_key
        self.resend = resend
        self._refusals = list(refusals)
        self._lock = threading.Lock()
        self._cursor = 0
        self._sent: list[Frame] = []
        self.connections = 0
        #: The key id of every auth attempt (to check re-authentication).
        self.auth_keys: list[object] = []
        #: The bar symbols of every subscribe request.
        self.subscriptions: list[object] = []
        #: Set when the script has been played to its end.
        self.played = threading.Event()
        self._server: Server | None = None
        #: Where it listens (once started).
        self.url = ""

    def __enter__(self) -> AlpacaPeer:
        self._server = serve(self._serve, "127.0.0.1", 0, compression=None, logger=_LOG)
        self.url = f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/v2/test"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.shutdown()

    def _serve(self, ws: ServerConnection) -> None:
        # The client left or the test ended: nothing more to serve.
        with contextlib.suppress(ConnectionClosed, TimeoutError, OSError):
            self._converse(ws)

    def _converse(self, ws: ServerConnection) -> None:
        with self._lock:
            self.connections += 1
            again = self.connections > 1
            refusal = self._refusals.pop(0) if self._refusals else None
        ws.send(json.dumps([{"T": "success", "msg": "connected"}]))
        auth = json.loads(ws.recv(timeout=5))
        self.auth_keys.append(auth.get("key"))
        if refusal is None and (auth.get("key"), auth.get("secret")) != (
            self.key_id, self.secret_key,
        ):  # fmt: skip
            refusal = (402, "auth failed")
        if refusal is not None:
            code, message = refusal
            ws.send(json.dumps([{"T": "error", "code": code, "msg": message}]))
            ws.close()
            return
        ws.send(json.dumps([{"T": "success", "msg": "authenticated"}]))
        request = json.loads(ws.recv(timeout=5))
        self.subscriptions.append(request.get("bars"))
        ws.send(json.dumps([{
            "T": "subscription", "trades": [], "quotes": [], "bars": request.get("bars", []),
            "updatedBars": [], "dailyBars": [], "statuses": [], "lulds": [],
            "corrections": [], "cancelErrors": [],
        }]))  # fmt: skip
        if again and self.resend:
            for frame in self._sent[-self.resend :]:
                _send(ws, frame)
        while True:
            with self._lock:
                if self._cursor >= len(self.script):
                    break
                frame = self.script[self._cursor]
                self._cursor += 1
            if frame == DROP:
                ws.socket.shutdown(socket.SHUT_RDWR)  # no closing handshake: a real drop
                return
            _send(ws, frame)
            self._sent.append(frame)
            time.sleep(0.001)  # frames arrive one by one, as over a network
        self.played.set()
        for _ in ws:  # idle until the client leaves
            pass


def _send(ws: ServerConnection, frame: Frame) -> None:
    ws.send(json.dumps(frame) if isinstance(frame, list) else frame)
