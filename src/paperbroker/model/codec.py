"""Events to JSON and back, exactly.

The journal stores every event as ``(kind, schema_version, payload)`` where
the payload is JSON text.  Money and quantities travel as decimal strings
(``"42.4900"`` stays ``Decimal("42.4900")``, trailing zeros included), enums
as their values, times as integer epoch nanoseconds.  Decoding is driven by
each event's field types, so adding an event type means adding it to
:data:`EVENT_TYPES`, nothing else.  Never pickle: a journal must stay
readable by any later version of the code, and by people.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, NamedTuple, Union, get_args, get_origin, get_type_hints

from paperbroker.core.errors import OperationalError
from paperbroker.model import events
from paperbroker.model.events import Event
from paperbroker.model.fill import Fill

#: Bumped when a payload's shape changes; decoders keep reading older versions.
#: Version 2 added order classes, trailing stops, notional orders and
#: replacements to ``OrderSubmitted``, execution evidence to fills and
#: intraday leverage to ``AccountOpened``; a version 1 payload lacks those
#: fields and decodes with their defaults.  A new kind of event (such as
#: ``AccountConfigured``) changes no existing payload and needs no new version:
#: a reader that predates it refuses the kind by name.
SCHEMA_VERSION = 2
_READABLE_VERSIONS = frozenset({1, 2})

#: Each journaled event type by the name the journal stores.
EVENT_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in events.EVENT_TYPES}


class EventPayload(NamedTuple):
    """An event's journal form: its kind, schema version and JSON payload."""

    kind: str
    schema_version: int
    payload: str


class CorruptEvent(OperationalError):
    """A stored event cannot be decoded: the journal needs an operator."""

    code = "corrupt_event"


def encode_event(event: Event) -> EventPayload:
    """The journal form of ``event`` (compact, key order fixed, so equal events encode alike)."""
    kind = type(event).__name__
    if kind not in EVENT_TYPES:
        raise TypeError(f"{kind} is not a journaled event type")
    payload = json.dumps(_to_json(event), separators=(",", ":"), sort_keys=True)
    return EventPayload(kind, SCHEMA_VERSION, payload)


def decode_event(kind: str, schema_version: int, payload: str) -> Event:
    """Rebuild an event from its journal form.

    Raises:
        CorruptEvent: for an unknown kind or version, or a payload that does
            not match the event's fields.
    """
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise CorruptEvent(f"unknown event kind {kind!r}")
    if schema_version not in _READABLE_VERSIONS:
        raise CorruptEvent(f"{kind}: unsupported schema version {schema_version}")
    try:
        decoded: Event = _from_json(cls, json.loads(payload), schema_version < SCHEMA_VERSION)
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise CorruptEvent(f"{kind}: payload does not decode ({error})") from None
    return decoded


def _to_json(value: Any) -> Any:
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {name: _to_json(item) for name, item in zip(value._fields, value, strict=True)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"cannot encode {type(value).__name__} in an event")


def _from_json(annotation: Any, raw: Any, older: bool = False) -> Any:
    return _decoder(annotation, older)(raw)


Decoder = Callable[[Any], Any]
#: Each field type's decoder, built once on first use (a replay decodes millions).
_DECODERS: dict[tuple[Any, bool], Decoder] = {}


def _decoder(annotation: Any, older: bool) -> Decoder:
    key = (annotation, older)
    found = _DECODERS.get(key)
    if found is None:
        found = _DECODERS[key] = _build_decoder(annotation, older)
    return found


def _build_decoder(annotation: Any, older: bool) -> Decoder:
    hints = _FIELD_TYPES.get(annotation)
    if hints is not None:
        return _record_decoder(annotation, hints, older)
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        options = get_args(annotation)
        nullable = type(None) in options
        (inner,) = [o for o in options if o is not type(None)]
        decode_inner = _decoder(inner, older)

        def optional(raw: Any) -> Any:
            if raw is None and nullable:
                return None
            return decode_inner(raw)

        return optional
    supertype = getattr(annotation, "__supertype__", None)  # NewType ids
    if supertype is not None:
        return _decoder(supertype, older)
    if annotation is Decimal:
        return _decimal
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        enum: Decoder = annotation
        return enum
    if annotation in (int, str, bool):

        def exact(raw: Any) -> Any:
            if type(raw) is not annotation:
                raise TypeError(f"expected {annotation.__name__}, got {raw!r}")
            return raw

        return exact

    def undecodable(raw: Any) -> Any:
        raise TypeError(f"cannot decode a field of type {annotation!r}")

    return undecodable


def _record_decoder(record: Any, hints: dict[str, Any], older: bool) -> Decoder:
    # An older payload may lack fields added since; they take their defaults.
    allowed = frozenset(hints)
    required = allowed - (frozenset(record._field_defaults) if older else frozenset())
    fields = [(name, _decoder(hint, older)) for name, hint in hints.items()]

    def decode(raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise TypeError(f"expected an object, got {raw!r}")
        if not (required.issubset(raw) and allowed.issuperset(raw)):
            raise ValueError(f"fields {sorted(raw)} != {sorted(hints)}")
        return record(**{name: field(raw[name]) for name, field in fields if name in raw})

    return decode


def _decimal(raw: Any) -> Decimal:
    if not isinstance(raw, str):
        raise TypeError(f"expected a decimal string, got {raw!r}")
    return Decimal(raw)


# The field types of every record the codec rebuilds, resolved once.
_FIELD_TYPES: dict[type[Any], dict[str, Any]] = {
    cls: get_type_hints(cls) for cls in (*EVENT_TYPES.values(), Fill)
}
