"""A session journaled command by command, and rebuilt exactly from its journal.

Runs on SQLite and on PostgreSQL.  The market is the bundled daily data, whose
bars open at 09:30 and close at 16:00 New York: a session started at a day's
09:30 with a market order, advanced one minute, holds the shares bought at that
day's open.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import pytest
from sqlalchemy import text

from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.core.errors import Conflict, InvalidRequest, NotFound, OperationalError
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import OrderFilled
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.store.db import SessionFactory
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo

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


def test_session_restore_refuses_a_journal_that_does_not_replay(
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
    with pytest.raises(OperationalError, match=f"does not replay at seq {fill_seq}"):
        SessionRuntime.restore(spec, market(), journal)


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
