"""How a live session's broker venue is written into a checkpoint, and read back.

Everything :class:`~paperbroker.broker.venue.BrokerVenue` holds between two
commands is written: the orders it works (in the order it took them), the
requests its broker must still be sent (the outbox, oldest first, each with
every field it will be sent with), the broker's ids of the orders it
acknowledged (both ways), the replacements on their way, and the broker fill
ids already applied (so a fill the broker repeats after a restore is still
applied once). Orders are named by id and found among the kernel's, which the
checkpoint rebuilds from their events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from paperbroker.broker.adapter import OrderRequest
from paperbroker.core.snapshot import CheckpointMismatch
from paperbroker.model.order import Order
from paperbroker.venue.working import Working

if TYPE_CHECKING:
    from paperbroker.broker.venue import BrokerRequest, BrokerVenue

_DECIMAL_FIELDS = frozenset(
    {"qty", "notional", "limit_price", "stop_price", "trail_price", "trail_percent"}
)


def venue_to_state(venue: BrokerVenue) -> dict[str, Any]:
    """The broker venue's state (see the module doc)."""
    return {
        "broker": venue.broker,
        "instruments": len(venue.working),
        "working": [w.to_state() for w in venue._by_id.values()],
        "outbox": [_request_to_state(r) for r in venue.outbox.values()],
        "broker_ids": [[local, remote] for local, remote in venue.broker_ids.items()],
        "local_ids": [[remote, local] for remote, local in venue._local_ids.items()],
        "replacing": [[old, new.id] for old, new in venue._replacing.items()],
        "replaces": [[new, old] for new, old in venue._replaces.items()],
        "applied_fills": sorted(venue.applied_fills),
    }


def venue_from_state(
    venue: BrokerVenue, state: dict[str, Any], orders: Mapping[str, Order]
) -> None:
    """Take the state :func:`venue_to_state` wrote into a venue that works nothing yet.

    Raises:
        CheckpointMismatch: for another broker or another number of instruments.
        KeyError: for an order the kernel does not have.
    """
    from paperbroker.broker.venue import BrokerRequest

    if state["broker"] != venue.broker or int(state["instruments"]) != len(venue.working):
        raise CheckpointMismatch("the broker venue differs from the checkpoint's")
    for queue in venue.working:  # in place: the kernel reads these lists
        queue.clear()
    venue._by_id.clear()
    for item in state["working"]:
        order = orders[item["order"]]
        index = int(item["index"])
        instrument = venue._instruments[index]
        working = Working(
            order, index, int(item["arrival_ns"]), int(item["latency_ns"]),
            instrument.lot_size, instrument.fractionable,
        )  # fmt: skip
        working.from_state(item, orders)
        venue.working[index].append(working)
        venue._by_id[order.id] = working
    venue.outbox.clear()
    for item in state["outbox"]:
        request = BrokerRequest(
            str(item["kind"]),
            str(item["order_id"]),
            _order_from_state(item["order"]),
            str(item["replacement_id"]),
            _undec(item["qty"]),
            _undec(item["limit_price"]),
            _undec(item["stop_price"]),
            item["time_in_force"],
        )
        venue.outbox[request.key] = request
    venue.broker_ids = {str(a): str(b) for a, b in state["broker_ids"]}
    venue._local_ids = {str(a): str(b) for a, b in state["local_ids"]}
    venue._replacing = {str(old): orders[new] for old, new in state["replacing"]}
    venue._replaces = {str(new): str(old) for new, old in state["replaces"]}
    venue.applied_fills = {str(f) for f in state["applied_fills"]}


def _request_to_state(request: BrokerRequest) -> dict[str, Any]:
    order = request.order
    return {
        "kind": request.kind,
        "order_id": request.order_id,
        "order": None if order is None else _order_to_state(order),
        "replacement_id": request.replacement_id,
        "qty": _dec(request.qty),
        "limit_price": _dec(request.limit_price),
        "stop_price": _dec(request.stop_price),
        "time_in_force": request.time_in_force,
    }


def _order_to_state(order: OrderRequest) -> dict[str, Any]:
    return {
        f.name: _dec(getattr(order, f.name))
        if f.name in _DECIMAL_FIELDS
        else getattr(order, f.name)
        for f in fields(OrderRequest)
    }


def _order_from_state(state: dict[str, Any] | None) -> OrderRequest | None:
    if state is None:
        return None
    values: dict[str, Any] = {
        f.name: _undec(state[f.name]) if f.name in _DECIMAL_FIELDS else state[f.name]
        for f in fields(OrderRequest)
    }
    return OrderRequest(**values)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
