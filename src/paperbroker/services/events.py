"""The event hub: where the live event stream finds its streams, one hub per application.

Three kinds of stream, each numbered by its own ``seq``:

- ``session:<session id>``: the session's journal, ``seq`` its journal seq.
  Live events come from :meth:`SessionRuntime.subscribe`, so only committed
  events are ever published (persist, then publish).
- ``system:<owner key id>``: the owner's system events
  (:mod:`paperbroker.store.system_events`), ``seq`` their per-owner seq. Live
  events come from :meth:`EventHub.record_system`, which appends and then
  publishes, in seq order.
- ``log:<agent id>``: the lines of an agent's log file, ``seq`` the line
  number (1-based), tailed by polling the file.

What a key may see (:class:`Viewer`): its own sessions and system stream;
an admin key every owner's; a key bound to a session only that session
(and no system stream). Anything else is :class:`NotFound`, like a thing
that does not exist. The subscriptions themselves live in
:mod:`paperbroker.services.event_streams`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Final

from paperbroker.agents.logs import AGENT_ID_PATTERN, log_path
from paperbroker.core.errors import InvalidRequest, NotFound, PaperbrokerError
from paperbroker.services.event_kinds import (
    StreamEvent,
    committed_event,
    journal_event,
    system_event,
)
from paperbroker.services.sessions import SessionService
from paperbroker.session.runtime import SessionRuntime
from paperbroker.session.spec import Committed
from paperbroker.store.db import SessionFactory
from paperbroker.store.journal import Journal
from paperbroker.store.keys import ApiKeyRecord, ApiKeys
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.store.system_events import SystemEvent, SystemEvents

log = logging.getLogger(__name__)

#: Live session events converted once for every connection that hears them.
_CACHE_SIZE: Final = 4096


@dataclass(frozen=True)
class EventSettings:
    """How the event stream behaves; the defaults suit a server, tests shrink the times.

    ``allowed_origins`` are browser origins (``https://host:port``) allowed
    besides the server's own.
    """

    #: How often a connection is sent ``{"type": "heartbeat"}``.
    heartbeat_seconds: float = 15.0
    #: How long a client has to send its key in its first message.
    auth_timeout_seconds: float = 10.0
    #: Frames waiting for one client at most; one more and it is closed as too slow.
    max_queue: int = 10_000
    #: How long one frame may take to leave; a peer that reads nothing longer is dropped.
    send_timeout_seconds: float = 30.0
    #: How often a connection looks for new sessions, reloaded or deleted ones, a revoked key.
    watch_seconds: float = 1.0
    #: How often an agent's log file is read for new lines.
    log_poll_seconds: float = 0.25
    #: Events read from the database at a time while a stream catches up.
    replay_page: int = 500
    allowed_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, int | float) and value <= 0:
                raise InvalidRequest(f"event setting {field.name} must be positive, got {value}")


@dataclass(frozen=True)
class Viewer:
    """Who is watching: a verified key, and what it may see."""

    key_id: str
    admin: bool = False
    #: A key bound to a session sees that session only.
    bound_session: str | None = None

    @classmethod
    def of(cls, record: ApiKeyRecord) -> Viewer:
        return cls(record.key_id, record.is_admin, record.session_id)

    def sees(self, owner: str, session_id: str | None = None) -> bool:
        """Whether the viewer may see ``owner``'s session ``session_id`` (or system stream)."""
        if self.admin:
            return True
        if self.bound_session is not None:
            return session_id is not None and session_id == self.bound_session
        return owner == self.key_id

    @property
    def system_owner(self) -> str | None:
        """The owner whose system stream the viewer hears (``None``: every owner's, an admin)."""
        return None if self.admin else self.key_id

    @property
    def has_system_stream(self) -> bool:
        return self.bound_session is None


SystemListener = Callable[[SystemEvent], None]


class SystemFeed:
    """The owners' system streams: append, then publish to live listeners, in seq order.

    Listeners are called from the appending thread under the feed's lock:
    they must be quick and must not block (hand the event to an event loop).
    """

    def __init__(self, events: SystemEvents) -> None:
        self.events = events
        self._lock = threading.Lock()
        self._listeners: dict[int, tuple[str | None, SystemListener]] = {}
        self._next = 0

    def record(
        self,
        owner: str,
        kind: str,
        payload: dict[str, object],
        *,
        severity: str | None = None,
        session_id: str | None = None,
    ) -> SystemEvent:
        """Append one event to ``owner``'s stream, then publish it.

        Raises:
            InvalidRequest: for a kind, severity or payload the store refuses.
        """
        with self._lock:
            event = self.events.append(
                owner, kind, payload, severity=severity, session_id=session_id
            )
            for wanted, listener in self._listeners.values():
                if wanted is None or wanted == owner:
                    try:
                        listener(event)
                    except Exception:
                        log.exception("a system event listener failed")
        return event

    def listen(
        self, owner: str | None, listener: SystemListener
    ) -> tuple[Callable[[], None], dict[str, int]]:
        """Call ``listener`` with every event of ``owner`` (``None``: of every owner) from now
        on; return the way to stop and the last seq of each stream as of that moment."""
        with self._lock:
            token = self._next
            self._next += 1
            self._listeners[token] = (owner, listener)
            if owner is None:
                heads = self.events.last_seqs()
            else:
                heads = {owner: self.events.last_seq(owner)}

        def stop() -> None:
            with self._lock:
                self._listeners.pop(token, None)

        return stop, heads


class EventHub:
    """The streams of one application's sessions, system events and agent logs.

    Args:
        service: the session service (runtimes, owners, agents' log directory).
        keys: the API keys (a connection's key may be revoked while it listens).
        factory: the database's session factory.
        settings: see :class:`EventSettings`.
        system: the system streams (built on ``factory`` if not given).
    """

    def __init__(
        self,
        service: SessionService,
        keys: ApiKeys,
        factory: SessionFactory,
        *,
        settings: EventSettings | None = None,
        system: SystemFeed | None = None,
    ) -> None:
        self.service = service
        self.settings = settings or EventSettings()
        self.system = system or SystemFeed(SystemEvents(factory))
        self._keys = keys
        self._factory = factory
        self._sessions = SessionsRepo(factory)
        self._cache: OrderedDict[tuple[str, int], StreamEvent] = OrderedDict()
        self._lock = threading.Lock()
        self._connections = 0

    @property
    def database(self) -> SessionFactory:
        """The database's session factory (for the activity feed's query)."""
        return self._factory

    # -- system events ----------------------------------------------------------
    def record_system(
        self,
        owner: str,
        kind: str,
        *,
        severity: str | None = None,
        session_id: str | None = None,
        **payload: object,
    ) -> int:
        """Append an event to ``owner``'s system stream, publish it live; return its seq.

        ``kind`` is past tense in CamelCase (``SessionCreated``, ``SystemStartFailed``);
        ``payload`` its fields (a ``message`` field is its activity message);
        ``session_id`` the session it is about, if any; ``severity`` defaults
        to the rule of :mod:`paperbroker.store.system_events`.

        Raises:
            InvalidRequest: for a kind, severity or payload the store refuses.
        """
        if session_id is not None:
            payload["session_id"] = session_id
        event = self.system.record(owner, kind, payload, severity=severity, session_id=session_id)
        return event.seq

    def system_page(self, owner: str, after_seq: int, limit: int) -> list[StreamEvent]:
        """At most ``limit`` of ``owner``'s system events after ``after_seq``, in order."""
        return [system_event(e) for e in self.system.events.read(owner, after_seq, limit)]

    # -- sessions ---------------------------------------------------------------
    def visible_sessions(self, viewer: Viewer) -> dict[str, str]:
        """Every session the viewer may see, as ``{session id: owner key id}``."""
        if viewer.admin:
            records = self._sessions.list_all()
        elif viewer.bound_session is not None:
            try:
                records = [self._sessions.find(viewer.bound_session)]
            except NotFound:
                records = []
        else:
            records = self._sessions.list_for_owner(viewer.key_id)
        return {record.id: record.owner_key_id for record in records}

    def session_owner(self, viewer: Viewer, session_id: str) -> str:
        """The owner of a session the viewer may see.

        Raises:
            NotFound: for an id that is not a session's, or one the viewer may not see.
        """
        canonical = canonical_id(session_id)
        try:
            owner = self.service.owner_of(canonical)
        except NotFound:
            owner = None
        if owner is None or not viewer.sees(owner, canonical):
            raise NotFound(f"session {session_id[:64]} not found")
        return owner

    def runtime_of(self, viewer: Viewer, session_id: str) -> SessionRuntime:
        """The runtime of a session the viewer may see (loaded if it was not).

        Raises:
            NotFound: as :meth:`session_owner`.
        """
        owner = self.session_owner(viewer, session_id)
        return self.service.runtime(owner, canonical_id(session_id))

    def runtimes(self, viewer: Viewer, session_ids: list[str]) -> dict[str, SessionRuntime | None]:
        """The current runtime of each session (``None``: gone, or it failed to load)."""
        found: dict[str, SessionRuntime | None] = {}
        for session_id in session_ids:
            try:
                found[session_id] = self.runtime_of(viewer, session_id)
            except NotFound:
                found[session_id] = None
            except PaperbrokerError:
                log.exception("events: session %s could not be loaded", session_id)
                found[session_id] = None
        return found

    def session_page(self, session_id: str, after_seq: int, limit: int) -> list[StreamEvent]:
        """At most ``limit`` of the session's journal events after ``after_seq``, in order."""
        rows = Journal(self._factory).page(session_id, after_seq, limit)
        return [journal_event(session_id, row) for row in rows]

    def live_event(self, session_id: str, committed: Committed) -> StreamEvent:
        """A committed event as a stream event, converted once however many listen."""
        key = (session_id, committed.seq)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        event = committed_event(session_id, committed)
        with self._lock:
            self._cache[key] = event
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return event

    # -- agents -------------------------------------------------------------------
    def agent_log(self, viewer: Viewer, agent_id: str) -> Path:
        """The log file of an agent of a session the viewer may see.

        Raises:
            NotFound: for an id that is not an agent's, another key's agent, or a
                server that keeps no agent logs.
        """
        if not AGENT_ID_PATTERN.fullmatch(agent_id):
            raise NotFound(f"agent {agent_id[:64]!r} not found")
        log_dir = self.service.log_dir
        for session_id, owner in self.visible_sessions(viewer).items():
            try:
                pipeline = self.service.pipeline(owner, session_id)
            except (NotFound, PaperbrokerError):
                continue
            if pipeline is not None and pipeline.by_id(agent_id) is not None:
                if log_dir is None:
                    raise NotFound("this server keeps no agent log files")
                return log_path(log_dir, agent_id)
        raise NotFound(f"agent {agent_id} not found")

    # -- keys and connections ---------------------------------------------------
    def key_active(self, key_id: str) -> bool:
        """Whether the key still exists and is not revoked."""
        try:
            return self._keys.get(key_id).active
        except NotFound:
            return False

    def connected(self, delta: int) -> None:
        """Count a connection opening (``+1``) or closing (``-1``)."""
        with self._lock:
            self._connections += delta

    @property
    def connections(self) -> int:
        """How many event stream connections are open."""
        return self._connections


def canonical_id(text: str) -> str:
    """``text`` as a canonical lower-case UUID.

    Raises:
        NotFound: if it is not a UUID (no such thing can exist).
    """
    if len(text) > 45:
        raise NotFound(f"session {text[:64]} not found")
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise NotFound(f"session {text[:64]!r} not found") from None
