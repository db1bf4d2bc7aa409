"""The session service's checkpoints: timed ones of a running paper session, one at
shutdown, and a restart that begins from the newest, for sessions traded by hand and by a
pipeline of agents. SQLite and PostgreSQL.

The paper session's feed is the synthetic one, in real time (a bar every 50 ms),
and the session asks for a checkpoint every 0.3 s of wall time (the server's
default is 30 s).
"""

from __future__ import annotations

from decimal import Decimal

from tests.store.test_session_runtime import END, START
from tests.waiting import wait_for

from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.services.sessions import SessionService
from paperbroker.session import MarketData
from paperbroker.session.checkpoint import document_of
from paperbroker.session.lifecycle import SessionTrigger
from paperbroker.store.db import SessionFactory
from paperbroker.store.keys import ApiKeys
from paperbroker.venue.execution import preset

FEED = {"type": "synthetic", "interval_seconds": 0.05}


def test_a_running_paper_session_is_checkpointed_as_it_runs_and_restarts_from_one(
    factory: SessionFactory,
) -> None:
    owner, _ = ApiKeys(factory).create("owner")
    market = MarketData.bundled()
    service = SessionService(factory=factory, market=market)  # every 30 s by default
    try:
        view = service.create_paper(
            owner, name="p", symbols=["AAA"], pipeline=None, initial_cash=Decimal(10_000),
            execution=preset("ideal").to_json(), feed=FEED, checkpoint_interval=0.3,
        )  # fmt: skip
        session_id = view.id
        timed = wait_for(
            lambda: [c for c in service.state.list(session_id) if c.reason == "interval"][1:],
            "two timed checkpoints",
        )
        assert timed[0].seq > 0
        runtime = service.runtime(owner, session_id)
        service.checkpointer.stop()  # no more timed ones; news comes in meanwhile
        written = service.state.list(session_id)[0].seq
        wait_for(lambda: runtime.last_seq > written, "a bar after the last checkpoint")
    finally:
        service.shutdown()
    with runtime.locked():
        last, expected = runtime.last_seq, document_of(runtime)
    latest = service.state.store.latest(session_id)
    assert latest is not None
    assert (latest.seq, latest.reason) == (last, "shutdown")

    again = SessionService(factory=factory, market=market, drive=False)
    try:
        restored = again.runtime(owner, session_id)
        assert document_of(restored) == expected
        stats = again.state.stats(session_id)
        assert stats.last_restore is not None
        assert (stats.last_restore.checkpoint_seq, stats.last_restore.replayed) == (last, 0)
    finally:
        again.shutdown()


def test_a_backtest_pipeline_session_restarts_from_its_checkpoint_as_its_full_replay(
    factory: SessionFactory,
) -> None:
    """A pipeline trading an SMA crossover over the bundled history: its indicators are
    cut again from the values recomputed over the bars, its agents take their states."""
    owner, _ = ApiKeys(factory).create("owner")
    market = MarketData.bundled()
    service = SessionService(factory=factory, market=market, drive=False)
    params = {"fast": 2, "slow": 4}
    try:
        view = service.create(
            owner, start_ns=START, end_ns=END, name="piped", initial_cash=Decimal(10_000),
            pipeline=standard_pipeline("sma_crossover", params, ["AAPL"], strategy_files=False),
        )  # fmt: skip
        runtime = service.runtime(owner, view.id)
        runtime.transition(SessionTrigger.RESUME)
        runtime.advance_to(START + (END - START) // 2)
        runtime.command_agent("risk", "configure", {"max_order_qty": "500"})
        written = service.state.create(view.id)
        runtime.advance_to(END - 1)  # the journal's tail
        with runtime.locked():
            expected, views = document_of(runtime), runtime.orders(runtime.default_account_id)
        assert any(o.filled_qty for o in views)
    finally:
        service.shutdown()
    again = SessionService(factory=factory, market=market, drive=False)
    try:
        restored = again.runtime(owner, view.id)
        report = again.state.stats(view.id).last_restore
        assert report is not None
        assert report.checkpoint_seq is not None
        assert report.checkpoint_seq >= written.seq
        assert document_of(restored) == expected
        assert [repr(o) for o in restored.orders(restored.default_account_id)] == [
            repr(o) for o in views
        ]
        assert restored.pipeline is not None
        assert restored.pipeline.agent("risk").config.model_dump()["max_order_qty"] == 500
    finally:
        again.shutdown()
