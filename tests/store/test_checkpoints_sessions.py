"""Checkpoints of the sessions operators run: pipelines of agents around the built-in
strategies (their indicators, their own state, the agents' states and metrics, news
and sentiment), and live sessions (the broker venue's working orders, outbox,
broker ids and applied fills, the books' reconciliations). SQLite and PostgreSQL.

As in :mod:`tests.store.test_checkpoints`: a session runs a random sequence of
commands with checkpoints taken at random points, then is restored twice, from
its newest checkpoint and the journal after it, and by replaying the whole
journal; both hold the same state (the checkpoint documents, the public views,
the agents' views), which is also the state of the session that ran.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, currently_in_test_context, event, given, note, settings
from hypothesis import strategies as st
from tests.store.test_checkpoints import (
    FEED,
    SECOND,
    SYMBOLS,
    WALL_START,
    ingest_batches,
    market,
    save,
    views,
)
from tests.store.test_session_runtime import END, START

from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.broker.venue import BrokerVenue
from paperbroker.core.clock import ManualClock
from paperbroker.core.errors import PaperbrokerError
from paperbroker.core.ids import OrderId
from paperbroker.core.snapshot import NotSnapshottable
from paperbroker.model.enums import OrderSide
from paperbroker.model.events import BrokerReported
from paperbroker.session import SessionRuntime, SessionSpec
from paperbroker.session.checkpoint import document_of
from paperbroker.session.lifecycle import SessionTrigger
from paperbroker.session.reconcile_adjust import Adjustments, PositionAdjustment
from paperbroker.store.checkpoints import CheckpointStore
from paperbroker.store.db import SessionFactory
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import preset

#: The built-in strategies, with parameters short enough to trade on a few dozen bars.
STRATEGIES: dict[str, dict[str, Any]] = {
    "sma_crossover": {"fast": 2, "slow": 4},
    "momentum": {"lookback": 3, "threshold": 0.0, "exit_threshold": 0.0},
    "mean_reversion": {"window": 4, "num_std": 0.5},
    "mean_reversion_rsi": {"mode": "rsi", "rsi_period": 3, "oversold": 45, "overbought": 55},
    "pump_detection": {
        "window": 3,
        "price_change": 0.0001,
        "volume_multiple": 1.01,
        "hold_bars": 2,
    },
    "buy_and_hold": {},
    "sentiment_momentum": {"lookback": 3, "threshold": 0.0, "exit_threshold": 0.0},
}
DAY = 24 * 3600 * 10**9
HEADLINES = ("AAA beats estimates, strong growth", "AAA faces lawsuit and losses", "BBB steady")


def pipeline_spec(
    repo: SessionsRepo, owner: str, strategy: str, *, later: bool = False, live: bool = False
) -> SessionSpec:
    """A paper (or ``live``) session whose pipeline runs ``strategy`` (``later``: a second
    strategy agent, stopped at first, that a command may start)."""
    name = "mean_reversion" if strategy == "mean_reversion_rsi" else strategy
    news = "sample" if strategy == "sentiment_momentum" else None  # a news file too
    agents = standard_pipeline(name, STRATEGIES[strategy], SYMBOLS, news=news, strategy_files=False)
    if later:
        agents.append(
            {
                "type": "strategy", "name": "later", "symbols": ["BBB"], "status": "stopped",
                "config": {"strategy": "sma_crossover", "params": {"fast": 2, "slow": 3}},
            }
        )  # fmt: skip
    kind = "live" if live else "paper"
    end = WALL_START + 10**6 * SECOND
    record = repo.create(
        owner, name=kind, simulation_start=WALL_START, simulation_end=end, kind=kind
    )
    return SessionSpec(
        record.id, WALL_START, end, Decimal(100_000), execution=preset("equities_realistic"),
        kind=kind, symbols=SYMBOLS, feed=FEED, pipeline=agents,
        broker={"type": "alpaca", "endpoint": "custom", "credentials_id": "test"} if live else None,
    )  # fmt: skip


def agent_views(runtime: SessionRuntime) -> Any:
    """What a client sees of the agents: status, metrics, configuration, last activity."""
    if runtime.pipeline is None:
        return None
    return [
        (a.name, a.status, dict(a.metrics), a.config.model_dump(), a.last_active, a.error)
        for a in runtime.pipeline.agents.values()
    ]


def venue_views(runtime: SessionRuntime) -> Any:
    """A live session's broker venue: what it works, must send and has applied."""
    venue = runtime.kernel.venue
    if not isinstance(venue, BrokerVenue):
        return None
    return (
        venue.open_order_ids(), venue.pending(), dict(venue.broker_ids),
        sorted(venue.applied_fills), runtime.kernel.portfolio.reconciled,
    )  # fmt: skip


