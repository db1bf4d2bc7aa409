"""One ``/ws`` client: its handshake, its frames, its queue (the protocol is in docs/events.md).

Every frame the server sends is a JSON text frame with a ``type``. They all
leave through one queue drained by one writer, in the order they were
decided: replies, events and heartbeats never overtake each other. The
queue is bounded (``max_queue``): a client that falls that far behind is
sent an error and closed with :data:`SLOW_CONSUMER` (1013, "try again
later"), and resumes with ``last_seq``. A frame the peer does not take
within ``send_timeout_seconds`` (it stopped reading) drops the connection.

Dead peers: uvicorn pings every websocket at the protocol level
(``--ws-ping-interval``, ``--ws-ping-timeout``, 20 s each by default) and
drops one that does not answer; every client library answers pings by
itself. The server's own ``heartbeat`` frames let a client notice a dead
server.

Nothing is sent before the key verifies, and a key never reaches a log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from typing import Any, Final

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from paperbroker.api.auth import verify_in
from paperbroker.api.deps import api_context
from paperbroker.api.errors import error_code
from paperbroker.api.events.handshake import (
    MALFORMED,
    Credentials,
    header_credentials,
    origin_allowed,
)
from paperbroker.api.formats import time_text
from paperbroker.api.outbox import Close, Outbox, encode
from paperbroker.core.errors import InvalidRequest, NotFound, PaperbrokerError
from paperbroker.services.event_kinds import StreamEvent
from paperbroker.services.event_streams import Subscription
from paperbroker.services.events import EventHub, Viewer

log = logging.getLogger(__name__)

#: Close code: no key, a wrong key, a foreign origin, a revoked key (policy violation).
POLICY: Final = 1008
#: Close code: the client fell more than ``max_queue`` frames behind.
SLOW_CONSUMER: Final = 1013
#: Close code: the server failed (the client resumes with ``last_seq``).
INTERNAL: Final = 1011
#: Frames longer than this are refused unread (the protocol's are a few hundred bytes).
MAX_FRAME_CHARS: Final = 64 * 1024
#: How long a connection closing on its own initiative waits to send its last words.
_CLOSE_GRACE_SECONDS: Final = 5.0


def event_frame(event: StreamEvent) -> str:
    """The ``event`` frame of a stream event (``data`` is spliced in as the JSON it is)."""
    head: dict[str, object] = {
        "type": "event",
        "stream": event.stream,
        "seq": event.seq,
        "topic": event.topic,
        "kind": event.kind,
        "time": None if event.ts is None else time_text(event.ts),
        "session_id": event.session_id,
    }
    if event.severity is not None:
        head["severity"] = event.severity
        head["message"] = event.message
    return encode(head)[:-1] + ',"data":' + event.data + "}"


def _error(status: int, message: str) -> dict[str, object]:
    return {"type": "error", "code": error_code(status), "message": message}


class EventConnection:
    """One websocket client of the event stream, from handshake to close."""

    def __init__(self, websocket: WebSocket, hub: EventHub) -> None:
        self._ws = websocket
        self._hub = hub
        self._settings = hub.settings
        self._out = Outbox()
        self._drained = asyncio.Event()
        self._viewer: Viewer | None = None
        self._subscription: Subscription | None = None

    async def serve(self) -> None:
        """Run the connection until either side ends it."""
        headers = Headers(scope=self._ws.scope)
        if not origin_allowed(headers, self._ws.url.scheme, self._settings.allowed_origins):
            log.info("events: refused a handshake from a foreign origin")
            await self._deny(403, "this origin may not open the event stream")
            return
        credentials = header_credentials(headers)
        await self._ws.accept()
        self._hub.connected(+1)
        try:
            if await self._authenticate(credentials):
                await self._run()
        finally:
            if self._subscription is not None:
                self._subscription.close()
            self._hub.connected(-1)

    async def _deny(self, status: int, message: str) -> None:
        body = JSONResponse({"code": error_code(status), "message": message}, status_code=status)
        try:
            await self._ws.send_denial_response(body)
        except RuntimeError:  # the server cannot answer a handshake with a body
            await self._ws.close(POLICY)

    # -- authentication ---------------------------------------------------------
    async def _authenticate(self, credentials: Credentials | None) -> bool:
        if credentials is None:
            credentials = await self._first_message()
            if credentials is None:
                return False
        keys = api_context(self._ws).keys
        record = None
        if credentials is not MALFORMED:
            record = await asyncio.to_thread(
                verify_in, keys, credentials.key_id, credentials.secret
            )
        if record is None:
            log.info("events: a key did not verify")  # which key is nobody's business
            await self._close_now(POLICY, "unauthorized")
            return False
        self._viewer = Viewer.of(record)
        self._subscription = Subscription(self._hub, self._viewer, self)
        self._out.send({"type": "authenticated", "admin": record.is_admin})
        return True

    async def _first_message(self) -> Credentials | None:
        """The key of an ``auth`` first message; ``None`` (and closed) without one."""
        try:
            message = await asyncio.wait_for(
                self._ws.receive(), self._settings.auth_timeout_seconds
            )
        except TimeoutError:
            await self._close_now(POLICY, "authentication timed out")
            return None
        if message["type"] == "websocket.disconnect":
            return None
        request = _parse(message.get("text") or message.get("bytes"))
        if isinstance(request, dict) and request.get("action") == "auth":
            key_id, secret = request.get("key_id"), request.get("secret_key")
            if isinstance(key_id, str) and isinstance(secret, str) and key_id and secret:
                return Credentials(key_id, secret)
            return MALFORMED
        await self._close_now(POLICY, 'send {"action": "auth", ...} first')
        return None

    # -- the connection's tasks -----------------------------------------------------
    async def _run(self) -> None:
        tasks = {
            asyncio.create_task(self._read(), name="ws-read"),
            asyncio.create_task(self._write(), name="ws-write"),
            asyncio.create_task(self._tick(), name="ws-tick"),
        }
        writer = next(t for t in tasks if t.get_name() == "ws-write")
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if writer not in done and self._out.closing:
                # Someone decided to close: the writer says why, then closes.
                await asyncio.wait({writer}, timeout=_CLOSE_GRACE_SECONDS)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        failures = [t.exception() for t in done if not t.cancelled() and t.exception()]
        if failures:
            log.error("events: the connection failed", exc_info=failures[0])
            await self._close_now(INTERNAL, "internal error")  # the client gets no traceback

    async def _read(self) -> None:
        while not self._out.closing:
            message = await self._ws.receive()
            if message["type"] == "websocket.disconnect":
                return
            await self._handle(message.get("text") or message.get("bytes"))

    async def _handle(self, raw: str | bytes | None) -> None:
        if raw is not None and len(raw) > MAX_FRAME_CHARS:
            self._out.send(_error(400, f"frame longer than {MAX_FRAME_CHARS} characters"))
            return
        request = _parse(raw)
        if not isinstance(request, dict) or not isinstance(request.get("action"), str):
            self._out.send(_error(400, 'a frame must be a JSON object {"action": ...}'))
            return
        action = request["action"]
        try:
            if action == "subscribe":
                await self._subscribe(request)
            elif action == "unsubscribe":
                assert self._subscription is not None
                topics = self._subscription.unsubscribe(_list(request.get("topics")))
                self._out.send({"type": "unsubscribed", "topics": topics})
            elif action == "ping":
                self._out.send({"type": "pong", "time": time_text(time.time_ns())})
            elif action == "auth":
                self._out.send(_error(400, "already authenticated"))
            else:
                self._out.send(
                    _error(400, f"unknown action {action[:32]!r}: subscribe, unsubscribe or ping")
                )
        except InvalidRequest as error:
            self._out.send(_error(422, f"{action}: {error}"))
        except NotFound as error:
            self._out.send(_error(404, str(error)))
        except PaperbrokerError:
            log.exception("events: %s failed", action[:32])
            self._out.send(_error(500, f"{action} failed on the server; try again"))

    async def _subscribe(self, request: Mapping[str, Any]) -> None:
        subscription = self._subscription
        assert subscription is not None
        session_id, agent_id = request.get("session_id"), request.get("agent_id")
        last_seq = request.get("last_seq")
        for name, value in (("session_id", session_id), ("agent_id", agent_id)):
            if value is not None and not isinstance(value, str):
                raise InvalidRequest(f"{name} must be a string")
        if last_seq is not None and not isinstance(last_seq, dict):
            raise InvalidRequest('last_seq must be an object {"<stream>": <seq>, ...}')
        streams = await subscription.subscribe(
            _list(request.get("topics")),
            session_id=session_id,
            agent_id=agent_id,
            last_seq=last_seq,
        )
        self._out.send(
            {"type": "subscribed", "topics": sorted(subscription.topics), "streams": streams}
        )
        subscription.start()  # its replay and live events follow the answer

    async def _tick(self) -> None:
        """Heartbeats, and the key's standing, every so often."""
        settings = self._settings
        watch = asyncio.get_running_loop().time()
        beat = watch + settings.heartbeat_seconds
        while not self._out.closing:
            now = asyncio.get_running_loop().time()
            if now >= beat:
                self._out.send({"type": "heartbeat", "time": time_text(time.time_ns())})
                beat = now + settings.heartbeat_seconds
            if now >= watch and self._viewer is not None:
                if not await asyncio.to_thread(self._hub.key_active, self._viewer.key_id):
                    self._out.close(POLICY, "the API key was revoked")
                    return
                watch = now + settings.watch_seconds
            await asyncio.sleep(max(min(beat, watch) - now, 0.01))

    async def _write(self) -> None:
        low_water = self._settings.max_queue // 2
        while True:
            if not self._out.items:
                self._out.wake.clear()
                await self._out.wake.wait()
                continue
            item = self._out.items.popleft()
            if len(self._out.items) <= low_water:
                self._drained.set()
            if isinstance(item, Close):
                await self._close_now(item.code, item.reason)
                return
            text = item if isinstance(item, str) else item.decode()  # /ws queues text only
            try:
                await asyncio.wait_for(
                    self._ws.send_text(text), self._settings.send_timeout_seconds
                )
            except TimeoutError:
                log.info("events: dropped a peer that stopped reading")
                return
            except Exception:  # the client is gone: nothing more to say
                log.debug("events: send failed", exc_info=True)
                return

    async def _close_now(self, code: int, reason: str) -> None:
        self._out.closing = True
        try:
            await asyncio.wait_for(self._ws.close(code, reason), _CLOSE_GRACE_SECONDS)
        except Exception:  # already closed by the client, or it reads nothing
            log.debug("events: close failed", exc_info=True)

    # -- the queue ----------------------------------------------------------------
    # -- the subscription's sink ------------------------------------------------------
    def emit(self, event: StreamEvent) -> None:
        self._out.push(event_frame(event))
        if len(self._out.items) > self._settings.max_queue:
            self.too_slow()

    def waiting(self) -> int:
        return len(self._out.items)

    async def room(self) -> None:
        low_water = self._settings.max_queue // 2
        while len(self._out.items) > low_water or self._out.closing:
            if self._out.closing:  # nothing more will be sent: wait to be cancelled
                await asyncio.Event().wait()
            self._drained.clear()
            await self._drained.wait()

    def too_slow(self) -> None:
        if self._out.closing:
            return
        limit = self._settings.max_queue
        self._out.items.clear()
        if self._subscription is not None:
            self._subscription.close()
        self._out.send(_error(429, f"more than {limit} frames waiting: resume with last_seq"))
        self._out.close(SLOW_CONSUMER, "slow consumer: resume with last_seq")

    def ended(self, stream: str, reason: str) -> None:
        self._out.send({"type": "ended", "stream": stream, "reason": reason})

    def warn(self, status: int, message: str) -> None:
        self._out.send(_error(status, message))

    def failed(self, error: BaseException) -> None:
        if self._subscription is not None:
            self._subscription.close()
        self._out.send(_error(500, "internal error: reconnect with last_seq"))
        self._out.close(INTERNAL, "internal error")


def _parse(raw: str | bytes | None) -> object:
    if raw is None or len(raw) > MAX_FRAME_CHARS:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _list(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidRequest("topics must be a list of topic names")
    return value
