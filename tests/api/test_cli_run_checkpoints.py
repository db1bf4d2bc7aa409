"""The checkpoints ``paperbroker run`` writes: one per interval when the session has news,
none when it has not, the old ones cleaned up to ``keep_count``, and those of the
pipeline session the run trades, which a restart restores from.

On a real SQLite database, through the server's session service and StateManager;
the run's clock is a number the test moves, the session's bars come in by ``ingest``
as a feed would bring them.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.cli_run_checkpoints import NOTE_EVERY, RunCheckpoints
from paperbroker.data.bar import Bar
from paperbroker.services.sessions import SessionService
from paperbroker.session.checkpoint import document_of
from paperbroker.session.market import MarketData
from paperbroker.session.runtime import SessionRuntime
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate


@pytest.fixture
def service(tmp_path: Path) -> Iterator[tuple[SessionService, str]]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'run.db'}")
    migrate(engine)
    factory = session_factory(engine)
    owner = ApiKeys(factory).create("ops", is_admin=True)[0]
    sessions = SessionService(
        factory=factory, market=MarketData.deferred(dict), drive=False, checkpoint_interval=None
    )
    try:
        yield sessions, owner
    finally:
        sessions.shutdown()
        engine.dispose()


def paper(service: SessionService, owner: str, *, pipeline: bool = False) -> str:
    view = service.create_paper(
        owner, name="run", symbols=["AAA"], initial_cash=Decimal(10_000), execution=None,
        feed={"type": "synthetic"},
        pipeline=standard_pipeline("buy_and_hold", {}, ["AAA"]) if pipeline else None,
    )  # fmt: skip
    return view.id


def news(runtime: SessionRuntime) -> None:
    """A bar, as the feed brings one: the journal grows."""
    ts = runtime.now_ns + 1_000_000
    runtime.ingest([Bar("AAA", ts, 100.0, 101.0, 99.0, 100.5, 1_000.0)])


def test_one_checkpoint_per_interval_with_news_and_the_old_ones_cleaned_up(
    service: tuple[SessionService, str],
) -> None:
    sessions, owner = service
    session_id = paper(sessions, owner)
    runtime = sessions.runtime(owner, session_id)
    now = [0.0]
    run = RunCheckpoints(sessions.state, session_id, interval=5, keep_count=3, clock=lambda: now[0])
    news(runtime)
    assert run.due() is None  # not due before the interval
    now[0] = 5
    first = run.due()
    assert first is not None
    assert (first.reason, first.seq) == ("interval", runtime.last_seq)
    now[0] = 10
    assert run.due() is None  # due, but nothing new since: none written
    news(runtime)
    now[0] = 12
    assert run.due() is None  # news, not due: the interval counts from the last attempt
    now[0] = 15
    second = run.due()
    assert second is not None
    assert second.seq == runtime.last_seq > first.seq
    for step in range(3, NOTE_EVERY + 1):  # up to the tenth: the cleanup runs then
        news(runtime)
        now[0] = 5 * step + 5
        assert run.due() is not None
    assert run.created == NOTE_EVERY
    assert run.cleaned == NOTE_EVERY - 3
    kept = sessions.state.list(session_id)  # newest first
    assert len(kept) == 3
    assert kept[0].seq == runtime.last_seq
    news(runtime)
    final = run.write("shutdown")
    assert final is not None
    assert final.reason == "shutdown"
    assert run.write("shutdown") is None  # the same state: the same checkpoint
    run.cleanup()
    assert run.cleaned == NOTE_EVERY + 1 - 3
    assert run.summary() == (
        f"{NOTE_EVERY + 1} created, the newest at seq {final.seq} (shutdown); "
        f"{NOTE_EVERY + 1 - 3} old ones cleaned up (keeping the newest 3)"
    )


def test_the_pipeline_session_run_makes_is_checkpointed_and_restarts_from_it(
    service: tuple[SessionService, str], tmp_path: Path
) -> None:
    """``paperbroker run`` trades through a pipeline of agents: its checkpoints hold the
    agents and the strategy, and a restart restores from the newest with no replay."""
    sessions, owner = service
    session_id = paper(sessions, owner, pipeline=True)
    runtime = sessions.runtime(owner, session_id)
    now = [0.0]
    run = RunCheckpoints(sessions.state, session_id, interval=1, keep_count=3, clock=lambda: now[0])
    for step in range(1, 4):
        news(runtime)
        now[0] = step
        assert run.due() is not None
    assert (run.created, run.refused) == (3, None)
    with runtime.locked():
        expected = document_of(runtime)
    assert run.last is not None
    assert run.last.seq == runtime.last_seq
    agents = expected["runtime"]["kernel"]["strategy"]["agents"]
    assert agents["data"]["metrics"]["bars"] == 3
    assert agents["strategy"]["own"]["strategy"]["pending"] == []  # bought at the first bar
    engine = create_engine_for(f"sqlite:///{tmp_path / 'run.db'}")
    again = SessionService(
        factory=session_factory(engine), market=MarketData.deferred(dict), drive=False,
        checkpoint_interval=None,
    )  # fmt: skip
    try:
        restored = again.runtime(owner, session_id)
        report = again.state.stats(session_id).last_restore
        assert report is not None
        assert (report.checkpoint_seq, report.replayed) == (run.last.seq, 0)
        assert document_of(restored) == expected
    finally:
        again.shutdown()
        engine.dispose()
