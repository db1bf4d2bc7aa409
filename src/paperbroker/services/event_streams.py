"""Subscriptions: the streams one client connection follows, and the topics it hears.

A :class:`Subscription` runs on its connection's event loop. It follows
streams (``session:<id>``, ``system:<owner>``, ``log:<agent id>``), one
follower each (:mod:`paperbroker.services.event_followers`: replay from the
store, then live, exactly once, in order), and hands every event whose
topic the client asked for to its :class:`~.event_followers.Sink`.

It also watches, every ``watch_seconds``: a session created later joins a
subscription to every session (replayed from its first event: all of it
is news); a session whose runtime was reloaded is followed on its new
runtime without a gap; a deleted session's stream ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Collection, Mapping
from typing import Final

from paperbroker.core.errors import InvalidRequest, NotFound, PaperbrokerError
from paperbroker.services.event_followers import (
    Follower,
    LogFollower,
    SessionFollower,
    Sink,
    SystemFollower,
)
from paperbroker.services.event_kinds import (
    ACTIVITY,
    LOGS,
    SESSION_TOPICS,
    SYSTEM_TOPICS,
    TOPICS,
    StreamEvent,
    system_event,
)
from paperbroker.services.events import EventHub, Viewer, canonical_id
from paperbroker.store.system_events import SystemEvent

log = logging.getLogger(__name__)

_STREAM_NAME: Final = re.compile(r"(session|system|log):[A-Za-z0-9-]{1,64}")


class Subscription:
    """The streams one connection follows and the topics it hears (see the module doc).

    Topics apply to every stream the connection follows. Each ``subscribe``
    adds topics and streams; ``unsubscribe`` removes topics, and the streams
    no remaining topic needs.
    """

    def __init__(self, hub: EventHub, viewer: Viewer, sink: Sink) -> None:
        self.hub = hub
        self.viewer = viewer
        self.sink = sink
        self.topics: set[str] = set()
        settings = hub.settings
        self.max_queue = settings.max_queue
        self.page_size = max(1, min(settings.replay_page, settings.max_queue // 4))
        self._followers: dict[str, Follower] = {}
        self._all_sessions = False
        self._stop_system: Callable[[], None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        #: Streams the last subscribe added, to start once the client heard of them.
        self._pending: list[tuple[Follower, int | None]] = []
        #: Sessions that failed to load: not tried again by the watch (logged once).
        self._unloadable: set[str] = set()

    # -- delivery -----------------------------------------------------------------
    def deliver(self, event: StreamEvent) -> None:
        """Pass ``event`` on if its topic was asked for (``activity``: any activity)."""
        if event.topic in self.topics or (ACTIVITY in self.topics and event.severity is not None):
            self.sink.emit(event)

    def drop(self, follower: Follower) -> None:
        follower.close()
        self._followers.pop(follower.stream, None)

    @property
    def streams(self) -> dict[str, int]:
        """Each followed stream's seq: the last passed on, or its head if greater."""
        return {name: max(f.seen, f.head) for name, f in sorted(self._followers.items())}

    # -- subscribe and unsubscribe ----------------------------------------------------
    async def subscribe(
        self,
        topics: Collection[str],
        *,
        session_id: str | None = None,
        agent_id: str | None = None,
        last_seq: Mapping[str, int] | None = None,
    ) -> dict[str, int]:
        """Add ``topics`` and follow the streams they need; return :attr:`streams`.

        ``session_id`` limits the session topics to one session (default: every
        session the viewer may see, those created later included); ``agent_id``
        names the agent of ``logs``. With ``last_seq`` (a resume) each new
        stream replays what follows its entry, or everything if it has none;
        without it new streams are live from their head.

        Raises:
            InvalidRequest: for an unknown topic, ``logs`` without ``agent_id``,
                or a malformed ``last_seq``.
            NotFound: for a session or agent the viewer may not see.
        """
        wanted = _topics(topics)
        if (LOGS in wanted) != (agent_id is not None):
            raise InvalidRequest("agent_id goes with the logs topic, and logs needs one")
        if session_id is not None and not wanted & SESSION_TOPICS:
            raise InvalidRequest("session_id goes with the session topics")
        resume = _last_seq(last_seq)
        new: list[Follower] = []
        system_before = self._stop_system
        try:
            # Each follower is known before it attaches: a live event that arrives
            # meanwhile is held by it, never taken for news of an unknown stream.
            if wanted & SESSION_TOPICS:
                new += self._add(await self._session_followers(session_id))
            system = wanted & SYSTEM_TOPICS and self.viewer.has_system_stream
            if system and self._stop_system is None:
                new += self._add(await self._system_followers())
            if agent_id is not None:
                new += self._add([LogFollower(self, agent_id)])
            for follower in list(new):
                try:
                    await follower.attach()
                except PaperbrokerError as error:
                    if not (isinstance(follower, SessionFollower) and session_id is None):
                        raise
                    # One of every session: deleted meanwhile, or it does not load (logged);
                    # the others are followed all the same.
                    if not isinstance(error, NotFound):
                        log.exception("events: session %s is not followed", follower.session_id)
                        self._unloadable.add(follower.session_id)
                    new.remove(follower)
                    self.drop(follower)
        except BaseException:
            for follower in new:
                self.drop(follower)
            if system_before is None:
                self._stop_system_feed()
            raise
        self.topics |= wanted
        self._all_sessions |= bool(wanted & SESSION_TOPICS) and session_id is None
        self._pending += [(f, _after(f, resume)) for f in new]
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        return self.streams

    def _add(self, followers: list[Follower]) -> list[Follower]:
        added = [f for f in followers if f.stream not in self._followers]
        for follower in added:
            self._followers[follower.stream] = follower
        return added

    def start(self) -> None:
        """Start the streams the last :meth:`subscribe` added (after the client heard of them)."""
        pending, self._pending = self._pending, []
        for follower, after in pending:
            if after is not None and after > follower.head:
                self.sink.warn(
                    422,
                    f"last_seq {after} of {follower.stream} is beyond its last event"
                    f" {follower.head}: it goes on from {follower.head}",
                )
                after = follower.head
            if not follower.closed:
                follower.start(after)

    def unsubscribe(self, topics: Collection[str]) -> list[str]:
        """Remove ``topics``, and the streams no remaining topic needs; return the topics left.

        Raises:
            InvalidRequest: for an unknown topic.
        """
        self.topics -= _topics(topics)
        needs: dict[type[Follower], frozenset[str]] = {
            SessionFollower: SESSION_TOPICS,
            SystemFollower: SYSTEM_TOPICS,
            LogFollower: frozenset({LOGS}),
        }
        for follower in list(self._followers.values()):
            if not self.topics & needs[type(follower)]:
                self.drop(follower)
        if not self.topics & SESSION_TOPICS:
            self._all_sessions = False
        if not self.topics & SYSTEM_TOPICS:
            self._stop_system_feed()
        return sorted(self.topics)

    def close(self) -> None:
        """Stop following everything (the connection is gone)."""
        if self._watcher is not None:
            self._watcher.cancel()
        self._stop_system_feed()
        for follower in list(self._followers.values()):
            self.drop(follower)

    # -- sessions -------------------------------------------------------------------
    async def _session_followers(self, session_id: str | None) -> list[Follower]:
        hub, viewer = self.hub, self.viewer
        if session_id is not None:
            canonical = canonical_id(session_id)
            await asyncio.to_thread(hub.session_owner, viewer, canonical)
            sessions: Collection[str] = [canonical]
        else:
            sessions = await asyncio.to_thread(hub.visible_sessions, viewer)
        return [SessionFollower(self, s) for s in sessions]

    async def _watch(self) -> None:
        """Follow sessions created later; follow reloaded runtimes; drop deleted sessions."""
        while True:
            await asyncio.sleep(self.hub.settings.watch_seconds)
            try:
                await self._watch_once()
            except Exception:  # the database away, say: the stream goes on, the watch too
                log.exception("events: watching the sessions failed; trying again")

    async def _watch_once(self) -> None:
        followers = {
            f.session_id: f for f in self._followers.values() if isinstance(f, SessionFollower)
        }
        if self._all_sessions:
            visible = await asyncio.to_thread(self.hub.visible_sessions, self.viewer)
            for session_id in visible:
                if session_id not in followers and session_id not in self._unloadable:
                    await self._follow_new_session(session_id)
        runtimes = await asyncio.to_thread(self.hub.runtimes, self.viewer, list(followers))
        for session_id, runtime in runtimes.items():
            follower = followers[session_id]
            if follower.closed:
                continue
            if runtime is None:
                self.drop(follower)
                self.sink.ended(follower.stream, "the session no longer exists")
            elif runtime is not follower.runtime:
                try:
                    await follower.reattach()
                except NotFound:
                    continue  # deleted meanwhile: the next watch ends its stream

    async def _follow_new_session(self, session_id: str) -> None:
        """A session created after the subscription: every one of its events is news."""
        added = self._add([SessionFollower(self, session_id)])
        for follower in added:
            try:
                await follower.attach()
            except PaperbrokerError as error:
                self.drop(follower)
                if not isinstance(error, NotFound):  # not deleted meanwhile: it does not load
                    log.exception("events: session %s is not followed", session_id)
                    self._unloadable.add(session_id)
                continue
            follower.start(0)

    # -- system streams ------------------------------------------------------------------
    async def _system_followers(self) -> list[Follower]:
        loop = asyncio.get_running_loop()

        def listener(event: SystemEvent) -> None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._system_event, event)

        stop, heads = await asyncio.to_thread(
            self.hub.system.listen, self.viewer.system_owner, listener
        )
        self._stop_system = stop
        return [SystemFollower(self, owner, head) for owner, head in sorted(heads.items())]

    def _system_event(self, event: SystemEvent) -> None:
        if self._stop_system is None:
            return
        stream = f"system:{event.owner_key_id}"
        follower = self._followers.get(stream)
        if follower is None:
            if not self.viewer.sees(event.owner_key_id):
                return
            # A new owner's stream (an admin hears every owner): all of it is news.
            follower = SystemFollower(self, event.owner_key_id, 0)
            self._followers[stream] = follower
            follower.start(0)
        follower.live([system_event(event)])

    def _stop_system_feed(self) -> None:
        stop, self._stop_system = self._stop_system, None
        if callable(stop):
            stop()


