"""Restart-to-ready of a long paper session: from its latest checkpoint, and by full replay.

The session: a paper session on two symbols of the synthetic feed, ideal
execution, whose journal holds ``--events`` events (1,000,000): bars
received (``BarReceived``), the clock moves they caused
(``AdvanceRequested``) and an order every 1,000 bars, buying and selling in
turn, with its fills. It is built by a real runtime taking the bars in
batches of two; its commits are gathered and written through the journal
in batches of 50,000 events (building is not timed). ``--tail`` events
(10,000: about 55 minutes of this feed, far more than the 30 s between
timed checkpoints) before the end, the session's checkpoint is written
(document, JSON, zlib, SHA-256, stored): its time and size are printed.

Then, in the same run, on the same SQLite database:

- **from checkpoint**: ``SessionRuntime.restore(..., checkpoints=store)``
  until the runtime is ready (the latest checkpoint verified and decoded,
  the journal's tail after it replayed and checked). Target: 2 s;
- **full replay**: ``SessionRuntime.restore(...)`` of the whole journal.

Both restores must give the same state (their checkpoint documents are
compared). Wall seconds; the ratio is full replay / from checkpoint.

``--strategy NAME``: the session also trades through the standard pipeline
of agents (data → strategy → risk → execution) around the built-in
strategy ``NAME``, as ``paperbroker run`` sessions do; its checkpoint then
holds the agents, the strategy's own state and its indicators' series.

Run with ``python -m bench.restart [--events 1000000] [--tail 10000]
[--strategy buy_and_hold]`` (``--quick``: 100,000 events).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import tempfile
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from sqlalchemy import make_url

from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.core.clock import ManualClock
from paperbroker.feeds.synthetic import SyntheticFeed
from paperbroker.model.enums import OrderSide
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.session.checkpoint import SCHEMA_VERSION, document_of, encode
from paperbroker.session.lifecycle import SessionTrigger
from paperbroker.store.checkpoints import CheckpointStore
from paperbroker.store.db import SessionFactory, create_engine_for, session_factory
from paperbroker.store.journal import EncodedEvent, Journal
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import preset

TARGET_S = 2.0
WALL_START = 1_790_000_000 * 10**9
SECOND = 10**9
BATCH = 50_000
#: The parameters of the pipeline variant's strategies (the others take their defaults).
STRATEGY_PARAMS: dict[str, dict[str, object]] = {"sma_crossover": {"fast": 10, "slow": 30}}


class GatheringJournal(Journal):
    """A journal whose appends are gathered and written in batches of ``BATCH`` events."""

    def __init__(self, factory: SessionFactory) -> None:
        super().__init__(factory)
        self._pending: list[EncodedEvent] = []
        self._session = ""

    def append(self, session_id: str, events: Sequence[EncodedEvent]) -> int:
        self._session = session_id
        self._pending.extend(events)
        if len(self._pending) >= BATCH:
            self.flush()
        return events[-1].seq if events else 0

    def flush(self) -> None:
        if self._pending:
            super().append(self._session, self._pending)
            self._pending = []


def build(
    factory: SessionFactory, events: int, tail: int, store: CheckpointStore, strategy: str | None
) -> tuple[SessionSpec, int, float, int]:
    """The session's record and spec, its journal written with a checkpoint ``tail`` events
    before its end; return the spec, its wall, the checkpoint's write time and size."""
    owner, _ = ApiKeys(factory).create("bench")
    end = WALL_START + 10**9 * SECOND
    record = SessionsRepo(factory).create(
        owner, name="restart", simulation_start=WALL_START, simulation_end=end, kind="paper"
    )
    feed = {"type": "synthetic", "seed": 5, "interval_seconds": 1.0}
    pipeline = None
    if strategy is not None:
        params = STRATEGY_PARAMS.get(strategy, {})
        pipeline = standard_pipeline(strategy, params, ["AAA", "BBB"], strategy_files=False)
    spec = SessionSpec(
        record.id, WALL_START, end, Decimal(1_000_000), execution=preset("ideal"),
        kind="paper", symbols=("AAA", "BBB"), feed=feed, pipeline=pipeline,
    )  # fmt: skip
    journal = GatheringJournal(factory)
    wall = ManualClock(WALL_START)
    runtime = SessionRuntime.restore(spec, MarketData.bundled(), journal, new=True, wall=wall)
    runtime.transition(SessionTrigger.RESUME)
    source = SyntheticFeed(
        ["AAA", "BBB"], seed=5, interval_seconds=1.0, wall_start_ns=WALL_START, clock=ManualClock(0)
    )
    account = runtime.default_account_id
    written: tuple[float, int] | None = None
    for number, batch in enumerate(itertools.islice(source.batches(None), events)):
        wall.ns = batch[0].ts + 1_000_000
        runtime.ingest(batch)
        if number % 500 == 499:
            side = OrderSide.BUY if number % 1000 == 499 else OrderSide.SELL
            runtime.submit_order(account, "AAA", side, Decimal(10))
        if written is None and runtime.last_seq >= events - tail:
            journal.flush()
            written = checkpoint(store, runtime)
        if runtime.last_seq >= events:
            break
    journal.flush()
    assert written is not None
    return spec, wall.ns, *written


