"""The one decimal type of the API: money and quantities, as text or as JSON numbers.

Every request field that is money, a price or a quantity, on ``/v1``, ``/v2``
and ``/api``, is a :func:`decimal_type`. It takes

- a string of ASCII digits with an optional fraction (``"10"``, ``"10.25"``):
  no sign, exponent, spaces, underscores or other scripts' digits, so
  ``" 1 "`` and ``"١"`` are refused, not read as 1;
- or a JSON number, read through its shortest ``repr``; a float that only
  prints with more places than the field keeps (``0.30000000000000004``) is
  the decimal with those places when that decimal is the same float.

The OpenAPI schema is what the server checks, nothing more or less: the
string's pattern states the range and the places (a positive amount has a
non-zero digit), the number's bounds and ``multipleOf`` say the same, and
the server validates the text of either against the pattern itself.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema


def positive_pattern(digits: int, places: int) -> str:
    """Above zero, at most ``digits`` integer digits and ``places`` decimal places."""
    return rf"^(?=[0-9.]*[1-9])[0-9]{{1,{digits}}}(\.[0-9]{{1,{places}}})?$"


def up_to_pattern(limit: int, places: int, *, low: int = 0) -> str:
    """From ``low`` (1 or above zero for 0) up to ``limit`` included, a two-digit ``limit``
    at most, with at most ``places`` decimal places (no leading zeros)."""
    assert 10 <= limit < 1000
    assert low in (0, 1)
    first = "[1-9][0-9]?" if low else "(?=[0-9.]*[1-9])(0|[1-9][0-9]?)"
    return rf"^({limit}(\.0{{1,{places}}})?|{first}(\.[0-9]{{1,{places}}})?)$"


def decimal_type(pattern: str, places: int, number: dict[str, Any], description: str) -> Any:
    """An annotated ``Decimal`` accepting what ``pattern`` (text) and ``number`` (a JSON
    number's schema bounds, with ``multipleOf`` for ``places``) describe."""
    schema = {
        "anyOf": [
            {"type": "string", "pattern": pattern},
            {"type": "number", **number, "multipleOf": float(Decimal(1).scaleb(-places))},
        ],
        "description": description,
    }
    check = partial(_parse, re.compile(pattern, re.ASCII), places, description)
    return Annotated[Decimal, BeforeValidator(check), WithJsonSchema(schema)]


def _parse(pattern: re.Pattern[str], places: int, description: str, value: object) -> Decimal:
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"must be {description}")
    elif isinstance(value, float):
        text = _float_text(value, places)
    else:
        text = str(value)
    if pattern.fullmatch(text) is None:
        raise ValueError(f"must be {description}, got {str(value)[:40]!r}")
    return Decimal(text)


def _float_text(value: float, places: int) -> str:
    """The plain text of a JSON number, or ``"nan"`` (refused) for one that is not finite."""
    exact = Decimal(repr(value))
    if not exact.is_finite():
        return "nan"
    if -exact.as_tuple().exponent > places:  # type: ignore[operator]
        rounded = round(exact, places)
        if float(rounded) == value:
            exact = rounded
    return format(exact.normalize() if exact == exact.to_integral() else exact, "f")


#: An order quantity or price: above 0, under a billion, at most 9 decimal places.
OrderNumber = decimal_type(
    positive_pattern(9, 9),
    9,
    {"exclusiveMinimum": 0, "exclusiveMaximum": 1_000_000_000},
    "a decimal number above 0 and under 1,000,000,000 with at most 9 decimal places",
)
#: Cash: above 0, under a trillion, at most 10 decimal places.
CashAmount = decimal_type(
    positive_pattern(12, 10),
    10,
    {"exclusiveMinimum": 0, "exclusiveMaximum": 1_000_000_000_000},
    "an amount above 0 and under 1,000,000,000,000 with at most 10 decimal places",
)
#: A margin multiplier: 1 to 100, at most 4 decimal places.
Leverage = decimal_type(
    up_to_pattern(100, 4, low=1),
    4,
    {"minimum": 1, "maximum": 100},
    "a multiplier from 1 to 100 with at most 4 decimal places",
)
#: A share of a position in percent: above 0, up to 100, at most 9 decimal places.
Percentage = decimal_type(
    up_to_pattern(100, 9),
    9,
    {"exclusiveMinimum": 0, "maximum": 100},
    "a percentage above 0 and up to 100 with at most 9 decimal places",
)
#: Minutes of simulated time: above 0, under 100,000,000, at most 9 decimal places.
Minutes = decimal_type(
    positive_pattern(8, 9),
    9,
    {"exclusiveMinimum": 0, "exclusiveMaximum": 100_000_000},
    "a number of minutes above 0 and under 100,000,000 with at most 9 decimal places",
)
