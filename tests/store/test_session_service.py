"""The session service: every verb, isolation between keys, restarts. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import pytest

from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.core.errors import Conflict, InvalidRequest, NotFound, OperationalError
from paperbroker.model.account import AccountConfig
from paperbroker.model.enums import AccountType, OrderSide, OrderStatus
from paperbroker.services.session_config import account_config
from paperbroker.services.sessions import SessionService
from paperbroker.services.views import AccountSettings, OrderRequest
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.store.db import SessionFactory
from paperbroker.store.journal import Journal
from paperbroker.store.keys import ApiKeys
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import ExecutionConfig, preset

START = datetime_to_ns(datetime(2012, 1, 3, 14, 30, tzinfo=UTC))  # 09:30 New York
END = datetime_to_ns(datetime(2012, 3, 30, 21, 0, tzinfo=UTC))
DAY = 24 * 60 * NANOS_PER_MINUTE
#: Every order fills in full at the rule's price, at once, for free.
IDEAL = {"preset": "ideal"}


@cache
def market() -> MarketData:
    return MarketData.bundled()


@pytest.fixture
def service(factory: SessionFactory) -> Iterator[SessionService]:
    service = SessionService(factory=factory, market=market())
    yield service
    service.shutdown()


def market_buy(symbol: str, qty: str) -> OrderRequest:
    return OrderRequest(symbol=symbol, side="buy", qty=qty, type="market")


def test_service_example_flow_buys_ten_aapl_at_the_open(
    service: SessionService, owner: str
) -> None:
    session = service.create(
        owner, start_ns=START, end_ns=END, name="demo", initial_cash=None, execution=IDEAL
    )
    assert (session.status, session.playback_state, session.playback_speed) == (
        "active",
        "paused",
        1.0,
    )
    assert (session.current_time, session.initial_cash) == (START, Decimal(100_000))
    account = service.open_account(owner, session.id, None)
    order = service.submit_order(owner, session.id, account.id, market_buy("AAPL", "10")).order
    assert order.status is OrderStatus.ACCEPTED
    assert service.positions(owner, session.id, account.id) == []
    moved = service.advance(owner, session.id)
    assert (moved.previous_time, moved.current_time, moved.is_completed) == (
        START, START + NANOS_PER_MINUTE, False,
    )  # fmt: skip
    (position,) = service.positions(owner, session.id, account.id)
    assert (position.symbol, position.qty, position.side) == ("AAPL", Decimal(10), "long")
    books = service.account(owner, session.id, account.id)
    assert books.cash == Decimal(100_000) - 10 * position.avg_entry_price


def test_service_sessions_are_invisible_to_other_keys(
    service: SessionService, owner: str, keys: ApiKeys
) -> None:
    other, _ = keys.create("other")
    session = service.create(owner, start_ns=START, end_ns=END, name=None, initial_cash=None)
    assert service.list(other) == []
    assert [s.id for s in service.list(owner)] == [session.id]
    account = service.account(owner, session.id, service.open_account(owner, session.id, None).id)
    for call in (
        lambda: service.get(other, session.id),
        lambda: service.advance(other, session.id),
        lambda: service.open_account(other, session.id, None),
        lambda: service.account(other, session.id, account.id),
        lambda: service.orders(other, session.id, account.id),
        lambda: service.submit_order(other, session.id, account.id, market_buy("AAPL", "1")),
        lambda: service.delete(other, session.id),
    ):
        with pytest.raises(NotFound):
            call()


def test_service_advance_by_duration_to_target_and_past_the_end(
    service: SessionService, owner: str
) -> None:
    s = service.create(owner, start_ns=START, end_ns=END, name=None, initial_cash=None)
    assert (
        service.advance(owner, s.id, minutes=Decimal(90)).current_time
        == START + 90 * NANOS_PER_MINUTE
    )
    assert service.advance(owner, s.id, target_ns=START + DAY).current_time == START + DAY
    with pytest.raises(InvalidRequest, match="before"):
        service.advance(owner, s.id, target_ns=START)
    with pytest.raises(InvalidRequest, match="not both"):
        service.advance(owner, s.id, minutes=Decimal(1), target_ns=END)
    with pytest.raises(InvalidRequest, match="positive"):
        service.advance(owner, s.id, minutes=Decimal(0))
    done = service.advance(owner, s.id, target_ns=END + DAY)
    assert (done.current_time, done.is_completed) == (END, True)
    assert service.get(owner, s.id).status == "completed"
    with pytest.raises(Conflict, match="completed"):
        service.submit_order(owner, s.id, service.get(owner, s.id).id, market_buy("AAPL", "1"))


def test_service_play_moves_the_clock_in_the_background_until_paused(
    service: SessionService, owner: str
) -> None:
    s = service.create(owner, start_ns=START, end_ns=END, name=None, initial_cash=None)
    speed = 600.0  # ten simulated minutes per wall second
    service.set_speed(owner, s.id, speed)
    began = time.monotonic_ns()
    assert service.play(owner, s.id).playback_state == "playing"
    with pytest.raises(Conflict, match="playing"):
        service.advance(owner, s.id)
    deadline = time.monotonic() + 10
    while service.get(owner, s.id).current_time == START and time.monotonic() < deadline:
        time.sleep(0.05)  # a loaded machine may run the first tick late
    paused = service.pause(owner, s.id)
    wall = time.monotonic_ns() - began
    assert paused.playback_state == "paused"
    moved = paused.current_time - START
    # It moved, by no more than speed x the wall time that passed.
    assert 0 < moved <= speed * wall
    time.sleep(0.3)
    assert service.get(owner, s.id).current_time == paused.current_time  # stopped for good


def test_service_order_fields_are_validated(service: SessionService, owner: str) -> None:
    s = service.create(owner, start_ns=START, end_ns=END, name=None, initial_cash=None)
    account = service.open_account(owner, s.id, Decimal(1_000)).id
    bad = [
        (OrderRequest("AAPL", "hold", "1", "market"), "side 'hold'"),
        (OrderRequest("AAPL", "buy", "1", "limit"), "limit_price is required"),
        (
            OrderRequest("AAPL", "buy", "1", "market", limit_price="10"),
            "limit_price is not allowed",
        ),
        (OrderRequest("AAPL", "buy", "1", "stop"), "stop_price is required"),
        (OrderRequest("AAPL", "buy", "x", "market"), "qty 'x'"),
        (OrderRequest("AAPL", "buy", "1", "market", time_in_force="gtd"), "time_in_force 'gtd'"),
        (OrderRequest("NOPE", "buy", "1", "market"), "unknown symbol"),
    ]
    for request, message in bad:
        with pytest.raises(InvalidRequest, match=message):
            service.submit_order(owner, s.id, account, request)
    too_big = service.submit_order(owner, s.id, account, market_buy("AAPL", "1000"))
    assert too_big.order.status is OrderStatus.REJECTED  # 1 000 of cash: a refusal, not an error


def test_service_orders_cancel_and_close_position(service: SessionService, owner: str) -> None:
    s = service.create(
        owner, start_ns=START, end_ns=END, name=None, initial_cash=None, execution=IDEAL
    )
    account = service.open_account(owner, s.id, None).id
    resting = service.submit_order(
        owner, s.id, account, OrderRequest("IBM", "buy", "5", "limit", "gtc", limit_price="10.00")
    ).order
    service.submit_order(owner, s.id, account, market_buy("AAPL", "10"))
    service.advance(owner, s.id)
    assert [v.order.id for v in service.orders(owner, s.id, account, "open")] == [resting.id]
    assert len(service.orders(owner, s.id, account, "closed")) == 1
    assert len(service.orders(owner, s.id, account, "all")) == 2
    canceled = service.cancel_order(owner, s.id, account, resting.id).order
    assert canceled.status is OrderStatus.CANCELED
    with pytest.raises(Conflict, match="cannot be canceled"):
        service.cancel_order(owner, s.id, account, resting.id)
    closing = service.close_position(owner, s.id, account, "AAPL").order
    assert (closing.side.value, closing.qty) == ("sell", Decimal(10))
    service.advance(owner, s.id, minutes=Decimal(60 * 24))
    with pytest.raises(NotFound):
        service.position(owner, s.id, account, "AAPL")


def test_service_restart_restores_sessions_in_their_state_with_their_speed(
    factory: SessionFactory, owner: str
) -> None:
    first = SessionService(factory=factory, market=market())
    s = first.create(
        owner, start_ns=START, end_ns=END, name="keep", initial_cash=Decimal(50_000),
        execution=IDEAL,
    )  # fmt: skip
    paused = first.create(owner, start_ns=START, end_ns=END, name="rest", initial_cash=None)
    account = first.open_account(owner, s.id, None).id
    first.submit_order(owner, s.id, account, market_buy("MSFT", "7"))
    first.set_speed(owner, s.id, 50.0)
    first.play(owner, s.id)
    time.sleep(0.5)
    first.shutdown()  # the process goes away while playing
    before = first.get(owner, s.id)

    second = SessionService(factory=factory, market=market())
    second.restore_all()
    after = second.get(owner, s.id)
    assert (after.state, after.playback_state, after.playback_speed) == (
        "running", "playing", 50.0,
    )  # fmt: skip
    assert after.current_time >= before.current_time  # and it plays on
    assert after.initial_cash == Decimal(50_000)
    (position,) = second.positions(owner, s.id, account)
    assert (position.symbol, position.qty) == ("MSFT", Decimal(7))
    assert second.get(owner, paused.id).state == "paused"
    assert second.pause(owner, s.id).state == "paused"
    second.shutdown()


def test_service_delete_removes_the_session(service: SessionService, owner: str) -> None:
    s = service.create(owner, start_ns=START, end_ns=END, name=None, initial_cash=None)
    service.delete(owner, s.id)
    with pytest.raises(NotFound):
        service.get(owner, s.id)
    assert service.list(owner) == []


def test_service_concurrent_first_requests_share_one_restored_session(
    factory: SessionFactory, owner: str
) -> None:
    first = SessionService(factory=factory, market=market())
    s = first.create(owner, start_ns=START, end_ns=END, name=None, initial_cash=None)
    account = first.open_account(owner, s.id, None).id
    first.shutdown()

    fresh = SessionService(factory=factory, market=market())  # nothing loaded yet
    errors: list[BaseException] = []

    def client() -> None:
        try:
            for _ in range(5):
                fresh.submit_order(owner, s.id, account, market_buy("AAPL", "1"))
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    orders = fresh.orders(owner, s.id, account, "all")
    assert len(orders) == 40
    assert all(v.order.status is OrderStatus.ACCEPTED for v in orders)
    restored = SessionService(factory=factory, market=market())
    assert len(restored.orders(owner, s.id, account, "all")) == 40  # every ack is durable
    fresh.shutdown()
    restored.shutdown()


def test_service_stores_execution_and_account_with_the_session(
    factory: SessionFactory, owner: str
) -> None:
    first = SessionService(factory=factory, market=market())
    execution = {"preset": "crypto_taker", "seed": 9, "latency": {"model": "none"}}
    s = first.create(
        owner, start_ns=START, end_ns=END, name=None, initial_cash=None, execution=execution,
        account=AccountSettings("margin", leverage=Decimal(3)),
    )  # fmt: skip
    assert s.execution == ExecutionConfig.from_json(execution).to_json()
    assert s.account == AccountConfig(AccountType.MARGIN, Decimal(3))
    stored = json.loads(SessionsRepo(factory).get(owner, s.id).config)
    assert stored["execution"] == s.execution
    assert stored["account"] == {"type": "margin", "leverage": "3", "intraday_leverage": None}
    account = first.open_account(owner, s.id, None).id
    first.submit_order(owner, s.id, account, OrderRequest("MSFT", "sell", "5", "market"))
    first.advance(owner, s.id, target_ns=START + DAY)
    before = first.get(owner, s.id)
    first.shutdown()

    second = SessionService(factory=factory, market=market())
    second.restore_all()
    after = second.get(owner, s.id)
    assert (after.execution, after.account) == (before.execution, before.account)
    assert after.execution_quality == before.execution_quality
    assert after.execution_quality.fees > 0  # crypto_taker's 0.1 % per fill
    second.shutdown()


def test_service_restores_a_session_stored_before_execution_settings_as_ideal_cash(
    factory: SessionFactory, owner: str, journal: Journal
) -> None:
    record = SessionsRepo(factory).create(
        owner, name="old", simulation_start=START, simulation_end=END,
        config=json.dumps({"initial_cash": "100000", "playback_speed": 2.0}),
    )  # fmt: skip
    old = SessionRuntime(SessionSpec(record.id, START, END, Decimal(100_000)), market(), journal)
    old.submit_order(old.default_account_id, "AAPL", OrderSide.BUY, 10)
    old.advance_to(START + NANOS_PER_MINUTE)  # filled at the open: the ideal venue

    service = SessionService(factory=factory, market=market())
    service.restore_all()
    view = service.get(owner, record.id)
    assert view.execution == preset("ideal").to_json()
    assert (view.account, view.playback_speed) == (AccountConfig(), 2.0)
    (position,) = service.positions(owner, record.id, old.default_account_id)
    assert position.qty == Decimal(10)
    service.shutdown()


#: An execution as sessions have stored it since they had one (``to_json()``, byte for byte):
#: seeded partial fills and latency, so a replay that drew differently would not match.
STORED_EXECUTION = (
    '{"preset": "alpaca_paper", "seed": 7, "intrabar": "OHLC", "slippage": {"model": "sum", '
    '"parts": [{"model": "half_spread", "spread_bps": "2"}, {"model": "sqrt_impact", "k": "1.0", '
    '"max_cost": "0.05"}]}, "fill_quantity": {"model": "random_partial", "probability": "0.9", '
    '"min_fraction": "0.1", "max_fraction": "0.9", "seed": 7}, "fees": {"model": "schedule", '
    '"base": {"model": "per_share", "per_share": "0.005", "minimum": "1.00", "maximum": null, '
    '"maximum_pct": "0.01", "round_to": "0.01"}, "regulatory": {"model": "regulatory", '
    '"sec_rate_per_million": "27.80", "taf_per_share": "0.000166", "taf_max": "8.30"}}, '
    '"latency": {"model": "jittered", "base_ms": "50", "jitter_ms": "20", "seed": 7}}'
)


def test_service_restores_a_session_stored_with_an_execution_document(
    factory: SessionFactory, owner: str, journal: Journal
) -> None:
    execution = json.loads(STORED_EXECUTION)
    record = SessionsRepo(factory).create(
        owner, name="stored", simulation_start=START, simulation_end=END,
        config=json.dumps({"initial_cash": "100000", "playback_speed": 1.0,
                           "execution": execution}),
    )  # fmt: skip
    spec = SessionSpec(
        record.id, START, END, Decimal(100_000), execution=ExecutionConfig.from_json(execution)
    )
    old = SessionRuntime(spec, market(), journal)
    account = old.default_account_id
    for symbol in ("AAPL", "MSFT", "IBM", "GOOG"):  # a bar fills part of each, 9 times in 10
        old.submit_order(account, symbol, OrderSide.BUY, 20, tif="gtc")
    old.advance_to(START + DAY)
    fills = [(o.symbol, o.status, o.filled_qty) for o in old.orders(account)]
    assert any(status is OrderStatus.PARTIALLY_FILLED for _, status, _ in fills)

    service = SessionService(factory=factory, market=market())
    service.restore_all()  # the journal must replay, draw for draw, or the session is refused
    view = service.get(owner, record.id)
    assert json.dumps(view.execution) == STORED_EXECUTION
    restored = service.orders(owner, record.id, account, "all")
    assert sorted((v.order.symbol, v.order.status, v.order.filled_qty) for v in restored) == (
        sorted(fills)
    )
    service.shutdown()


@pytest.mark.parametrize(
    ("execution", "account", "named"),
    [
        ({"preset": "fast"}, None, "execution.preset"),
        ({"slippage": {"model": "fixed_bps"}}, None, "execution.slippage.bps"),
        (None, AccountSettings("loan"), "account.type"),
        (None, AccountSettings("cash", leverage=Decimal(2)), "account.leverage"),
        (None, AccountSettings("margin", leverage=Decimal("0.5")), "account.leverage"),
        (None, AccountSettings("margin", Decimal(3), Decimal(2)), "account.intradayLeverage"),
    ],
)
def test_service_refuses_bad_settings_and_creates_nothing(
    service: SessionService,
    owner: str,
    execution: dict[str, object] | None,
    account: AccountSettings | None,
    named: str,
) -> None:
    with pytest.raises(InvalidRequest, match=re.escape(named)):
        service.create(
            owner, start_ns=START, end_ns=END, name=None, initial_cash=None,
            execution=execution, account=account,
        )  # fmt: skip
    assert service.list(owner) == []


def test_service_refuses_to_serve_a_session_whose_settings_do_not_read(
    service: SessionService, factory: SessionFactory, owner: str
) -> None:
    record = SessionsRepo(factory).create(
        owner, name="odd", simulation_start=START, simulation_end=END,
        config=json.dumps({"initial_cash": "1", "execution": {"preset": "gone"}}),
    )  # fmt: skip
    with pytest.raises(OperationalError, match="stored settings"):
        service.get(owner, record.id)


def test_account_config_defaults_to_reg_t_for_margin() -> None:
    assert account_config(AccountSettings()) == AccountConfig()
    assert account_config(AccountSettings("margin")) == AccountConfig.reg_t()
    assert account_config(AccountSettings("MARGIN", intraday_leverage=Decimal(6))) == (
        AccountConfig(AccountType.MARGIN, Decimal(2), Decimal(6))
    )


def test_service_a_request_during_restore_all_gets_the_one_restored_session(
    factory: SessionFactory, owner: str
) -> None:
    """The server restores in the background while it answers: a request for a session
    whose restore is under way waits for that restore instead of making a second one."""
    first = SessionService(factory=factory, market=market())
    s = first.create(
        owner, start_ns=START, end_ns=END, name="busy", initial_cash=None, execution=IDEAL
    )
    resting = OrderRequest(symbol="AAPL", side="buy", qty="1", type="limit", limit_price="1")
    for _ in range(300):
        first.submit_order(owner, s.id, s.default_account_id, resting)
    first.shutdown()

    second = SessionService(factory=factory, market=market())
    restoring = threading.Thread(target=second.restore_all)
    restoring.start()
    seen = second.runtime(owner, s.id)  # restores it, or waits for the restore under way
    restoring.join()
    assert second.runtime(owner, s.id) is seen
    assert len(seen.kernel.open_orders()) == 300
    second.shutdown()


def test_service_restore_all_stops_once_the_service_shuts_down(
    factory: SessionFactory, owner: str
) -> None:
    first = SessionService(factory=factory, market=market())
    for name in ("one", "two"):
        first.create(owner, start_ns=START, end_ns=END, name=name, initial_cash=None)
    first.shutdown()
    second = SessionService(factory=factory, market=market())
    second.shutdown()
    second.restore_all()
    assert second._live == {}


def test_service_restore_all_restores_only_the_sessions_stored_before_it_answered(
    factory: SessionFactory, owner: str
) -> None:
    """A session a request creates while the background restore runs belongs to that
    request: the restore must not load it too (two runtimes, two feeds)."""
    first = SessionService(factory=factory, market=market())
    old = first.create(owner, start_ns=START, end_ns=END, name="old", initial_cash=None)
    first.shutdown()
    second = SessionService(factory=factory, market=market())
    stored = second.stored_sessions()  # what the server reads before it answers
    # A request's create under way: its record is written, its runtime not yet published.
    being_made = SessionsRepo(factory).create(
        owner, name="new", simulation_start=START, simulation_end=END
    )
    second.restore_all(stored)
    assert set(second._live) == {old.id}
    assert being_made.id not in second._live
    second.shutdown()
