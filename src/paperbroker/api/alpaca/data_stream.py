"""Alpaca's market-data stream, as ``alpaca-py``'s ``StockDataStream`` and
``alpaca-trade-api``'s ``Stream`` speak it, driven by the session's clock.

Served at ``/v2/{feed}`` (``iex``, ``sip``, ``delayed_sip``, ``boats``,
``overnight``, ``test``: they stream the same bars) and at
``/sessions/{sessionId}/v2/{feed}``; the account, and so the session, is
chosen as for ``/v2`` (see :mod:`.target`). So:

    StockDataStream(KEY, SECRET, url_override="ws://HOST:PORT/v2/iex")
    Stream(KEY, SECRET, base_url="http://HOST:PORT", data_stream_url="http://HOST:PORT")

The protocol (Alpaca's): every frame is a list of messages.

1. On connecting, the server says ``[{"T": "success", "msg": "connected"}]``.
2. The client sends ``{"action": "auth", "key", "secret"}`` and hears
   ``[{"T": "success", "msg": "authenticated"}]``, or ``[{"T": "error",
   "code": 402, "msg": "auth failed"}]`` and the connection closes (1008).
   A client that has not authenticated within
   :data:`AUTH_TIMEOUT_SECONDS` hears code 404 (``auth timeout``) and is closed.
3. ``{"action": "subscribe", "bars": ["AAPL"], "dailyBars": [...], ...}``
   (``"*"`` for every symbol) and ``"unsubscribe"`` are answered with the
   whole subscription: ``[{"T": "subscription", "trades": [...], "quotes":
   [...], "bars": [...], "updatedBars": [...], "dailyBars": [...],
   "statuses": [], "lulds": [], "corrections": [...], "cancelErrors": [...]}]``.
4. Then, as the session's clock moves (an advance, a playing session's
   steps, a paper session's bars), what it brought: see
   :mod:`.data_messages`. Nothing is replayed from before the subscription.

Errors are ``{"T": "error", "code", "msg"}`` with Alpaca's codes: 400
``invalid syntax``, 401 ``not authenticated``, 402 ``auth failed``, 403
``already authenticated``, 404 ``auth timeout``, 405 ``symbol limit
exceeded``, 407 ``slow client`` (more than :data:`MAX_PENDING` frames
waiting, or one clock move bringing more than they can hold; then the
connection closes), 500 ``internal error``. Statuses,
LULD bands, corrections and cancel errors are acknowledged and never sent:
a session has none.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Sequence
from typing import Any, Final

import msgpack
from fastapi import APIRouter, WebSocket

from paperbroker.api.access import Access, declares
from paperbroker.api.alpaca import derived
from paperbroker.api.alpaca.data_messages import (
    CHANNELS,
    FRAME_MESSAGES,
    encode,
    frames,
    messages,
    most_messages,
)
from paperbroker.api.alpaca.market_data import series_lookup
from paperbroker.api.alpaca.socket import INTERNAL, POLICY, SessionSocket, Subscription
from paperbroker.api.auth import verify_in
from paperbroker.api.errors import ApiError
from paperbroker.api.schemas import SYMBOL_PATTERN
from paperbroker.core.errors import NotFound, PaperbrokerError
from paperbroker.session.runtime import Committed

router = APIRouter(tags=["alpaca"])
log = logging.getLogger(__name__)

#: The feeds of Alpaca's stream URL; all stream the session's bars.
FEEDS: Final = frozenset({"iex", "sip", "delayed_sip", "boats", "overnight", "test"})
#: How long a client may take to authenticate after connecting (Alpaca's: 10 s).
AUTH_TIMEOUT_SECONDS = 10.0
#: How often a connection checks that its key and session still stand.
WATCH_SECONDS = 5.0
#: Frames waiting for a client at most; one more and it is closed as too slow.
MAX_PENDING = 2_000
#: Symbols a connection may subscribe to, over all channels.
MAX_SYMBOLS: Final = 10_000
#: Frames longer than this are refused unread.
MAX_FRAME_BYTES: Final = 1 << 20
_SYMBOL: Final = re.compile(SYMBOL_PATTERN)
_MSGPACK: Final = "application/msgpack"


def _error(code: int, message: str) -> dict[str, Any]:
    return {"T": "error", "code": code, "msg": message}


class _Feed(Subscription):
    """One subscription to the session's commits: the clock moves it hears, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.seen_ns = 0  # the clock as of the last move handed on (set when subscribed)
        self.moves: asyncio.Queue[tuple[int, int]] = asyncio.Queue()


