"""The checkpoint store and the fallbacks of a restore. SQLite and PostgreSQL.

A checkpoint whose payload is damaged (a flipped byte) or whose digest does
not match is skipped for the one before it, down to a replay of the whole
journal, and the session comes back the same every time. Cleanup keeps the
newest ``keep_count``; a paper session run by the service gets its timed
checkpoints, and one at shutdown.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from tests.store.test_checkpoints import (
    Driver,
    market,
    paper_spec,
    save,
    start,
    views,
)
from tests.store.test_session_runtime import END, START

from paperbroker.core.clock import NANOS_PER_MINUTE, ManualClock
from paperbroker.core.errors import InvalidRequest, PaperbrokerError
from paperbroker.model.enums import OrderSide
from paperbroker.model.values import CENT
from paperbroker.services.checkpoints import Checkpointer, interval_of
from paperbroker.session import SessionRuntime, SessionSpec
from paperbroker.session.checkpoint import SCHEMA_VERSION, document_of, encode
from paperbroker.session.state_manager import StateManager
from paperbroker.store.checkpoints import CheckpointStore
from paperbroker.store.db import SessionFactory
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.store.tables import CheckpointRow
from paperbroker.venue.execution import preset


def three_checkpoints(driver: Driver) -> list[int]:
    """Trade and take a checkpoint three times; return their seqs."""
    seqs = []
    for qty in (5, 7, 9):
        driver.run(("order", "AAA", OrderSide.BUY, qty, 0))
        driver.run(("bars", 2))
        seqs.append(save(driver.store, driver.runtime))
    driver.run(("order", "BBB", OrderSide.BUY, 3, 0))  # a tail after the last one
    return seqs


def damage(factory: SessionFactory, seq: int, *, digest: bool = False) -> None:
    """Flip a byte of a checkpoint's payload (or change its digest)."""
    with factory.begin() as session:
        row = session.execute(select(CheckpointRow).where(CheckpointRow.seq == seq)).scalar_one()
        if digest:
            values = {"digest": "0" * 64}
        else:
            payload = bytearray(row.payload)
            payload[len(payload) // 2] ^= 0x01
            values = {"payload": bytes(payload)}
        session.execute(update(CheckpointRow).where(CheckpointRow.id == row.id).values(**values))


@pytest.fixture
def driver(repo: SessionsRepo, owner: str, journal: Journal, factory: SessionFactory) -> Driver:
    return start(paper_spec(repo, owner), journal, CheckpointStore(factory))


def test_a_damaged_checkpoint_falls_back_to_the_one_before_down_to_a_full_replay(
    driver: Driver, journal: Journal, factory: SessionFactory
) -> None:
    seqs = three_checkpoints(driver)
    runtime, store = driver.runtime, driver.store
    spec, wall = runtime.spec, ManualClock(driver.wall.ns)
    expected = document_of(runtime)

    def restored_from() -> int | None:
        restored = SessionRuntime.restore(spec, market(), journal, wall=wall, checkpoints=store)
        assert document_of(restored) == expected
        assert views(restored) == views(runtime)
        report = store.last_restore(spec.session_id)
        assert report is not None
        assert report.replayed == runtime.last_seq - (report.checkpoint_seq or 0)
        return report.checkpoint_seq

    assert restored_from() == seqs[2]
    damage(factory, seqs[2])
    assert restored_from() == seqs[1]
    damage(factory, seqs[1], digest=True)
    assert restored_from() == seqs[0]
    damage(factory, seqs[0])
    assert restored_from() is None  # the whole journal, replayed
    report = store.last_restore(spec.session_id)
    assert report is not None
    assert report.skipped == 3


def test_a_checkpoint_of_another_shape_is_skipped(
    driver: Driver, journal: Journal, factory: SessionFactory
) -> None:
    seqs = three_checkpoints(driver)
    # A well-formed document with the right digest whose state does not fit the session.
    document = document_of(driver.runtime)
    assert document["seq"] == driver.runtime.last_seq > seqs[2]
    document["runtime"]["kernel"]["seen"] = [0]  # one instrument, not two
    save_raw(driver.store, driver.runtime.spec.session_id, document)
    restored = SessionRuntime.restore(
        driver.runtime.spec, market(), journal, wall=driver.wall, checkpoints=driver.store
    )
    report = driver.store.last_restore(driver.runtime.spec.session_id)
    assert report is not None
    assert (report.checkpoint_seq, report.skipped) == (seqs[2], 1)
    assert views(restored) == views(driver.runtime)


def save_raw(store: CheckpointStore, session_id: str, document: dict[str, Any]) -> None:
    payload, digest = encode(document)
    store.save(
        session_id, document["seq"], payload, digest, reason="manual",
        schema_version=SCHEMA_VERSION,
    )  # fmt: skip


def test_list_stats_and_cleanup_keep_the_newest(driver: Driver) -> None:
    store = driver.store
    session_id = driver.runtime.spec.session_id
    seqs = []
    for qty in range(1, 6):
        driver.run(("order", "AAA", OrderSide.BUY, qty, 0))
        seqs.append(save(store, driver.runtime))
    assert [c.seq for c in store.list(session_id)] == seqs[::-1]
    again = store.save(session_id, seqs[-1], b"x", "0" * 64, reason="manual", schema_version=1)
    assert again.digest != "0" * 64  # one per seq: the stored one stands
    stats = store.stats(session_id)
    assert (stats.count, stats.latest_seq) == (5, seqs[-1])
    assert stats.total_size == sum(c.size for c in store.list(session_id))
    assert stats.last_restore is None
    assert store.cleanup(session_id, keep_count=2) == 3
    assert [c.seq for c in store.list(session_id)] == seqs[:2:-1]
    assert store.cleanup(session_id, keep_count=2) == 0
    assert store.cleanup(session_id, keep_count=5, older_than_hours=0) == 1  # the newest stays
    assert [c.seq for c in store.list(session_id)] == [seqs[-1]]
    with pytest.raises(InvalidRequest, match="keep_count"):
        store.cleanup(session_id, keep_count=0)
    with pytest.raises(InvalidRequest, match="reason"):
        store.save(session_id, 1, b"x", "0" * 64, reason="whim", schema_version=1)


def test_a_session_with_nothing_new_gets_no_timed_checkpoint(driver: Driver) -> None:
    store = driver.store
    runtime = driver.runtime
    state = StateManager(store, runtime_of=lambda _: runtime, restore_of=lambda _: runtime)
    now = [0.0]
    config = json.dumps({"checkpoint_interval_seconds": 5})
    checkpointer = Checkpointer(
        state, lambda: [(runtime.spec.session_id, "paper", config, runtime)], 30, lambda: now[0]
    )
    assert interval_of(config, 30) == 5
    assert checkpointer.tick() == []  # the first round starts the session's interval
    now[0] = 5.0
    first = checkpointer.tick()
    assert [c.seq for c in first] == [runtime.last_seq]
    assert first[0].reason == "interval"
    now[0] = 10.0
    assert checkpointer.tick() == []  # nothing new since
    driver.run(("bars", 1))
    now[0] = 12.0
    assert checkpointer.tick() == []  # not due yet
    now[0] = 15.0
    assert [c.seq for c in checkpointer.tick()] == [runtime.last_seq]
    assert state.stats(runtime.spec.session_id).count == 2
    assert state.create(runtime.spec.session_id).seq == runtime.last_seq  # already there


def test_a_backtest_checkpoints_its_place_in_the_data_not_its_bars(
    repo: SessionsRepo, owner: str, journal: Journal, factory: SessionFactory
) -> None:
    record = repo.create(owner, name="b", simulation_start=START, simulation_end=END)
    spec = SessionSpec(
        record.id, START, END, Decimal(100_000), execution=preset("equities_realistic")
    )
    store = CheckpointStore(factory)
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    runtime.submit_order(account, "AAPL", OrderSide.BUY, 10)
    runtime.advance_to(START + 3 * 24 * 60 * NANOS_PER_MINUTE)
    runtime.submit_order(account, "AAPL", OrderSide.SELL, 4, limit=Decimal("1000"))
    document = document_of(runtime)
    assert document["runtime"]["kernel"]["feed"] is None
    save_raw(store, spec.session_id, document)
    runtime.advance_to(START + 6 * 24 * 60 * NANOS_PER_MINUTE)
    restored = SessionRuntime.restore(spec, market(), journal, checkpoints=store)
    full = SessionRuntime.restore(spec, market(), journal)
    assert document_of(restored) == document_of(full) == document_of(runtime)
    assert views(restored) == views(full)
    report = store.last_restore(spec.session_id)
    assert report is not None
    assert report.checkpoint_seq == document["seq"]


def test_a_deleted_session_takes_its_checkpoints_with_it(
    driver: Driver, repo: SessionsRepo, owner: str
) -> None:
    three_checkpoints(driver)
    session_id = driver.runtime.spec.session_id
    assert driver.store.stats(session_id).count == 3
    repo.delete(owner, session_id)
    assert driver.store.list(session_id) == []


def test_a_checkpoint_written_by_another_version_is_not_used(
    driver: Driver, journal: Journal
) -> None:
    seqs = three_checkpoints(driver)
    document = document_of(driver.runtime)
    document["written_by"] = "0.0.1"  # its rules may not be this version's
    save_raw(driver.store, driver.runtime.spec.session_id, document)
    SessionRuntime.restore(
        driver.runtime.spec, market(), journal, wall=driver.wall, checkpoints=driver.store
    )
    report = driver.store.last_restore(driver.runtime.spec.session_id)
    assert report is not None
    assert (report.checkpoint_seq, report.skipped) == (seqs[2], 1)


BACKTEST_COMMANDS = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.integers(1, 3 * 24 * 60)),
        st.tuples(
            st.just("order"),
            st.sampled_from(["AAPL", "MSFT"]),
            st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
            st.integers(1, 20),
            st.sampled_from([None, Decimal("0.98"), Decimal("1.02")]),
        ),
        st.tuples(st.just("cancel"), st.integers(0, 5)),
        st.just(("checkpoint",)),
    ),
    min_size=3,
    max_size=25,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(commands=BACKTEST_COMMANDS)
