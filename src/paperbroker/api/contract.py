"""The OpenAPI document, made to say what the server does.

FastAPI documents each route's success and a 422 in a shape of its own;
the server answers every error as ``{"code", "message"}``
(:class:`~paperbroker.api.responses.ErrorBody`). :func:`install` replaces
the application's document with one in which every operation also carries,
derived from the route's declarations rather than listed by hand:

- ``x-access``: who may call it (:mod:`paperbroker.api.access`);
- its errors: 401 for every route that takes a key; 403 when its access
  level refuses a kind of key (a key bound to a session on an ``owner``
  route, an unbound key on a plain ``/v2`` one); 404 when it names
  something (a path parameter, ``X-Session-Id``); 400 and 413 when it reads
  a body; 422 when it takes any input; 409 when it changes something that
  has a state (a session, an order, an agent).

A route declares what it adds with :func:`answers`, the one way to write a
route's ``responses``: its own words for a status (a watchlist's 404), its
own body (an order refusal's 403 and 422, which name the rejected order),
and the **rules** its schema cannot state: a rule between fields
(``endTime`` after ``startTime``) or on the state of things (a watchlist
name already taken). Those are listed in the 422's description and in its
``x-rules``; for any other input, a request the schema accepts is not
refused for its form, and one it refuses is a 422 naming what is wrong. The
declared answers win over the derived ones.

The two Alpaca key headers are one security requirement (both, or HTTP
Basic), as the server checks them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext

from paperbroker.api.access import SESSION_PARAM, Access, access_of, routes
from paperbroker.api.responses import ErrorBody, ResponseModel

#: The security schemes of :mod:`paperbroker.api.auth`, as the document names them.
BASIC_SCHEME: Final = "HTTPBasic"
KEY_ID_SCHEME: Final = "ApcaKeyId"
SECRET_SCHEME: Final = "ApcaSecretKey"  # noqa: S105 (a scheme's name)
#: The extension of a 422 that lists the rules a route checks beyond its schema.
RULES: Final = "x-rules"
_INVALID: Final = "A field, header or parameter is invalid (the message names it)."
_ERROR_REF: Final = {"$ref": "#/components/schemas/ErrorBody"}
_CHANGES: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: What FastAPI documents for its own validation errors; the server never answers it.
_FASTAPI_VALIDATION: Final = ("HTTPValidationError", "ValidationError")


def answers(
    errors: Mapping[int, str] | None = None,
    *,
    rules: Sequence[str] = (),
    body: type[ResponseModel] = ErrorBody,
) -> dict[int | str, dict[str, Any]]:
    """A route's own answers besides its success, for its decorator's ``responses``.

    ``errors`` describe statuses in the route's words, answered with ``body``
    (``{"code", "message"}`` by default); ``rules`` are what the route refuses
    with a 422 although its schema lets the request through, each a short
    sentence (``"endTime is after startTime"``).
    """
    declared: dict[int | str, dict[str, Any]] = {
        status: {"model": body, "description": text} for status, text in (errors or {}).items()
    }
    if rules:
        invalid = declared.setdefault(422, {"model": body, "description": _INVALID})
        listed = "".join(f"\n- {rule}" for rule in rules)
        invalid["description"] += f" Also refused, as the schema cannot say:{listed}"
        invalid[RULES] = list(rules)
    return declared


def install(app: FastAPI) -> None:
    """Serve :func:`document` of ``app`` as its OpenAPI document (built once, then kept)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app``, completed as the module doc says."""
    schema = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["ErrorBody"] = ErrorBody.model_json_schema()
    for route in routes(app):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        level = access_of(route)
        assert level is not None
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            operation["x-access"] = level.value
            _complete(operation, route, method, level)
    for name in _FASTAPI_VALIDATION:
        components["schemas"].pop(name, None)
    return schema


def _complete(operation: dict[str, Any], route: RouteContext, method: str, level: Access) -> None:
    own = {str(status) for status in route.responses}
    responses = operation.setdefault("responses", {})
    for status, description in _errors(route, method, level).items():
        if str(status) not in own:
            responses[str(status)] = {
                "description": description,
                "content": {"application/json": {"schema": _ERROR_REF}},
            }
    if level is not Access.PUBLIC:
        operation["security"] = [{BASIC_SCHEME: []}, {KEY_ID_SCHEME: [], SECRET_SCHEME: []}]


def _errors(route: RouteContext, method: str, level: Access) -> dict[int, str]:
    inputs = _Inputs(route.dependant)
    errors: dict[int, str] = {}
    if level is not Access.PUBLIC:
        errors[401] = "No API key, or one that does not verify."
    if level is Access.OWNER:
        errors[403] = "The key is bound to a session: it may only trade that session, on `/v2`."
    elif level is Access.SESSION_READ:
        errors[403] = "The key is bound to another session."
    elif level in (Access.BOUND_TRADING, Access.BOUND_MARKET_DATA) and not inputs.names_session:
        errors[403] = (
            "The key is not bound to a session: bind one, or call "
            "`/sessions/{sessionId}/v2` with the key that owns the session."
        )
    if inputs.names_something:
        errors[404] = "No such thing, or it belongs to another key (the message names it)."
    if inputs.body:
        errors[400] = "The body is not JSON, or not a JSON object."
        errors[413] = "The body is larger than the server takes (64 KiB)."
    if inputs.any:
        errors[422] = _INVALID
    if method in _CHANGES and (inputs.names_something or level is not Access.OWNER):
        errors[409] = "Its state forbids the change (the message names the state)."
    return dict(sorted(errors.items()))


class _Inputs:
    """What a route reads from a request: its parameters by place, and its body."""

    def __init__(self, dependant: Dependant) -> None:
        self.path: set[str] = set()
        self.headers: set[str] = set()
        self.query: set[str] = set()
        self.body = False
        for part in _parts(dependant):
            self.path.update(field.alias for field in part.path_params)
            self.headers.update(field.alias.lower() for field in part.header_params)
            self.query.update(field.alias for field in part.query_params)
            self.body = self.body or bool(part.body_params)

    @property
    def names_session(self) -> bool:
        return SESSION_PARAM in self.path or "x-session-id" in self.headers

    @property
    def names_something(self) -> bool:
        return bool(self.path) or "x-session-id" in self.headers

    @property
    def any(self) -> bool:
        return bool(self.path or self.headers or self.query or self.body)


def _parts(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _parts(sub)
