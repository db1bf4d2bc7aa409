"""The machinery of the execution schema: model specs, bounded numbers, and their errors.

Every execution model is specified by a pydantic model (a :class:`ModelSpec`)
written ``{"model": NAME, ...parameters}``; a slot that holds one of several
models is a union marked :class:`ModelChoice`, chosen by ``model`` (the JSON
schema's discriminator).  The same classes validate requests, describe the
models back (:meth:`ModelSpec.describe`), render the docs' tables and fill
the OpenAPI document, so what the API accepts, what it shows and what the
docs say cannot drift apart.

Errors are worded once, here: :func:`invalid_request` turns pydantic's
errors into one :class:`~paperbroker.core.errors.InvalidRequest` whose
message names the path, e.g. ``execution.slippage.bps: must not be
negative, got -1``.
"""

from __future__ import annotations

import functools
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import (
    CoreSchema,
    ErrorDetails,
    PydanticCustomError,
    PydanticUndefined,
    core_schema,
)

from paperbroker.core.errors import InvalidRequest

#: Prefix of the union tags in pydantic's error locations; :func:`invalid_request` drops them.
_TAG = "="


def one_of(names: typing.Iterable[str]) -> str:
    return "one of " + ", ".join(names)


def kind_of(value: object) -> str:
    """A JSON value's kind for a message: ``null``, ``bool``, ``str``, ``list``…"""
    return "null" if value is None else type(value).__name__


def value_error(message: str) -> PydanticCustomError:
    """An error about the value being validated, worded as the message says."""
    return PydanticCustomError("invalid_value", message)


def field_error(field: str, message: str) -> PydanticCustomError:
    """An error about ``field`` of the model being validated (a check across fields)."""
    return PydanticCustomError("invalid_parameter", message, {"field": field})


def _json_schema(schema: JsonDict) -> None:
    """A description on one line (a docstring's line breaks are not the reader's); and
    ``model``, which has a default in Python, required of a JSON document."""
    description = schema.get("description")
    if isinstance(description, str):
        schema["description"] = " ".join(description.split())
    properties = schema.get("properties")
    if isinstance(properties, dict) and "model" in properties:
        required = schema.get("required")
        schema["required"] = ["model", *(required if isinstance(required, list) else [])]


class StrictModel(BaseModel):
    """A JSON object with known keys only; an unknown key is named with the known ones."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_json_schema)

    @classmethod
    def _unknown_key(cls, key: str) -> str:
        return f"unknown key ({one_of(cls.model_fields)})"

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for key in data:
                if key not in cls.model_fields:
                    raise field_error(str(key), cls._unknown_key(str(key)))
        return data

    @classmethod
    def checked(cls, **fields: Any) -> Self:
        """Validate ``fields`` as Python values.

        Raises:
            InvalidRequest: naming the field, e.g. ``bps: must not be negative, got -1``.
        """
        try:
            return cls.model_validate(fields)
        except ValidationError as error:
            raise invalid_request(error) from None


class ModelSpec(StrictModel):
    """The parameters of one execution model: ``{"model": NAME, ...parameters}``.

    Subclasses declare ``model`` first, as a ``Literal`` with its name as default.
    """

    @classmethod
    def name(cls) -> str:
        """The model's name, the value of its ``model`` key."""
        default = cls.model_fields["model"].default
        assert isinstance(default, str), f"{cls.__name__}.model needs a default"
        return default

    @classmethod
    def _unknown_key(cls, key: str) -> str:
        known = [name for name in cls.model_fields if name != "model"]
        listed = f" ({one_of(known)})" if known else ""
        return f"unknown parameter of model {cls.name()!r}{listed}"

    def describe(self) -> dict[str, Any]:
        """The model and its parameters as JSON (numbers as strings)."""
        return self.model_dump(mode="json")

    def parameters(self) -> tuple[str, ...]:
        """The names of the parameters, in order (``model`` aside)."""
        return tuple(name for name in type(self).model_fields if name != "model")


class Specified:
    """A runtime model made from a spec: it describes itself, and shows itself, by its spec.

    Subclasses set :attr:`spec_type` and keep the validated :attr:`spec`,
    and an attribute of the same name for each parameter (composites keep
    their runtime parts), which :meth:`__repr__` shows.
    """

    #: The class of :attr:`spec`; the runtime model is built from one (its parameters are
    #: the constructor's keyword arguments).
    spec_type: ClassVar[type[ModelSpec]]
    spec: ModelSpec

    def describe(self) -> dict[str, Any]:
        """The model and its parameters as JSON (numbers as strings)."""
        return self.spec.describe()

    def __repr__(self) -> str:
        shown = (f"{name}={_shown(getattr(self, name))}" for name in self.spec.parameters())
        return f"{type(self).__name__}({', '.join(shown)})"


