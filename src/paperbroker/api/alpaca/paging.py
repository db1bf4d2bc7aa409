"""Page tokens of the Market Data routes: where a page stopped, opaque to the client.

A token is the URL-safe base64 (unpadded) of a small JSON object: the symbol
(``s``) and the time (``t``, ns) of the last item served, and for trades and
quotes which of the two derived at that time it was (``k``). A token this
server did not issue is a 422 naming ``page_token``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from paperbroker.core.errors import InvalidRequest

_FAR_NS = 2**62


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page ends: the symbol, the stamp of its last item and (trades) its kind."""

    symbol: str
    t: int
    kind: int = 0


def token(cursor: Cursor) -> str:
    """The ``next_page_token`` that resumes after ``cursor``."""
    text = json.dumps({"s": cursor.symbol, "t": cursor.t, "k": cursor.kind})
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def read_token(text: str) -> Cursor:
    """The cursor of a token this server issued.

    Raises:
        InvalidRequest: naming ``page_token`` for anything else.
    """
    invalid = InvalidRequest("page_token: is not a token this server issued")
    try:
        raw: Any = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if not isinstance(raw, dict) or not {"s", "t"} <= set(raw) <= {"s", "t", "k"}:
        raise invalid
    symbol, t, kind = raw["s"], raw["t"], raw.get("k", 0)
    if not isinstance(symbol, str) or type(t) is not int or abs(t) > _FAR_NS:
        raise invalid
    if kind not in (0, 1) or type(kind) is not int:
        raise invalid
    return Cursor(symbol, t, kind)
