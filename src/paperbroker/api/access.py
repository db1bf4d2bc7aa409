"""Who may call each route: one declared access level per route, enforced and documented here.

Every route of the application declares its level by the dependency that
lets a caller in (or, for a websocket, by :func:`declares` on its endpoint):

- **owner** (:data:`Owner`): a key of its own, admin or not, acting on the
  sessions it owns (an admin key sees and steers every key's on
  ``/api/system`` and ``/api/activity``). A key bound to a session is
  refused with a 403 that says why.
- **bound-trading** (:data:`paperbroker.api.alpaca.target.Trading`): the
  Alpaca trading API of one account: a key bound to a session trades its
  account, on ``/v2/...`` or ``/sessions/{its session}/v2/...``; the key
  owning a session trades its default account on ``/sessions/{id}/v2/...``.
- **bound-market-data** (:data:`paperbroker.api.alpaca.target.MarketTarget`):
  the same keys reading the market (assets, clock, calendar, bars) as of
  that session's clock.
- **session-read** (:func:`paperbroker.api.routes.risk.session_reader`):
  what a bot may read about the session it trades beyond its account (its
  risk): the key owning the session, or a key bound to it; a key bound to
  another session is refused with a 403.
- **watch**: the event stream ``/ws``, which authenticates in its own
  handshake and shows each key what it may see (a bound key: its session).
- **public**: no key at all (:data:`Public`); the reference pages (`/docs`, `/redoc`) are.

A key bound to a session is the credential handed to a bot: it trades its
one session and owns nothing, so it can neither create sessions nor steer
any. :func:`check_routes` runs when the application is built and refuses
to build one with a route that declares no level (or two): a new route
cannot slip in unguarded. :func:`access_table` renders the policy for
docs/api.md, and the OpenAPI document carries each operation's level as
``x-access`` (see :mod:`paperbroker.api.contract`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from typing import Annotated, Any, Final, TypeVar

from fastapi import Depends, FastAPI, Request, params
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_parameterless_sub_dependant
from fastapi.routing import (
    APIRoute,
    APIWebSocketRoute,
    RouteContext,
    _IncludedRouter,
    iter_route_contexts,
)
from starlette.routing import BaseRoute

from paperbroker.api.auth import Caller
from paperbroker.api.errors import ApiError
from paperbroker.store.keys import ApiKeyRecord


class Access(StrEnum):
    """Who may call a route (the module doc says what each level lets in)."""

    OWNER = "owner"
    BOUND_TRADING = "bound-trading"
    BOUND_MARKET_DATA = "bound-market-data"
    SESSION_READ = "session-read"
    WATCH = "watch"
    PUBLIC = "public"


#: What each level means, for the generated table in docs/api.md and the OpenAPI document.
MEANING: Final[dict[Access, str]] = {
    Access.OWNER: (
        "a key of its own (admin or not), on the sessions it owns; "
        "a key bound to a session is refused (403)"
    ),
    Access.BOUND_TRADING: (
        "a key bound to the session (its account), or the session's owner on "
        "`/sessions/{sessionId}/v2` (its default account); an unbound key on plain `/v2` is "
        "refused (403), another session is a 404"
    ),
    Access.BOUND_MARKET_DATA: (
        "the same keys as bound-trading, reading the market as of the session's clock"
    ),
    Access.SESSION_READ: (
        "the key that owns the session, or a key bound to it (reading only); a key bound "
        "to another session is refused (403)"
    ),
    Access.WATCH: (
        "any key, in the stream's handshake; each sees what it may (a bound key: its session)"
    ),
    Access.PUBLIC: "anyone, without a key",
}

#: The path parameter of the prefix that serves the Alpaca API for one session.
SESSION_PARAM: Final = "sessionId"
SESSION_PREFIX: Final = "/sessions/{" + SESSION_PARAM + "}"

_F = TypeVar("_F", bound=Callable[..., Any])
#: The guards (dependencies) and websocket endpoints, with the level each declares.
_DECLARED: dict[Callable[..., Any], Access] = {}


def declares(level: Access) -> Callable[[_F], _F]:
    """Mark ``function`` (a route dependency that enforces ``level``, or a websocket
    endpoint that checks its key itself) as declaring ``level``."""

    def mark(function: _F) -> _F:
        _DECLARED[function] = level
        return function

    return mark


@declares(Access.OWNER)
def owner_key(request: Request, caller: Caller) -> ApiKeyRecord:
    """The caller's key, unless it is bound to a session (403: it may only trade that one).

    Raises:
        ApiError: 403 naming the key's session, for a bound key.
    """
    if caller.session_id is not None:
        raise ApiError(
            403,
            f"API key {caller.key_id} is bound to session {caller.session_id}: it trades "
            f"that session through /v2 and may not call {request.method} "
            f"{request.url.path[:200]}; use the key that owns the session",
        )
    return caller


@declares(Access.PUBLIC)
def _public() -> None:
    """Lets everyone in: for a route that needs no key."""


Owner = Annotated[ApiKeyRecord, Depends(owner_key)]
#: ``dependencies=[Public]`` on a route that needs no key.
Public = Depends(_public)


class UndeclaredAccess(TypeError):
    """A route declares no access level, or more than one: the application is not built."""


def access_of(route: RouteContext) -> Access | None:
    """The level ``route`` declares (``None`` for the framework's own pages).

    Raises:
        UndeclaredAccess: for an API or websocket route declaring none, or several.
    """
    if isinstance(route.original_route, APIWebSocketRoute):
        found = {_DECLARED[route.endpoint]} if route.endpoint in _DECLARED else set()
    elif isinstance(route.original_route, APIRoute):
        found = set(_levels(route.dependant))
    else:
        return None  # /docs, /openapi.json: served by FastAPI itself, to anyone
    return _one(found, _label(route.methods, route.path))


def _one(found: set[Access], label: str) -> Access:
    if len(found) != 1:
        what = "no access level" if not found else f"several ({', '.join(sorted(found))})"
        raise UndeclaredAccess(
            f"route {label} declares {what}: take exactly one of Owner, Trading, "
            "MarketTarget or Public as a dependency (paperbroker.api.access), or mark a "
            "websocket endpoint with @declares"
        )
    return found.pop()


def _levels(dependant: Dependant) -> Iterator[Access]:
    for sub in dependant.dependencies:
        if sub.call in _DECLARED:
            yield _DECLARED[sub.call]
        yield from _levels(sub)


def _label(methods: set[str] | None, path: str | None) -> str:
    return f"{'|'.join(sorted(methods or {'WEBSOCKET'}))} {path}"


def routes(app: FastAPI) -> list[RouteContext]:
    """Every route of ``app`` as it is served (paths with their routers' prefixes)."""
    return list(iter_route_contexts(app.routes))


def check_routes(app: FastAPI) -> None:
    """Refuse ``app`` if any of its routes declares no access level, or several.

    It reads the routes as declared, with the dependencies their routers are
    included with: what :func:`routes` gives, without building each served
    route's handler (FastAPI builds those on a router's first request; for
    every route at once, a fifth of a second of the server's start).

    Raises:
        UndeclaredAccess: naming every such route.
    """
    problems = []
    inherited_levels: dict[int, set[Access]] = {}  # by the id of an inclusion's dependency
    for route, path, inherited in _declared(app.routes):
        if isinstance(route, APIWebSocketRoute):
            found = {_DECLARED[route.endpoint]} if route.endpoint in _DECLARED else set()
        elif isinstance(route, APIRoute):
            found = set(_levels(route.dependant))
            for depends in inherited:
                if id(depends) not in inherited_levels:
                    sub = get_parameterless_sub_dependant(depends=depends, path=path)
                    levels = set(_levels(sub))
                    if depends.dependency in _DECLARED:
                        levels.add(_DECLARED[depends.dependency])
                    inherited_levels[id(depends)] = levels
                found.update(inherited_levels[id(depends)])
        else:
            continue  # /docs, /openapi.json: served by FastAPI itself, to anyone
        try:
            _one(found, _label(getattr(route, "methods", None), path))
        except UndeclaredAccess as error:
            problems.append(str(error))
    if problems:
        raise UndeclaredAccess("; ".join(problems))


def _declared(
    routes: Sequence[BaseRoute], prefix: str = "", inherited: Sequence[params.Depends] = ()
) -> Iterator[tuple[BaseRoute, str, Sequence[params.Depends]]]:
    """Every route under ``routes``, with its served path and the dependencies the
    routers that include it add."""
    for route in routes:
        if isinstance(route, _IncludedRouter):
            context = route.include_context
            yield from _declared(
                route.original_router.routes,
                prefix + context.prefix,
                [*inherited, *context.dependencies],
            )
        else:
            yield route, prefix + str(getattr(route, "path", "")), inherited


def access_table(app: FastAPI) -> str:
    """The policy as Markdown: what each level lets in, then every route's level.

    Routes served twice (``/v2/...`` and ``/sessions/{sessionId}/v2/...``)
    are listed once, at ``/v2``; the prefixed copy has the same level.
    """
    rows: dict[tuple[str, Access], set[str]] = {}
    for route in routes(app):
        level = access_of(route)
        if level is None or str(route.path).startswith(SESSION_PREFIX + "/"):
            continue
        methods = set(route.methods or {"WEBSOCKET"}) - {"HEAD"}
        rows.setdefault((str(route.path), level), set()).update(methods)
    used = [level for level in Access if any(level == key[1] for key in rows)]
    lines = ["| access | who may call |", "|---|---|"]
    lines += [f"| `{level}` | {MEANING[level]} |" for level in used]
    lines += ["", "| route | access |", "|---|---|"]
    for (path, level), methods in sorted(rows.items(), key=lambda row: _order(row[0][0])):
        lines.append(
            f"| `{' '.join(sorted(methods, key=_METHOD_ORDER.index))} {path}` | `{level}` |"
        )
    return "\n".join(lines)


_METHOD_ORDER: Final = ("GET", "POST", "PUT", "PATCH", "DELETE", "WEBSOCKET")
#: The surfaces in the order docs/api.md presents them.
_SURFACES: Final = ("/v1/", "/v2/", "/stream", "/api/", "/system/", "/ws")


def _order(path: str) -> tuple[int, str]:
    rank = next((i for i, p in enumerate(_SURFACES) if path.startswith(p)), len(_SURFACES))
    return rank, path
