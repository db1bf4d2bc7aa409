"""How a component writes its state into a checkpoint: exactly, and never with pickle.

A checkpoint (:mod:`paperbroker.session.checkpoint`) is one JSON document
whose parts each stateful component writes and reads itself
(``to_state()``/``from_state()``). Values must come back bit for bit:
decimals as their text (``Decimal("1.50")`` stays ``"1.50"``), floats as
JSON numbers (Python writes the shortest text that reads back as the same
float) with ``nan`` and the infinities spelled out, and long numeric columns
(a live feed's bars) as base64 of their little-endian bytes, exact and much
faster to read than a list of numbers.

:class:`NotSnapshottable` is what a component raises when its state cannot
be written exactly yet: no checkpoint is taken then, and recovery replays
the journal as before.
"""

from __future__ import annotations

import base64
import math
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

#: A JSON object of a checkpoint (the parts of one are built and read by their owners).
State = dict[str, Any]

_SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class NotSnapshottable(Exception):
    """A component's state cannot be written exactly yet: take no checkpoint now."""


class CheckpointMismatch(Exception):
    """A checkpoint does not fit the session it is restored into (other data, other
    instruments): it is skipped for an older one, or the journal is replayed."""


def dec(value: Decimal) -> str:
    """A decimal as its exact text."""
    return str(value)


def dec_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def undec(text: str) -> Decimal:
    return Decimal(text)


def undec_or_none(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def flt(value: float) -> float | str:
    """A float JSON can carry: itself, or ``"nan"``/``"inf"``/``"-inf"``."""
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def unflt(value: float | int | str) -> float:
    if isinstance(value, str):
        return _SPECIAL[value]
    return float(value)


def pack_array(values: npt.NDArray[Any]) -> State:
    """A numeric array as ``{dtype, data}``: base64 of its little-endian bytes."""
    dtype = values.dtype.newbyteorder("<")
    data = np.ascontiguousarray(values, dtype=dtype).tobytes()
    return {"dtype": dtype.str, "data": base64.b64encode(data).decode("ascii")}


def unpack_array(packed: State) -> npt.NDArray[Any]:
    """The array :func:`pack_array` wrote (a fresh, writable copy)."""
    raw = base64.b64decode(packed["data"], validate=True)
    return np.frombuffer(raw, dtype=np.dtype(packed["dtype"])).copy()
