"""Where the application keeps its event hub (put there by ``api.events.install``)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import HTTPConnection

from paperbroker.services.events import EventHub


def event_hub(connection: HTTPConnection | FastAPI) -> EventHub:
    """The hub of the application of a request, a websocket, or of the application itself.

    Raises:
        TypeError: if the application was built without one.
    """
    app = connection if isinstance(connection, FastAPI) else connection.app
    hub = getattr(app.state, "events", None)
    if not isinstance(hub, EventHub):
        raise TypeError("the application has no event hub: see paperbroker.api.events.install")
    return hub
