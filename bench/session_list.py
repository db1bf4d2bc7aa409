"""Listing sessions: ``GET /v1/sessions`` with thousands of sessions in a SQLite database.

Creates N sessions (default 5,000; a tenth with a strategy pipeline) through
the real :class:`~paperbroker.services.sessions.SessionService` on the
bundled market data, then times the list as the API answers it
(:class:`~paperbroker.api.responses.SessionPublic` of every view):

- **warm**: every session in memory, as on a server that has run a while;
- **after a restart**: a new service on the same database, whose first list
  restores every session from its journal (what a server's start-up does in
  the background), then the list again, warm.

Run with ``python -m bench.session_list [N]``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from paperbroker.api.responses import SessionPublic
from paperbroker.core.clock import datetime_to_ns
from paperbroker.services.sessions import SessionService
from paperbroker.session import MarketData
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate

START = datetime_to_ns(datetime.fromisoformat("2012-01-03T14:30:00+00:00"))
END = datetime_to_ns(datetime.fromisoformat("2012-03-30T21:00:00+00:00"))
PIPELINE: list[dict[str, Any]] = [
    {"type": "data", "name": "data", "symbols": ["AAPL"]},
    {
        "type": "strategy",
        "name": "strategy",
        "symbols": ["AAPL"],
        "config": {"strategy": "sma_crossover", "params": {"fast": 2, "slow": 5}},
    },
    {"type": "risk", "name": "risk"},
    {"type": "execution", "name": "execution"},
]


def listed(service: SessionService, owner: str) -> tuple[int, float]:
    """How many sessions the list answers, and the seconds it took."""
    clock = time.perf_counter()
    answer = [SessionPublic.of(view) for view in service.list(owner)]
    return len(answer), time.perf_counter() - clock


def main(count: int) -> None:
    market = MarketData.bundled()
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'sessions.db'}"
        engine = create_engine_for(url)
        migrate(engine)
        factory = session_factory(engine)
        owner, _ = ApiKeys(factory).create("bench")
        service = SessionService(factory=factory, market=market)
        clock = time.perf_counter()
        for i in range(count):
            service.create(
                owner, start_ns=START, end_ns=END, name=f"s{i}", initial_cash=None,
                execution={"preset": "ideal"}, pipeline=PIPELINE if i % 10 == 0 else None,
            )  # fmt: skip
        print(f"created {count} sessions in {time.perf_counter() - clock:.1f} s")
        warm = [listed(service, owner)[1] for _ in range(3)]
        print(f"list, warm: median {statistics.median(warm) * 1000:.0f} ms")
        service.shutdown()

        restarted = SessionService(factory=factory, market=market, drive=False)
        n, cold = listed(restarted, owner)
        print(f"list after a restart (restores all {n}): {cold:.1f} s")
        warm = [listed(restarted, owner)[1] for _ in range(3)]
        print(f"list after a restart, warm: median {statistics.median(warm) * 1000:.0f} ms")
        restarted.shutdown()
        engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
