"""The /v1 routes, one module per resource; each route is one call to the service."""

from __future__ import annotations

from typing import Any, Final

from paperbroker.api.responses import ErrorBody

_ERROR: Final = {"model": ErrorBody}

#: Errors every authenticated route may answer, for the OpenAPI document.
COMMON_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    401: {**_ERROR, "description": "No API key, or one that does not verify."},
    422: {**_ERROR, "description": "A field, header or parameter is invalid (named)."},
}
#: Errors of the routes that name a session, an account, an order or a position.
LOOKUP_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    **COMMON_ERRORS,
    404: {**_ERROR, "description": "No such thing, or it belongs to another key."},
}
#: Errors of the routes that change a session.
CHANGE_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    **LOOKUP_ERRORS,
    400: {**_ERROR, "description": "The body is not a JSON object."},
    409: {**_ERROR, "description": "The session is completed, or the change does not fit."},
}
