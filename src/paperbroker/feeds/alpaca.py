"""Alpaca's market-data websocket as a paper session's feed: live minute bars.

:class:`AlpacaBarFeed` connects to ``wss://stream.data.alpaca.markets/v2/iex``
(or ``sip``, or ``test``), authenticates, subscribes to the minute bars of its
symbols and hands each minute's bars to the session as one batch (see
:mod:`~paperbroker.feeds.alpaca_batches`). A lost connection is opened again
after an exponential backoff, then authenticated and subscribed again; a
refusal that no retry can cure (bad keys, no data plan, another client on the
account) ends the run with
:class:`~paperbroker.feeds.alpaca_messages.AlpacaStreamRefused`. Frames that
do not fit the protocol and bars that cannot be bars are counted in the
feed's health and skipped; the feed never fails on what the stream sends.

The feed runs an asyncio loop of its own in the thread that calls
:meth:`AlpacaBarFeed.run`: every wait (connecting, reading, backing off) is
one task that a set ``stop`` cancels at once, closing the socket on the way
out. The keys are sent once per connection and never logged, not even by
websockets' frame log.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from paperbroker.core.clock import NANOS_PER_MINUTE, NANOS_PER_SECOND, Clock
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.feeds.alpaca_batches import MinuteBatcher
from paperbroker.feeds.alpaca_messages import (
    FATAL_CODES,
    OTHER_DATA,
    AlpacaStreamRefused,
    BadMessage,
    Item,
    Rejected,
    auth_message,
    bar_from_item,
    error_of,
    parse_frame,
    read_item,
    stream_url,
    subscribe_message,
)
from paperbroker.feeds.base import BarFeed, BarSink
from paperbroker.model.instrument import Instrument

log = logging.getLogger(__name__)

DEFAULT_URL = "wss://stream.data.alpaca.markets/v2/iex"
#: How often the loop looks at ``stop`` (a threading.Event cannot wake a loop).
_STOP_POLL_SECONDS = 0.05
#: How long a closing handshake may take before the socket is just closed.
_CLOSE_TIMEOUT_SECONDS = 0.5
#: Rejections of one kind logged one by one; after that they are only counted.
_LOGGED_REJECTIONS = 10
_COUNTERS = ("bad_messages", "invalid_bars", "duplicate_bars", "late_bars")


class _QuietWire(logging.LoggerAdapter[logging.Logger]):
    """websockets' logger minus its DEBUG lines: they show every frame sent, and
    the auth frame holds the secret."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and self.logger.isEnabledFor(level)


_WIRE = _QuietWire(logging.getLogger("paperbroker.feeds.alpaca.websocket"))


class _Dropped(Exception):
    """The connection is no good any more (no subscription in time, a refusal
    that may pass): open another."""


