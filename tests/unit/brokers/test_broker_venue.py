"""The broker venue: the kernel's orders become broker requests, broker reports order events."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperbroker.broker.venue import BrokerVenue, apply_reports, broker_fill_id
from paperbroker.core.clock import SimClock
from paperbroker.core.ids import AccountId, OrderId
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account
from paperbroker.model.enums import OrderClass, OrderSide, OrderStatus, RejectReason
from paperbroker.model.events import (
    BrokerReported,
    CancelRequested,
    OrderCanceled,
    OrderFilled,
    OrderRejected,
)
from paperbroker.model.fill import FillRule

SERIES = synthetic_bars("SYN", n=30, start=datetime(2024, 1, 2, 15, tzinfo=UTC), seed=1)
BUY, SELL = OrderSide.BUY, OrderSide.SELL


@pytest.fixture
def kernel() -> Kernel:
    account = Account(AccountId("live"), Decimal(1_000_000))
    clock = SimClock(int(SERIES.ts[0]) - SERIES.duration_ns)
    built = Kernel(HistoricalFeed([SERIES]), account, BrokerVenue.factory("alpaca"), clock)
    built.run_until(int(SERIES.ts[1]))
    return built


def venue(kernel: Kernel) -> BrokerVenue:
    assert isinstance(kernel.venue, BrokerVenue)
    return kernel.venue


def report(order_id: str, update: str, **fields: object) -> BrokerReported:
    return BrokerReported(0, OrderId(order_id), update, **fields)  # type: ignore[arg-type]


def test_an_order_works_and_queues_its_submission_with_its_id_as_client_order_id(
    kernel: Kernel,
) -> None:
    order = kernel.submit_order("SYN", BUY, 5, limit=Decimal(1))
    assert order.status is OrderStatus.ACCEPTED
    (request,) = venue(kernel).pending()
    assert request.kind == "submit"
    assert request.order is not None
    assert request.order.client_order_id == order.id
    assert (request.order.order_type, request.order.limit_price) == ("limit", order.limit_price)
    assert kernel.open_orders() == [order]
    kernel.run_until(int(SERIES.ts[-1]))  # bars match nothing: the broker fills
    assert order.status is OrderStatus.ACCEPTED


def test_a_fill_is_applied_once_with_the_brokers_price_and_name(kernel: Kernel) -> None:
    order = kernel.submit_order("SYN", BUY, 5)
    fill = report(order.id, "fill", broker_order_id="B", fill_id="X1", qty=Decimal(5),
                  price=Decimal("12.34"))  # fmt: skip
    assert apply_reports(kernel, [fill, fill]) == 1
    (filled,) = [e for e in kernel.events if isinstance(e, OrderFilled)]
    assert filled.fill.id == broker_fill_id("alpaca", "X1")
    assert (filled.fill.price, filled.fill.rule, filled.fill.model) == (
        Decimal("12.34"), FillRule.BROKER, "alpaca",
    )  # fmt: skip
    assert order.status is OrderStatus.FILLED
    assert kernel.books().positions["SYN"].qty == 5
    assert venue(kernel).pending() == []  # the fill shows it reached the broker
    assert not kernel.open_orders()


def test_a_cancel_is_a_request_until_the_broker_reports_it(kernel: Kernel) -> None:
    order = kernel.submit_order("SYN", BUY, 5, limit=Decimal(1))
    assert kernel.cancel_order(order.id)
    assert order.status is OrderStatus.PENDING_CANCEL
    assert [r.kind for r in venue(kernel).pending()] == ["submit", "cancel"]
    apply_reports(kernel, [report(order.id, "accepted", broker_order_id="B"),
                           report(order.id, "canceled", broker_order_id="B")])  # fmt: skip
    assert order.status is OrderStatus.CANCELED
    assert venue(kernel).pending() == []


def test_a_broker_rejection_rejects_the_order_with_its_reason(kernel: Kernel) -> None:
    order = kernel.submit_order("SYN", BUY, 5)
    apply_reports(kernel, [report(order.id, "rejected", reason="insufficient buying power")])
    assert order.status is OrderStatus.REJECTED
    assert order.reject_reason is RejectReason.INSUFFICIENT_BUYING_POWER
    assert order.reject_message == "alpaca: insufficient buying power"
    assert any(isinstance(e, OrderRejected) for e in kernel.events)


def test_a_replacement_works_once_the_broker_replaced_and_is_rejected_if_it_refused(
    kernel: Kernel,
) -> None:
    order = kernel.submit_order("SYN", BUY, 5, limit=Decimal(1))
    apply_reports(kernel, [report(order.id, "accepted", broker_order_id="B1")])
    new = kernel.replace_order(order.id, limit=Decimal(2))
    assert order.status is OrderStatus.PENDING_REPLACE
    (request,) = venue(kernel).pending()
    assert (request.kind, request.replacement_id, request.limit_price) == (
        "replace", new.id, new.limit_price,
    )  # fmt: skip
    apply_reports(kernel, [report(order.id, "replaced", broker_order_id="B2")])
    assert order.status is OrderStatus.REPLACED
    assert kernel.open_orders() == [new]
    assert venue(kernel).broker_ids[new.id] == "B2"

    third = kernel.replace_order(new.id, limit=Decimal(3))
    apply_reports(kernel, [report(third.id, "rejected", reason="price out of range")])
    assert third.status is OrderStatus.REJECTED
    assert new.status is OrderStatus.PENDING_REPLACE  # works on, until it ends
    assert venue(kernel).pending() == []


def test_an_oco_fill_sends_the_cancel_of_the_other_side(kernel: Kernel) -> None:
    kernel.submit_order("SYN", BUY, 5)
    entry = kernel.orders[next(iter(kernel.orders))]
    apply_reports(kernel, [report(entry.id, "fill", fill_id="F0", qty=Decimal(5),
                                  price=Decimal(10))])  # fmt: skip
    mark = kernel.portfolio.mark("SYN")
    assert mark is not None
    oco = kernel.submit_order(
        "SYN", SELL, 5, limit=(mark * 2).quantize(Decimal("0.01")), order_class=OrderClass.OCO,
        stop_loss=(mark / 2).quantize(Decimal("0.01")),
    )  # fmt: skip
    (stop,) = [kernel.orders[leg] for leg in oco.legs]
    apply_reports(kernel, [report(oco.id, "fill", fill_id="F1", qty=Decimal(5),
                                  price=Decimal(20))])  # fmt: skip
    assert stop.status is OrderStatus.PENDING_CANCEL
    assert any(isinstance(e, CancelRequested) and e.order_id == stop.id for e in kernel.events)
    assert ("cancel", stop.id) in venue(kernel).outbox
    apply_reports(kernel, [report(stop.id, "canceled")])
    assert stop.status is OrderStatus.CANCELED
    assert any(isinstance(e, OrderCanceled) and e.order_id == stop.id for e in kernel.events)


def test_a_notional_order_is_refused_at_once(kernel: Kernel) -> None:
    order = kernel.submit_order("SYN", BUY, None, notional=Decimal(100))
    assert order.status is OrderStatus.REJECTED
    assert order.reject_reason is RejectReason.INVALID_ORDER
    assert venue(kernel).pending() == []
