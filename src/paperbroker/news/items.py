"""A news item: one headline about one or more symbols, stamped when it became known.

Times are epoch nanoseconds UTC, as everywhere in the engine; RFC 3339 text
is read and written only here and in the loaders.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from paperbroker.core.clock import NANOS_PER_SECOND, datetime_to_ns, ns_to_datetime
from paperbroker.core.errors import InvalidRequest

MAX_HEADLINE: Final = 500
MAX_BODY: Final = 20_000
MAX_SOURCE: Final = 100
MAX_ID: Final = 128
MAX_SYMBOLS: Final = 50

# The API's symbol grammar (api.schemas.SYMBOL_PATTERN), after upper-casing.
_SYMBOL: Final = re.compile(r"[A-Z0-9][A-Z0-9._-]{0,31}")
_ID: Final = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_BODY_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keeps \t \n \r
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_RFC3339: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))",
    re.ASCII,  # \d would otherwise accept any script's digits
)


@dataclass(frozen=True, slots=True)
class NewsItem:
    """A headline about ``symbols``, known from ``ts`` (epoch ns UTC) on.

    Symbols are upper-cased and de-duplicated (first occurrence kept); the
    headline is stripped and must be one non-empty line of at most
    ``MAX_HEADLINE`` characters.  ``source`` and ``body`` are optional.  When
    ``id`` is not given it is derived from the content (see :func:`content_id`),
    so the same item always gets the same id; ``dataclasses.replace`` keeps
    the id it is given.

    Raises:
        InvalidRequest: naming the first invalid field.
    """

    ts: int
    symbols: tuple[str, ...]
    headline: str
    source: str | None = None
    body: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        ts = self.ts
        if isinstance(ts, bool) or not isinstance(ts, int):
            raise InvalidRequest(f"ts must be an integer of epoch nanoseconds, not {ts!r}")
        if not _INT64_MIN <= ts <= _INT64_MAX:
            raise InvalidRequest(f"ts {ts} is out of range")
        # Frozen: normalised values are written once, here, and never again.
        object.__setattr__(self, "symbols", _symbols(self.symbols))
        object.__setattr__(self, "headline", _headline(self.headline))
        object.__setattr__(self, "source", _optional("source", self.source, MAX_SOURCE, True))
        object.__setattr__(self, "body", _optional("body", self.body, MAX_BODY, False))
        if self.id == "":
            object.__setattr__(self, "id", content_id(self))
        elif not isinstance(self.id, str) or len(self.id) > MAX_ID or not _ID.fullmatch(self.id):
            raise InvalidRequest(
                f"id must be 1 to {MAX_ID} printable ASCII characters without spaces, "
                f"not {self.id!r}"
            )

    @property
    def time(self) -> str:
        """``ts`` as RFC 3339 text in UTC (``Z``), to the nanosecond when needed."""
        return format_rfc3339(self.ts)

    def to_dict(self) -> dict[str, Any]:
        """The item as a JSONL record (the format :func:`load_news` reads back)."""
        record: dict[str, Any] = {
            "id": self.id,
            "time": self.time,
            "symbols": list(self.symbols),
            "headline": self.headline,
        }
        if self.source is not None:
            record["source"] = self.source
        if self.body is not None:
            record["body"] = self.body
        return record


def content_id(item: NewsItem) -> str:
    """A deterministic id from the item's content: ``n-`` and 16 hex digits of SHA-256.

    Two items with the same time, symbols, headline, source and body get the
    same id, so a file holding one story twice is refused as a duplicate.
    """
    content = [item.ts, list(item.symbols), item.headline, item.source, item.body]
    digest = hashlib.sha256(json.dumps(content, ensure_ascii=True).encode()).hexdigest()
    return f"n-{digest[:16]}"


def parse_rfc3339(text: str) -> int:
    """Read an RFC 3339 time with an offset (``Z`` or ``±HH:MM``) as epoch ns.

    Fractions of a second are kept to the nanosecond.  A time without an
    offset is refused: it could be in any time zone.

    Raises:
        InvalidRequest: for naive, malformed or impossible times.
    """
    if not isinstance(text, str):
        raise InvalidRequest(f"time must be an RFC 3339 string, not {text!r}")
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip(), re.ASCII):
            raise InvalidRequest(f"time {text!r} is a date; RFC 3339 needs a time and an offset")
        if re.fullmatch(
            r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?", text.strip(), re.ASCII
        ):
            raise InvalidRequest(f"time {text!r} has no UTC offset; RFC 3339 needs 'Z' or '+HH:MM'")
        raise InvalidRequest(f"time {text!r} is not RFC 3339 (e.g. 2012-01-24T12:00:00Z)")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if zulu:
        zone: timezone = UTC
    else:
        if int(off_h) > 23 or int(off_m) > 59:
            raise InvalidRequest(f"time {text!r} has an invalid UTC offset")
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        zone = timezone(-offset if sign == "-" else offset)
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError as exc:
        raise InvalidRequest(f"time {text!r} is not a valid date and time: {exc}") from None
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    return datetime_to_ns(moment) + nanos


def format_rfc3339(ts_ns: int) -> str:
    """Epoch ns as RFC 3339 UTC text; the fraction is written only when not zero."""
    seconds, nanos = divmod(ts_ns, NANOS_PER_SECOND)
    text = ns_to_datetime(seconds * NANOS_PER_SECOND).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        text += "." + f"{nanos:09d}".rstrip("0")
    return text + "Z"


def _symbols(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise InvalidRequest(f"symbols must be a tuple of strings, not {value!r}")
    result: list[str] = []
    for symbol in value:
        if not isinstance(symbol, str):
            raise InvalidRequest(f"symbols must be strings, not {symbol!r}")
        key = symbol.strip().upper()
        # isascii first: upper() maps some non-ASCII letters onto ASCII ones.
        if not symbol.isascii() or not _SYMBOL.fullmatch(key):
            raise InvalidRequest(
                f"symbols: {symbol!r} is not a symbol (letters, digits, '.', '_', '-'; "
                "at most 32 characters)"
            )
        if key not in result:
            result.append(key)
    if not result:
        raise InvalidRequest("symbols must name at least one symbol")
    if len(result) > MAX_SYMBOLS:
        raise InvalidRequest(f"symbols: {len(result)} symbols, at most {MAX_SYMBOLS} allowed")
    return tuple(result)


def _headline(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(f"headline must be a string, not {value!r}")
    text = value.strip()
    if not text:
        raise InvalidRequest("headline must not be empty")
    if len(text) > MAX_HEADLINE:
        raise InvalidRequest(f"headline has {len(text)} characters, at most {MAX_HEADLINE}")
    if _CONTROL.search(text):
        raise InvalidRequest("headline must be one line without control characters")
    return text


def _optional(field: str, value: object, limit: int, one_line: bool) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{field} must be a string, not {value!r}")
    text = value.strip()
    if not text:
        raise InvalidRequest(f"{field} must not be empty when given (leave it out instead)")
    if len(text) > limit:
        raise InvalidRequest(f"{field} has {len(text)} characters, at most {limit}")
    if one_line and _CONTROL.search(text):
        raise InvalidRequest(f"{field} must be one line without control characters")
    if _BODY_CONTROL.search(text):
        raise InvalidRequest(f"{field} must not contain control characters")
    return text
