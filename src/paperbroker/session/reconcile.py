"""Reconciliation: a live session's books against its broker's, difference by difference.

:func:`reconcile` compares what the session holds for its default account
(:class:`LocalBooks`: its orders, the broker fills it applied, its positions
and cash) with what the broker holds (:class:`BrokerBooks`, read through the
session's :class:`~paperbroker.broker.adapter.BrokerAdapter`) and classifies
every difference (:class:`DifferenceKind`):

- ``missed_fill``: an execution of one of the session's orders that the
  session never applied (its stream dropped while the order filled, say);
- ``unknown_order``: an order at the broker in one of the session's symbols
  that the session did not place (someone traded the account by hand);
- ``order_status``: one of the session's orders is done at the broker but
  working here (canceled, expired or rejected there), working there but done
  here, or gone from the broker;
- ``position_opened_outside`` / ``position_closed_outside`` /
  ``quantity_mismatch``: a position differs from the broker's even once the
  missed fills are counted;
- ``cash_drift``: cash differs from the broker's (the missed fills counted)
  by more than :func:`cash_tolerance`.

:mod:`.reconcile_adjust` turns the differences into what brings the books
in line, and says what the session's policy makes of a run.

The session answers for its own symbols: positions and orders at the broker
in symbols it does not trade are not its business and are left out.

Pure: no I/O, no clock (times come in the books).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from paperbroker.broker.adapter import (
    BrokerAccount,
    BrokerFill,
    BrokerOrder,
    BrokerPosition,
)
from paperbroker.model.values import ZERO

#: Cash differences up to this many dollars are not drift: the broker's rounding,
#: its regulatory fees and interest accrue there before anything says so here.
CASH_TOLERANCE_ABS: Final = Decimal("1.00")
#: ... or up to this share of the broker account's equity (one basis point), if more.
CASH_TOLERANCE_REL: Final = Decimal("0.0001")

#: A broker's order statuses after which the order no longer works.
BROKER_DONE: Final = frozenset({"filled", "canceled", "expired", "rejected", "replaced"})
#: The broker status of an order it no longer has.
_MISSING: Final = "missing"

Policy = Literal["adopt", "halt"]
Trigger = Literal["start", "reconnect", "interval", "manual"]
Outcome = Literal["clean", "adopted", "halted", "approved"]
POLICIES: Final = ("adopt", "halt")
TRIGGERS: Final = ("start", "reconnect", "interval", "manual")


class DifferenceKind(StrEnum):
    MISSED_FILL = "missed_fill"
    UNKNOWN_ORDER = "unknown_order"
    ORDER_STATUS = "order_status"
    QUANTITY_MISMATCH = "quantity_mismatch"
    POSITION_OPENED_OUTSIDE = "position_opened_outside"
    POSITION_CLOSED_OUTSIDE = "position_closed_outside"
    CASH_DRIFT = "cash_drift"


class Difference(BaseModel):
    """One difference between the session's books and the broker's.

    ``local`` and ``broker`` are the two sides' figures (decimal strings), as
    far as the kind has them: ``qty``/``avg_entry_price`` of a position,
    ``status``/``filled_qty`` of an order, ``cash``, or the broker's execution
    of a missed fill (``fill_id``, ``side``, ``qty``, ``price``, ``fee``,
    ``filled_at``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DifferenceKind = Field(description="What differs (see docs/live.md, Reconciliation).")
    symbol: str = Field(default="", description="The symbol concerned; empty for cash.")
    order_id: str | None = Field(
        default=None, description="The session's order (the broker's `client_order_id`), if any."
    )
    broker_order_id: str | None = Field(default=None, description="The broker's order id, if any.")
    local: dict[str, str] | None = Field(default=None, description="The session's figures.")
    broker: dict[str, str] | None = Field(default=None, description="The broker's figures.")
    message: str = Field(description="The difference in words.")


@dataclass(frozen=True)
class LocalOrder:
    """One of the default account's orders as the session holds it.

    ``id`` is the order's id, which the broker knows as its ``client_order_id``;
    ``broker_order_id`` the broker's id for it once the broker reported one.
    """

    id: str
    symbol: str
    status: str
    is_open: bool
    filled_qty: Decimal
    broker_order_id: str = ""


@dataclass(frozen=True)
class LocalPosition:
    symbol: str
    qty: Decimal
    avg_entry_price: Decimal


@dataclass(frozen=True)
class LocalBooks:
    """The session's side: the default account's orders, the broker fills applied
    (by the broker's fill id), positions and cash; the symbols the session
    trades; and what earlier reconciliations adopted: the broker's ids of
    outside orders, and of fills the positions took in (they are known now),
    and the broker's statuses of orders noted as they were (by broker order id).
    ``LocalOrder.is_open`` says whether the order works here: a broker fill
    applies to a working order only."""

    orders: Sequence[LocalOrder]
    fill_ids: frozenset[str]
    positions: Mapping[str, LocalPosition]
    cash: Decimal
    symbols: frozenset[str]
    known_outside: frozenset[str] = frozenset()
    known_fills: frozenset[str] = frozenset()
    noted_statuses: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BrokerBooks:
    """The broker's side, as its adapter answers."""

    orders: Sequence[BrokerOrder]
    fills: Sequence[BrokerFill]
    positions: Sequence[BrokerPosition]
    account: BrokerAccount


def cash_tolerance(equity: Decimal) -> Decimal:
    """The cash difference that is not drift: $1, or 1 bp of the broker's equity if more."""
    return max(CASH_TOLERANCE_ABS, abs(equity) * CASH_TOLERANCE_REL)


def reconcile(local: LocalBooks, broker: BrokerBooks) -> list[Difference]:
    """Every difference between ``local`` and ``broker``, classified (see the module
    doc): missed fills first (oldest first), then orders, positions (by symbol)
    and cash. An empty list is a clean run."""
    mine = {order.id: order for order in local.orders}
    by_broker_id = {o.broker_order_id: o for o in local.orders if o.broker_order_id}
    for order in broker.orders:
        if order.client_order_id in mine:
            by_broker_id.setdefault(order.id, mine[order.client_order_id])
    every_missed = _missed_fills(local, broker.fills, mine, by_broker_id)
    differences = [_missed(fill, order) for fill, order in every_missed]
    # A fill of an order that no longer works here cannot be applied as a fill: the
    # position and cash take the broker's figures instead.
    missed = [(fill, order) for fill, order in every_missed if order.is_open]
    differences += _orders(local, broker.orders, mine, missed)
    positions = _positions(local, broker.positions, missed)
    differences += positions
    # A position that changed without a fill changed cash too: then cash must agree exactly.
    drift = _cash(local, broker.account, missed, exact=bool(positions))
    if drift is not None:
        differences.append(drift)
    return differences


# -- fills ----------------------------------------------------------------------------
def _missed_fills(
    local: LocalBooks,
    fills: Iterable[BrokerFill],
    mine: Mapping[str, LocalOrder],
    by_broker_id: Mapping[str, LocalOrder],
) -> list[tuple[BrokerFill, LocalOrder]]:
    missed: dict[str, tuple[BrokerFill, LocalOrder]] = {}
    for fill in fills:
        order = mine.get(fill.client_order_id) or by_broker_id.get(fill.order_id)
        if order is None or fill.id in local.fill_ids or fill.id in local.known_fills:
            continue  # an outside order's execution: its order and position say it
        missed.setdefault(fill.id, (fill, order))
    return sorted(missed.values(), key=lambda pair: (pair[0].ts, pair[0].id))


def _missed(fill: BrokerFill, order: LocalOrder) -> Difference:
    said = (
        "the session did not apply it"
        if order.is_open
        else f"the session did not apply it, and the order is {order.status} here: the "
        "position takes the broker's figures"
    )
    return Difference(
        kind=DifferenceKind.MISSED_FILL,
        symbol=fill.symbol,
        order_id=order.id,
        broker_order_id=fill.order_id,
        local={"status": order.status, "working": "true" if order.is_open else "false"},
        broker={
            "fill_id": fill.id, "side": fill.side, "qty": _text(fill.qty),
            "price": _text(fill.price), "fee": _text(fill.fee), "filled_at": str(fill.ts),
        },
        message=f"the broker filled {_text(fill.qty)} {fill.symbol} at {_text(fill.price)} "
        f"({fill.side}, fill {fill.id}) for order {order.id}; {said}",
    )  # fmt: skip


def _signed(fill: BrokerFill) -> Decimal:
    return fill.qty if fill.side == "buy" else -fill.qty


# -- orders ---------------------------------------------------------------------------
def _orders(
    local: LocalBooks,
    orders: Sequence[BrokerOrder],
    mine: Mapping[str, LocalOrder],
    missed: Sequence[tuple[BrokerFill, LocalOrder]],
) -> list[Difference]:
    differences: list[Difference] = []
    filling: dict[str, Decimal] = {}
    for fill, order in missed:
        filling[order.id] = filling.get(order.id, ZERO) + fill.qty
    seen: set[str] = set()
    for theirs in orders:
        ours = mine.get(theirs.client_order_id)
        if ours is None:
            if theirs.symbol in local.symbols and theirs.id not in local.known_outside:
                differences.append(_unknown(theirs))
            continue
        seen.add(ours.id)
        difference = _status(ours, theirs, ours.filled_qty + filling.get(ours.id, ZERO))
        if difference is not None and local.noted_statuses.get(theirs.id) != theirs.status:
            differences.append(difference)
    for ours in local.orders:
        gone = ours.is_open and ours.broker_order_id and ours.id not in seen
        if gone and local.noted_statuses.get(ours.broker_order_id) != _MISSING:
            differences.append(
                Difference(
                    kind=DifferenceKind.ORDER_STATUS,
                    symbol=ours.symbol,
                    order_id=ours.id,
                    broker_order_id=ours.broker_order_id,
                    local=_order_here(ours),
                    broker={"status": _MISSING},
                    message=f"order {ours.id} ({ours.symbol}) is {ours.status} here; the "
                    f"broker no longer has it",
                )
            )
    return differences


def _order_here(order: LocalOrder) -> dict[str, str]:
    working = "true" if order.is_open else "false"
    return {
        "status": order.status,
        "filled_qty": _text(order.filled_qty),
        "working": working,
    }


def _unknown(order: BrokerOrder) -> Difference:
    return Difference(
        kind=DifferenceKind.UNKNOWN_ORDER,
        symbol=order.symbol,
        broker_order_id=order.id,
        broker={
            "status": order.status,
            "side": order.side,
            "qty": _text(order.qty),
            "filled_qty": _text(order.filled_qty),
            "client_order_id": order.client_order_id,
        },
        message=f"the broker has a {order.side} order for {_text(order.qty)} {order.symbol} "
        f"({order.status}, {_text(order.filled_qty)} filled) that the session did not place",
    )


def _status(ours: LocalOrder, theirs: BrokerOrder, filled_here: Decimal) -> Difference | None:
    done_there = theirs.status in BROKER_DONE
    if ours.is_open and not done_there:
        return None  # both working: the fills say the rest
    if ours.is_open and theirs.status == "filled" and filled_here == theirs.filled_qty:
        return None  # the missed fills complete it
    if not ours.is_open and done_there and filled_here == theirs.filled_qty:
        return None  # both done alike (rejected here, canceled there: nothing filled)
    if ours.is_open:
        said = f"is {theirs.status} at the broker but {ours.status} here"
    elif done_there:
        said = (
            f"is {ours.status} here ({_text(ours.filled_qty)} filled) but {theirs.status} "
            f"at the broker ({_text(theirs.filled_qty)} filled)"
        )
    else:
        said = f"is {ours.status} here but still {theirs.status} at the broker"
    return Difference(
        kind=DifferenceKind.ORDER_STATUS,
        symbol=ours.symbol,
        order_id=ours.id,
        broker_order_id=theirs.id,
        local=_order_here(ours),
        broker={"status": theirs.status, "filled_qty": _text(theirs.filled_qty)},
        message=f"order {ours.id} ({ours.symbol}) {said}",
    )


# -- positions and cash ----------------------------------------------------------------
def _positions(
    local: LocalBooks,
    positions: Sequence[BrokerPosition],
    missed: Sequence[tuple[BrokerFill, LocalOrder]],
) -> list[Difference]:
    theirs = {p.symbol: p for p in positions if p.symbol in local.symbols and p.qty}
    coming: dict[str, Decimal] = {}
    for fill, _order in missed:
        coming[fill.symbol] = coming.get(fill.symbol, ZERO) + _signed(fill)
    differences = []
    for symbol in sorted(local.symbols):
        ours = local.positions.get(symbol)
        here = ours.qty if ours is not None else ZERO
        expected = here + coming.get(symbol, ZERO)
        there = theirs.get(symbol)
        qty = there.qty if there is not None else ZERO
        if qty == expected:
            continue
        avg = there.avg_entry_price if there is not None else ZERO
        if not expected:
            kind, said = DifferenceKind.POSITION_OPENED_OUTSIDE, "opened outside the session"
        elif not qty:
            kind, said = DifferenceKind.POSITION_CLOSED_OUTSIDE, "closed outside the session"
        else:
            kind, said = DifferenceKind.QUANTITY_MISMATCH, "differs and no fill explains it"
        avg_here = ours.avg_entry_price if ours is not None else ZERO
        held = {"qty": _text(here), "avg_entry_price": _text(avg_here)}
        if expected != here:
            held["qty_with_missed_fills"] = _text(expected)
        differences.append(
            Difference(
                kind=kind,
                symbol=symbol,
                local=held,
                broker={"qty": _text(qty), "avg_entry_price": _text(avg)},
                message=f"the {symbol} position {said}: {_text(expected)} here, "
                f"{_text(qty)} at the broker",
            )
        )
    return differences


def _cash(
    local: LocalBooks,
    account: BrokerAccount,
    missed: Sequence[tuple[BrokerFill, LocalOrder]],
    *,
    exact: bool,
) -> Difference | None:
    expected = local.cash - sum((_signed(f) * f.price + f.fee for f, _o in missed), ZERO)
    drift = account.cash - expected
    tolerance = ZERO if exact else cash_tolerance(account.equity)
    if abs(drift) <= tolerance:
        return None
    held = {"cash": _text(local.cash)}
    if expected != local.cash:
        held["cash_with_missed_fills"] = _text(expected)
    return Difference(
        kind=DifferenceKind.CASH_DRIFT,
        local=held,
        broker={"cash": _text(account.cash)},
        message=f"cash is {_text(expected)} here and {_text(account.cash)} at the broker "
        f"(a difference of {_text(drift)}, beyond the tolerance of {_text(tolerance)})",
    )


def differences_json(differences: Sequence[Difference]) -> str:
    """The differences as the run's record and ``ReconciliationApplied`` keep them."""
    return json.dumps([d.model_dump(mode="json", exclude_none=True) for d in differences])


def read_differences(text: str) -> list[Difference]:
    """The differences of :func:`differences_json`."""
    return [Difference.model_validate(item) for item in json.loads(text)]


def decimal_text(value: Decimal | None) -> str:
    """``value`` as a plain decimal string (no exponent; ``""`` for none)."""
    if value is None:
        return ""
    return format(value.normalize(), "f") if value else "0"


_text = decimal_text


__all__ = [
    "CASH_TOLERANCE_ABS",
    "CASH_TOLERANCE_REL",
    "POLICIES",
    "TRIGGERS",
    "BrokerBooks",
    "Difference",
    "DifferenceKind",
    "LocalBooks",
    "LocalOrder",
    "LocalPosition",
    "Outcome",
    "Policy",
    "Trigger",
    "cash_tolerance",
    "decimal_text",
    "differences_json",
    "read_differences",
    "reconcile",
]
