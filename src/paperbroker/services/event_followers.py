"""Followers: one stream each, replayed from the store, then live, exactly once, in order.

A follower keeps ``seen``, the seq of the last event of its stream it has
passed on to its subscription (whatever its topic). It never passes on a
seq it has seen, and never skips one:

1. **attach**: it subscribes to the live source (the session's runtime,
   under the runtime's lock, or the system feed, under its lock) and reads
   the stream's current seq, the *head*, in the same critical section, so
   every later event reaches it live. Live events are held meanwhile.
2. **catch up**: from the client's ``last_seq`` it reads the store in
   pages, passing on each event with ``seq > seen``, waiting for the client
   to drain between pages (a replay never floods the queue).
3. **drain**: the held live events follow, those with ``seq <= seen``
   dropped; from then on live events pass straight through. A live event
   that skips a seq (it cannot happen, but a reloaded runtime is a new
   source) sends the follower back to step 2 for the missing ones.

Live events arrive from the committing thread through
``loop.call_soon_threadsafe`` and nothing else: a session never waits for a
client. Agent logs have no live source: their follower reads the file every
``log_poll_seconds``, and a line's seq is its line number.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Protocol

from paperbroker.services.event_kinds import StreamEvent, log_event
from paperbroker.services.events import EventHub, Viewer
from paperbroker.session.runtime import SessionRuntime
from paperbroker.session.spec import Committed

log = logging.getLogger(__name__)

#: Bytes of a log file read at a time.
_LOG_CHUNK: Final = 256 * 1024
_LOG_LINE: Final = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) (\w+) ")


class Sink(Protocol):
    """The transport's side of a subscription; every method is called on the event loop."""

    def emit(self, event: StreamEvent) -> None:
        """Send ``event`` (queued; the transport checks its queue's bound)."""

    def waiting(self) -> int:
        """How many frames wait to be sent."""

    async def room(self) -> None:
        """Return once the queue has room for a page of replayed events."""

    def too_slow(self) -> None:
        """The client cannot keep up with its streams: end the connection."""

    def ended(self, stream: str, reason: str) -> None:
        """A stream ended (its session was deleted, its log file truncated)."""

    def warn(self, status: int, message: str) -> None:
        """Tell the client something it asked for went otherwise (an error frame)."""

    def failed(self, error: BaseException) -> None:
        """A follower failed unexpectedly: end the connection (the client resumes)."""


class Owner(Protocol):
    """What a follower belongs to: a subscription (:mod:`.event_streams`)."""

    hub: EventHub
    viewer: Viewer
    sink: Sink
    #: Live events a follower may hold at most while it catches up.
    max_queue: int
    #: Events read from the store at a time.
    page_size: int

    def deliver(self, event: StreamEvent) -> None:
        """Pass an event on (if its topic was asked for)."""

    def drop(self, follower: Follower) -> None:
        """Stop following a stream that ended."""


class Follower:
    """One stream of a subscription: see the module doc for steps 1 to 3."""

    def __init__(self, subscription: Owner, stream: str) -> None:
        self.stream = stream
        self.head = 0
        self.seen = 0
        self.closed = False
        self._sub = subscription
        self._held: list[StreamEvent] | None = []  # live events held while catching up
        self._task: asyncio.Task[None] | None = None

    async def attach(self) -> int:
        """Subscribe to the live source; return the stream's head."""
        raise NotImplementedError

    def _detach(self) -> None:
        """Unsubscribe from the live source."""

    async def _read(self, after_seq: int, limit: int) -> list[StreamEvent]:
        raise NotImplementedError

    def start(self, after: int | None) -> None:
        """Go: from ``after`` (replay what follows it), or from the head (live only)."""
        self.seen = self.head if after is None else after
        self._spawn(self._catch_up())

    def gone(self) -> bool:
        """Whether the follower was closed (say, while it awaited a read)."""
        return self.closed

    def close(self) -> None:
        self.closed = True
        self._detach()
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def live(self, events: Sequence[StreamEvent]) -> None:
        """Events from the live source, in seq order (on the event loop)."""
        if self.closed:
            return
        if self._held is not None:
            self._held.extend(events)
            if len(self._held) > self._sub.max_queue:
                self._sub.sink.too_slow()
            return
        self._pass_on(events, fill_gaps=True)

    def _pass_on(self, events: Sequence[StreamEvent], *, fill_gaps: bool) -> None:
        for index, event in enumerate(events):
            if event.seq <= self.seen:
                continue
            if event.seq > self.seen + 1:
                if fill_gaps:  # read the missing ones from the store, then these
                    self._held = list(events[index:])
                    self._spawn(self._catch_up())
                    return
                log.warning("events: %s skips from %d to %d", self.stream, self.seen, event.seq)
            self._sub.deliver(event)
            self.seen = event.seq

    async def _catch_up(self) -> None:
        page = self._sub.page_size
        while not self.closed:
            held = self._held
            if held and self.seen >= held[0].seq - 1:
                break  # the held events take it from here
            await self._sub.sink.room()
            events = await self._read(self.seen, page)
            if self.gone():
                return
            self._pass_on([e for e in events if e.seq > self.seen], fill_gaps=False)
            if len(events) < page:
                break
        held, self._held = self._held or [], None
        self._pass_on(held, fill_gaps=False)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._task = task
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self.closed:
            return
        error = task.exception()
        if error is not None:
            log.error("events: %s failed", self.stream, exc_info=error)
            self._sub.sink.failed(error)


