"""A session journaled command by command, and rebuilt exactly from its journal.

Runs on SQLite and on PostgreSQL.  The market is the bundled daily data, whose
bars open at 09:30 and close at 16:00 New York: a session started at a day's
09:30 with a market order, advanced one minute, holds the shares bought at that
day's open.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import pytest
from sqlalchemy import text

from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.core.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    PaperbrokerError,
)
from paperbroker.model.account import AccountConfig
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import OrderFilled
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.store.db import SessionFactory
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import preset

BUY, SELL = OrderSide.BUY, OrderSide.SELL
# 2012-01-03 was a Tuesday; 09:30 New York is 14:30 UTC in winter.
START = datetime_to_ns(datetime(2012, 1, 3, 14, 30, tzinfo=UTC))
END = datetime_to_ns(datetime(2012, 1, 31, 21, 0, tzinfo=UTC))


@cache
def market() -> MarketData:
    return MarketData.bundled()


@pytest.fixture
def spec(repo: SessionsRepo, owner: str) -> SessionSpec:
    record = repo.create(owner, name="s", simulation_start=START, simulation_end=END)
    return SessionSpec(record.id, START, END, Decimal(100_000))


def test_session_market_buy_at_the_open_fills_after_one_minute(
    spec: SessionSpec, journal: Journal
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    order = runtime.submit_order(account, "AAPL", BUY, 10)
    assert order.status is OrderStatus.ACCEPTED  # priced by the previous close; nothing filled
    assert runtime.books(account).positions["AAPL"].qty == 0
    before, after = runtime.advance_to(START + NANOS_PER_MINUTE)
    assert (before, after) == (START, START + NANOS_PER_MINUTE)
    assert order.status is OrderStatus.FILLED
    position = runtime.books(account).positions["AAPL"]
    assert position.qty == 10
    raw_open = market().series_until(END)[0]  # AAPL comes first
    assert raw_open.symbol == "AAPL"
    assert order.avg_fill_price == Decimal(repr(float(raw_open.open[raw_open.ts > START][0])))


def test_session_every_command_is_journaled_before_it_returns(
    spec: SessionSpec, journal: Journal
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    runtime.submit_order(account, "AAPL", BUY, 10)
    assert [e.kind for e in journal.read(spec.session_id)] == ["OrderSubmitted", "OrderAccepted"]
    runtime.advance_to(START + NANOS_PER_MINUTE)
    kinds = [e.kind for e in journal.read(spec.session_id)]
    assert kinds == ["OrderSubmitted", "OrderAccepted", "AdvanceRequested", "OrderFilled"]
    assert [e.seq for e in journal.read(spec.session_id)] == [1, 2, 3, 4]


def test_session_restore_rebuilds_everything_exactly(spec: SessionSpec, journal: Journal) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    default = runtime.default_account_id
    second = runtime.open_account(Decimal(5_000)).account.id
    runtime.submit_order(default, "AAPL", BUY, 10)
    runtime.submit_order(second, "MSFT", BUY, 20, limit="20.00", tif="gtc")
    resting = runtime.submit_order(default, "IBM", BUY, 5, limit="150.00", tif="gtc")
    runtime.advance_to(START + 3 * 24 * 60 * NANOS_PER_MINUTE)
    runtime.cancel_order(default, resting.id)
    runtime.submit_order(default, "AAPL", SELL, 4, client_order_id="trim")
    runtime.advance_to(START + 5 * 24 * 60 * NANOS_PER_MINUTE)

    restored = SessionRuntime.restore(spec, market(), journal)
    assert restored.now_ns == runtime.now_ns
    assert restored.kernel.events == runtime.kernel.events
    for account in (default, second):
        a, b = runtime.books(account), restored.books(account)
        assert a.cash == b.cash
        assert {s: p.qty for s, p in a.positions.items()} == {
            s: p.qty for s, p in b.positions.items()
        }
        assert [(o.id, o.status, o.filled_qty) for o in runtime.orders(account)] == [
            (o.id, o.status, o.filled_qty) for o in restored.orders(account)
        ]
    # The restored session carries on where the first one stopped, with the same ids.
    after = restored.submit_order(default, "AAPL", BUY, 1)
    assert after.id not in runtime.kernel.orders
    assert journal.last_seq(spec.session_id) == len(restored.kernel.events) - restored._base


def test_session_restore_keeps_a_journal_that_does_not_replay_read_only(
    spec: SessionSpec, journal: Journal, factory: SessionFactory
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    runtime.submit_order(runtime.default_account_id, "AAPL", BUY, 10)
    runtime.advance_to(START + NANOS_PER_MINUTE)
    fill_seq = next(e.seq for e in journal.read(spec.session_id) if e.kind == "OrderFilled")
    with factory.begin() as db:  # someone edits a fill's price behind the journal's back
        db.execute(
            text(
                'UPDATE session_events SET payload = replace(payload, \'"price":"\', '
                '\'"price":"1\') WHERE session_id = :s AND seq = :q'
            ),
            {"s": spec.session_id, "q": fill_seq},
        )
    restored = SessionRuntime.restore(spec, market(), journal)
    assert restored.diverged is not None
    assert f"from seq {fill_seq} (OrderFilled) on" in restored.diverged
    # Its history up to the advance that filled, as recorded: the order, no fill.
    assert not any(isinstance(e, OrderFilled) for e in restored.kernel.events)
    assert restored.now_ns == START
    with pytest.raises(Conflict, match="read-only"):
        restored.advance_to(START + NANOS_PER_MINUTE)
    with pytest.raises(Conflict, match="read-only"):
        restored.submit_order(restored.default_account_id, "AAPL", BUY, 1)
    assert len(journal.read(spec.session_id)) == fill_seq  # the record is not rewritten


def test_session_fills_are_never_duplicated_across_restores(
    spec: SessionSpec, journal: Journal
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    runtime.submit_order(runtime.default_account_id, "AAPL", BUY, 10)
    for step in range(1, 4):
        runtime = SessionRuntime.restore(spec, market(), journal)
        runtime.advance_to(START + step * 24 * 60 * NANOS_PER_MINUTE)
    fills = [e for e in runtime.kernel.events if isinstance(e, OrderFilled)]
    assert len(fills) == 1
    assert runtime.books(runtime.default_account_id).positions["AAPL"].qty == 10


def test_session_advance_stops_at_the_end_and_completes(
    spec: SessionSpec, journal: Journal
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    before, after = runtime.advance_to(END + 10**15)
    assert (before, after) == (START, END)
    assert runtime.completed
    with pytest.raises(Conflict, match="completed"):
        runtime.submit_order(runtime.default_account_id, "AAPL", BUY, 1)
    with pytest.raises(Conflict, match="completed"):
        runtime.advance_to(END + 1)


def test_session_bad_commands_change_nothing(spec: SessionSpec, journal: Journal) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    with pytest.raises(InvalidRequest):
        runtime.advance_to(START - 1)
    with pytest.raises(NotFound):
        runtime.submit_order("no-such-account", "AAPL", BUY, 1)
    with pytest.raises(InvalidRequest):
        runtime.submit_order(runtime.default_account_id, "NOPE", BUY, 1)
    with pytest.raises(NotFound):
        runtime.cancel_order(runtime.default_account_id, "no-such-order")
    assert journal.read(spec.session_id) == []


def test_session_failed_write_poisons_the_runtime(
    spec: SessionSpec, journal: Journal, repo: SessionsRepo, owner: str
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    repo.delete(owner, spec.session_id)  # the journal refuses appends for a deleted session
    with pytest.raises(NotFound):
        runtime.submit_order(runtime.default_account_id, "AAPL", BUY, 1)
    assert runtime.poisoned
    with pytest.raises(Conflict, match="reloaded"):
        runtime.advance_to(START + NANOS_PER_MINUTE)


def test_session_default_spec_is_the_ideal_venue_with_a_cash_account(spec: SessionSpec) -> None:
    assert spec.execution == preset("ideal")
    assert spec.account == AccountConfig()


def test_session_runs_its_execution_models_and_restores_only_with_them(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    record = repo.create(owner, name="s", simulation_start=START, simulation_end=END)
    realistic = SessionSpec(
        record.id, START, END, Decimal(100_000), preset("equities_realistic", seed=5)
    )
    runtime = SessionRuntime(realistic, market(), journal)
    order = runtime.submit_order(runtime.default_account_id, "AAPL", BUY, 100)
    runtime.advance_to(START + 24 * 60 * NANOS_PER_MINUTE)
    [fill] = [e.fill for e in runtime.kernel.events if isinstance(e, OrderFilled)]
    assert fill.fee > 0  # the per-share commission
    assert fill.slippage > 0  # half the spread and the impact
    assert 30_000_000 <= fill.latency_ns <= 70_000_000  # 50 +- 20 ms
    assert order.status is OrderStatus.FILLED
    quality = runtime.execution_quality()
    assert (quality.fills, quality.fees) == (1, fill.fee)

    restored = SessionRuntime.restore(realistic, market(), journal)
    assert restored.kernel.events == runtime.kernel.events
    ideal = SessionSpec(record.id, START, END, Decimal(100_000))
    other_seed = replace(realistic, execution=preset("equities_realistic", seed=6))
    for other in (ideal, other_seed):  # its fill differs: the session stops short of it
        elsewhere = SessionRuntime.restore(other, market(), journal)
        assert elsewhere.diverged is not None
        assert "(OrderFilled) on" in elsewhere.diverged


def test_session_accounts_take_the_session_account_settings(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    record = repo.create(owner, name="s", simulation_start=START, simulation_end=END)
    margin = SessionSpec(record.id, START, END, Decimal(100_000), account=AccountConfig.reg_t())
    runtime = SessionRuntime(margin, market(), journal)
    second = runtime.open_account(Decimal(10_000)).account
    assert second.config == AccountConfig.reg_t()
    short = runtime.submit_order(second.id, "MSFT", SELL, 10)
    assert short.status is OrderStatus.ACCEPTED  # a cash account would refuse it
    restored = SessionRuntime.restore(margin, market(), journal)
    assert restored.books(second.id).account.config == AccountConfig.reg_t()
    assert restored.kernel.events == runtime.kernel.events


def test_session_replace_and_legs_are_journaled_and_replayed(
    spec: SessionSpec, journal: Journal
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    entry = runtime.submit_order(
        account, "AAPL", BUY, 10, limit="300.00", tif="gtc", order_class="bracket",
        take_profit="500.00", stop_loss="250.00",
    )  # fmt: skip
    assert [leg.status for leg in runtime.legs(entry)] == [OrderStatus.HELD] * 2
    new = runtime.replace_order(account, entry.id, limit="420.00")
    assert (new.replaces, entry.status, entry.replaced_by) == (
        entry.id, OrderStatus.REPLACED, new.id,
    )  # fmt: skip
    with pytest.raises(Conflict):
        runtime.replace_order(account, entry.id, limit="421.00")
    runtime.advance_to(START + NANOS_PER_MINUTE)
    assert new.status is OrderStatus.FILLED
    assert [leg.status for leg in runtime.legs(entry)] == [OrderStatus.ACCEPTED] * 2

    restored = SessionRuntime.restore(spec, market(), journal)
    assert restored.kernel.events == runtime.kernel.events
    assert restored.order(account, entry.id).replaced_by == new.id


def test_session_command_that_fails_midway_leaves_nothing_in_the_journal(
    spec: SessionSpec, journal: Journal
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    entry = runtime.submit_order(
        account, "AAPL", BUY, 10, tif="gtc", order_class="bracket",
        take_profit="500.00", stop_loss="250.00",
    )  # fmt: skip
    runtime.advance_to(START + NANOS_PER_MINUTE)
    leg = runtime.legs(entry)[0]
    kernel = runtime.kernel
    before = len(kernel.events)
    # Whatever the kernel does with this, the journal must keep replaying.
    try:
        runtime.replace_order(account, leg.id, limit="510.00")
    except PaperbrokerError:
        assert runtime.poisoned == (len(kernel.events) > before)
    if runtime.poisoned:
        with pytest.raises(Conflict, match="reloaded"):
            runtime.advance_to(START + 2 * NANOS_PER_MINUTE)
    restored = SessionRuntime.restore(spec, market(), journal)
    restored.advance_to(START + 3 * NANOS_PER_MINUTE)
    assert restored.order(account, entry.id).status is OrderStatus.FILLED
    assert SessionRuntime.restore(spec, market(), journal).kernel.events == restored.kernel.events
