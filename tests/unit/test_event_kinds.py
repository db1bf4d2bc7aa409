"""Event kinds for the stream and the feed: topics by table and rule, severities, messages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from tests.builders import make_fill

from paperbroker.core.ids import AccountId, ClientOrderId, OrderId
from paperbroker.model.codec import encode_event
from paperbroker.model.enums import OrderSide, OrderType, RejectReason, TimeInForce
from paperbroker.model.events import (
    AdvanceRequested,
    Event,
    OrderAccepted,
    OrderFilled,
    OrderRejected,
    OrderSubmitted,
    ReconciliationApplied,
    SessionStateChanged,
)
from paperbroker.services.event_kinds import (
    TOPIC_BY_KIND,
    TOPICS,
    committed_event,
    journal_event,
    message_of,
    session_event,
    topic_of,
)
from paperbroker.session.spec import Committed
from paperbroker.store.journal import EncodedEvent
from paperbroker.store.system_events import severity_of

ORDER = OrderId("0f6c5a52-0000-0000-0000-000000000001")
SESSION = "5b1b7c9e-0000-0000-0000-000000000000"


def submitted(**changes: object) -> OrderSubmitted:
    fields: dict[str, object] = {
        "ts": 1,
        "order_id": ORDER,
        "client_order_id": ClientOrderId("c1"),
        "account_id": AccountId("a1"),
        "symbol": "AAPL",
        "side": OrderSide.SELL,
        "order_type": OrderType.LIMIT,
        "qty": Decimal("10"),
        "time_in_force": TimeInForce.DAY,
        "limit_price": Decimal("412.50"),
        "stop_price": None,
        **changes,
    }
    return OrderSubmitted(**fields)  # type: ignore[arg-type]


def stream_event(event: Event, seq: int = 7) -> tuple[str | None, str | None, str | None]:
    streamed = committed_event(SESSION, Committed(seq, event))
    return streamed.topic, streamed.severity, streamed.message


@pytest.mark.parametrize(
    ("kind", "topic"),
    [
        ("OrderFilled", "fills"),
        ("OrderSubmitted", "orders"),
        ("CancelRequested", "orders"),
        ("OrderSomethingNew", "orders"),  # rule: an Order… kind
        ("AgentCommanded", "agents"),
        ("AgentFailed", "agents"),  # rule: an Agent… kind
        ("SessionStateChanged", "sessions"),
        ("SessionPaused", "sessions"),  # rule: a Session… kind
        ("AccountOpened", "sessions"),
        ("SomethingElseEntirely", "sessions"),  # rule: whatever is left
        ("AdvanceRequested", None),  # the clock moving: in no topic
        ("BarReceived", None),  # market data: in no topic
    ],
)
def test_every_kind_has_its_topic_by_the_table_then_the_rules(kind: str, topic: str | None) -> None:
    assert topic_of(kind) == topic


def test_the_table_names_only_topics_there_are() -> None:
    assert set(TOPIC_BY_KIND.values()) <= {*TOPICS, None}


@pytest.mark.parametrize(
    ("kind", "state", "severity"),
    [
        ("OrderRejected", None, "warning"),
        ("OrderDenied", None, "warning"),
        ("SystemStartFailed", None, "error"),
        ("AgentError", None, "error"),
        ("SessionKilled", None, "error"),
        ("SessionStateChanged", "killed", "error"),
        ("SessionStateChanged", "error", "error"),
        ("SessionStateChanged", "paused", "info"),
        ("OrderFilled", None, "info"),
        ("OrderCanceled", None, "info"),
    ],
)
def test_the_severity_rule(kind: str, state: str | None, severity: str) -> None:
    assert severity_of(kind, state) == severity


def test_a_fill_is_heard_on_fills_with_a_sentence_of_what_happened() -> None:
    fill = OrderFilled(5, ORDER, make_fill(OrderSide.BUY, "10", "123.45", symbol="AAPL"))
    assert stream_event(fill) == ("fills", "info", "buy 10 AAPL filled at 123.45")


def test_messages_of_orders_say_what_happened_to_which_order() -> None:
    assert stream_event(submitted()) == (
        "orders", "info", "sell 10 AAPL limit 412.50 submitted (0f6c5a52)",
    )  # fmt: skip
    assert stream_event(OrderAccepted(2, ORDER))[2] == "order 0f6c5a52 accepted"
    rejected = OrderRejected(2, ORDER, RejectReason.INSUFFICIENT_BUYING_POWER, "needs 5 more")
    assert stream_event(rejected) == (
        "orders", "warning",
        "order 0f6c5a52 rejected (insufficient_buying_power): needs 5 more",
    )  # fmt: skip


def test_a_kill_is_an_error_and_the_clock_is_not_activity() -> None:
    killed = SessionStateChanged(3, "killed", "kill", "by hand")
    assert stream_event(killed) == ("sessions", "error", "session killed (kill): by hand")
    assert stream_event(AdvanceRequested(3, 9)) == (None, None, None)


def test_a_payload_of_an_unexpected_shape_still_says_what_it_is() -> None:
    assert message_of("OrderFilled", {"fill": "?"}) == "order filled"
    assert message_of("BrandNewThingHappened", {}) == "brand new thing happened"
    event = session_event(SESSION, 1, "OrderAccepted", 1, "not json")
    assert json.loads(event.data) == {"payload": "not json"}  # never a broken frame
    assert len(message_of("NewsPosted", {"symbols": "A", "headline": "x" * 500})) == 160


def test_a_journal_row_and_a_live_commit_make_the_same_event() -> None:
    event = submitted(side=OrderSide.BUY, order_type=OrderType.MARKET, limit_price=None)
    kind, version, payload = encode_event(event)
    stored = journal_event(SESSION, EncodedEvent(4, event.ts, kind, version, payload))
    assert stored == committed_event(SESSION, Committed(4, event))
    assert stored.stream == f"session:{SESSION}"
    assert stored.message == "buy 10 AAPL market submitted (0f6c5a52)"


def test_a_reconciliation_is_heard_on_sessions_saying_what_it_found_and_who_approved() -> None:
    differences = '[{"kind": "cash_drift", "message": "cash"}, {"kind": "unknown_order"}]'
    adopted = ReconciliationApplied(3, "9d1c0f2e-0000", differences, '{"cash": "1"}')
    assert stream_event(adopted) == (
        "sessions", "info", "books reconciled with the broker: 2 difference(s) (run 9d1c0f2e)",
    )  # fmt: skip
    approved = adopted._replace(by="alice")
    assert stream_event(approved)[2] == (
        "books reconciled with the broker: 2 difference(s) (run 9d1c0f2e, approved by alice)"
    )
