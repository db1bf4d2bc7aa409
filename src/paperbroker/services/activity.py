"""The activity feed: what happened lately in the caller's sessions and system stream.

One indexed query over the sessions' journals (joined to the sessions for
their owner) and the owners' system events, newest committed first
(:func:`paperbroker.store.system_events.read_activity`). Each item has the
severity and the message the live stream's ``activity`` topic gives the
same event (:mod:`paperbroker.services.event_kinds`), so the feed and the
stream never disagree. Clock and market-data kinds are not activity.

Who sees what is the event stream's rule (:class:`~.events.Viewer`): a key
its own sessions and system events, an admin key everyone's, a key bound to
a session that session's journal only.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Final

from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.services.event_kinds import StreamEvent, journal_event, system_event
from paperbroker.services.events import EventHub, Viewer
from paperbroker.store.journal import EncodedEvent
from paperbroker.store.system_events import (
    SEVERITIES,
    ActivityCursor,
    ActivityQuery,
    ActivityRow,
    SystemEvent,
    cursor_at,
    read_activity,
)

#: Most items one call returns.
MAX_LIMIT: Final = 1000
#: Most kinds one call may ask for.
MAX_KINDS: Final = 20
_KIND: Final = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")
#: A place in the feed: an item's ``stream`` and ``seq``, ``session:<id>:12``.
CURSOR_PATTERN: Final = r"^(session|system):[A-Za-z0-9-]{1,64}:[1-9][0-9]{0,17}$"
_CURSOR: Final = re.compile(CURSOR_PATTERN)


@dataclass(frozen=True)
class ActivityItem:
    """One event of the feed: ``ts`` its own time (session time for a session's events),
    ``recorded_at`` the wall time it was committed; ``data`` the event as JSON text."""

    ts: int
    recorded_at: int
    session_id: str | None
    stream: str
    seq: int
    kind: str
    severity: str
    message: str
    data: str


class ActivityService:
    """The activity feed of one application (its event hub's database)."""

    def __init__(self, hub: EventHub) -> None:
        self._hub = hub

    def list(
        self,
        viewer: Viewer,
        *,
        severity: str = "info",
        session_id: str | None = None,
        kinds: tuple[str, ...] = (),
        limit: int = 100,
        before: str | None = None,
    ) -> list[ActivityItem]:
        """The newest ``limit`` events the viewer may see, of ``severity`` and above.

        ``session_id`` keeps one session's events (and the system events
        about it); ``kinds`` those kinds (``OrderFilled``, ``SessionCreated``);
        ``before`` (``<stream>:<seq>`` of an item listed) the events listed after
        it, for the page before: the feed's order, ``(recorded_at, stream, seq)``
        newest first, places every event once, so pages neither repeat nor skip.

        Raises:
            InvalidRequest: for a limit outside 1..1000, an unknown severity, a
                session id that is not a UUID, or a kind that is not CamelCase.
            NotFound: for a session the viewer may not see, or a ``before`` that is
                not an event it may see.
        """
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidRequest(f"limit must be in 1..{MAX_LIMIT}, got {limit}")
        if severity not in SEVERITIES:
            raise InvalidRequest(f"severity must be one of {', '.join(SEVERITIES)}")
        if len(kinds) > MAX_KINDS:
            raise InvalidRequest(f"at most {MAX_KINDS} types at a time")
        for kind in kinds:
            if not _KIND.fullmatch(kind):
                raise InvalidRequest(f"type {kind[:64]!r} is not an event kind (CamelCase)")
        if session_id is not None:
            session_id = _uuid(session_id)
            self._hub.session_owner(viewer, session_id)  # NotFound unless the viewer's
        owner: str | None = viewer.system_owner
        if viewer.bound_session is not None:  # its session, whoever owns it
            owner, session_id = None, viewer.bound_session
        query = ActivityQuery(
            owner_key_id=owner,
            session_id=session_id,
            kinds=kinds,
            min_severity=severity,
            limit=limit,
            include_system=viewer.has_system_stream,
            before=None if before is None else self._cursor(viewer, before),
        )
        return [_item(row) for row in read_activity(self._hub.database, query)]

    def _cursor(self, viewer: Viewer, text: str) -> ActivityCursor:
        if not _CURSOR.fullmatch(text):
            raise InvalidRequest(f"before {text[:64]!r} is not an item's <stream>:<seq>")
        stream, _, seq = text.rpartition(":")
        kind, _, name = stream.partition(":")
        if kind == "session":
            self._hub.session_owner(viewer, name)  # NotFound unless the viewer's
            stream = f"session:{_uuid(name)}"
        elif not viewer.has_system_stream or viewer.system_owner not in (None, name):
            raise NotFound(f"no event {text[:100]}")
        found = cursor_at(self._hub.database, stream, int(seq))
        if found is None:
            raise NotFound(f"no event {text[:100]}")
        return found


def _uuid(text: str) -> str:
    try:
        if len(text) > 45:
            raise ValueError(text)
        return str(uuid.UUID(text))
    except ValueError:
        raise InvalidRequest(f"session_id {text[:64]!r} is not a UUID") from None


def _item(row: ActivityRow) -> ActivityItem:
    event: StreamEvent
    if row.schema_version is None:  # a system event
        stored = SystemEvent(
            owner_key_id=row.owner_key_id,
            seq=row.seq,
            ts=row.ts,
            kind=row.kind,
            severity=row.severity,
            session_id=row.session_id,
            payload=row.payload,
        )
        event = system_event(stored)
    else:
        assert row.session_id is not None
        encoded = EncodedEvent(row.seq, row.ts, row.kind, row.schema_version, row.payload)
        event = journal_event(row.session_id, encoded)
    return ActivityItem(
        ts=row.ts,
        recorded_at=row.recorded_at,
        session_id=row.session_id,
        stream=row.stream,
        seq=row.seq,
        kind=row.kind,
        severity=event.severity or row.severity,
        message=event.message or row.kind,
        data=event.data,
    )
