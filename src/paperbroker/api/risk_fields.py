"""A session's risk settings in a request, and their errors as a 422 that names the field.

The settings are read by their own schema
(:class:`~paperbroker.risk.settings.RiskSettings`), whose errors start with the
path of the rule at fault (``risk.limits.max_order_qty: must be positive, got
-1``): that path is the 422's ``field``, for a form to show the error beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Final

from pydantic import PlainValidator

from paperbroker.api.errors import ApiError
from paperbroker.core.errors import InvalidRequest
from paperbroker.risk.settings import RiskSettings

#: The path an error message of the risk schema starts with: ``risk.limits.x: ...``.
_PATH: Final = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\[\]]*): ")


def field_error(error: InvalidRequest) -> ApiError:
    """``error`` as a 422 whose ``field`` is the path its message starts with, if any."""
    message = str(error)
    found = _PATH.match(message)
    details = {} if found is None else {"field": found.group(1)}
    return ApiError(422, message, details=details)


@contextmanager
def fields_named() -> Iterator[None]:
    """Answer an :class:`InvalidRequest` raised inside as a 422 naming its field.

    Raises:
        ApiError: 422 with ``field``, for an InvalidRequest.
    """
    try:
        yield
    except InvalidRequest as error:
        raise field_error(error) from None


def _settings(value: object) -> RiskSettings | None:
    if value is None:
        return None
    with fields_named():
        return RiskSettings.read(value, "risk")


#: A session's risk settings in a request (:class:`RiskSettings`; ``null``: no rule).
RiskChoice = Annotated[
    RiskSettings | None, PlainValidator(_settings, json_schema_input_type=RiskSettings | None)
]
