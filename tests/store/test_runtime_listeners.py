"""Commit listeners: every durable event, once, in journal order, from the committing thread.

Runs on SQLite and on PostgreSQL, over the bundled daily bars (a market order
sent at a day's 09:30 New York fills at that day's open).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import pytest

from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.model.codec import decode_event
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import (
    AdvanceRequested,
    OrderAccepted,
    OrderFilled,
    OrderSubmitted,
)
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.session.runtime import Committed
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo

BUY = OrderSide.BUY
START = datetime_to_ns(datetime(2012, 1, 3, 14, 30, tzinfo=UTC))
END = datetime_to_ns(datetime(2012, 1, 31, 21, 0, tzinfo=UTC))
DAY = 24 * 60 * NANOS_PER_MINUTE
WAIT_SECONDS = 30.0


@cache
def market() -> MarketData:
    return MarketData.bundled()


@pytest.fixture
def runtime(repo: SessionsRepo, owner: str, journal: Journal) -> SessionRuntime:
    record = repo.create(owner, name="s", simulation_start=START, simulation_end=END)
    return SessionRuntime(SessionSpec(record.id, START, END, Decimal(100_000)), market(), journal)


class Heard:
    """A listener that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[list[Committed]] = []

    def __call__(self, committed: Sequence[Committed]) -> None:
        self.calls.append(list(committed))

    @property
    def seqs(self) -> list[int]:
        return [c.seq for call in self.calls for c in call]


def test_a_listener_hears_each_commit_once_in_journal_order_with_its_seqs(
    runtime: SessionRuntime, journal: Journal
) -> None:
    heard = Heard()
    runtime.subscribe(heard)
    account = runtime.default_account_id
    order = runtime.submit_order(account, "AAPL", BUY, 10)
    runtime.advance_to(START + NANOS_PER_MINUTE)

    assert [[(c.seq, type(c.event)) for c in call] for call in heard.calls] == [
        [(1, OrderSubmitted), (2, OrderAccepted)],
        [(3, AdvanceRequested), (4, OrderFilled)],
    ]
    stored = journal.read(runtime.spec.session_id)
    assert [(c.seq, c.event) for call in heard.calls for c in call] == [
        (e.seq, decode_event(e.kind, e.schema_version, e.payload)) for e in stored
    ]
    assert heard.calls[0][0].event.order_id == order.id  # type: ignore[union-attr]
    assert runtime.last_seq == 4


def test_a_command_that_fails_is_not_heard(runtime: SessionRuntime) -> None:
    heard = Heard()
    runtime.subscribe(heard)
    account = runtime.default_account_id
    with pytest.raises(InvalidRequest):
        runtime.submit_order(account, "NOPE", BUY, 1)
    with pytest.raises(InvalidRequest):
        runtime.advance_to(START - 1)
    order = runtime.submit_order(account, "AAPL", BUY, 1)
    runtime.advance_to(START + NANOS_PER_MINUTE)
    with pytest.raises(Conflict):  # filled: nothing to cancel, nothing journaled
        runtime.cancel_order(account, order.id)
    assert heard.seqs == [1, 2, 3, 4]


def test_a_failing_listener_is_logged_and_fails_neither_the_command_nor_the_others(
    runtime: SessionRuntime, journal: Journal, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_committed: Sequence[Committed]) -> None:
        raise RuntimeError("listener bug")

    runtime.subscribe(broken)
    heard = Heard()
    runtime.subscribe(heard)
    with caplog.at_level(logging.ERROR, logger="paperbroker.session.runtime"):
        order = runtime.submit_order(runtime.default_account_id, "AAPL", BUY, 1)
    assert order.status is OrderStatus.ACCEPTED
    assert heard.seqs == [1, 2]
    assert [e.seq for e in journal.read(runtime.spec.session_id)] == [1, 2]
    assert not runtime.poisoned
    (record,) = caplog.records
    assert record.getMessage() == f"session {runtime.spec.session_id}: a commit listener failed"
    assert record.exc_info is not None
    assert str(record.exc_info[1]) == "listener bug"


def test_unsubscribing_stops_the_calls_and_may_happen_twice_or_from_the_listener(
    runtime: SessionRuntime,
) -> None:
    account = runtime.default_account_id
    heard, once = Heard(), Heard()
    stop = runtime.subscribe(heard)

    def first_only(committed: Sequence[Committed]) -> None:
        once(committed)
        stop_once()

    stop_once = runtime.subscribe(first_only)
    assert runtime.subscribers == 2
    runtime.submit_order(account, "AAPL", BUY, 1)
    assert runtime.subscribers == 1
    stop()
    stop()
    assert runtime.subscribers == 0
    runtime.submit_order(account, "AAPL", BUY, 1)
    assert heard.seqs == once.seqs == [1, 2]


def test_listeners_run_in_the_committing_thread_once_the_state_has_moved(
    runtime: SessionRuntime,
) -> None:
    account = runtime.default_account_id
    order = runtime.submit_order(account, "AAPL", BUY, 10)
    seen: list[tuple[int, OrderStatus, Decimal]] = []

    def look(_committed: Sequence[Committed]) -> None:
        position = runtime.books(account).positions["AAPL"].qty
        seen.append((threading.get_ident(), order.status, position))

    runtime.subscribe(look)
    mover = threading.Thread(target=runtime.advance_to, args=(START + NANOS_PER_MINUTE,))
    mover.start()
    mover.join(timeout=WAIT_SECONDS)
    assert seen == [(mover.ident, OrderStatus.FILLED, Decimal(10))]


def test_a_subscriber_inside_locked_misses_and_repeats_nothing_while_commands_run(
    runtime: SessionRuntime,
) -> None:
    # Commands run on another thread all along; the subscriber takes the
    # position and subscribes in one hold of the lock, midway. The position
    # then, plus every fill heard after, must be the final position exactly.
    # The trader waits for the subscriber by day 10 at the latest, so that there
    # is trading left to hear whatever the threads' timing.
    account = runtime.default_account_id
    midway, subscribed = threading.Event(), threading.Event()

    def trade() -> None:
        for day in range(20):
            runtime.submit_order(account, "AAPL", BUY, 1)
            runtime.advance_to(START + (day + 1) * DAY)
            if day == 4:
                midway.set()
            elif day == 10:
                subscribed.wait(WAIT_SECONDS)

    trader = threading.Thread(target=trade)
    trader.start()
    assert midway.wait(WAIT_SECONDS)
    heard = Heard()
    with runtime.locked():
        held = runtime.books(account).positions["AAPL"].qty
        after = runtime.last_seq
        runtime.subscribe(heard)
    subscribed.set()
    trader.join(timeout=WAIT_SECONDS)
    assert not trader.is_alive()

    assert heard.seqs == list(range(after + 1, runtime.last_seq + 1))
    fills = [
        c.event.fill.qty for call in heard.calls for c in call if isinstance(c.event, OrderFilled)
    ]
    final = runtime.books(account).positions["AAPL"].qty
    assert held + sum(fills) == final
    assert fills  # the subscription came while there was still trading to hear
    assert final > held