def test_a_backtest_restored_from_a_checkpoint_is_its_full_replay(
    commands: list[tuple[Any, ...]], repo: SessionsRepo, owner: str, journal: Journal,
    factory: SessionFactory,
) -> None:  # fmt: skip
    record = repo.create(owner, name="b", simulation_start=START, simulation_end=END)
    spec = SessionSpec(
        record.id, START, END, Decimal(100_000), execution=preset("equities_realistic")
    )
    store = CheckpointStore(factory)
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    for command in commands:
        try:
            if command[0] == "advance":
                runtime.advance_to(min(runtime.now_ns + command[1] * NANOS_PER_MINUTE, END))
            elif command[0] == "order":
                _, symbol, side, qty, factor = command
                mark = runtime.books(account).mark(symbol)
                limit = None if factor is None or mark is None else (mark * factor).quantize(CENT)
                runtime.submit_order(account, symbol, side, qty, limit=limit)
            elif command[0] == "cancel":
                working = [o for o in runtime.orders(account) if o.is_open]
                if working:
                    runtime.cancel_order(account, working[command[1] % len(working)].id)
            else:
                save_raw(store, spec.session_id, document_of(runtime))
        except PaperbrokerError:
            pass
        if runtime.poisoned:
            runtime = SessionRuntime.restore(spec, market(), journal, checkpoints=store)
    full = SessionRuntime.restore(spec, market(), journal)
    resumed = SessionRuntime.restore(spec, market(), journal, checkpoints=store)
    assert views(resumed) == views(full) == views(runtime)
    assert document_of(resumed) == document_of(full)
    report = store.last_restore(spec.session_id)
    assert report is not None
    event(f"from a checkpoint: {report.checkpoint_seq is not None}")
    event(f"fills: {min(sum(1 for o in full.orders(account) if o.filled_qty), 2)}")
