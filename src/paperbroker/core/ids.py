"""Typed identifiers.

Each id is a distinct ``NewType`` over ``str`` so mypy refuses an ``OrderId``
where a ``FillId`` is expected, while at run time they stay plain strings
(cheap to hash, trivially JSON).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import NewType

OrderId = NewType("OrderId", str)
ClientOrderId = NewType("ClientOrderId", str)
FillId = NewType("FillId", str)
AccountId = NewType("AccountId", str)
SessionId = NewType("SessionId", str)
Symbol = NewType("Symbol", str)


def random_uuid() -> str:
    """A random UUID4 string, for ids that must be unique across processes."""
    return str(uuid.uuid4())


class IdFactory:
    """Deterministic ids for one kernel.

    A backtest must produce the same ids on every run so that digests of its
    fills are byte-identical, and a session replayed from its journal must
    produce the ids it acknowledged: ids come from counters, never from chance.
    Without a namespace they read ``O-00000001``; with one (a session's) they
    are UUIDs derived from the namespace and the counter, unique across
    sessions as APIs expect.
    """

    __slots__ = ("_fills", "_namespace", "_orders")

    def __init__(self, namespace: uuid.UUID | None = None) -> None:
        self._namespace = namespace
        self._orders: Iterator[int] = itertools.count(1)
        self._fills: Iterator[int] = itertools.count(1)

    def order_id(self) -> OrderId:
        return OrderId(self._make("order", "O", next(self._orders)))

    def fill_id(self) -> FillId:
        return FillId(self._make("fill", "F", next(self._fills)))

    def _make(self, kind: str, prefix: str, number: int) -> str:
        if self._namespace is None:
            return f"{prefix}-{number:08d}"
        return str(uuid.uuid5(self._namespace, f"{kind}/{number}"))
