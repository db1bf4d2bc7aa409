"""The event codec: exact JSON round trips, canonical payloads, corrupt input refused."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker import Backtest, SmaCrossover
from paperbroker.core.ids import AccountId, ClientOrderId, FillId, OrderId
from paperbroker.data import load_sample
from paperbroker.model.codec import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    CorruptEvent,
    decode_event,
    encode_event,
)
from paperbroker.model.enums import (
    AccountType,
    CheckTiming,
    ConfirmEmail,
    LiquiditySide,
    OrderClass,
    OrderSide,
    OrderType,
    RejectReason,
    TimeInForce,
)
from paperbroker.model.events import (
    AccountConfigured,
    AccountOpened,
    AdvanceRequested,
    AgentCommanded,
    BarReceived,
    CancelRequested,
    NewsPosted,
    OrderAccepted,
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReleased,
    OrderReplaced,
    OrderSized,
    OrderSubmitted,
    ReplaceRequested,
    SessionStateChanged,
)
from paperbroker.model.fill import Fill, FillRule

decimals = st.decimals(
    min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6, allow_nan=False
)
ts = st.integers(min_value=0, max_value=2**62)
order_ids = st.builds(OrderId, st.text(min_size=1, max_size=20))
texts = st.text(max_size=50)

fills = st.builds(
    Fill,
    id=st.builds(FillId, st.text(min_size=1, max_size=12)),
    order_id=order_ids,
    symbol=texts,
    side=st.sampled_from(OrderSide),
    qty=decimals,
    price=decimals,
    fee=decimals,
    ts=ts,
    liquidity=st.sampled_from(LiquiditySide),
    rule=st.sampled_from(FillRule),
    reference_price=decimals,
    slippage=decimals,
    path=st.sampled_from(["OHLC", "OLHC"]),
    bar_ts=ts,
    account_id=st.builds(AccountId, texts),
    model=texts,
    latency_ns=ts,
)
events = st.one_of(
    st.builds(
        OrderSubmitted,
        ts=ts,
        order_id=order_ids,
        client_order_id=st.builds(ClientOrderId, texts),
        account_id=st.builds(AccountId, texts),
        symbol=texts,
        side=st.sampled_from(OrderSide),
        order_type=st.sampled_from(OrderType),
        qty=decimals,
        time_in_force=st.sampled_from(TimeInForce),
        limit_price=st.none() | decimals,
        stop_price=st.none() | decimals,
        trail_price=st.none() | decimals,
        trail_percent=st.none() | decimals,
        notional=st.none() | decimals,
        order_class=st.sampled_from(OrderClass),
        parent_id=st.none() | order_ids,
        replaces=st.none() | order_ids,
        take_profit=st.none() | decimals,
        stop_loss=st.none() | decimals,
        stop_loss_limit=st.none() | decimals,
    ),
    st.builds(OrderAccepted, ts=ts, order_id=order_ids),
    st.builds(ReplaceRequested, ts=ts, order_id=order_ids, replacement_id=order_ids),
    st.builds(OrderReplaced, ts=ts, order_id=order_ids, replaced_by=order_ids),
    st.builds(OrderReleased, ts=ts, order_id=order_ids, qty=decimals),
    st.builds(OrderSized, ts=ts, order_id=order_ids, qty=decimals, price=decimals),
    st.builds(
        OrderRejected,
        ts=ts,
        order_id=order_ids,
        reason=st.sampled_from(RejectReason),
        message=texts,
    ),
    st.builds(OrderFilled, ts=ts, order_id=order_ids, fill=fills),
    st.builds(OrderCanceled, ts=ts, order_id=order_ids, reason=texts),
    st.builds(OrderExpired, ts=ts, order_id=order_ids),
    st.builds(CancelRequested, ts=ts, order_id=order_ids),
    st.builds(AdvanceRequested, ts=ts, until=ts),
    st.builds(AgentCommanded, ts=ts, agent=texts, action=texts, changes=texts),
    st.builds(NewsPosted, ts=ts, symbols=texts, headline=texts, source=texts),
    st.builds(SessionStateChanged, ts=ts, state=texts, trigger=texts, reason=texts),
    st.builds(
        BarReceived,
        ts=ts,
        symbol=texts,
        open=decimals,
        high=decimals,
        low=decimals,
        close=decimals,
        volume=decimals,
    ),
    st.builds(
        AccountOpened,
        ts=ts,
        account_id=st.builds(AccountId, texts),
        initial_cash=decimals,
        account_type=st.sampled_from(AccountType),
        leverage=decimals,
        intraday_leverage=st.none() | decimals,
    ),
    st.builds(
        AccountConfigured,
        ts=ts,
        account_id=st.builds(AccountId, texts),
        dtbp_check=st.sampled_from(CheckTiming),
        fractional_trading=st.booleans(),
        max_margin_multiplier=decimals,
        no_shorting=st.booleans(),
        pdt_check=st.sampled_from(CheckTiming),
        suspend_trade=st.booleans(),
        trade_confirm_email=st.sampled_from(ConfirmEmail),
        ptp_no_exception_entry=st.booleans(),
        max_options_trading_level=st.none() | st.integers(min_value=-(2**40), max_value=2**40),
    ),
)


@settings(max_examples=300)
@given(event=events)
def test_codec_any_event_round_trips_exactly_and_canonically(event: object) -> None:
    encoded = encode_event(event)  # type: ignore[arg-type]
    decoded = decode_event(*encoded)
    assert decoded == event
    assert type(decoded) is type(event)
    assert encode_event(decoded) == encoded


def test_codec_keeps_decimal_spelling_and_none() -> None:
    event = OrderSubmitted(
        ts=1,
        order_id=OrderId("O-1"),
        client_order_id=ClientOrderId("c"),
        account_id=AccountId("A-1"),
        symbol="AAPL",
        side=OrderSide.BUY,
        order_type=OrderType.LIMIT,
        qty=Decimal("10"),
        time_in_force=TimeInForce.DAY,
        limit_price=Decimal("42.4900"),
        stop_price=None,
    )
    kind, version, payload = encode_event(event)
    assert (kind, version) == ("OrderSubmitted", SCHEMA_VERSION)
    raw = json.loads(payload)
    assert raw["limit_price"] == "42.4900"
    assert raw["stop_price"] is None
    assert str(decode_event(kind, version, payload).limit_price) == "42.4900"  # type: ignore[union-attr]


def test_codec_every_event_of_a_backtest_round_trips() -> None:
    result = Backtest(
        load_sample("stocks", symbols=["AAPL"]), SmaCrossover, execution="ideal"
    ).run()
    kinds = set()
    for event in result.events:
        assert decode_event(*encode_event(event)) == event
        kinds.add(type(event).__name__)
    assert {"OrderSubmitted", "OrderAccepted", "OrderFilled", "OrderCanceled"} <= kinds


GOOD = encode_event(OrderAccepted(ts=5, order_id=OrderId("O-9")))


@pytest.mark.parametrize(
    ("kind", "version", "payload", "says"),
    [
        ("OrderVanished", 1, GOOD.payload, "unknown event kind"),
        (GOOD.kind, 99, GOOD.payload, "unsupported schema version 99"),
        (GOOD.kind, 1, '{"ts": 5}', "does not decode"),
        (GOOD.kind, 1, '{"ts": 5, "order_id": "O-9", "extra": 1}', "does not decode"),
        (GOOD.kind, 1, '{"ts": "5", "order_id": "O-9"}', "does not decode"),
        (GOOD.kind, 1, "not json", "does not decode"),
        (
            "OrderCanceled",
            1,
            '{"ts": 1, "order_id": "O", "reason": 3}',
            "does not decode",
        ),
    ],
)
def test_codec_corrupt_payload_raises_corrupt_event(
    kind: str, version: int, payload: str, says: str
) -> None:
    with pytest.raises(CorruptEvent, match=says):
        decode_event(kind, version, payload)


def test_codec_decimal_given_as_float_is_refused() -> None:
    # A float would carry binary noise into the books: only decimal strings are money.
    tampered = json.dumps(
        {"ts": 1, "order_id": "O-1", "client_order_id": "c", "account_id": "A", "symbol": "X",
         "side": "buy",
         "order_type": "market", "qty": 1.5, "time_in_force": "day", "limit_price": None,
         "stop_price": None}
    )  # fmt: skip
    with pytest.raises(CorruptEvent, match="decimal string"):
        decode_event("OrderSubmitted", 1, tampered)


def test_codec_registry_names_every_event_type() -> None:
    assert set(EVENT_TYPES) == {
        "OrderSubmitted",
        "OrderAccepted",
        "OrderRejected",
        "OrderDenied",
        "RiskCommanded",
        "BreakerTripped",
        "RiskAdjusted",
        "OrderFilled",
        "OrderCanceled",
        "OrderExpired",
        "AccountOpened",
        "CancelRequested",
        "AdvanceRequested",
        "ReplaceRequested",
        "OrderReplaced",
        "OrderReleased",
        "OrderSized",
        "AccountConfigured",
        "AgentCommanded",
        "NewsPosted",
        "SessionStateChanged",
        "BarReceived",
        "BrokerReported",
        "ReconciliationApplied",
    }


def test_codec_account_configured_refuses_a_number_where_a_switch_belongs() -> None:
    good = encode_event(
        AccountConfigured(
            1, AccountId("A"), CheckTiming.ENTRY, True, Decimal(4), False, CheckTiming.BOTH,
            False, ConfirmEmail.NONE, False, None,
        )
    )  # fmt: skip
    raw = json.loads(good.payload)
    assert raw["max_margin_multiplier"] == "4"
    assert raw["max_options_trading_level"] is None
    raw["suspend_trade"] = 1
    with pytest.raises(CorruptEvent, match="expected bool"):
        decode_event(good.kind, good.schema_version, json.dumps(raw))
