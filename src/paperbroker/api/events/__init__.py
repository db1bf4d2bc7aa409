"""The live event stream ``/ws`` and the activity feed ``/api/activity`` (docs/events.md).

:func:`install` puts one :class:`~paperbroker.services.events.EventHub` on
the application and mounts both; other code reaches the hub with
:func:`event_hub` (to record a system event, say).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, WebSocket

from paperbroker.api.access import Access, declares
from paperbroker.api.events.connection import EventConnection
from paperbroker.api.events.handshake import redact_websocket_logs
from paperbroker.api.events.hub import event_hub
from paperbroker.api.routes import activity
from paperbroker.services.events import EventHub, EventSettings, SystemFeed
from paperbroker.services.sessions import SessionService
from paperbroker.store.keys import ApiKeys

router = APIRouter(tags=["events"])


@router.websocket("/ws")
@declares(Access.WATCH)
async def events(websocket: WebSocket) -> None:
    """The event stream: orders, fills, sessions, agents, activity, system, logs."""
    await EventConnection(websocket, event_hub(websocket)).serve()


def install(
    app: FastAPI,
    service: SessionService,
    keys: ApiKeys,
    *,
    settings: EventSettings | None = None,
    system: SystemFeed | None = None,
) -> EventHub:
    """Put an event hub on ``app`` and mount ``/ws`` and ``/api/activity``; return the hub."""
    hub = EventHub(
        service, keys, service.factory, settings=settings, system=system or service.system
    )
    service.system = hub.system  # sessions created, restarted, deleted: on the system stream
    redact_websocket_logs()
    app.state.events = hub
    app.include_router(router)
    app.include_router(activity.router)
    return hub


__all__ = ["event_hub", "install", "router"]