def _topics(topics: Collection[str]) -> set[str]:
    if isinstance(topics, str) or not topics or not all(isinstance(t, str) for t in topics):
        raise InvalidRequest(f"topics must be a non-empty list of: {', '.join(TOPICS)}")
    unknown = sorted(set(topics) - set(TOPICS))
    if unknown:
        raise InvalidRequest(f"unknown topic {unknown[0][:32]!r}: one of {', '.join(TOPICS)}")
    return set(topics)


def _last_seq(last_seq: Mapping[str, int] | None) -> Mapping[str, int] | None:
    if last_seq is None:
        return None
    if not isinstance(last_seq, Mapping):
        raise InvalidRequest('last_seq must be an object {"<stream>": <seq>, ...}')
    for name, seq in last_seq.items():
        if not isinstance(name, str) or not _STREAM_NAME.fullmatch(name):
            raise InvalidRequest(f"last_seq: {str(name)[:80]!r} is not a stream name")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            raise InvalidRequest(f"last_seq of {name} must be a whole number >= 0")
    return last_seq


def _after(follower: Follower, resume: Mapping[str, int] | None) -> int | None:
    """Where a new stream starts: the client's last seq; without one, from the first
    event on a resume (a stream it never heard of), else live."""
    if resume is None:
        return None
    return resume.get(follower.stream, 0)