class _SinkFailed(Exception):
    """The sink raised: the run ends with its error, never taken for a drop."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class AlpacaBarFeed(BarFeed):
    """Minute bars of ``symbols`` (US equities) from Alpaca's stream at ``url``.

    Args:
        symbols: what to subscribe to, in the session's order.
        key_id: the account's API key id (kept private, never logged).
        secret_key: the account's API secret (kept private, never logged).
        clock: the wall clock (batch windows, handshake deadline, health).
        url: the stream: ``.../v2/iex`` (any account; the default when None),
            ``.../v2/sip`` (paid plans) or ``.../v2/test`` (symbol
            ``FAKEPACA``, streams at all hours).
        backoff_initial_seconds: the first wait before reconnecting; it
            doubles on each failed attempt, and starts over once a
            connection has been subscribed.
        backoff_max_seconds: the longest wait before reconnecting.
        batch_window_seconds: how long the first bar of a minute waits for
            the other symbols' before its batch goes out without them.
        handshake_timeout_seconds: connect, authenticate and subscribe within
            this, or try again.

    Its health counts ``reconnects`` (connection attempts after the first),
    and in ``extra`` the frames and bars it skipped: ``bad_messages``,
    ``invalid_bars``, ``duplicate_bars`` and ``late_bars``.

    Raises:
        InvalidRequest: for no symbols, a symbol twice, a URL that is not
            ``ws://`` or ``wss://``, or a timing out of range.
    """

    kind = "alpaca"

    def __init__(
        self,
        symbols: Sequence[str],
        *,
        key_id: str,
        secret_key: str,
        clock: Clock,
        url: str | None = None,
        backoff_initial_seconds: float = 1.0,
        backoff_max_seconds: float = 30.0,
        batch_window_seconds: float = 2.0,
        handshake_timeout_seconds: float = 10.0,
    ) -> None:
        if not symbols:
            raise InvalidRequest("an alpaca feed needs at least one symbol")
        if len(set(symbols)) != len(symbols):
            raise InvalidRequest("an alpaca feed lists a symbol twice")
        if not 0 < backoff_initial_seconds <= backoff_max_seconds:
            raise InvalidRequest("reconnect backoff must satisfy 0 < initial <= max")
        if not 0 < batch_window_seconds < 60:
            raise InvalidRequest("an alpaca feed's batch window must be in (0, 60) seconds")
        if not handshake_timeout_seconds > 0:
            raise InvalidRequest("an alpaca feed's handshake timeout must be positive")
        self._url = stream_url(DEFAULT_URL if url is None else url)
        self._key_id = key_id
        self._secret_key = secret_key
        self._backoff = (backoff_initial_seconds, backoff_max_seconds)
        self._window_ns = round(batch_window_seconds * NANOS_PER_SECOND)
        self._handshake_seconds = handshake_timeout_seconds
        super().__init__([Instrument.equity(s) for s in symbols], NANOS_PER_MINUTE, clock)
        self._subscribed = frozenset(self.symbols)
        self.health.extra.update(dict.fromkeys(_COUNTERS, 0))

    @property
    def url(self) -> str:
        """The stream's address."""
        return self._url

    def run(self, sink: BarSink, stop: threading.Event, after_ns: int | None) -> None:
        """Stream bars to ``sink`` until ``stop`` is set, reconnecting as needed.

        Raises:
            AlpacaStreamRefused: when Alpaca refuses the keys, the plan, the
                symbols or a second connection.
            Exception: whatever the sink raises.
        """
        batcher = MinuteBatcher(self.symbols, after_ns, self._window_ns)
        failure: Exception | None = None
        try:
            asyncio.run(self._run(sink, stop, batcher))
        except _SinkFailed as failed:
            failure = failed.error
        finally:
            self.health.connected = False
        if failure is not None:
            raise failure  # the sink's own error, with its own traceback

    async def _run(self, sink: BarSink, stop: threading.Event, batcher: MinuteBatcher) -> None:
        stream = asyncio.create_task(self._stream(sink, batcher))
        stopped = asyncio.create_task(_until_set(stop))
        done, _ = await asyncio.wait({stream, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stream.cancel()
        stopped.cancel()
        # Cancelling the stream closes its socket; wait for that before returning.
        await asyncio.gather(stream, stopped, return_exceptions=True)
        if stream in done:
            stream.result()  # it only ends by failing: raise why

    async def _stream(self, sink: BarSink, batcher: MinuteBatcher) -> None:
        initial, longest = self._backoff
        delay = initial
        attempts = 0
        while True:
            if attempts:
                self.health.reconnects += 1
            attempts += 1
            try:
                async with connect(
                    self._url, open_timeout=self._handshake_seconds,
                    close_timeout=_CLOSE_TIMEOUT_SECONDS, logger=_WIRE,
                ) as ws:  # fmt: skip
                    await self._session(ws, sink, batcher)
            except (_Dropped, WebSocketException, OSError, TimeoutError) as error:
                if self.health.connected:
                    delay = initial  # it was streaming: a fresh outage
                self.health.connected = False
                self.health.last_error = f"{type(error).__name__}: {error}"
                # The minute in progress cannot complete over a new connection.
                self._hand_out(sink, batcher.flush())
                log.warning(
                    "alpaca stream %s lost (%s); reconnecting in %.1f s",
                    self._url, self.health.last_error, delay,
                )  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, longest)

    async def _session(self, ws: ClientConnection, sink: BarSink, batcher: MinuteBatcher) -> None:
        """Authenticate, subscribe and stream over one connection until it fails."""
        handshake_due: int | None = self.clock.now_ns() + round(
            self._handshake_seconds * NANOS_PER_SECOND
        )
        while True:
            if self.health.connected:
                handshake_due = None
            deadlines = [d for d in (batcher.due_ns, handshake_due) if d is not None]
            timeout = (
                max(0.0, (min(deadlines) - self.clock.now_ns()) / NANOS_PER_SECOND)
                if deadlines
                else None
            )
            try:
                async with asyncio.timeout(timeout):
                    frame = await ws.recv()  # cancel-safe: no frame is lost to a timeout
            except TimeoutError:
                now = self.clock.now_ns()
                if handshake_due is not None and now >= handshake_due:
                    raise _Dropped(f"not subscribed within {self._handshake_seconds:g} s") from None
                self._hand_out(sink, batcher.poll(now) or [])
                continue
            await self._take(ws, frame, sink, batcher)

    async def _take(
        self, ws: ClientConnection, frame: str | bytes, sink: BarSink, batcher: MinuteBatcher
    ) -> None:
        try:
            items = parse_frame(frame)
        except Rejected as rejection:
            self._reject(rejection)
            return
        for raw in items:
            try:
                kind, item = read_item(raw)
                if kind == "b":
                    bar = bar_from_item(item, self._subscribed)
                    for batch in batcher.add(bar, self.clock.now_ns()):
                        self._hand_out(sink, batch)
                elif kind in ("success", "subscription", "error"):
                    await self._control(ws, kind, item)
                elif kind not in OTHER_DATA:
                    raise BadMessage(f"an item of unknown type {kind!r}")
            except Rejected as rejection:
                self._reject(rejection)

    async def _control(self, ws: ClientConnection, kind: str, item: Item) -> None:
        """Move the handshake on, or give up on the connection (or the run)."""
        if kind == "error":
            code, message = error_of(item)
            if code in FATAL_CODES:
                refusal = AlpacaStreamRefused(code, message, self._url)
                self.health.last_error = str(refusal)
                raise refusal
            raise _Dropped(f"Alpaca error {code}: {message}")
        if kind == "subscription":
            bars = item.get("bars")
            granted = {s for s in bars if isinstance(s, str)} if isinstance(bars, list) else set()
            missing = [] if "*" in granted else [s for s in self.symbols if s not in granted]
            if missing:
                log.warning("alpaca stream %s: no bars granted for %s", self._url, missing)
            self.health.connected = True
            log.info("alpaca stream %s: subscribed to minute bars", self._url)
        elif item.get("msg") == "connected":
            await ws.send(auth_message(self._key_id, self._secret_key))
        elif item.get("msg") == "authenticated":
            await ws.send(subscribe_message(self.symbols))

    def _hand_out(self, sink: BarSink, batch: list[Bar]) -> None:
        if not batch:
            return
        try:
            sink(batch)
        except Exception as error:
            raise _SinkFailed(error) from error
        self.delivered(batch)

    def _reject(self, rejection: Rejected) -> None:
        extra = self.health.extra
        count = extra[rejection.counter] = extra.get(rejection.counter, 0) + 1
        if rejection.expected or count > _LOGGED_REJECTIONS:
            log.debug("alpaca stream %s: skipped %s", self._url, rejection)
            return
        log.warning("alpaca stream %s: skipped %s", self._url, rejection)
        if count == _LOGGED_REJECTIONS:
            log.warning(
                "alpaca stream %s: further %s are counted in the feed's health, not logged",
                self._url, rejection.counter,
            )  # fmt: skip


async def _until_set(stop: threading.Event) -> None:
    while not stop.is_set():
        await asyncio.sleep(_STOP_POLL_SECONDS)