@dataclass
class Driver:
    runtime: SessionRuntime
    wall: ManualClock
    store: CheckpointStore
    journal: Journal
    next_batch: int = 0
    checkpoints: int = 0
    refusals: list[str] = field(default_factory=list)
    fills: int = 0

    def run(self, command: tuple[Any, ...]) -> None:
        # A refused command journals nothing (or what it did before refusing).
        with contextlib.suppress(PaperbrokerError):
            self._run(command)
        if self.runtime.poisoned:
            self.runtime = SessionRuntime.restore(
                self.runtime.spec, market(), self.journal, wall=self.wall, checkpoints=self.store
            )

    def _run(self, command: tuple[Any, ...]) -> None:
        kind = command[0]
        runtime = self.runtime
        account = runtime.default_account_id
        if kind == "bars":
            ingest_batches(self, command[1])
        elif kind == "news":
            self.wall.ns += 1_000_000
            runtime.post_news(["AAA", "BBB"], HEADLINES[command[1]])
        elif kind == "agent":
            _, name, action = command
            changes = {}
            if action == "configure" and name == "risk":
                changes = {"max_order_qty": "25"}
            elif action == "configure" and name == "sentiment":
                changes = {"half_life_seconds": 30.0}
            runtime.command_agent(name, action, changes)
        elif kind == "order":
            _, symbol, side, qty = command
            runtime.submit_order(account, symbol, side, Decimal(qty))
        elif kind == "cancel":
            open_orders = [o for o in runtime.orders(account) if o.is_open]
            if open_orders:
                runtime.cancel_order(account, open_orders[command[1] % len(open_orders)].id)
        elif kind == "replace":
            open_orders = [o for o in runtime.orders(account) if o.is_open]
            if open_orders:
                order = open_orders[command[1] % len(open_orders)]
                runtime.replace_order(account, order.id, qty=Decimal(command[2]))
        elif kind == "report":
            self._report(command[1], command[2])
        elif kind == "reconcile":
            books = runtime.kernel.portfolio
            held = books.positions["AAA"].qty
            adjustments = Adjustments(
                positions={"AAA": PositionAdjustment(held + 1, Decimal("99.5"))},
                cash=books.cash + Decimal(command[1]),
            )
            runtime.apply_reconciliation("run", "[]", adjustments.to_json(), "test")
        elif kind == "checkpoint":
            try:
                save(self.store, runtime)
                self.checkpoints += 1
            except NotSnapshottable as exc:
                self.refusals.append(str(exc))

    def _report(self, pick: int, update: str) -> None:
        """What the broker reports of one of the orders it was sent."""
        runtime = self.runtime
        venue = runtime.kernel.venue
        assert isinstance(venue, BrokerVenue)
        working = venue.open_order_ids()
        if update == "refuse_replacement":  # the broker refuses a replacement on its way
            replacements = [o for o in runtime.kernel.orders if venue.replaced_order(o)]
            working, update = replacements, "rejected"
        if not working:
            return
        order = runtime.kernel.orders[working[pick % len(working)]]
        oid, now = OrderId(order.id), runtime.now_ns
        broker_id = f"B-{order.id[:8]}"
        if update == "fill":
            self.fills += 1
            qty = min(order.leaves_qty, Decimal(1 + pick % 7))
            mark = runtime.kernel.portfolio.mark(order.symbol) or Decimal(100)
            report = BrokerReported(
                now, oid, "fill", broker_id, f"F-{self.fills}", qty, mark, Decimal("0.01"), now
            )
        elif update == "again":  # a fill the broker reports a second time
            report = BrokerReported(
                now, oid, "fill", broker_id, f"F-{self.fills}", Decimal(1), Decimal(100)
            )
        else:
            report = BrokerReported(now, oid, update, broker_id, reason="by the broker")
        runtime.broker_report([report])


