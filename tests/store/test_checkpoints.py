"""Checkpoints: a session restored from its latest checkpoint and the journal after it
is the session a full replay rebuilds, state for state. SQLite and PostgreSQL.

A paper session runs a random sequence of commands (bars arriving, orders
submitted, replaced and canceled, risk settings changed and overridden, the
clock following the wall); checkpoints are taken at random points. Then the
session is restored twice, once from the newest checkpoint and its journal
tail, once by replaying the whole journal, and both must hold the same state:
the checkpoint documents themselves, and the public views (orders,
positions, cash, equity).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from paperbroker.core.clock import ManualClock
from paperbroker.core.errors import Conflict, PaperbrokerError
from paperbroker.core.snapshot import NotSnapshottable
from paperbroker.data.bar import Bar
from paperbroker.feeds.synthetic import SyntheticFeed
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.session.checkpoint import SCHEMA_VERSION, document_of, encode
from paperbroker.session.lifecycle import SessionTrigger
from paperbroker.store.checkpoints import CheckpointStore
from paperbroker.store.db import SessionFactory
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import preset

WALL_START = 1_790_000_000 * 10**9
SECOND = 10**9
FEED = {"type": "synthetic", "seed": 5, "interval_seconds": 1.0}
SYMBOLS = ("AAA", "BBB")


@cache
def market() -> MarketData:
    return MarketData.bundled()


@cache
def batches() -> list[list[Bar]]:
    feed = SyntheticFeed(
        list(SYMBOLS), seed=5, interval_seconds=1.0, wall_start_ns=WALL_START, clock=ManualClock(0)
    )
    return list(itertools.islice(feed.batches(None), 60))


def ingest_batches(driver: Any, count: int) -> None:
    """Give ``driver``'s session up to ``count`` more of the feed's bar batches, moving its
    wall clock past each; ``driver.next_batch`` counts each batch before it is ingested."""
    for _ in range(count):
        if driver.next_batch >= len(batches()):
            return
        batch = batches()[driver.next_batch]
        driver.next_batch += 1
        driver.wall.ns = max(driver.wall.ns, batch[0].ts + 5_000_000)
        driver.runtime.ingest(batch)


def paper_spec(
    repo: SessionsRepo, owner: str, execution: str = "equities_realistic"
) -> SessionSpec:
    end = WALL_START + 10**6 * SECOND
    record = repo.create(
        owner, name="paper", simulation_start=WALL_START, simulation_end=end, kind="paper"
    )
    return SessionSpec(
        record.id, WALL_START, end, Decimal(100_000), execution=preset(execution),
        kind="paper", symbols=SYMBOLS, feed=FEED,
    )  # fmt: skip


def save(store: CheckpointStore, runtime: SessionRuntime, reason: str = "manual") -> int:
    document = document_of(runtime)
    payload, digest = encode(document)
    store.save(
        runtime.spec.session_id, document["seq"], payload, digest,
        reason=reason, schema_version=SCHEMA_VERSION,
    )  # fmt: skip
    return int(document["seq"])


def views(runtime: SessionRuntime) -> dict[str, Any]:
    """What a client sees of the session: orders, positions, cash and equity per account."""
    shown: dict[str, Any] = {"now": runtime.now_ns, "state": runtime.state, "seq": runtime.last_seq}
    for account_id, books in runtime.kernel.portfolios.items():
        shown[account_id] = {
            "cash": books.cash,
            "equity": books.equity,
            "positions": {
                s: (p.qty, p.avg_price, p.realized_pnl) for s, p in books.positions.items()
            },
            "orders": [
                (o.id, o.status, o.qty, o.filled_qty, o.avg_fill_price, o.legs, o.hwm, o.stop_price)
                for o in runtime.orders(account_id)
            ],
        }
    return shown


# -- the commands --------------------------------------------------------------------------
@dataclass
class Driver:
    runtime: SessionRuntime
    wall: ManualClock
    store: CheckpointStore
    journal: Journal
    next_batch: int = 0
    checkpoints: int = 0

    def run(self, command: tuple[Any, ...]) -> None:
        self._run(command)
        if self.runtime.poisoned:  # a command failed after it moved the kernel
            # As the service does: the session is rebuilt from its journal.
            self.runtime = SessionRuntime.restore(
                self.runtime.spec, market(), self.journal, wall=self.wall, checkpoints=self.store
            )

    def _run(self, command: tuple[Any, ...]) -> None:
        kind = command[0]
        runtime = self.runtime
        account = runtime.default_account_id
        try:
            if kind == "bars":
                ingest_batches(self, command[1])
            elif kind == "wait":
                self.wall.ns += command[1] * 10_000_000
                runtime.post_news(["AAA"], "headline")  # a command: the clock follows the wall
            elif kind == "order":
                _, symbol, side, qty, offset = command
                mark = runtime.books(account).mark(symbol)
                options: dict[str, Any] = {}
                cents = Decimal("0.01")
                if offset in (-1, 1) and mark is not None:
                    options = {"limit": (mark * (100 + offset) / 100).quantize(cents)}
                elif offset == 2 and mark is not None and side is OrderSide.BUY:
                    options = {
                        "order_class": "bracket",
                        "take_profit": (mark * Decimal("1.002")).quantize(cents),
                        "stop_loss": (mark * Decimal("0.998")).quantize(cents),
                    }
                elif offset == 3:
                    options = {"trail_percent": Decimal("0.5")}
                try:
                    runtime.submit_order(account, symbol, side, Decimal(qty), **options)
                finally:
                    self._run(("bars", 1))
            elif kind in ("cancel", "replace"):
                open_orders = [o for o in runtime.orders(account) if o.is_open]
                if not open_orders:
                    return
                order = open_orders[command[1] % len(open_orders)]
                if kind == "cancel":
                    runtime.cancel_order(account, order.id)
                else:
                    runtime.replace_order(account, order.id, qty=Decimal(command[2]))
            elif kind == "risk":
                runtime.risk_command(*command[1:], by="key", reason="test")
            elif kind == "pause":
                runtime.transition(SessionTrigger.PAUSE)
            elif kind == "resume":
                runtime.transition(SessionTrigger.RESUME)
            elif kind == "checkpoint":
                try:
                    save(self.store, runtime)
                    self.checkpoints += 1
                except NotSnapshottable:
                    pass
        except PaperbrokerError:
            pass  # a refused command journals nothing (or what it did before refusing)


_RISK = st.sampled_from(
    [
        ("configure", {"settings": {"limits": {"max_order_qty": "30"}}}),
        ("configure", {"settings": {"limits": {"max_orders_per_minute": 3}}}),
        ("configure", {"settings": {"breakers": {"consecutive_losses": 5}}}),
        ("configure", {"settings": {"limits": {"max_order_qty": None}}}),
        ("configure", {"settings": {"limits": {"max_orders_per_minute": None}}}),
        ("override", {"settings": {"limits": {"max_order_qty": "5"}}, "until": WALL_START + 9**10}),
        ("clear_override", {}),
        ("cancel_all", {}),
    ]
)  # fmt: skip
ORDERS = st.tuples(
    st.just("order"), st.sampled_from(SYMBOLS), st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(1, 40), st.sampled_from([0, 0, -1, 1, 2, 3]),
)  # fmt: skip
COMMANDS = st.one_of(
    ORDERS,
    ORDERS,
    st.tuples(st.just("bars"), st.integers(1, 4)),
    st.tuples(st.just("bars"), st.integers(1, 4)),
    st.just(("checkpoint",)),
    st.tuples(st.just("wait"), st.integers(1, 80)),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("replace"), st.integers(0, 5), st.integers(1, 30)),
    st.tuples(st.just("risk"), _RISK).map(lambda t: ("risk", *t[1])),
    st.just(("pause",)),
    st.just(("resume",)),
    st.just(("checkpoint",)),
)


def start(spec: SessionSpec, journal: Journal, store: CheckpointStore) -> Driver:
    wall = ManualClock(WALL_START)
    runtime = SessionRuntime.restore(spec, market(), journal, new=True, wall=wall)
    runtime.transition(SessionTrigger.RESUME)
    return Driver(runtime, wall, store, journal)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(commands=st.lists(COMMANDS, min_size=4, max_size=40))
def test_restore_from_a_checkpoint_and_tail_is_the_full_replay(
    commands: list[tuple[Any, ...]], repo: SessionsRepo, owner: str, journal: Journal,
    factory: SessionFactory,
) -> None:  # fmt: skip
    note(f"commands: {commands!r}")
    store = CheckpointStore(factory)
    driver = start(paper_spec(repo, owner), journal, store)
    for command in [("bars", 2), *commands]:
        driver.run(command)
    runtime = driver.runtime
    spec, wall = runtime.spec, ManualClock(driver.wall.ns)
    full = SessionRuntime.restore(spec, market(), journal, wall=wall)
    resumed = SessionRuntime.restore(spec, market(), journal, wall=wall, checkpoints=store)
    report = store.last_restore(spec.session_id)
    assert report is not None
    assert (report.checkpoint_seq is not None) == bool(driver.checkpoints)
    assert full.diverged is None, full.diverged
    assert views(full) == views(runtime)
    assert views(resumed) == views(full)
    orders = runtime.orders(runtime.default_account_id)
    event(
        f"checkpoints: {min(driver.checkpoints, 2)}, resumed: {report.checkpoint_seq is not None}"
    )
    event(f"filled orders: {min(sum(1 for o in orders if o.filled_qty), 2)}")
    event(f"open orders: {min(sum(1 for o in orders if o.is_open), 2)}")
    try:
        expected = document_of(full)
    except NotSnapshottable:
        return
    assert document_of(resumed) == expected == document_of(runtime)


def test_snapshot_restore_snapshot_is_identical(
    repo: SessionsRepo, owner: str, journal: Journal, factory: SessionFactory
) -> None:
    store = CheckpointStore(factory)
    driver = start(paper_spec(repo, owner), journal, store)
    for command in [
        ("bars", 3), ("order", "AAA", OrderSide.BUY, 10, 0), ("order", "BBB", OrderSide.BUY, 5, -1),
        ("order", "AAA", OrderSide.BUY, 4, 2), ("order", "AAA", OrderSide.SELL, 2, 3),
        ("bars", 2), ("order", "AAA", OrderSide.SELL, 4, 1), ("replace", 0, 3), ("wait", 3),
        ("risk", "configure", {"settings": {"limits": {"max_orders_per_minute": 10}}}),
        ("order", "BBB", OrderSide.SELL, 5, 0), ("cancel", 1), ("bars", 1),
    ]:  # fmt: skip
        driver.run(command)
    seq = save(store, driver.runtime)
    assert seq == driver.runtime.last_seq
    document = document_of(driver.runtime)
    restored = SessionRuntime.restore(
        driver.runtime.spec, market(), journal, wall=driver.wall, checkpoints=store
    )
    report = store.last_restore(driver.runtime.spec.session_id)
    assert report is not None
    assert (report.checkpoint_seq, report.replayed) == (seq, 0)
    assert document_of(restored) == document
    assert views(restored) == views(driver.runtime)
    orders = restored.orders(restored.default_account_id)
    assert any(o.filled_qty for o in orders)
    assert any(o.is_open for o in orders)


def test_canceling_a_replacement_on_its_way_is_refused_without_harm(
    repo: SessionsRepo, owner: str, journal: Journal, factory: SessionFactory
) -> None:
    driver = start(paper_spec(repo, owner), journal, CheckpointStore(factory))
    driver.run(("bars", 2))
    runtime = driver.runtime
    account = runtime.default_account_id
    mark = runtime.books(account).mark("AAA")
    assert mark is not None
    order = runtime.submit_order(account, "AAA", OrderSide.BUY, Decimal(1), limit=mark / 2)
    driver.run(("bars", 1))
    replacement = runtime.replace_order(account, order.id, qty=Decimal(2))
    with pytest.raises(Conflict, match="cannot be canceled"):
        runtime.cancel_order(account, replacement.id)  # 50 ms before it reaches the venue
    assert not runtime.poisoned
    assert replacement.status is OrderStatus.ACCEPTED
