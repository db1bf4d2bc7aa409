"""Typed dependencies of the routes: the service, and ids read from paths and headers.

The service and the key store live on the application (``app.state``), put
there by :func:`paperbroker.api.app.create_app`: nothing is global.

Ids that are not UUIDs (and symbols that are not symbols) are answered 404
before they reach the service: no such thing can exist, and odd text (a NUL,
a megabyte) never travels to the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Header, Path, Request
from starlette.requests import HTTPConnection

from paperbroker.api.formats import canonical_uuid
from paperbroker.api.schemas import SYMBOL_PATTERN
from paperbroker.core.errors import NotFound
from paperbroker.services.sessions import SessionService
from paperbroker.store.keys import ApiKeys

_SYMBOL: Final = re.compile(SYMBOL_PATTERN)


@dataclass(frozen=True, slots=True)
class ApiContext:
    """What the routes need: the session service and the API keys."""

    service: SessionService
    keys: ApiKeys


def api_context(connection: HTTPConnection) -> ApiContext:
    """The context :func:`~paperbroker.api.app.create_app` attached to the application
    (of a request or a websocket)."""
    context = connection.app.state.paperbroker
    if not isinstance(context, ApiContext):
        raise TypeError("the application was not built by create_app")
    return context


def _service(request: Request) -> SessionService:
    return api_context(request).service


def _uuid_or_404(text: str, what: str) -> str:
    canonical = canonical_uuid(text)
    if canonical is None:
        raise NotFound(f"{what} {text[:64]!r} not found")
    return canonical


def _session_path(
    session_id: Annotated[str, Path(alias="sessionId", description="The session's id.")],
) -> str:
    return _uuid_or_404(session_id, "session")


def _session_header(
    session_id: Annotated[
        str, Header(alias="X-Session-Id", description="The session the account belongs to.")
    ],
) -> str:
    return _uuid_or_404(session_id, "session")


def _account_path(
    account_id: Annotated[str, Path(alias="accountId", description="The account's id.")],
) -> str:
    return _uuid_or_404(account_id, "account")


def _order_path(
    order_id: Annotated[str, Path(alias="orderId", description="The order's id.")],
) -> str:
    return _uuid_or_404(order_id, "order")


def _symbol_path(
    symbol: Annotated[str, Path(description="A symbol, e.g. AAPL (any case: it is upper-cased).")],
) -> str:
    if not _SYMBOL.fullmatch(symbol):
        raise NotFound(f"position {symbol[:64]!r} not found")
    return symbol.upper()


Service = Annotated[SessionService, Depends(_service)]
SessionIdPath = Annotated[str, Depends(_session_path)]
SessionIdHeader = Annotated[str, Depends(_session_header)]
AccountIdPath = Annotated[str, Depends(_account_path)]
OrderIdPath = Annotated[str, Depends(_order_path)]
SymbolPath = Annotated[str, Depends(_symbol_path)]
