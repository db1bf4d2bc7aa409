"""A session's lifecycle in its runtime: journaled, replayed, and the error state.

Runs on SQLite and on PostgreSQL, over the bundled daily bars.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import pytest

from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import Conflict, InvalidTransition
from paperbroker.model.enums import OrderSide
from paperbroker.model.events import SessionStateChanged
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.session.lifecycle import ENDED, SESSION_TRANSITIONS, SessionState, SessionTrigger
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo

START = datetime_to_ns(datetime(2012, 1, 3, 14, 30, tzinfo=UTC))
END = datetime_to_ns(datetime(2012, 1, 31, 21, 0, tzinfo=UTC))


@cache
def market() -> MarketData:
    return MarketData.bundled()


@pytest.fixture
def spec(repo: SessionsRepo, owner: str) -> SessionSpec:
    record = repo.create(owner, name="s", simulation_start=START, simulation_end=END)
    return SessionSpec(record.id, START, END, Decimal(100_000))


def test_the_table_ends_every_path_and_has_no_way_out_of_an_end() -> None:
    moves = list(SESSION_TRANSITIONS)
    assert {state for state, _, _ in moves}.isdisjoint(ENDED)
    for state in SessionState:
        if state in ENDED:
            continue
        # From every working state, stop or kill ends the session.
        assert SESSION_TRANSITIONS.allows(state, SessionTrigger.KILL), state
    reachable = {SessionState.PAUSED}
    while True:
        more = {n for s, _, n in moves if s in reachable} - reachable
        if not more:
            break
        reachable |= more
    assert reachable == set(SessionState)


def test_a_failed_session_can_be_resumed_and_its_states_replay(
    spec: SessionSpec, journal: Journal
) -> None:
    runtime = SessionRuntime.restore(spec, market(), journal, new=True)
    runtime.transition(SessionTrigger.FAIL, "the feed went away")
    assert runtime.state is SessionState.ERROR
    with pytest.raises(InvalidTransition, match="in state error"):
        runtime.transition(SessionTrigger.PAUSE)
    runtime.submit_order(runtime.default_account_id, "AAPL", OrderSide.BUY, Decimal(3))
    runtime.advance_to(START + 86_400 * 10**9)  # an error does not stop trading by hand
    assert runtime.books(runtime.default_account_id).positions["AAPL"].qty == 3
    runtime.transition(SessionTrigger.RESUME)
    runtime.transition(SessionTrigger.PAUSE)
    runtime.transition(SessionTrigger.FAIL, "again")
    restored = SessionRuntime.restore(spec, market(), journal)
    assert restored.state is SessionState.ERROR
    changes = [e for e in restored.kernel.events if isinstance(e, SessionStateChanged)]
    assert [(e.state, e.trigger, e.reason) for e in changes] == [
        ("error", "fail", "the feed went away"),
        ("running", "resume", ""),
        ("paused", "pause", ""),
        ("error", "fail", "again"),
    ]
    assert restored.stop() is SessionState.STOPPED
    held = restored.books(restored.default_account_id).positions
    assert [p.qty for p in held.values() if p.qty] == []  # the stop closed the 3 bought
    with pytest.raises(Conflict, match="stopped"):
        restored.advance_to(END)


def test_reaching_the_end_completes_in_the_same_commit(spec: SessionSpec, journal: Journal) -> None:
    runtime = SessionRuntime.restore(spec, market(), journal, new=True)
    runtime.advance_to(END + 10**12)
    assert (runtime.state, runtime.completed) == (SessionState.COMPLETED, True)
    stored = journal.read(spec.session_id)
    assert stored[-1].kind == "SessionStateChanged"
    assert SessionRuntime.restore(spec, market(), journal).state is SessionState.COMPLETED


def test_a_stop_with_no_bars_left_cancels_what_is_open_and_says_so(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    end = datetime_to_ns(datetime(2031, 1, 1, tzinfo=UTC))  # long after the bundled data
    record = repo.create(owner, name="late", simulation_start=START, simulation_end=end)
    spec = SessionSpec(record.id, START, end, Decimal(100_000))
    runtime = SessionRuntime.restore(spec, market(), journal, new=True)
    runtime.submit_order(runtime.default_account_id, "AAPL", OrderSide.BUY, Decimal(3))
    runtime.advance_to(datetime_to_ns(datetime(2030, 1, 1, tzinfo=UTC)))  # data is over
    assert runtime.books(runtime.default_account_id).positions["AAPL"].qty == 3
    assert runtime.stop() is SessionState.STOPPED
    last = [e for e in runtime.kernel.events if isinstance(e, SessionStateChanged)][-1]
    # The closing market order expired with its day: there was no bar to fill it.
    assert last.reason == "no more bars: positions left open in AAPL"
