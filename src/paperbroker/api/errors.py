"""Every error the API answers, mapped to HTTP in one place.

Each error body is ``{"code": <int>, "message": <text>}``, as Alpaca's: the
code is the status followed by ``10000`` (404 → ``40410000``), so a client
can switch on either. The mapping:

- a body that is not JSON, or not a JSON object → 400 (``40010000``);
- no or a wrong API key → 401 (``40110000``) with ``WWW-Authenticate`` (``Basic``, but
  for a key sent in the ``APCA-API-*`` headers);
- an order refused for insufficient buying power → 403 (``40310000``);
- :class:`~paperbroker.core.errors.NotFound`, an unknown route → 404 (``40410000``);
- a method the route does not have → 405 (``40510000``) with ``Allow`` naming
  every method the path takes (``OPTIONS`` included: there is no CORS here);
- :class:`~paperbroker.core.errors.Conflict` (a completed session, an order
  no longer working) → 409 (``40910000``);
- a body over the size limit → 413 (``41310000``);
- a field, header or query value that fails validation, an
  :class:`~paperbroker.core.errors.InvalidRequest`, any other order
  refusal → 422 (``42210000``), the message naming the field;
- :class:`~paperbroker.core.errors.TemporaryFailure` → 503 (``50310000``);
- anything else → 500 (``50010000``), logged with its traceback; its message
  tells nothing about the cause.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperbroker.core.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    PaperbrokerError,
    TemporaryFailure,
)
from paperbroker.model.enums import OrderStatus, RejectReason
from paperbroker.model.order import Order
from paperbroker.services.views import OrderView

logger = logging.getLogger("paperbroker.api")

#: Validation errors that mean the body as a whole is unusable, not one field.
_NOT_AN_OBJECT: Final = frozenset({"model_attributes_type", "model_type", "dict_type"})
#: How many failed fields one 422 message names.
_MAX_FIELDS_NAMED: Final = 3


def error_code(status: int) -> int:
    """The Alpaca-style code of an HTTP status: ``404`` → ``40410000``."""
    return status * 100_000 + 10_000


def error_response(
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    details: Mapping[str, object] | None = None,
    code: int | None = None,
) -> JSONResponse:
    """The JSON response ``{"code", "message"}`` for ``status``, with ``details`` beside them.

    ``code`` replaces the status's own code where Alpaca uses a more specific one.
    """
    return JSONResponse(
        {"code": code or error_code(status), "message": message, **(details or {})},
        status_code=status,
        headers=headers,
    )


class ApiError(Exception):
    """An error answered as it is: a status, a message, optional headers and details.

    ``details`` are extra fields of the body (a refused order's id and reason);
    ``code`` a more specific code than the status's own.
    """

    def __init__(
        self,
        status: int,
        message: str,
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, object] | None = None,
        code: int | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})
        self.details = dict(details or {})
        self.code = code


#: The challenge of a request that sent its key in the ``APCA-API-*`` headers. Not
#: ``Basic``: a browser answers a ``Basic`` challenge to a page's ``fetch`` with its own
#: sign-in dialog (the dashboard sends the headers, and shows the refusal itself).
HEADER_CHALLENGE: Final = 'APCA-API-KEY-ID realm="paperbroker"'
BASIC_CHALLENGE: Final = 'Basic realm="paperbroker"'


class Unauthenticated(ApiError):
    """No API key, or one that is unknown, revoked or has another secret: 401."""

    def __init__(
        self, message: str = "request is not authorized", *, challenge: str = BASIC_CHALLENGE
    ) -> None:
        super().__init__(401, message, {"WWW-Authenticate": challenge})


def accepted_or_refused(view: OrderView) -> OrderView:
    """``view`` unless the engine rejected its order; a rejection becomes a 403 or a 422.

    Refusals are events in the engine, not exceptions; the API answers them as
    errors, as Alpaca does: 403 for insufficient buying power or qty, 422 for any
    other reason (a short sale the account may not make, …), naming it. The
    body carries the rejected order's ``order_id`` and ``reject_reason``: the
    order stays in the account's history, ``rejected``, with its reason.

    Raises:
        ApiError: if the order is rejected.
    """
    order = view.order
    if order.status is not OrderStatus.REJECTED:
        return view
    reason = order.reject_reason or RejectReason.INVALID_ORDER
    details = refusal_details(order)
    if reason in (RejectReason.INSUFFICIENT_BUYING_POWER, RejectReason.INSUFFICIENT_QTY):
        raise ApiError(403, order.reject_message, details=details)
    raise ApiError(422, f"order rejected ({reason}): {order.reject_message}", details=details)


def refusal_details(order: Order) -> dict[str, str]:
    """What an error body says of a rejected order: its id and reason, and for one the
    session's risk layer denied, the ``rule``, its ``limit`` and the order's ``value``."""
    reason = order.reject_reason or RejectReason.INVALID_ORDER
    details = {"order_id": order.id, "reject_reason": reason.value}
    denial = order.denial
    if denial is not None:
        details.update(rule=denial.rule, limit=denial.limit, value=denial.value)
    return details


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as ``{"code", "message"}`` JSON (see the module doc)."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(PaperbrokerError, _paperbroker_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_middleware(UnexpectedErrors)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers, exc.details, exc.code)


async def _paperbroker_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, InvalidRequest):
        return error_response(422, str(exc))
    if isinstance(exc, NotFound):
        return error_response(404, str(exc))
    if isinstance(exc, Conflict):
        return error_response(409, str(exc))
    if isinstance(exc, TemporaryFailure):
        return error_response(503, str(exc), {"Retry-After": "1"})
    # OperationalError and anything unplanned: the operator's business, not the caller's.
    _log_unexpected(request.method, request.url.path, exc)
    return error_response(500, "internal server error")


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors: Sequence[Any] = exc.errors()
    for error in errors:
        loc = tuple(error.get("loc", ()))
        kind = error.get("type")
        if kind == "json_invalid":
            detail = error.get("ctx", {}).get("error", "invalid JSON")
            position = loc[1] if len(loc) > 1 else "?"
            return error_response(
                400, f"request body is not valid JSON: {detail} at position {position}"
            )
        if loc == ("body",) and kind in _NOT_AN_OBJECT:
            return error_response(
                400, "request body must be a JSON object sent as Content-Type: application/json"
            )
    named = [_describe(error) for error in errors[:_MAX_FIELDS_NAMED]]
    more = len(errors) - len(named)
    message = "; ".join(named) + (f" (and {more} more)" if more > 0 else "")
    return error_response(422, message or "invalid request")


def _describe(error: Mapping[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    where, path = (loc[0], ".".join(loc[1:])) if loc else ("request", "")
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    if not path:
        # A model-level check (e.g. "give duration or targetTime, not both").
        return "request body is required" if error.get("type") == "missing" else message
    subject = {"body": "field", "query": "query parameter", "path": "path parameter"}.get(
        where, where
    )
    if error.get("type") == "missing":
        return f"{subject} {path} is required"
    return f"{subject} {path}: {message}"


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status, detail = exc.status_code, str(exc.detail)
    if status == 404 and detail == "Not Found":
        detail = f"no route {request.url.path}"
    elif status == 405 and detail == "Method Not Allowed":
        detail = f"method {request.method} is not allowed on {request.url.path}"
    elif status == 401:
        detail = "request is not authorized"
    headers = dict(exc.headers or {})
    if status == 405:  # the router names the methods of the first route it matched, only
        headers["Allow"] = ", ".join(allowed_methods(request))
    return error_response(status, detail, headers)


def allowed_methods(request: Request) -> list[str]:
    """The methods of the path the request names, as the OpenAPI document lists them: those
    of the first route matching it and of every route with the same path template."""
    path = request.scope["path"]
    routes = [route for route in iter_route_contexts(request.app.routes) if route.methods]
    template = next((r.path_format for r in routes if r.path_regex.match(path)), None)
    return sorted({m for r in routes if r.path_format == template for m in r.methods or ()})


def _log_unexpected(method: str, path: str, exc: BaseException) -> None:
    logger.error("unexpected error on %s %s", method, path, exc_info=exc)


class UnexpectedErrors:
    """ASGI middleware: any exception no handler took becomes a logged 500 JSON answer.

    Logged once, here (Starlette's own last-resort handler would answer in
    plain text and the server would log the traceback a second time).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            _log_unexpected(scope.get("method", "?"), scope.get("path", "?"), exc)
            if started:
                raise
            await error_response(500, "internal server error")(scope, receive, send)
