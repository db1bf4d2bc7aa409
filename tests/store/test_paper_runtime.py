"""A paper session's runtime: live bars journaled as they come, a clock that follows
the wall, and a restore that replays the very bars. SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from decimal import Decimal
from functools import cache

import pytest

from paperbroker.core.clock import ManualClock
from paperbroker.core.errors import Conflict
from paperbroker.feeds.synthetic import SyntheticFeed
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import BarReceived
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.session.lifecycle import SessionState, SessionTrigger
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import preset

WALL_START = 1_790_000_000 * 10**9
SECOND = 10**9
FEED = {"type": "synthetic", "seed": 5, "interval_seconds": 1.0}


@cache
def market() -> MarketData:
    return MarketData.bundled()


@pytest.fixture
def spec(repo: SessionsRepo, owner: str) -> SessionSpec:
    record = repo.create(
        owner, name="paper", simulation_start=WALL_START,
        simulation_end=WALL_START + 10**6 * SECOND, kind="paper",
    )  # fmt: skip
    return SessionSpec(
        record.id, WALL_START, WALL_START + 10**6 * SECOND, Decimal(100_000),
        execution=preset("ideal"), kind="paper", symbols=("AAA", "BBB"), feed=FEED,
    )  # fmt: skip


def bars(n: int) -> list[list]:  # type: ignore[type-arg]
    feed = SyntheticFeed(
        ["AAA", "BBB"], seed=5, interval_seconds=1.0, wall_start_ns=WALL_START, clock=ManualClock(0)
    )
    return list(itertools.islice(feed.batches(None), n))


def test_bars_are_journaled_trade_and_replay_exactly(spec: SessionSpec, journal: Journal) -> None:
    wall = ManualClock(WALL_START)
    runtime = SessionRuntime.restore(spec, market(), journal, new=True, wall=wall)
    assert runtime.live
    runtime.transition(SessionTrigger.RESUME)
    batches = bars(6)
    for batch in batches[:3]:
        wall.ns = batch[0].ts + 5_000_000  # handed over 5 ms after the close
        runtime.ingest(batch)
    wall.ns += SECOND // 2
    order = runtime.submit_order(runtime.default_account_id, "AAA", OrderSide.BUY, Decimal(10))
    assert order.ts_created == wall.ns  # the clock followed the wall for the command
    assert order.status is OrderStatus.ACCEPTED, order.reject_message
    for batch in batches[3:]:
        wall.ns = batch[0].ts + 5_000_000
        runtime.ingest(batch)
    filled = runtime.order(runtime.default_account_id, order.id)
    assert filled.status is OrderStatus.FILLED
    # It arrived inside the bar in progress, after its open: it fills at that bar's open,
    # the last price before it, once the bar has come.
    assert filled.avg_fill_price == Decimal(str(batches[3][0].open))
    with pytest.raises(Conflict, match="follows the wall"):
        runtime.advance_to(wall.ns + SECOND)

    restored = SessionRuntime.restore(spec, market(), journal, wall=ManualClock(wall.ns))
    assert restored.kernel.events == runtime.kernel.events
    assert restored.last_bar_ns == batches[-1][0].ts
    received = [e for e in restored.kernel.events if isinstance(e, BarReceived)]
    assert [float(e.close) for e in received[:2]] == [b.close for b in batches[0]]


def test_paused_it_takes_bars_but_no_orders_and_a_stop_waits_for_the_close(
    spec: SessionSpec, journal: Journal
) -> None:
    wall = ManualClock(WALL_START)
    runtime = SessionRuntime.restore(spec, market(), journal, new=True, wall=wall)
    runtime.transition(SessionTrigger.RESUME)
    batches = bars(5)
    wall.ns = batches[0][0].ts
    runtime.ingest(batches[0])
    runtime.submit_order(runtime.default_account_id, "BBB", OrderSide.BUY, Decimal(4))
    wall.ns = batches[1][0].ts
    runtime.ingest(batches[1])
    runtime.transition(SessionTrigger.PAUSE)
    with pytest.raises(Conflict, match="paused"):
        runtime.submit_order(runtime.default_account_id, "AAA", OrderSide.BUY, Decimal(1))
    wall.ns = batches[2][0].ts
    assert runtime.ingest(batches[2]) == 2  # prices keep coming while paused
    assert runtime.stop() is SessionState.STOPPING  # the closing sell works
    assert runtime.books(runtime.default_account_id).positions["BBB"].qty == 4
    wall.ns = batches[3][0].ts
    runtime.ingest(batches[3])
    assert runtime.state is SessionState.STOPPED
    assert runtime.books(runtime.default_account_id).positions["BBB"].qty == 0
    assert runtime.ingest(batches[4]) == 0  # an ended session takes no more bars
    restored = SessionRuntime.restore(spec, market(), journal, wall=wall)
    assert restored.state is SessionState.STOPPED
    assert restored.kernel.events == runtime.kernel.events


def test_a_strategy_in_a_paper_pipeline_sees_its_indicators_grow(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    record = repo.create(owner, name="sma", simulation_start=WALL_START,
                         simulation_end=WALL_START + 10**6 * SECOND, kind="paper")  # fmt: skip
    agents = [
        {"type": "data", "name": "data"},
        {"type": "strategy", "name": "sma",
         "config": {"strategy": "sma_crossover", "params": {"fast": 2, "slow": 4}}},
        {"type": "risk", "name": "risk"},
        {"type": "execution", "name": "execution"},
    ]  # fmt: skip
    spec = SessionSpec(
        record.id, WALL_START, WALL_START + 10**6 * SECOND, Decimal(100_000),
        execution=preset("ideal"), kind="paper", symbols=("AAA", "BBB"), feed=FEED,
        pipeline=agents,
    )  # fmt: skip
    wall = ManualClock(WALL_START)
    runtime = SessionRuntime.restore(spec, market(), journal, new=True, wall=wall)
    runtime.transition(SessionTrigger.RESUME)
    for batch in bars(120):
        wall.ns = batch[0].ts
        runtime.ingest(batch)
    orders = runtime.orders(runtime.default_account_id)
    assert len(orders) >= 4  # crossings both ways on a two-minute random walk
    assert {o.status for o in orders} <= {OrderStatus.FILLED, OrderStatus.ACCEPTED}
    restored = SessionRuntime.restore(spec, market(), journal, wall=wall)
    assert restored.kernel.events == runtime.kernel.events
