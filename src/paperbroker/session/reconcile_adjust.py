"""What adopting a reconciliation's differences takes, and what a policy makes of a run.

:func:`adjustments` turns the differences
(:func:`~paperbroker.session.reconcile.reconcile`) into what brings the books
in line: the missed fills and order updates to journal as ``BrokerReported``
(so the session's ordinary path applies each of them once, keyed by the
broker's ids), and the positions and cash a ``ReconciliationApplied`` sets.
It reads the differences only, so an operator approving a run later applies
exactly what the run recorded. :func:`outcome` says what the session's
policy makes of a run.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from paperbroker.core.ids import OrderId
from paperbroker.model.events import BrokerReported
from paperbroker.session.reconcile import (
    Difference,
    DifferenceKind,
    Outcome,
    Policy,
    decimal_text,
)

_text = decimal_text

#: The broker's ends of an order that a ``BrokerReported`` update applies here.
_REPORTED_ENDS: Final = frozenset({"canceled", "expired", "rejected"})


@dataclass(frozen=True)
class PositionAdjustment:
    """A position set to the broker's quantity and average entry price."""

    qty: Decimal
    avg_entry_price: Decimal


@dataclass(frozen=True)
class Adjustments:
    """What brings the books in line with the broker's.

    ``reports`` are the broker's updates to journal as ``BrokerReported`` first
    (missed fills, orders done at the broker): the session's ordinary path
    applies them. ``positions``, ``cash`` and ``outside_orders`` (the broker's
    ids of orders the session did not place, known from now on) are what a
    ``ReconciliationApplied`` then sets (:meth:`to_json`), with
    ``adopted_fills``: the broker's ids of fills of orders no longer working
    here, which the positions took in instead, and ``noted_statuses``: the
    broker's status of each order whose difference nothing here can adopt
    (by broker order id): noted, a later run does not report it again.
    """

    reports: tuple[BrokerReported, ...] = ()
    positions: Mapping[str, PositionAdjustment] = field(default_factory=dict)
    cash: Decimal | None = None
    outside_orders: tuple[str, ...] = ()
    adopted_fills: tuple[str, ...] = ()
    noted_statuses: Mapping[str, str] = field(default_factory=dict)

    @property
    def books_change(self) -> bool:
        """Whether a ``ReconciliationApplied`` has anything to set or note."""
        noted = self.outside_orders or self.adopted_fills or self.noted_statuses
        return bool(self.positions or noted) or self.cash is not None

    def to_json(self) -> str:
        """The ``ReconciliationApplied.adjustments`` JSON (decimal strings)."""
        document: dict[str, Any] = {
            "positions": {
                symbol: {
                    "qty": _text(p.qty),
                    "avg_entry_price": _text(p.avg_entry_price),
                }
                for symbol, p in sorted(self.positions.items())
            },
            "cash": None if self.cash is None else _text(self.cash),
        }
        if self.outside_orders:
            document["outside_orders"] = list(self.outside_orders)
        if self.adopted_fills:
            document["adopted_fills"] = list(self.adopted_fills)
        if self.noted_statuses:
            document["noted_statuses"] = dict(sorted(self.noted_statuses.items()))
        return json.dumps(document, sort_keys=True)

    @classmethod
    def read(cls, text: str) -> Adjustments:
        """The adjustments of a ``ReconciliationApplied`` (its JSON); no reports."""
        document = json.loads(text)
        positions = {
            symbol: PositionAdjustment(Decimal(p["qty"]), Decimal(p["avg_entry_price"]))
            for symbol, p in (document.get("positions") or {}).items()
        }
        cash = document.get("cash")
        return cls(
            positions=positions,
            cash=None if cash is None else Decimal(cash),
            outside_orders=tuple(document.get("outside_orders") or ()),
            adopted_fills=tuple(document.get("adopted_fills") or ()),
            noted_statuses=dict(document.get("noted_statuses") or {}),
        )


def adjustments(differences: Sequence[Difference], ts: int) -> Adjustments:
    """What adopting ``differences`` takes (see :class:`Adjustments`); ``ts`` stamps the
    reports (the session's time).

    Missed fills of working orders become ``BrokerReported(update="fill")`` with the
    broker's fill id (those of orders done here are noted as adopted: the
    positions take them in),
    orders done at the broker ``BrokerReported`` of their end; positions take the
    broker's quantity and average price; cash takes the broker's when it drifted
    (beyond the tolerance, or at all when a position changed without a fill:
    that trade's cash came with it).
    An order working at the broker but done here, done otherwise, or gone from
    the broker has nothing to adopt: the run records it for an operator, and
    its status at the broker is noted.
    """
    reports: list[BrokerReported] = []
    positions: dict[str, PositionAdjustment] = {}
    outside: list[str] = []
    adopted: list[str] = []
    noted: dict[str, str] = {}
    cash: Decimal | None = None
    for difference in differences:
        theirs = difference.broker or {}
        kind = difference.kind
        if kind is DifferenceKind.MISSED_FILL and not _working(difference):
            adopted.append(theirs["fill_id"])
        elif kind is DifferenceKind.MISSED_FILL and difference.order_id:
            reports.append(
                BrokerReported(
                    ts,
                    OrderId(difference.order_id),
                    "fill",
                    broker_order_id=difference.broker_order_id or "",
                    fill_id=theirs["fill_id"],
                    qty=Decimal(theirs["qty"]),
                    price=Decimal(theirs["price"]),
                    fee=Decimal(theirs["fee"]),
                    filled_at=int(theirs["filled_at"]),
                )
            )
        elif kind is DifferenceKind.ORDER_STATUS and difference.order_id:
            status = theirs.get("status", "")
            if _working(difference) and status in _REPORTED_ENDS:
                reports.append(
                    BrokerReported(
                        ts,
                        OrderId(difference.order_id),
                        status,
                        broker_order_id=difference.broker_order_id or "",
                        reason="reconciliation: the order is " + status + " at the broker",
                    )
                )
            elif difference.broker_order_id:
                noted[difference.broker_order_id] = status
        elif kind is DifferenceKind.UNKNOWN_ORDER and difference.broker_order_id:
            outside.append(difference.broker_order_id)
        elif kind is DifferenceKind.CASH_DRIFT:
            cash = Decimal(theirs["cash"])
        elif kind in _POSITION_KINDS:
            positions[difference.symbol] = PositionAdjustment(
                Decimal(theirs["qty"]), Decimal(theirs["avg_entry_price"])
            )
    return Adjustments(tuple(reports), positions, cash, tuple(outside), tuple(adopted), noted)


def _working(difference: Difference) -> bool:
    """Whether the difference's order works here (a report applies to it)."""
    return (difference.local or {}).get("working") == "true"


_POSITION_KINDS: Final = frozenset(
    {
        DifferenceKind.QUANTITY_MISMATCH,
        DifferenceKind.POSITION_OPENED_OUTSIDE,
        DifferenceKind.POSITION_CLOSED_OUTSIDE,
    }
)


def outcome(differences: Sequence[Difference], policy: Policy) -> Outcome:
    """What a run comes to: ``clean`` without differences, else what ``policy`` says
    (``adopt``: adopted at once; ``halt``: trading halts until an operator approves)."""
    if not differences:
        return "clean"
    return "adopted" if policy == "adopt" else "halted"


__all__ = ["Adjustments", "PositionAdjustment", "adjustments", "outcome"]
