"""The parameters of the risk layer's commands: a partial settings document, a percentage."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from paperbroker.core.errors import InvalidRequest
from paperbroker.risk.pretrade import text


def partial_settings(params: Mapping[str, Any]) -> dict[str, Any]:
    """The partial risk settings document of a command's ``settings`` parameter.

    Raises:
        InvalidRequest: if it is not an object.
    """
    settings = params.get("settings")
    if not isinstance(settings, Mapping):
        raise InvalidRequest("settings must be an object (a partial risk settings document)")
    return dict(settings)


def percent_param(value: object, *, high_open: bool) -> Decimal:
    """A percentage parameter: above 0, at most 100 (below 100 when ``high_open``).

    Raises:
        InvalidRequest: for anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidRequest(f"percent must be a number, got {value!r}")
    try:
        percent = Decimal(str(value))
    except InvalidOperation:
        raise InvalidRequest(f"percent must be a number, got {value!r}") from None
    if not percent.is_finite() or percent <= 0 or percent > 100 or (high_open and percent == 100):
        bound = "below 100" if high_open else "at most 100"
        raise InvalidRequest(f"percent must be above 0 and {bound}, got {text(percent)}")
    return percent
