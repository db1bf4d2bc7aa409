"""The order lifecycle: every allowed move, every refused one, and fill bookkeeping."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from paperbroker.core.errors import InvalidTransition
from paperbroker.core.ids import AccountId, ClientOrderId, FillId, OrderId
from paperbroker.model.enums import (
    LiquiditySide,
    OrderClass,
    OrderSide,
    OrderStatus,
    OrderType,
    RejectReason,
    TimeInForce,
)
from paperbroker.model.events import (
    CancelRequested,
    OrderAccepted,
    OrderCanceled,
    OrderEvent,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReleased,
    OrderReplaced,
    OrderSubmitted,
    ReplaceRequested,
)
from paperbroker.model.fill import Fill, FillRule
from paperbroker.model.order import ORDER_TRANSITIONS, Order, OrderTrigger

S = OrderStatus
T = OrderTrigger
OID = OrderId("O-1")

# The lifecycle, written out by hand from the diagram in model/order.py.
EXPECTED_MOVES = {
    (S.NEW, T.ACCEPT): S.ACCEPTED,
    (S.NEW, T.REJECT): S.REJECTED,
    (S.NEW, T.CANCEL): S.CANCELED,
    (S.ACCEPTED, T.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.ACCEPTED, T.FILL): S.FILLED,
    (S.ACCEPTED, T.CANCEL): S.CANCELED,
    (S.ACCEPTED, T.EXPIRE): S.EXPIRED,
    (S.ACCEPTED, T.REJECT): S.REJECTED,  # a broker refused what the session took
    (S.PARTIALLY_FILLED, T.PARTIAL_FILL): S.PARTIALLY_FILLED,
    (S.PARTIALLY_FILLED, T.FILL): S.FILLED,
    (S.PARTIALLY_FILLED, T.CANCEL): S.CANCELED,
    (S.PARTIALLY_FILLED, T.EXPIRE): S.EXPIRED,
    # An exit leg waits for its entry, then works (or is canceled with it).
    (S.HELD, T.RELEASE): S.ACCEPTED,
    (S.HELD, T.CANCEL): S.CANCELED,
    (S.HELD, T.CANCEL_REQUEST): S.HELD,
    # A cancel on its way: the order can still fill, completely or in part.
    (S.ACCEPTED, T.CANCEL_REQUEST): S.PENDING_CANCEL,
    (S.PARTIALLY_FILLED, T.CANCEL_REQUEST): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, T.PARTIAL_FILL): S.PENDING_CANCEL,
    (S.PENDING_CANCEL, T.FILL): S.FILLED,
    (S.PENDING_CANCEL, T.CANCEL): S.CANCELED,
    (S.PENDING_CANCEL, T.EXPIRE): S.EXPIRED,
    # A replacement on its way: likewise, until the venue swaps the orders.
    (S.ACCEPTED, T.REPLACE_REQUEST): S.PENDING_REPLACE,
    (S.PARTIALLY_FILLED, T.REPLACE_REQUEST): S.PENDING_REPLACE,
    (S.PENDING_REPLACE, T.PARTIAL_FILL): S.PENDING_REPLACE,
    (S.PENDING_REPLACE, T.FILL): S.FILLED,
    (S.PENDING_REPLACE, T.REPLACE): S.REPLACED,
    (S.PENDING_REPLACE, T.CANCEL): S.CANCELED,
    (S.PENDING_REPLACE, T.EXPIRE): S.EXPIRED,
}
TERMINAL = {S.FILLED, S.CANCELED, S.EXPIRED, S.REJECTED, S.REPLACED}


def submitted(qty: str = "100", leg: bool = False) -> OrderSubmitted:
    return OrderSubmitted(
        ts=1,
        order_id=OID,
        client_order_id=ClientOrderId("C-1"),
        account_id=AccountId("A-1"),
        symbol="XYZ",
        side=OrderSide.BUY,
        order_type=OrderType.LIMIT,
        qty=Decimal(qty),
        time_in_force=TimeInForce.GTC,
        limit_price=Decimal("10.00"),
        stop_price=None,
        order_class=OrderClass.BRACKET if leg else OrderClass.SIMPLE,
        parent_id=OrderId("O-0") if leg else None,
    )


def filled(qty: str, price: str = "10.00", ts: int = 3, order_id: OrderId = OID) -> OrderFilled:
    fill = Fill(
        id=FillId(f"F-{ts}"),
        order_id=order_id,
        symbol="XYZ",
        side=OrderSide.BUY,
        qty=Decimal(qty),
        price=Decimal(price),
        fee=Decimal(0),
        ts=ts,
        liquidity=LiquiditySide.MAKER,
        rule=FillRule.LIMIT_TOUCHED,
        reference_price=Decimal(price),
        slippage=Decimal(0),
        path="OHLC",
        bar_ts=ts,
        account_id=AccountId("A-1"),
    )
    return OrderFilled(ts=ts, order_id=order_id, fill=fill)


def event_for(trigger: OrderTrigger, order: Order) -> OrderEvent:
    """The event that fires ``trigger`` on ``order`` (a fill sized to match the trigger)."""
    if trigger is T.ACCEPT:
        return OrderAccepted(ts=2, order_id=OID)
    if trigger is T.REJECT:
        return OrderRejected(ts=2, order_id=OID, reason=RejectReason.INVALID_ORDER, message="x")
    if trigger is T.CANCEL:
        return OrderCanceled(ts=4, order_id=OID, reason="client")
    if trigger is T.EXPIRE:
        return OrderExpired(ts=4, order_id=OID)
    if trigger is T.RELEASE:
        return OrderReleased(ts=2, order_id=OID, qty=Decimal(100))
    if trigger is T.CANCEL_REQUEST:
        return CancelRequested(ts=3, order_id=OID)
    if trigger is T.REPLACE_REQUEST:
        return ReplaceRequested(ts=3, order_id=OID, replacement_id=OrderId("O-2"))
    if trigger is T.REPLACE:
        return OrderReplaced(ts=4, order_id=OID, replaced_by=OrderId("O-2"))
    leaves = order.leaves_qty
    qty = leaves if trigger is T.FILL else Decimal(10)
    return filled(str(qty if qty > 0 else 10))


def order_in(status: OrderStatus) -> Order:
    """A real order driven into ``status`` through events."""
    order = Order(submitted(leg=status is S.HELD))
    path = {
        S.NEW: [],
        S.HELD: [],
        S.PENDING_CANCEL: [T.ACCEPT, T.CANCEL_REQUEST],
        S.PENDING_REPLACE: [T.ACCEPT, T.REPLACE_REQUEST],
        S.REPLACED: [T.ACCEPT, T.REPLACE_REQUEST, T.REPLACE],
        S.ACCEPTED: [T.ACCEPT],
        S.PARTIALLY_FILLED: [T.ACCEPT, T.PARTIAL_FILL],
        S.FILLED: [T.ACCEPT, T.FILL],
        S.CANCELED: [T.ACCEPT, T.CANCEL],
        S.EXPIRED: [T.ACCEPT, T.EXPIRE],
        S.REJECTED: [T.REJECT],
    }[status]
    for trigger in path:
        order.apply(event_for(trigger, order))
    assert order.status is status
    return order


def test_transition_table_equals_documented_lifecycle() -> None:
    assert {(s, t): target for s, t, target in ORDER_TRANSITIONS} == EXPECTED_MOVES
    assert ORDER_TRANSITIONS.terminal == TERMINAL


@pytest.mark.parametrize(
    ("state", "trigger"), list(EXPECTED_MOVES), ids=lambda v: getattr(v, "value", v)
)
def test_order_apply_allowed_move_reaches_expected_status(
    state: OrderStatus, trigger: OrderTrigger
) -> None:
    order = order_in(state)
    event = event_for(trigger, order)
    before = len(order.events)

    order.apply(event)

    assert order.status is EXPECTED_MOVES[(state, trigger)]
    assert order.events[-1] == event
    assert len(order.events) == before + 1
    assert order.ts_updated == event.ts


# A fill on a filled order overfills it, which is checked first (ValueError, tested below).
INVALID = [
    (s, t)
    for s, t in itertools.product(S, T)
    if (s, t) not in EXPECTED_MOVES and not (s is S.FILLED and t in (T.FILL, T.PARTIAL_FILL))
]


@pytest.mark.parametrize(("state", "trigger"), INVALID, ids=lambda v: getattr(v, "value", v))
def test_order_apply_invalid_trigger_raises_and_leaves_order_unchanged(
    state: OrderStatus, trigger: OrderTrigger
) -> None:
    order = order_in(state)
    event = event_for(trigger, order)
    snapshot = (order.status, order.filled_qty, order.avg_fill_price, list(order.events))

    with pytest.raises(InvalidTransition):
        order.apply(event)

    assert (order.status, order.filled_qty, order.avg_fill_price, order.events) == snapshot


def test_terminal_statuses_allow_no_trigger() -> None:
    for status, trigger in itertools.product(TERMINAL, T):
        assert not ORDER_TRANSITIONS.allows(status, trigger)


@pytest.mark.parametrize("state", [S.ACCEPTED, S.PARTIALLY_FILLED, S.FILLED])
def test_order_overfill_raises_and_leaves_order_unchanged(state: OrderStatus) -> None:
    order = order_in(state)
    snapshot = (order.status, order.filled_qty, order.avg_fill_price, list(order.events))

    with pytest.raises(ValueError, match="overfills"):
        order.apply(filled(str(order.leaves_qty + 1)))

    assert (order.status, order.filled_qty, order.avg_fill_price, order.events) == snapshot


def test_order_partial_fills_track_leaves_and_average_price() -> None:
    order = order_in(S.ACCEPTED)
    order.apply(filled("40", "10.00", ts=3))
    assert (order.status, order.filled_qty, order.leaves_qty) == (S.PARTIALLY_FILLED, 40, 60)
    order.apply(filled("60", "11.00", ts=4))
    # (40 * 10.00 + 60 * 11.00) / 100 = 1060 / 100 = 10.60
    assert order.avg_fill_price == Decimal("10.60")
    assert (order.status, order.filled_qty, order.leaves_qty) == (S.FILLED, 100, 0)
    assert not order.is_open


def test_order_event_of_another_order_raises_value_error() -> None:
    order = order_in(S.NEW)
    with pytest.raises(ValueError, match="applied to"):
        order.apply(OrderAccepted(ts=2, order_id=OrderId("O-2")))
    assert order.status is S.NEW


def test_order_second_submission_raises_value_error() -> None:
    order = order_in(S.ACCEPTED)
    with pytest.raises(ValueError, match="already submitted"):
        order.apply(submitted())
    assert order.status is S.ACCEPTED


def test_order_is_open_only_in_open_statuses() -> None:
    for status in S:
        assert order_in(status).is_open is (status not in TERMINAL)


def test_order_built_from_submission_copies_its_fields() -> None:
    event = submitted("25")
    order = Order(event)
    assert (order.id, order.client_order_id, order.qty, order.limit_price) == (
        OID,
        "C-1",
        Decimal(25),
        Decimal("10.00"),
    )
    assert (order.status, order.filled_qty, order.avg_fill_price) == (S.NEW, 0, None)
    assert order.events == [event]
