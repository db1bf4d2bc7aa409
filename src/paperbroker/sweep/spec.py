"""What a sweep runs: a strategy, its data window, and a space of its parameters.

A :class:`SweepSpec` is the one description of a sweep, shared by the API (which
stores it with the sweep), the command line and the executors. Each swept
parameter takes a list of values (``{"values": [5, 10, 20]}``) or a range
(``{"min": 5, "max": 50, "step": 5}``; ``step`` defaults to 1 for an integer
parameter, and a float range without a step is sampled uniformly by a random
sweep). :func:`check_space` validates every value against the strategy's own
parameter schema (its type and bounds); a rule across parameters (``fast``
below ``slow``) stays the strategy's business: a combination it refuses is
recorded as a result with an error, not refused up front.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from paperbroker.core.errors import InvalidRequest
from paperbroker.strategy.base import Strategy

#: The objectives a sweep can rank by (each a field of the run's metrics; higher is better).
OBJECTIVES: Final = ("sharpe", "total_return", "cagr", "sortino", "calmar", "profit_factor")
Objective = Literal["sharpe", "total_return", "cagr", "sortino", "calmar", "profit_factor"]
#: The most backtests one sweep may plan.
MAX_TASKS: Final = 100_000
#: The most values one range may expand to.
MAX_RANGE_VALUES: Final = 10_000

ParamValue = int | float | str | bool | None


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueList(_Frozen):
    """The values a parameter takes, in order."""

    values: list[ParamValue] = Field(min_length=1, max_length=MAX_RANGE_VALUES)


class ValueRange(_Frozen):
    """``min`` to ``max`` inclusive by ``step`` (default 1 for an integer parameter)."""

    min: float
    max: float
    step: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> ValueRange:
        if not (math.isfinite(self.min) and math.isfinite(self.max)):
            raise ValueError("min and max must be finite")
        if self.max < self.min:
            raise ValueError(f"max ({self.max:g}) is below min ({self.min:g})")
        return self


Dimension = ValueList | ValueRange


class WalkForward(_Frozen):
    """``folds`` windows, each ``in_sample`` of it for optimizing and the rest for testing.

    Rolling (the default): every window has the same length and they slide by
    their out-of-sample part, so the out-of-sample parts tile the end of the
    period without overlap. ``anchored``: every in-sample part starts at the
    period's start and grows; the out-of-sample parts are the same.
    """

    folds: int = Field(ge=1, le=50)
    in_sample: float = Field(gt=0, lt=1)
    anchored: bool = False


class SweepSpec(_Frozen):
    """A whole sweep. Times are epoch ns (``None``: the data's own first or last bar)."""

    name: str | None = None
    strategy: str = Field(min_length=1, max_length=300)
    symbols: list[str] = Field(min_length=1, max_length=50)
    start_ns: int | None = None
    end_ns: int | None = None
    initial_cash: Decimal = Decimal(100_000)
    #: The execution models in their JSON form (``None``: the default preset, seed 0).
    execution: dict[str, Any] | None = None
    method: Literal["grid", "random"] = "grid"
    space: dict[str, Dimension] = Field(min_length=1, max_length=20)
    samples: int | None = Field(default=None, ge=1, le=MAX_TASKS)
    seed: int = 0
    objective: Objective = "sharpe"
    walk_forward: WalkForward | None = None
    workers: int = Field(default=1, ge=1, le=256)
    cluster: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        if self.start_ns is not None and self.end_ns is not None and self.end_ns <= self.start_ns:
            raise ValueError("the end must be after the start")
        if self.initial_cash <= 0:
            raise ValueError(f"initial cash must be positive, got {self.initial_cash}")
        if self.method == "random" and self.samples is None:
            raise ValueError("a random sweep needs samples")
        return self


def read_spec(data: dict[str, Any]) -> SweepSpec:
    """A spec from its JSON form (as stored with a sweep).

    Raises:
        InvalidRequest: naming the first bad field.
    """
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "sweep"
        raise InvalidRequest(f"{where}: {first['msg'].removeprefix('Value error, ')}") from None


def check_space(spec: SweepSpec, strategy: type[Strategy]) -> dict[str, list[ParamValue] | None]:
    """Check every swept parameter against ``strategy``'s schema; return each one's values.

    A parameter's values are the list given, or the range expanded by its step;
    ``None`` for a float range without a step (sampled uniformly by a random
    sweep; a grid needs a step).

    Raises:
        InvalidRequest: for an unknown parameter, a value of the wrong type or
            out of the parameter's bounds (the message names ``space.<name>``),
            or a grid over a range without a step.
    """
    fields = strategy.Params.model_fields
    out: dict[str, list[ParamValue] | None] = {}
    for name, dimension in spec.space.items():
        if name not in fields:
            known = ", ".join(fields) or "none"
            raise InvalidRequest(
                f"space.{name}: unknown parameter of {strategy.__name__} (known: {known})"
            )
        field = fields[name]
        form: Any = Annotated[field.annotation, *field.metadata]
        adapter: TypeAdapter[Any] = TypeAdapter(form)
        integer = _is_integer(field.annotation)
        if isinstance(dimension, ValueList):
            values = [_checked(adapter, name, v) for v in dimension.values]
        elif dimension.step is None and not integer:
            _checked(adapter, name, dimension.min)
            _checked(adapter, name, dimension.max)
            if spec.method == "grid":
                raise InvalidRequest(f"space.{name}: a grid needs a step for a float range")
            out[name] = None
            continue
        else:
            values = [_checked(adapter, name, v) for v in _expand(name, dimension, integer)]
        out[name] = values
    return out


def _checked(adapter: TypeAdapter[Any], name: str, value: object) -> ParamValue:
    try:
        checked: ParamValue = adapter.validate_python(value)
    except ValidationError as error:
        message = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise InvalidRequest(f"space.{name}: {value!r}: {message}") from None
    return checked


def _expand(name: str, dimension: ValueRange, integer: bool) -> list[ParamValue]:
    step = dimension.step if dimension.step is not None else 1.0
    if integer and not (
        dimension.min.is_integer() and dimension.max.is_integer() and step.is_integer()
    ):
        raise InvalidRequest(f"space.{name}: an integer parameter needs whole min, max and step")
    count = math.floor((dimension.max - dimension.min) / step + 1e-9) + 1
    if count > MAX_RANGE_VALUES:
        raise InvalidRequest(f"space.{name}: the range has {count} values, over {MAX_RANGE_VALUES}")
    if integer:
        return [int(dimension.min) + i * int(step) for i in range(count)]
    # Decimal steps: 0.1 + 0.2 is 0.3 here, not 0.30000000000000004.
    low, by = Decimal(repr(dimension.min)), Decimal(repr(step))
    return [float(low + i * by) for i in range(count)]


def _is_integer(annotation: object) -> bool:
    if annotation is int:
        return True
    args = getattr(annotation, "__args__", ())
    return int in args and float not in args
