"""Session time-advance throughput: simulated bar-steps per second.

One trading year of one-minute bars (252 x 390) for 10 synthetic symbols,
100 resting limit orders (10 per symbol, far below the market), advanced by a
real :class:`~paperbroker.session.SessionRuntime` journaling to SQLite in WAL
mode with ``synchronous=FULL``, in one advance and in one advance per trading
day.  Target: at least 100,000 bar-steps per second.

Run with ``python -m bench.session_advance``.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.data import synthetic_bars
from paperbroker.model.enums import OrderSide
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.journal import Journal
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate
from paperbroker.store.sessions_repo import SessionsRepo

SYMBOLS = 10
BARS = 252 * 390
RESTING_PER_SYMBOL = 10
TARGET = 100_000


def run(steps: int, workdir: Path) -> float:
    """Bar-steps per second when the year is advanced in ``steps`` equal advances."""
    start = datetime(2024, 1, 2, 14, 31, tzinfo=UTC)
    series = {
        f"S{i}": synthetic_bars(f"S{i}", BARS, seed=42 + i, start=start) for i in range(SYMBOLS)
    }
    engine = create_engine_for(f"sqlite:///{workdir / f'advance-{steps}.db'}")
    migrate(engine)
    factory = session_factory(engine)
    owner, _ = ApiKeys(factory).create("bench")
    begin = datetime_to_ns(start) - NANOS_PER_MINUTE
    end = max(int(s.ts[-1]) for s in series.values())
    record = SessionsRepo(factory).create(
        owner, name="bench", simulation_start=begin, simulation_end=end
    )
    spec = SessionSpec(record.id, begin, end, Decimal(10**9))
    runtime = SessionRuntime(spec, MarketData(series), Journal(factory))
    account = runtime.default_account_id
    for symbol in series:
        for k in range(RESTING_PER_SYMBOL):
            runtime.submit_order(account, symbol, OrderSide.BUY, 1, limit=f"{50 - k}.00", tif="gtc")
    span = (end - begin) // steps + 1
    clock = time.perf_counter()
    for step in range(1, steps + 1):
        runtime.advance_to(min(begin + step * span, end))
    elapsed = time.perf_counter() - clock
    assert runtime.kernel.bars_processed == SYMBOLS * BARS
    assert len(runtime.kernel.open_orders()) == SYMBOLS * RESTING_PER_SYMBOL
    engine.dispose()
    return SYMBOLS * BARS / elapsed


def main() -> None:
    print(__doc__.split("\n\n")[1].replace("\n", " "))
    with tempfile.TemporaryDirectory() as workdir:
        for steps, label in ((1, "one advance"), (252, "one advance per trading day")):
            rate = run(steps, Path(workdir))
            verdict = "meets" if rate >= TARGET else "MISSES"
            print(f"  {label:28s} {rate:12,.0f} bar-steps/s ({verdict} the {TARGET:,} target)")


if __name__ == "__main__":
    main()