def start(spec: SessionSpec, journal: Journal, store: CheckpointStore) -> Driver:
    wall = ManualClock(WALL_START)
    runtime = SessionRuntime.restore(spec, market(), journal, new=True, wall=wall)
    runtime.transition(SessionTrigger.RESUME)
    return Driver(runtime, wall, store, journal)


def check_restores(driver: Driver, journal: Journal, store: CheckpointStore) -> None:
    """Restored from the newest checkpoint and tail, and by a full replay: the same."""
    runtime = driver.runtime
    spec, wall = runtime.spec, ManualClock(driver.wall.ns)
    full = SessionRuntime.restore(spec, market(), journal, wall=wall)
    resumed = SessionRuntime.restore(spec, market(), journal, wall=wall, checkpoints=store)
    report = store.last_restore(spec.session_id)
    assert report is not None
    assert not driver.refusals, driver.refusals
    assert (report.checkpoint_seq is not None) == bool(driver.checkpoints)
    assert full.diverged is None, full.diverged
    for restored in (full, resumed):
        assert views(restored) == views(runtime)
        assert agent_views(restored) == agent_views(runtime)
        assert venue_views(restored) == venue_views(runtime)
    if currently_in_test_context():
        event(f"resumed from a checkpoint: {report.checkpoint_seq is not None}")
        event(f"journal tail replayed: {min(report.replayed, 1)}")
    assert document_of(resumed) == document_of(full) == document_of(runtime)


AGENT_COMMANDS = st.tuples(
    st.just("agent"),
    st.sampled_from(["strategy", "risk", "data", "later", "sentiment"]),
    st.sampled_from(["stop", "start", "configure", "reset_metrics"]),
)
PIPELINE_COMMANDS = st.one_of(
    st.tuples(st.just("bars"), st.integers(1, 5)),
    st.tuples(st.just("bars"), st.integers(1, 5)),
    st.tuples(st.just("news"), st.integers(0, len(HEADLINES) - 1)),
    AGENT_COMMANDS,
    st.tuples(
        st.just("order"),
        st.sampled_from(SYMBOLS),
        st.sampled_from(list(OrderSide)),
        st.integers(1, 20),
    ),
    st.just(("checkpoint",)),
    st.just(("checkpoint",)),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    strategy=st.sampled_from(sorted(STRATEGIES)),
    later=st.booleans(),
    commands=st.lists(PIPELINE_COMMANDS, min_size=4, max_size=30),
)
def test_a_pipeline_session_restored_from_a_checkpoint_is_its_full_replay(
    strategy: str, later: bool, commands: list[tuple[Any, ...]],
    repo: SessionsRepo, owner: str, journal: Journal, factory: SessionFactory,
) -> None:  # fmt: skip
    note(f"strategy {strategy}, later {later}, commands: {commands!r}")
    store = CheckpointStore(factory)
    driver = start(pipeline_spec(repo, owner, strategy, later=later), journal, store)
    for command in [("bars", 6), *commands]:
        driver.run(command)
    orders = driver.runtime.orders(driver.runtime.default_account_id)
    event(f"{strategy}: the pipeline traded: {bool(orders)}")
    check_restores(driver, journal, store)


