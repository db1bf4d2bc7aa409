"""One type per query value: what the OpenAPI document says a parameter is, the server reads.

Each type below carries both its JSON schema (a ``pattern``, a ``format``, a
``maxLength``) and the function that reads it, so a route that takes a
symbol list, a time or a date cannot describe it one way and parse it
another. A value the schema refuses is a 422 naming the parameter; a value
it accepts is read, never refused for its form:

- :data:`SymbolsQuery`: comma-separated symbols (``AAPL,msft``), each as
  :data:`~paperbroker.api.schemas.Symbol` (upper-cased), no spaces or empty
  entries, at most :data:`MAX_SYMBOLS_TEXT` characters;
- :data:`TimeQuery`: an RFC 3339 time with an offset (``Z`` or ``±hh:mm``);
  :data:`TimeOrDateQuery` also takes a ``YYYY-MM-DD`` date (its 00:00 in
  New York); :data:`DateOrTimeQuery` reads either as the date written.
  Times beyond what epoch nanoseconds hold (before 1970, from 2262) are held
  to those bounds: as filters they mean "from the beginning" or "to the end";
- :data:`TimeframeQuery`: an Alpaca bar timeframe (``5Min``, ``1Day``, ...);
- :data:`PageTokenQuery`, :data:`IgnoredQuery`: bounded free text.

A ``+`` of an offset sent unencoded arrives as a space; it is read as ``+``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

from fastapi import Path, Query
from pydantic import PlainValidator, WithJsonSchema

from paperbroker.api.schemas import SYMBOL_PATTERN

NEW_YORK: Final = ZoneInfo("America/New_York")
#: The longest symbol list a query takes: about 200 symbols, well inside a request line.
MAX_SYMBOLS_TEXT: Final = 1024
#: The longest time or date text a query takes.
MAX_TIME_TEXT: Final = 64
_ONE_SYMBOL: Final = SYMBOL_PATTERN.removeprefix("^").removesuffix("$")
SYMBOLS_PATTERN: Final = rf"^{_ONE_SYMBOL}(,{_ONE_SYMBOL})*$"
TIMEFRAME_PATTERN: Final = (
    r"^(([1-9]|[1-5][0-9])(Min|T)|([1-9]|1[0-9]|2[0-3])(Hour|H)|1(Day|D|Week|W)"
    r"|(1|2|3|4|6|12)(Month|M))$"
)
#: An id: a UUID written with hyphens, in any case.
UUID_PATTERN: Final = (
    r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
)
TIMEFRAMES: Final = "{1-59}Min, {1-23}Hour, 1Day, 1Week or {1,2,3,4,6,12}Month"
_TIMEFRAME: Final = re.compile(TIMEFRAME_PATTERN)
_SYMBOLS: Final = re.compile(SYMBOLS_PATTERN)
_ONE: Final = re.compile(_ONE_SYMBOL)
_TIME: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The times epoch nanoseconds in an int64 can hold.
FIRST_TIME: Final = datetime(1970, 1, 1, tzinfo=UTC)
LAST_TIME: Final = datetime(2262, 4, 10, tzinfo=UTC)
_TIME_SCHEMA: Final[dict[str, Any]] = {
    "type": "string",
    "format": "date-time",
    "maxLength": MAX_TIME_TEXT,
    "description": "An RFC 3339 time with an offset, e.g. 2012-01-03T14:30:00Z.",
}
_DATE_SCHEMA: Final[dict[str, Any]] = {
    "type": "string",
    "format": "date",
    "description": "A date, YYYY-MM-DD.",
}


def parse_symbols(text: object) -> str:
    """A comma-separated symbol list, upper-cased (split it with :func:`symbol_names`).

    Raises:
        ValueError: unless ``text`` matches :data:`SYMBOLS_PATTERN` within
            :data:`MAX_SYMBOLS_TEXT` characters.
    """
    if not isinstance(text, str) or not text:
        raise ValueError("give at least one symbol, such as AAPL,MSFT")
    if len(text) > MAX_SYMBOLS_TEXT:
        raise ValueError(f"at most {MAX_SYMBOLS_TEXT} characters")
    if not _SYMBOLS.match(text):
        bad = next((part for part in text.split(",") if not _ONE.fullmatch(part)), text)
        raise ValueError(f"{bad[:64]!r} is not a symbol (symbols are separated by commas)")
    return text.upper()


def symbol_names(symbols: str) -> list[str]:
    """The symbols of a list :data:`Symbols` has read, in the order given."""
    return symbols.split(",")


def parse_time(text: object) -> datetime:
    """An RFC 3339 time, held to the span epoch nanoseconds can count.

    Raises:
        ValueError: unless ``text`` is an RFC 3339 time with an offset.
    """
    if not isinstance(text, str):
        raise ValueError("must be an RFC 3339 time such as 2012-01-03T14:30:00Z")
    value = text.replace(" ", "+")  # an unencoded "+" arrives as a space
    if len(text) > MAX_TIME_TEXT or not _TIME.fullmatch(value):
        raise ValueError(f"{text[:MAX_TIME_TEXT]!r} is not an RFC 3339 time with an offset")
    try:
        moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text[:MAX_TIME_TEXT]!r} is not a time on the calendar") from None
    return min(max(moment, FIRST_TIME), LAST_TIME)


def parse_timeframe(text: object) -> str:
    """A bar timeframe as :data:`TIMEFRAME_PATTERN` has it.

    Raises:
        ValueError: naming the forms taken, for anything else.
    """
    if not isinstance(text, str) or not _TIMEFRAME.fullmatch(text):
        raise ValueError(f"timeframe {_shown(text)} is not one of {TIMEFRAMES}")
    return text


def parse_date(text: object) -> date:
    """A ``YYYY-MM-DD`` date.

    Raises:
        ValueError: unless ``text`` is a date on the calendar.
    """
    if not isinstance(text, str) or not _DATE.fullmatch(text):
        shown = repr(text[:MAX_TIME_TEXT]) if isinstance(text, str) else "it"
        raise ValueError(f"{shown} is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date on the calendar") from None


def parse_time_or_date(text: object) -> datetime:
    """An RFC 3339 time, or a ``YYYY-MM-DD`` date read as its 00:00 in New York.

    Raises:
        ValueError: unless ``text`` is either.
    """
    if isinstance(text, str) and _DATE.fullmatch(text):
        moment = datetime.combine(parse_date(text), time(0), tzinfo=NEW_YORK)
        return min(max(moment, FIRST_TIME), LAST_TIME)
    try:
        return parse_time(text)
    except ValueError:
        raise ValueError(f"{_shown(text)} is not a date (YYYY-MM-DD) or an RFC 3339 time") from None


def parse_date_or_time(text: object) -> date:
    """A ``YYYY-MM-DD`` date, or the date an RFC 3339 time is written with.

    Raises:
        ValueError: unless ``text`` is either.
    """
    if isinstance(text, str) and _DATE.fullmatch(text):
        return parse_date(text)
    if isinstance(text, str) and len(text) <= MAX_TIME_TEXT:
        value = text.replace(" ", "+")
        if _TIME.fullmatch(value):
            try:
                return datetime.fromisoformat(value.upper().replace("Z", "+00:00")).date()
            except ValueError:
                pass
    raise ValueError(f"{_shown(text)} is not a date (YYYY-MM-DD) or an RFC 3339 time")


def _shown(text: object) -> str:
    return repr(text[:MAX_TIME_TEXT]) if isinstance(text, str) else "it"


#: Comma-separated symbols, upper-cased: ``AAPL,MSFT`` (text: a list would be a
#: repeated parameter to FastAPI).
Symbols = Annotated[
    str,
    PlainValidator(parse_symbols),
    WithJsonSchema({
        "type": "string", "pattern": SYMBOLS_PATTERN, "maxLength": MAX_SYMBOLS_TEXT,
        "description": "Symbols separated by commas (any case), e.g. AAPL,MSFT.",
    }),
]  # fmt: skip
#: An RFC 3339 time with an offset.
Time = Annotated[datetime, PlainValidator(parse_time), WithJsonSchema(_TIME_SCHEMA)]
#: An RFC 3339 time, or a date (its 00:00 in New York).
TimeOrDate = Annotated[
    datetime,
    PlainValidator(parse_time_or_date),
    WithJsonSchema({"anyOf": [_TIME_SCHEMA, _DATE_SCHEMA]}),
]
#: A date, or an RFC 3339 time read as the date it is written with.
DateOrTime = Annotated[
    date,
    PlainValidator(parse_date_or_time),
    WithJsonSchema({"anyOf": [_DATE_SCHEMA, _TIME_SCHEMA]}),
]
#: An Alpaca bar timeframe (read by :meth:`~paperbroker.data.aggregate.TimeFrame.parse`).
Timeframe = Annotated[
    str,
    PlainValidator(parse_timeframe),
    WithJsonSchema({"type": "string", "pattern": TIMEFRAME_PATTERN}),
]
#: A ``YYYY-MM-DD`` date.
Date = Annotated[date, PlainValidator(parse_date), WithJsonSchema(_DATE_SCHEMA)]

SymbolsQuery = Annotated[Symbols, Query()]
#: Symbols to keep (all, when not given).
SymbolsFilterQuery = Annotated[Symbols | None, Query()]
SymbolPath = Annotated[str, Path(pattern=SYMBOL_PATTERN, description="A symbol (any case).")]
TimeQuery = Annotated[Time | None, Query()]
TimeOrDateQuery = Annotated[TimeOrDate | None, Query()]
DateOrTimeQuery = Annotated[DateOrTime | None, Query()]
DateQuery = Annotated[Date | None, Query()]
TimeframeQuery = Annotated[
    Timeframe,
    Query(
        pattern=TIMEFRAME_PATTERN,
        description="`{1-59}Min`, `{1-23}Hour`, `1Day`, `1Week`, `{1,2,3,4,6,12}Month`, "
        "or `T`/`H`/`D`/`W`/`M` for the unit.",
    ),
]
PageTokenQuery = Annotated[
    str | None, Query(max_length=512, description="The `next_page_token` of the last page.")
]
IgnoredQuery = Annotated[str | None, Query(max_length=64, description="Accepted, ignored.")]
