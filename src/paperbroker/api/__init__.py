"""The HTTP API: the /v1 sessions API over :class:`~paperbroker.services.sessions.SessionService`.

Build the application with :func:`create_app`; ``paperbroker serve`` runs it.
"""

from paperbroker.api.app import create_app

__all__ = ["create_app"]
