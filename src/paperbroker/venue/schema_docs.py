"""The execution models as Markdown tables, generated from the schema for docs/execution.md.

One table per slot (``slippage``, ``fill_quantity``, ``fees``, ``latency``):
each model's name, runtime class, what it does and its parameters (unit,
range, default, meaning), all read from :mod:`paperbroker.venue.schema`; and
one table of the document's own keys (:func:`document_markdown`).  A test
keeps the page's tables equal to these functions' output.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic.fields import FieldInfo

from paperbroker.venue.execution import MODELS
from paperbroker.venue.schema import ExecutionSpec
from paperbroker.venue.schema_base import ModelSpec, Range


def models_markdown(slot: str) -> str:
    """The table of the models ``slot`` may hold (one of :data:`MODELS`' keys)."""
    lines = ["| `model` | class | what it does | parameters |", "|---|---|---|---|"]
    for model in MODELS[slot]:
        spec = model.spec_type
        parameters = "<br>".join(_parameter(name, spec.model_fields[name]) for name in _names(spec))
        description = " ".join((spec.__doc__ or "").split())
        lines.append(f"| `{spec.name()}` | `{model.__name__}` | {description} | {parameters} |")
    return "\n".join(lines)


def document_markdown() -> str:
    """The table of an execution document's keys: each one's values, default and meaning."""
    lines = ["| key | value | default | meaning |", "|---|---|---|---|"]
    for name, field in ExecutionSpec.model_fields.items():
        default = field.default
        if default is None:
            shown = "the preset's"
        elif isinstance(default, str):  # a preset's name or an enum's value
            shown = f"`{default}`"
        else:
            shown = _shown(default)
        lines.append(f"| `{name}` | {_values(field.annotation)} | {shown} | {field.description} |")
    return "\n".join(lines)


def _values(annotation: Any) -> str:
    """What a key of the document takes: its choices, or the kind of value."""
    choices: list[str] = []
    for kind in _flattened(annotation):
        if isinstance(kind, type) and issubclass(kind, Enum):
            choices += [str(member.value) for member in kind]
        elif typing.get_origin(kind) is typing.Literal:
            choices += [str(value) for value in typing.get_args(kind)]
    if choices:
        return ", ".join(f"`{c}`" for c in dict.fromkeys(choices))
    return _kind_of(annotation)


def _kind_of(annotation: Any) -> str:
    kinds = list(_flattened(annotation))
    if any(typing.get_origin(kind) is list for kind in kinds):
        return "a model or a list of models"
    if any(_is_spec(kind) for kind in kinds):
        return "a model"
    return "integer" if int in kinds else "number"


def _names(spec: type[ModelSpec]) -> list[str]:
    return [name for name in spec.model_fields if name != "model"]


def _parameter(name: str, field: FieldInfo) -> str:
    extra = field.json_schema_extra
    unit = extra.get("x-unit") if isinstance(extra, dict) else None
    facts = [str(unit or _kind(field))]
    bounds = next(_ranges(field), None)
    if bounds is not None:
        facts[0] += f" {bounds.describe()}"
    if any(getattr(item, "min_length", None) == 1 for item in field.metadata):
        facts.append("at least one")
    facts.append("required" if field.is_required() else f"default {_shown(field.default)}")
    return f"`{name}` ({', '.join(facts)}): {field.description}"


def _kind(field: FieldInfo) -> str:
    if typing.get_origin(field.annotation) is list:
        return "list of models"
    kinds = list(_flattened(field.annotation))
    if any(_is_spec(kind) for kind in kinds):
        return "model"
    return "integer" if int in kinds else "number"


def _is_spec(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, ModelSpec)


def _flattened(annotation: Any) -> Iterator[Any]:
    """``annotation`` and every type inside it (union members, ``Annotated`` bases)."""
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _flattened(arg)


def _ranges(field: FieldInfo) -> Iterator[Range]:
    for item in field.metadata:
        if isinstance(item, Range):
            yield item
    for annotation in _flattened(field.annotation):
        for item in getattr(annotation, "__metadata__", ()):
            if isinstance(item, Range):
                yield item


def _shown(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return str(value)
    return repr(value)