def checkpoint(store: CheckpointStore, runtime: SessionRuntime) -> tuple[float, int]:
    """Write the runtime's checkpoint; return the seconds it took and its stored size."""
    started = time.perf_counter()
    document = document_of(runtime)
    payload, digest = encode(document)
    store.save(
        runtime.spec.session_id, document["seq"], payload, digest, reason="manual",
        schema_version=SCHEMA_VERSION,
    )  # fmt: skip
    return time.perf_counter() - started, len(payload)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--tail", type=int, default=10_000, help="events after the checkpoint")
    parser.add_argument("--quick", action="store_true", help="100,000 events")
    parser.add_argument(
        "--strategy",
        default=None,
        help="trade through the standard pipeline of agents around this built-in strategy",
    )
    args = parser.parse_args()
    events = 100_000 if args.quick else args.events
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine_for(make_url(f"sqlite:///{Path(folder) / 'restart.db'}"))
        migrate(engine)
        factory = session_factory(engine)
        store = CheckpointStore(factory)
        started = time.perf_counter()
        spec, now, write_s, size = build(factory, events, args.tail, store, args.strategy)
        journal, market = Journal(factory), MarketData.bundled()
        total = journal.last_seq(spec.session_id)
        kind = "by hand" if args.strategy is None else f"by a pipeline around {args.strategy}"
        print(f"built: {total:,} journal events, traded {kind}, in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip

        started = time.perf_counter()
        full = SessionRuntime.restore(spec, market, journal, wall=ManualClock(now))
        replay_s = time.perf_counter() - started
        document = document_of(full)
        del full
        gc.collect()

        started = time.perf_counter()
        resumed = SessionRuntime.restore(
            spec, market, journal, wall=ManualClock(now), checkpoints=store
        )
        resume_s = time.perf_counter() - started
        report = store.last_restore(spec.session_id)
        assert report is not None, "no restore was recorded"
        assert report.checkpoint_seq is not None, "the checkpoint was not used"
        assert document_of(resumed) == document, "the restores differ"
        engine.dispose()

    print(
        f"checkpoint: at seq {report.checkpoint_seq:,}, written in {write_s:.2f} s, "
        f"{size / 1e6:.1f} MB stored; {report.replayed:,} events replayed after it"
    )
    print(f"full replay:      {replay_s:8.2f} s")
    print(f"from checkpoint:  {resume_s:8.2f} s  (target {TARGET_S:.0f} s)")
    print(f"ratio: {replay_s / resume_s:.1f}x faster from the checkpoint")
    verdict = "meets" if resume_s <= TARGET_S else "MISSES"
    print(f"{verdict} the target: restart-to-ready from a checkpoint <= {TARGET_S:.0f} s")


if __name__ == "__main__":
    main()
