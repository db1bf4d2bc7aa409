"""What Alpaca's two websockets share: one client of one session's account.

The ``trade_updates`` stream (:mod:`.stream`) and the market-data stream
(:mod:`.data_stream`) speak different protocols over the same life: accept,
authenticate within a deadline (the key names the account, as for ``/v2``:
:func:`~paperbroker.api.alpaca.target.target_for`), then send what the
session commits until the client leaves, its key is revoked or its session
deleted (closed 1008), or the session is reloaded from its journal after a
failed write (closed 1012, to reconnect).

:class:`SessionSocket` runs that life: a reader task hands each frame to the
protocol (:meth:`SessionSocket.handle`) and a writer task sends everything
queued in one :class:`~paperbroker.api.outbox.Outbox`, in order, checking
every :meth:`SessionSocket.watch_seconds` that the key and session still
stand. A subclass speaks its protocol and decides how frames are encoded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Final

from fastapi import WebSocket

from paperbroker.api.access import SESSION_PARAM
from paperbroker.api.alpaca.target import Target, target_for
from paperbroker.api.deps import api_context
from paperbroker.api.outbox import Close, Outbox
from paperbroker.core.errors import NotFound
from paperbroker.session.runtime import SessionRuntime
from paperbroker.store.keys import ApiKeyRecord

log = logging.getLogger(__name__)

#: How long a connection closing on its own initiative waits to send its last words.
_CLOSE_GRACE_SECONDS: Final = 5.0
POLICY: Final = 1008  # close code: the client broke a rule (or lost its rights)
RELOAD: Final = 1012  # close code: the service restarted (the session was reloaded)
INTERNAL: Final = 1011


class Subscription:
    """A connection's subscription to its session's commits, which either side may end.

    The listener is registered from the connection's task while the client
    may already be gone: :meth:`attach` keeps the way to unsubscribe, or uses
    it at once if :meth:`stop` came first, so no listener outlives its
    connection.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._unsubscribe: Callable[[], None] | None = None
        self._stopped = False

    def attach(self, unsubscribe: Callable[[], None]) -> None:
        """Keep the way to unsubscribe; use it at once if the feed was stopped meanwhile."""
        with self._lock:
            if not self._stopped:
                self._unsubscribe = unsubscribe
                return
        unsubscribe()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()


class SessionSocket:
    """One client of a session's account: a reader of its frames, a writer of all it is sent."""

    #: Names the stream in the log.
    label = "stream"

    def __init__(self, websocket: WebSocket) -> None:
        self.ws = websocket
        self.context = api_context(websocket)
        self.loop = asyncio.get_running_loop()
        self.out = Outbox()
        self.key_id: str | None = None
        self.target: Target | None = None
        self.runtime: SessionRuntime | None = None

    # -- what a protocol decides ------------------------------------------------
    def auth_timeout_seconds(self) -> float:
        """How long a client may take to authenticate after connecting."""
        raise NotImplementedError

    def watch_seconds(self) -> float:
        """How often the connection checks that its key and session still stand."""
        raise NotImplementedError

    async def handle(self, text: str | None, data: bytes | None) -> None:
        """One frame from the client (text or binary)."""
        raise NotImplementedError

    def auth_timed_out(self) -> None:
        """The client did not authenticate in time: say so and close."""
        self.out.close(POLICY, "authentication timed out")

    def stop_feed(self) -> None:
        """Forget the session: its commits are no longer this client's."""

    async def send(self, item: str | bytes) -> None:
        """Send one frame as the protocol wants it."""
        if isinstance(item, bytes):
            await self.ws.send_bytes(item)
        else:
            await self.ws.send_text(item)

    # -- the life of a connection ---------------------------------------------
    async def serve(self) -> None:
        await self.ws.accept()
        await self.opened()
        reader = asyncio.create_task(self._read())
        writer = asyncio.create_task(self._write())
        try:
            done, _ = await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
            if writer not in done and self.out.closing:
                # The reader decided to close: the writer says why, then closes.
                await asyncio.wait({writer}, timeout=_CLOSE_GRACE_SECONDS)
        finally:
            self.stop_feed()  # whatever happened, the session forgets this client
            for task in (reader, writer):
                task.cancel()
            await asyncio.gather(reader, writer, return_exceptions=True)
        failures = [t.exception() for t in done if not t.cancelled() and t.exception()]
        if failures:
            log.error("%s: the connection failed", self.label, exc_info=failures[0])
            await self.close_now(INTERNAL, "internal error")  # the client gets no traceback

    async def opened(self) -> None:
        """Called once the connection is accepted, before any frame is read."""

    async def resolve(self, record: ApiKeyRecord) -> tuple[Target, SessionRuntime]:
        """The account ``record`` trades on this connection's path, and its session's runtime.

        Raises:
            ApiError: 403 for an unbound key on a plain path.
            NotFound: for a session the key may not use.
            PaperbrokerError: if the session cannot be loaded.
        """
        raw = self.ws.path_params.get(SESSION_PARAM)
        service = self.context.service
        target = await asyncio.to_thread(
            target_for, record, None if raw is None else str(raw), service
        )
        runtime = await asyncio.to_thread(lambda: target.runtime)
        return target, runtime

    def authorized(self, record: ApiKeyRecord, target: Target, runtime: SessionRuntime) -> None:
        """The client is who it says and may use ``target``: from now on, the feed may start."""
        self.key_id, self.target, self.runtime = record.key_id, target, runtime
        log.info(
            "%s: key %s streams account %s of session %s",
            self.label, record.key_id, target.account_id, target.session_id,
        )  # fmt: skip

    async def _read(self) -> None:
        deadline = self.loop.time() + self.auth_timeout_seconds()
        while not self.out.closing:
            if self.target is None:
                try:
                    message = await asyncio.wait_for(
                        self.ws.receive(), max(deadline - self.loop.time(), 0)
                    )
                except TimeoutError:
                    self.auth_timed_out()
                    return
            else:
                message = await self.ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            await self.handle(message.get("text"), message.get("bytes"))

    async def _write(self) -> None:
        next_watch = time.monotonic() + self.watch_seconds()
        while True:
            if self.target is not None and time.monotonic() >= next_watch and not self.out.closing:
                closing = await asyncio.to_thread(self._check)
                if closing is not None:
                    self.stop_feed()
                    self.out.push(closing)
                next_watch = time.monotonic() + self.watch_seconds()
            if not self.out.items:
                self.out.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.out.wake.wait(), self.watch_seconds())
                continue
            item = self.out.items.popleft()
            if isinstance(item, Close):
                await self.close_now(item.code, item.reason)
                return
            try:
                await self.send(item)
            except Exception:  # the client is gone: nothing more to say
                log.debug("%s: send failed", self.label, exc_info=True)
                return

    async def close_now(self, code: int, reason: str) -> None:
        try:
            await self.ws.close(code, reason)
        except Exception:  # already closed by the client
            log.debug("%s: close failed", self.label, exc_info=True)

    def _check(self) -> Close | None:
        """Whether the connection must end: its key revoked, its session gone or reloaded."""
        target, runtime, key_id = self.target, self.runtime, self.key_id
        if target is None or key_id is None:
            return None
        try:
            active = self.context.keys.get(key_id).active
            current = target.runtime
        except NotFound:
            return Close(POLICY, "the API key or the session no longer exists")
        except Exception:  # the database is away, say: keep serving, check again later
            log.warning("%s: could not check key %s", self.label, key_id, exc_info=True)
            return None
        if not active:
            return Close(POLICY, "the API key was revoked")
        if current is not runtime:
            return Close(RELOAD, "the session was reloaded: reconnect")
        return None
