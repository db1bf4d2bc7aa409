"""Typed identifiers.

Each id is a distinct ``NewType`` over ``str`` so mypy refuses an ``OrderId``
where a ``FillId`` is expected, while at run time they stay plain strings
(cheap to hash, trivially JSON).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final, NewType

OrderId = NewType("OrderId", str)
ClientOrderId = NewType("ClientOrderId", str)
FillId = NewType("FillId", str)
AccountId = NewType("AccountId", str)
SessionId = NewType("SessionId", str)
Symbol = NewType("Symbol", str)


#: A backtest's ids from their numbers, each one C call (a ``NewType`` call is a Python one).
_backtest_order_id: Final[Callable[[int], OrderId]] = "O-{:08d}".format  # type: ignore[assignment]
_backtest_fill_id: Final[Callable[[int], FillId]] = "F-{:08d}".format  # type: ignore[assignment]


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

    __slots__ = ("_fills", "_namespace", "_numbers", "_orders", "_ordinal")

    def __init__(self, namespace: uuid.UUID | None = None, *, ordinal_draws: bool = False) -> None:
        self._namespace = namespace
        # How many ids of each kind were handed out.
        self._orders = 0
        self._fills = 0
        # With ``ordinal_draws``, a namespaced order id's number (see draw_key).
        self._ordinal = ordinal_draws and namespace is not None
        self._numbers: dict[str, int] = {}

    def order_id(self) -> OrderId:
        self._orders += 1
        if self._namespace is None:  # a backtest's
            return _backtest_order_id(self._orders)
        made = self._make("order", "O", self._orders)
        if self._ordinal:
            self._numbers[made] = self._orders
        return OrderId(made)

    def draw_key(self, order_id: str) -> str:
        """The text a seeded model draws an order's random numbers from (a latency's
        jitter, a partial fill): the order's id; with ``ordinal_draws``, the id it would
        have without a namespace (``O-00000001``), so two sessions that place the same
        orders draw the same numbers, as a backtest run twice does."""
        number = self._numbers.get(order_id) if self._ordinal else None
        return order_id if number is None else f"O-{number:08d}"

    def fill_id(self) -> FillId:
        self._fills += 1
        if self._namespace is None:
            return _backtest_fill_id(self._fills)
        return FillId(self._make("fill", "F", self._fills))

    def to_state(self) -> dict[str, Any]:
        """The counters, for a checkpoint (the namespace is the session's own)."""
        return {"orders": self._orders, "fills": self._fills}

    def from_state(self, state: dict[str, Any]) -> None:
        """Continue from the counters :meth:`to_state` wrote."""
        self._orders = int(state["orders"])
        self._fills = int(state["fills"])
        if self._ordinal:
            self._numbers = {self._make("order", "O", n): n for n in range(1, self._orders + 1)}

    def _make(self, kind: str, prefix: str, number: int) -> str:
        if self._namespace is None:
            return f"{prefix}-{number:08d}"
        return str(uuid.uuid5(self._namespace, f"{kind}/{number}"))