LIVE_COMMANDS = st.one_of(
    st.tuples(st.just("bars"), st.integers(1, 3)),
    st.tuples(
        st.just("order"),
        st.sampled_from(SYMBOLS),
        st.sampled_from(list(OrderSide)),
        st.integers(1, 20),
    ),
    st.tuples(
        st.just("order"),
        st.sampled_from(SYMBOLS),
        st.sampled_from(list(OrderSide)),
        st.integers(1, 20),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(
        st.just("report"),
        st.integers(0, 20),
        st.sampled_from(
            [
                "accepted",
                "fill",
                "fill",
                "again",
                "canceled",
                "rejected",
                "expired",
                "replaced",
                "refuse_replacement",
            ]
        ),
    ),
    st.tuples(st.just("report"), st.integers(0, 20), st.sampled_from(["fill", "again"])),
    st.tuples(st.just("replace"), st.integers(0, 5), st.integers(1, 30)),
    st.tuples(st.just("reconcile"), st.integers(-50, 50)),
    AGENT_COMMANDS,
    st.just(("checkpoint",)),
    st.just(("checkpoint",)),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    strategy=st.sampled_from(["sma_crossover", "buy_and_hold", "momentum"]),
    commands=st.lists(LIVE_COMMANDS, min_size=4, max_size=30),
)
def test_a_live_session_restored_from_a_checkpoint_is_its_full_replay(
    strategy: str, commands: list[tuple[Any, ...]],
    repo: SessionsRepo, owner: str, journal: Journal, factory: SessionFactory,
) -> None:  # fmt: skip
    note(f"strategy {strategy}, commands: {commands!r}")
    store = CheckpointStore(factory)
    driver = start(pipeline_spec(repo, owner, strategy, live=True), journal, store)
    for command in [("bars", 6), *commands]:
        driver.run(command)
    venue = driver.runtime.kernel.venue
    assert isinstance(venue, BrokerVenue)
    event(f"orders working at the broker: {min(len(venue.open_order_ids()), 2)}")
    event(f"requests not yet sent: {min(len(venue.pending()), 2)}")
    event(f"fills applied: {min(len(venue.applied_fills), 2)}")
    event(f"replacements on their way: {min(len(venue._replacing), 1)}")
    check_restores(driver, journal, store)


def test_an_order_the_broker_rejects_after_taking_it_stops_reserving_buying_power(
    repo: SessionsRepo, owner: str, journal: Journal, factory: SessionFactory
) -> None:
    """A live order rejected by the broker once it had it frees what it reserved at once
    (a session restored later counts only working orders, and must decide as this one)."""
    store = CheckpointStore(factory)
    driver = start(pipeline_spec(repo, owner, "sma_crossover", live=True), journal, store)
    for command in [
        ("bars", 9), ("order", "AAA", OrderSide.BUY, 1), ("report", 0, "rejected"),
        ("order", "AAA", OrderSide.BUY, 1), ("checkpoint",), ("bars", 1),
    ]:  # fmt: skip
        driver.run(command)
    check_restores(driver, journal, store)
    assert store.last_restore(driver.runtime.spec.session_id).checkpoint_seq is not None


BACKTEST_COMMANDS = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.integers(1, 4)),
        st.tuples(st.just("advance"), st.integers(1, 4)),
        AGENT_COMMANDS.filter(lambda c: c[1] not in ("later", "sentiment")),
        st.just(("checkpoint",)),
    ),
    min_size=3,
    max_size=20,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    strategy=st.sampled_from(["sma_crossover", "momentum", "mean_reversion_rsi", "buy_and_hold"]),
    commands=BACKTEST_COMMANDS,
)
def test_a_backtest_pipeline_restored_from_a_checkpoint_is_its_full_replay(
    strategy: str, commands: list[tuple[Any, ...]],
    repo: SessionsRepo, owner: str, journal: Journal, factory: SessionFactory,
) -> None:  # fmt: skip
    """Over a backtest's data the indicators are not stored: they are cut again from the
    values recomputed over the bars."""
    record = repo.create(owner, name="b", simulation_start=START, simulation_end=END)
    name = "mean_reversion" if strategy == "mean_reversion_rsi" else strategy
    agents = standard_pipeline(name, STRATEGIES[strategy], ["AAPL", "MSFT"], strategy_files=False)
    spec = SessionSpec(
        record.id, START, END, Decimal(100_000), execution=preset("equities_realistic"),
        pipeline=agents,
    )  # fmt: skip
    store = CheckpointStore(factory)
    runtime = SessionRuntime.restore(spec, market(), journal, new=True)
    runtime.transition(SessionTrigger.RESUME)
    for command in commands:
        with contextlib.suppress(PaperbrokerError):
            if command[0] == "advance":
                runtime.advance_to(min(runtime.now_ns + command[1] * DAY, END - 1))
            elif command[0] == "agent":
                runtime.command_agent(command[1], command[2], {})
            else:
                save(store, runtime)
    full = SessionRuntime.restore(spec, market(), journal)
    resumed = SessionRuntime.restore(spec, market(), journal, checkpoints=store)
    for restored in (full, resumed):
        assert views(restored) == views(runtime)
        assert agent_views(restored) == agent_views(runtime)
    assert document_of(resumed) == document_of(full) == document_of(runtime)
    report = store.last_restore(spec.session_id)
    assert report is not None
    event(f"from a checkpoint: {report.checkpoint_seq is not None}")
    orders = runtime.orders(runtime.default_account_id)
    event(f"{strategy}: filled: {any(o.filled_qty for o in orders)}")
