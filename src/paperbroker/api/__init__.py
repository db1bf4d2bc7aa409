"""The HTTP API: the /v1 sessions API over :class:`~paperbroker.services.sessions.SessionService`.

Build the application with :func:`create_app`; ``paperbroker serve`` runs it.
It is imported on first use: a module of the package does not load FastAPI
and every route.
"""

from typing import TYPE_CHECKING

from paperbroker.core.lazy import lazy_attributes

if TYPE_CHECKING:
    from paperbroker.api.app import create_app

__all__ = ["create_app"]

__getattr__ = lazy_attributes(__name__, {"create_app": "paperbroker.api.app"})
