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
    """Deterministic, prefixed ids for one kernel run.

    A backtest must produce the same ids on every run so that digests of its
    fills are byte-identical; a counter gives that, where UUIDs would not.
    """

    __slots__ = ("_fills", "_orders")

    def __init__(self) -> None:
        self._orders: Iterator[int] = itertools.count(1)
        self._fills: Iterator[int] = itertools.count(1)

    def order_id(self) -> OrderId:
        return OrderId(f"O-{next(self._orders):08d}")

    def fill_id(self) -> FillId:
        return FillId(f"F-{next(self._fills):08d}")
