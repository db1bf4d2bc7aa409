"""Exact money, price and quantity helpers built on :class:`decimal.Decimal`.

Bars arrive as floats (they are measurements); the moment a price becomes part
of a fill, an order or the ledger it is converted to a ``Decimal`` on the
instrument's tick grid.  Money never round-trips through a float.
"""

from __future__ import annotations

import re
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
)
from typing import Final

from paperbroker.core.errors import InvalidRequest

#: Adds and subtracts without rounding: books must balance to the last digit.
EXACT: Final = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)

ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)
CENT: Final = Decimal("0.01")
BPS: Final = Decimal("0.0001")
#: A number as text: ASCII digits, an optional sign, fraction and exponent, nothing around.
_NUMBER_TEXT: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NOT_FINITE: Final = frozenset({"nan", "snan", "inf", "infinity"})


def to_decimal(value: Decimal | int | float | str, *, field: str = "value") -> Decimal:
    """Convert user input to ``Decimal`` without binary-float artefacts.

    Floats go through their shortest ``repr`` (``0.1`` becomes ``Decimal('0.1')``,
    not ``0.1000000000000000055…``). Text must be a number in ASCII digits and
    nothing else: ``" 1 "``, ``"١"`` (an Arabic-Indic one) or ``"1_000"`` are
    refused, although :class:`~decimal.Decimal` would read them.

    Raises:
        InvalidRequest: for text that is not a finite number.
    """
    kind = type(value)
    if kind is float:  # a price read from a bar: the commonest, asked first
        result = Decimal(repr(value))
    elif isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        text = str(value)
        if _NUMBER_TEXT.fullmatch(text) is None:
            if text.lower().lstrip("+-") in _NOT_FINITE:
                raise InvalidRequest(f"{field} {value!r} is not a finite number")
            raise InvalidRequest(f"{field} {value!r} is not a number (ASCII digits, no spaces)")
        result = Decimal(text)
    if not result.is_finite():
        raise InvalidRequest(f"{field} {value!r} is not a finite number")
    return result


def quantize_to_step(value: Decimal, step: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    """Round ``value`` to a multiple of ``step`` (a tick or a lot)."""
    decimal_step = _DECIMAL_STEPS.get(step)
    if decimal_step is None:
        decimal_step = _DECIMAL_STEPS[step] = step.as_tuple().digits == (1,)
    if decimal_step:
        # 0.01, 1, 1e-9: rounding to the step is rounding to its exponent.
        return value.quantize(step, rounding)
    units = (value / step).to_integral_value(rounding=rounding)
    return (units * step).quantize(step)


# Whether each step seen is a power of ten (digits exactly (1,)).
_DECIMAL_STEPS: Final[dict[Decimal, bool]] = {}


def price_on_grid(value: float, tick: Decimal) -> Decimal:
    """Put a float price (a bar price, already meant to be on the grid) on the nearest tick."""
    last = _LAST_ON_GRID.get(tick)
    if last is not None and last[0] == value and last[2] is tick:
        return last[1]
    spec = _GRID_FORMATS.get(tick)
    if spec is None:
        spec = _GRID_FORMATS[tick] = _grid_format(tick)
    exact = Decimal(format(value, spec)) if spec else quantize_to_step(Decimal(repr(value)), tick)
    if value > 0:
        # An order's price is put on the grid several times (its checks, its
        # reservation, its fill at the next open, which is this close): the latest
        # answer per tick is kept.  Positive prices only: equal positive floats are
        # the same number, where a signed zero's spelling keeps its sign.  The very
        # tick object, too: 0.05 and 0.050 are equal keys but spell prices apart.
        _LAST_ON_GRID[tick] = (value, exact, tick)
    return exact


_GRID_FORMATS: Final[dict[Decimal, str]] = {}
#: Per tick, the latest positive price put on its grid and where it went.
_LAST_ON_GRID: Final[dict[Decimal, tuple[float, Decimal, Decimal]]] = {}


def _grid_format(tick: Decimal) -> str:
    # A power-of-ten tick is a fixed number of decimals: formatting rounds to the
    # nearest tick in one step.  Other ticks (0.05, 0.25) go through quantize.
    sign, digits, exponent = tick.as_tuple()
    if not sign and digits == (1,) and isinstance(exponent, int) and exponent <= 0:
        return f".{-exponent}f"
    return ""