class SessionFollower(Follower):
    """``session:<id>``: the journal, live from the session's runtime."""

    def __init__(self, subscription: Owner, session_id: str) -> None:
        super().__init__(subscription, f"session:{session_id}")
        self.session_id = session_id
        self.runtime: SessionRuntime | None = None
        self._token = object()
        self._unsubscribe: Callable[[], None] | None = None

    async def attach(self) -> int:
        loop = asyncio.get_running_loop()
        token = self._token = object()  # commits of an older runtime are ignored from now on
        hub, viewer, session_id = self._sub.hub, self._sub.viewer, self.session_id

        def listener(batch: Sequence[Committed]) -> None:
            # The committing thread, under the session's lock: hand over, nothing more.
            with contextlib.suppress(RuntimeError):  # the loop is closed: so is the client
                loop.call_soon_threadsafe(self._committed, token, batch)

        def subscribe() -> tuple[SessionRuntime, Callable[[], None], int]:
            runtime = hub.runtime_of(viewer, session_id)
            with runtime.locked():
                return runtime, runtime.subscribe(listener), runtime.last_seq

        runtime, unsubscribe, head = await asyncio.to_thread(subscribe)
        self._detach()
        self.runtime, self._unsubscribe = runtime, unsubscribe
        if self.closed:
            self._detach()
        self.head = max(self.head, head)
        return head

    def _detach(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()

    def _committed(self, token: object, batch: Sequence[Committed]) -> None:
        if token is self._token and not self.closed:
            self.live([self._sub.hub.live_event(self.session_id, c) for c in batch])

    async def _read(self, after_seq: int, limit: int) -> list[StreamEvent]:
        return await asyncio.to_thread(
            self._sub.hub.session_page, self.session_id, after_seq, limit
        )

    async def reattach(self) -> None:
        """Follow the session's new runtime (it was reloaded): hold its events, fill the gap."""
        if self._held is None:
            self._held = []
            await self.attach()
            self._spawn(self._catch_up())
        else:
            await self.attach()  # the catch-up under way goes on


class SystemFollower(Follower):
    """``system:<owner>``: live events are routed here by the subscription."""

    def __init__(self, subscription: Owner, owner: str, head: int) -> None:
        super().__init__(subscription, f"system:{owner}")
        self.owner = owner
        self.head = head

    async def attach(self) -> int:
        return self.head

    async def _read(self, after_seq: int, limit: int) -> list[StreamEvent]:
        return await asyncio.to_thread(self._sub.hub.system_page, self.owner, after_seq, limit)


class LogFollower(Follower):
    """``log:<agent id>``: the lines of the agent's log file, read every poll."""

    def __init__(self, subscription: Owner, agent_id: str) -> None:
        super().__init__(subscription, f"log:{agent_id}")
        self.agent_id = agent_id
        self._path: Path | None = None
        self._offset = 0
        self._head_offset = 0
        self._skip_to = 0

    async def attach(self) -> int:
        path = await asyncio.to_thread(self._sub.hub.agent_log, self._sub.viewer, self.agent_id)
        self._path = path
        self.head, self._head_offset = await asyncio.to_thread(_count_lines, path)
        return self.head

    def start(self, after: int | None) -> None:
        if after is None:
            self.seen, self._offset = self.head, self._head_offset
        else:  # read from the first line, passing on those after ``after``
            self.seen, self._offset, self._skip_to = 0, 0, after
        self._held = None
        self._spawn(self._tail())

    async def _tail(self) -> None:
        path, poll = self._path, self._sub.hub.settings.log_poll_seconds
        assert path is not None
        while not self.closed:
            await self._sub.sink.room()
            lines, offset = await asyncio.to_thread(_read_lines, path, self._offset)
            if self.gone():
                return
            if offset < 0:
                self._sub.sink.ended(self.stream, "the log file was truncated")
                self._sub.drop(self)
                return
            self._offset = offset
            for text in lines:
                self.seen += 1
                if self.seen > self._skip_to:
                    self._sub.deliver(_log_line(self.agent_id, self.seen, text))
            if not lines:
                await asyncio.sleep(poll)


def _count_lines(path: Path) -> tuple[int, int]:
    """How many complete lines the file has, and the offset just after the last one
    (counted as :func:`_read_lines` reads them, so that line numbers agree)."""
    count = offset = 0
    while True:
        lines, end = _read_lines(path, offset)
        if not lines or end < 0:
            return count, offset
        count, offset = count + len(lines), end


def _read_lines(path: Path, offset: int) -> tuple[list[str], int]:
    """The complete lines after ``offset`` and the offset after them (``-1``: truncated).

    A line is what ends with a newline; one longer than a read is passed on
    in pieces of a read each rather than stall the stream.
    """
    if not path.is_file():
        return [], offset
    with path.open("rb") as handle:
        handle.seek(0, 2)
        if handle.tell() < offset:
            return [], -1
        handle.seek(offset)
        chunk = handle.read(_LOG_CHUNK)
    end = chunk.rfind(b"\n") + 1
    if not end and len(chunk) == _LOG_CHUNK:
        end = len(chunk)
    if not end:
        return [], offset
    pieces = chunk[:end].split(b"\n")
    if not pieces[-1]:
        pieces.pop()  # what follows the last newline
    lines = [p.decode("utf-8", errors="replace").removesuffix("\r") for p in pieces]
    return lines, offset + end


def _log_line(agent_id: str, line_no: int, text: str) -> StreamEvent:
    match = _LOG_LINE.match(text)
    if match is None:  # a traceback's continuation line
        return log_event(agent_id, line_no, None, "", text)
    try:  # the logging module's asctime: local time, to the millisecond
        local = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").astimezone()
    except ValueError:
        return log_event(agent_id, line_no, None, match.group(3), text)
    ts = int(local.timestamp()) * 1_000_000_000 + int(match.group(2)) * 1_000_000
    return log_event(agent_id, line_no, ts, match.group(3), text)