class _DataConnection(SessionSocket):
    """One market-data client (see the module doc)."""

    label = "market data"

    def __init__(self, websocket: WebSocket) -> None:
        super().__init__(websocket)
        content_type = websocket.headers.get("content-type", "")
        self._packed = content_type.split(";")[0].strip().lower() == _MSGPACK
        self._channels: dict[str, set[str]] = {channel: set() for channel in CHANNELS}
        self._feed: _Feed | None = None
        self._pump: asyncio.Task[None] | None = None

    def auth_timeout_seconds(self) -> float:
        return AUTH_TIMEOUT_SECONDS

    def watch_seconds(self) -> float:
        return WATCH_SECONDS

    def auth_timed_out(self) -> None:
        self._say(_error(404, "auth timeout"))
        self.out.close(POLICY, "authentication timed out")

    async def opened(self) -> None:
        self._say({"T": "success", "msg": "connected"})

    def _say(self, *items: dict[str, Any]) -> None:
        self.out.push(encode(list(items), packed=self._packed))

    # -- reading --------------------------------------------------------------
    async def handle(self, text: str | None, data: bytes | None) -> None:
        raw: str | bytes | None = text if text is not None else data
        if raw is None:
            return
        if len(raw) > MAX_FRAME_BYTES:
            self._say(_error(400, f"invalid syntax: frame longer than {MAX_FRAME_BYTES} bytes"))
            return
        request = _parse(raw)
        action = request.get("action") if isinstance(request, dict) else None
        if not isinstance(request, dict) or not isinstance(action, str):
            self._say(_error(400, "invalid syntax"))
            return
        if action == "auth":
            await self._authenticate(request)
        elif self.target is None:
            self._say(_error(401, "not authenticated"))
        elif action in ("subscribe", "unsubscribe"):
            await self._subscribe(request, action == "subscribe")
        else:
            self._say(_error(400, f"invalid syntax: unknown action {action[:32]!r}"))

    async def _authenticate(self, request: dict[str, Any]) -> None:
        if self.target is not None:
            self._say(_error(403, "already authenticated"))
            return
        key_id, secret = request.get("key"), request.get("secret")
        record = None
        if isinstance(key_id, str) and isinstance(secret, str):
            record = await asyncio.to_thread(verify_in, self.context.keys, key_id, secret)
        if record is None:
            self._refuse("auth failed")
            return
        try:
            target, runtime = await self.resolve(record)
        except ApiError as error:
            self._refuse(f"auth failed: {error.message}")
            return
        except NotFound as error:
            self._refuse(f"auth failed: {error}")
            return
        except PaperbrokerError:
            log.exception("market data: the session could not be loaded")
            self._say(_error(500, "internal error: the session could not be loaded"))
            self.out.close(INTERNAL, "the session could not be loaded")
            return
        self.authorized(record, target, runtime)
        self._say({"T": "success", "msg": "authenticated"})

    def _refuse(self, why: str) -> None:
        self._say(_error(402, why))
        self.out.close(POLICY, "unauthorized")

    async def _subscribe(self, request: dict[str, Any], adding: bool) -> None:
        wanted: dict[str, set[str]] = {}
        for channel, held in self._channels.items():
            symbols = _symbols(request.get(channel, []))
            if symbols is None:
                self._say(_error(400, f"invalid syntax: {channel} must be a list of symbols"))
                return
            wanted[channel] = held | set(symbols) if adding else held - set(symbols)
        if sum(len(symbols) for symbols in wanted.values()) > MAX_SYMBOLS:
            self._say(_error(405, "symbol limit exceeded"))
            return
        self._channels = wanted
        self._say(self._subscription())
        if self._feed is None and any(wanted.values()):
            await self._start_feed()

    def _subscription(self) -> dict[str, Any]:
        return {"T": "subscription", **{c: sorted(s) for c, s in self._channels.items()}}

    # -- the feed ---------------------------------------------------------------
    async def _start_feed(self) -> None:
        runtime = self.runtime
        if runtime is None:
            raise RuntimeError("a feed needs an authenticated connection")
        loop = self.loop
        feed = self._feed = _Feed()

        def listener(_batch: Sequence[Committed]) -> None:
            # The committing thread, under the runtime's lock: note how the clock moved.
            now = runtime.now_ns
            if now > feed.seen_ns:
                move = (feed.seen_ns, now)
                feed.seen_ns = now
                with contextlib.suppress(RuntimeError):  # a closed loop: a closed connection
                    loop.call_soon_threadsafe(feed.moves.put_nowait, move)

        def subscribe() -> None:
            with runtime.locked():  # from the clock as it stands, nothing missed
                feed.seen_ns = runtime.now_ns
                feed.attach(runtime.subscribe(listener))

        await asyncio.to_thread(subscribe)
        self._pump = asyncio.create_task(self._send_moves(feed))

    async def _send_moves(self, feed: _Feed) -> None:
        """Turn each clock move into frames, in order, off the event loop."""
        target = self.target
        if target is None:
            return
        lookup = series_lookup(target)
        cost = derived.half_spread_cost(target.runtime.kernel.venue.config.slippage)
        while feed is self._feed:
            before, now = await feed.moves.get()
            channels = {c: frozenset(self._symbols_of(c)) for c in self._channels}
            if most_messages(lookup, channels, before, now) > MAX_PENDING * FRAME_MESSAGES:
                self._too_slow()  # more than could ever wait for it: refused before it is built
                return
            try:
                found = await asyncio.to_thread(messages, lookup, channels, before, now, cost)
                built = await asyncio.to_thread(frames, found, packed=self._packed)
            except Exception:
                log.exception("market data: the messages could not be built")
                self.stop_feed()
                self._say(_error(500, "internal error: the stream stopped; reconnect"))
                self.out.close(INTERNAL, "internal error")
                return
            if feed is not self._feed or self.out.closing:
                return
            for frame in built:
                self.out.push(frame)
            if len(self.out.items) > MAX_PENDING:
                self._too_slow()
                return

    def _too_slow(self) -> None:
        self.out.items.clear()
        self.stop_feed()
        self._say(_error(407, "slow client"))
        self.out.close(POLICY, "too slow: frames overflowed")

    def _symbols_of(self, channel: str) -> set[str]:
        held = self._channels[channel]
        if "*" not in held or self.runtime is None:
            return set(held)
        return {series.symbol for series in self.runtime.kernel.feed.series}

    def stop_feed(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            feed.stop()
        pump, self._pump = self._pump, None
        if pump is not None and pump is not asyncio.current_task():
            pump.cancel()


def _parse(raw: str | bytes) -> object:
    """A client's frame: MessagePack or JSON, whichever it is."""
    if isinstance(raw, bytes):
        with contextlib.suppress(Exception):  # not MessagePack: perhaps JSON sent as binary
            return msgpack.unpackb(raw, raw=False, strict_map_key=True)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _symbols(value: object) -> list[str] | None:
    """A channel's symbols, upper-cased (``"*"`` is every symbol); ``None`` if malformed."""
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        return None
    symbols = [s.strip().upper() for s in value]
    if not all(s == "*" or _SYMBOL.fullmatch(s) for s in symbols):
        return None
    return symbols


@router.websocket("/v2/{feed}")
@declares(Access.BOUND_MARKET_DATA)
async def market_data_stream(websocket: WebSocket, feed: str) -> None:
    """Alpaca's market-data stream of the caller's session (see the module doc)."""
    if feed not in FEEDS:
        await websocket.close(POLICY, f"no such feed: {feed[:32]}")
        return
    await _DataConnection(websocket).serve()
