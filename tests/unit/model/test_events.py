"""Events and fills: immutable records whose equality includes their type."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from paperbroker.core.ids import AccountId, ClientOrderId, OrderId
from paperbroker.model.enums import OrderSide, OrderType, RejectReason, TimeInForce
from paperbroker.model.events import (
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
)

OID = OrderId("O")


def test_events_of_different_types_with_equal_fields_are_not_equal() -> None:
    assert OrderAccepted(1, OID) != OrderExpired(1, OID)
    assert not OrderAccepted(1, OID) == OrderExpired(1, OID)  # noqa: SIM201
    assert OrderAccepted(1, OID) != (1, "O")  # not even equal to the bare tuple


def test_events_of_same_type_and_fields_are_equal_and_hash_alike() -> None:
    assert OrderAccepted(1, OID) == OrderAccepted(1, OrderId("O"))
    assert hash(OrderAccepted(1, OID)) == hash(OrderAccepted(1, OID))
    assert OrderAccepted(1, OID) != OrderAccepted(2, OID)


def test_events_typed_equality_holds_in_sets_and_dicts() -> None:
    events = {OrderAccepted(1, OID), OrderExpired(1, OID), OrderAccepted(1, OID)}
    assert len(events) == 2
    assert OrderExpired(1, OID) in events
    assert OrderCanceled(1, OID, "x") not in events


def test_fill_equality_requires_same_type_and_fields(build: Any) -> None:
    fill = build.fill("buy", 1, "10.00")
    assert fill == fill._replace()
    assert fill != tuple(fill)
    assert OrderFilled(1, OID, fill) != OrderFilled(1, OID, fill._replace(price=Decimal("10.01")))


@pytest.mark.parametrize(
    "event",
    [
        OrderAccepted(1, OID),
        OrderExpired(1, OID),
        OrderCanceled(1, OID, "client"),
        OrderRejected(1, OID, RejectReason.SHORT_NOT_ALLOWED, "no"),
        OrderSubmitted(
            1, OID, ClientOrderId("C"), AccountId("A"), "XYZ", OrderSide.BUY, OrderType.MARKET,
            Decimal(1), TimeInForce.DAY, None, None,
        ),
    ],
    ids=lambda e: type(e).__name__,
)  # fmt: skip
def test_events_are_immutable(event: Any) -> None:
    with pytest.raises(AttributeError):
        event.ts = 99
    with pytest.raises(TypeError):
        event[0] = 99
    assert event.ts == 1


def test_fill_is_immutable(build: Any) -> None:
    fill = build.fill("sell", 5, "20.00")
    with pytest.raises(AttributeError):
        fill.price = Decimal("1")
    assert fill.price == Decimal("20.00")


def test_fill_signed_qty_follows_side_notional_is_qty_times_price(build: Any) -> None:
    assert build.fill("buy", 5, "20.00").signed_qty == 5
    assert build.fill("sell", 5, "20.00").signed_qty == -5
    assert build.fill("sell", 5, "20.10").notional == Decimal("100.50")


def test_events_asdict_gives_named_fields() -> None:
    assert OrderCanceled(7, OID, "why")._asdict() == {"ts": 7, "order_id": "O", "reason": "why"}
    assert not dataclasses.is_dataclass(OrderCanceled)