def _shown(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return f"[{', '.join(_shown(item) for item in value)}]"
    return repr(value)


def parameter(
    description: str, *, unit: str | None = None, default: Any = PydanticUndefined
) -> Any:
    """A parameter's field: its meaning, its unit (``x-unit`` in the JSON schema), its default."""
    extra: JsonDict | None = None if unit is None else {"x-unit": unit}
    return Field(default=default, description=description, json_schema_extra=extra)


def _number(value: Decimal | int) -> int | float:
    return int(value) if value == int(value) else float(value)


@dataclass(frozen=True)
class Range:
    """The bounds of a number: shown in the JSON schema, checked with a message that names them.

    ``low`` and ``high`` are inclusive unless ``low_open``/``high_open``.
    A value out of range is refused as ``must not be negative``, ``must be
    below 1`` and so on, or, with ``interval=True``, by naming the whole
    interval: ``must be in [0, 1), got 1``.
    """

    low: Decimal | int | None = None
    high: Decimal | int | None = None
    low_open: bool = False
    high_open: bool = False
    interval: bool = False

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        result = handler(schema)
        if self.low is not None:
            result["exclusiveMinimum" if self.low_open else "minimum"] = _number(self.low)
        if self.high is not None:
            result["exclusiveMaximum" if self.high_open else "maximum"] = _number(self.high)
        return result

    def describe(self) -> str:
        """The range as text: ``[0, 1)``, ``≥ 0``, ``> 0``."""
        if self.low is not None and self.high is not None:
            return self._interval()
        if self.low is not None:
            return f"{'>' if self.low_open else '≥'} {self.low}"
        if self.high is not None:
            return f"{'<' if self.high_open else '≤'} {self.high}"
        return "any"

    def _interval(self) -> str:
        opening, closing = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{opening}{self.low}, {self.high}{closing}"

    def _check(self, value: Decimal | int) -> Decimal | int:
        low, high = self.low, self.high
        too_low = low is not None and (value <= low if self.low_open else value < low)
        too_high = high is not None and (value >= high if self.high_open else value > high)
        if not (too_low or too_high):
            return value
        if self.interval:
            message = f"must be in {self._interval()}"
        elif too_low and low == 0:
            message = "must be positive" if self.low_open else "must not be negative"
        elif too_low:
            message = f"must be {'above' if self.low_open else 'at least'} {low}"
        else:
            message = f"must be {'below' if self.high_open else 'at most'} {high}"
        raise PydanticCustomError("out_of_range", f"{message}, got {value}")


#: A number written as text: ASCII digits, an optional sign, fraction and exponent (a model's
#: small rates read ``1e-6``), nothing around.
PLAIN_DECIMAL_PATTERN = r"^[+-]?([0-9]+(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_PLAIN_DECIMAL = re.compile(PLAIN_DECIMAL_PATTERN, re.ASCII)


@dataclass(frozen=True)
class PlainDecimalText:
    """A decimal parameter's text is a number in ASCII digits and nothing else.

    Pydantic's ``Decimal`` reads ``" 1 "``, ``"1_0"`` and other scripts' digits
    (``"١"``) as numbers; a model parameter refuses them, like every number a
    request carries, and the JSON schema's string alternative states the
    pattern it is checked against. An exponent is allowed (``"1e-6"``, and the
    models write small numbers back that way), unlike in an order's quantity.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        result = handler(schema)
        for alternative in result.get("anyOf", ()):
            if alternative.get("type") == "string":
                alternative["pattern"] = PLAIN_DECIMAL_PATTERN
        return result

    @staticmethod
    def _check(value: object) -> object:
        if isinstance(value, str) and _PLAIN_DECIMAL.fullmatch(value) is None:
            raise value_error(f"must be a number, got {value[:40]!r}")
        return value


class ModelChoice:
    """Marks a union of :class:`ModelSpec` classes: one of them, chosen by ``model``.

    ``Annotated[NoSlippageSpec | FixedBpsSlippageSpec, ModelChoice()]`` reads
    ``{"model": "fixed_bps", ...}`` as a ``FixedBpsSlippageSpec``; the JSON
    schema is a ``oneOf`` with an OpenAPI ``discriminator`` on ``model``.  A
    value that is not an object, names no model or an unknown one is refused
    with the names of the models it may be.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        specs: tuple[type[ModelSpec], ...] = typing.get_args(source) or (source,)
        names = tuple(spec.name() for spec in specs)
        choices: dict[typing.Hashable, CoreSchema] = {
            _TAG + spec.name(): handler.generate_schema(spec) for spec in specs
        }
        union = core_schema.tagged_union_schema(choices, _tag_of)

        def check(value: Any) -> Any:
            if isinstance(value, ModelSpec):
                return value
            if not isinstance(value, Mapping):
                raise PydanticCustomError("model_object", 'must be an object {"model": NAME, ...}')
            name = value.get("model")
            if name is None:
                raise field_error("model", f"required ({one_of(names)})")
            if name not in names:
                raise PydanticCustomError(
                    "unknown_model", f"unknown model {name!r} ({one_of(names)})"
                )
            return value

        return core_schema.no_info_before_validator_function(check, union)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        result = handler(schema)
        names = [tag.removeprefix(_TAG) for tag in _choices(schema)]
        refs = [choice["$ref"] for choice in result["oneOf"]]
        result["discriminator"] = {
            "propertyName": "model",
            "mapping": dict(zip(names, refs, strict=True)),
        }
        return result


class OneOrList:
    """Marks ``X | list[X]``: a JSON array is read as the list, anything else as one ``X``.

    Errors then name the path as written: ``slippage[0].k``, not the union's branch.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        one, many = typing.get_args(source)
        choices: dict[typing.Hashable, CoreSchema] = {
            _ONE: handler.generate_schema(one),
            _MANY: handler.generate_schema(many),
        }
        return core_schema.tagged_union_schema(
            choices, lambda value: _MANY if isinstance(value, list) else _ONE
        )


_ONE, _MANY = f"{_TAG}one", f"{_TAG}list"


def _tag_of(value: Any) -> str:
    name = value.get("model") if isinstance(value, Mapping) else getattr(value, "model", None)
    return f"{_TAG}{name}"


def _choices(schema: CoreSchema) -> list[str]:
    inner = schema.get("schema", schema)
    assert inner["type"] == "tagged-union"
    return [str(tag) for tag in inner["choices"]]


# ---- errors ---------------------------------------------------------------------------------


@functools.cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def read_model(kind: Any, value: object, root: str = "") -> Any:
    """``value`` read as ``kind`` (a spec class, or a union of them such as ``FeeSpec``).

    Raises:
        InvalidRequest: naming the path under ``root`` of what is wrong.
    """
    try:
        return _adapter(kind).validate_python(value)
    except ValidationError as error:
        raise invalid_request(error, root) from None


def invalid_request(error: ValidationError, root: str = "") -> InvalidRequest:
    """pydantic's errors as one :class:`InvalidRequest`, each naming its path under ``root``."""
    return InvalidRequest("; ".join(_describe(detail, root) for detail in error.errors()))


def _describe(error: ErrorDetails, root: str) -> str:
    path = root
    for part in error["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not part.startswith(_TAG):
            path = f"{path}.{part}" if path else part
    field = error.get("ctx", {}).get("field")
    if field is not None:
        path = f"{path}.{field}" if path else str(field)
    message = _message(error)
    return f"{path}: {message}" if path else message


def _message(error: ErrorDetails) -> str:
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx", {})
    if kind == "missing":
        return "required"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be an integer, got {kind_of(value)}"
    if kind in ("decimal_parsing", "finite_number") and isinstance(value, str):
        return f"must be a number, got {value!r}"
    if kind in ("decimal_type", "decimal_parsing", "finite_number"):
        return f"must be a number, got {kind_of(value)}"
    if kind == "string_type":
        return f"must be a string, got {kind_of(value)}"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"must be one of {expected}, got {value!r}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be an object, got {kind_of(value)}"
    if kind == "list_type":
        return "must be a list of models"
    if kind == "too_short":
        return "must name at least one model"
    if kind == "greater_than_equal" and ctx.get("ge") == 0:
        return f"must not be negative, got {value}"
    if kind == "less_than":
        return f"must be below {ctx.get('lt')}, got {value}"
    if kind == "greater_than":
        return f"must be above {ctx.get('gt')}, got {value}"
    if kind == "decimal_max_places":
        return f"must have at most {ctx.get('decimal_places')} decimal places, got {value}"
    return error["msg"]
