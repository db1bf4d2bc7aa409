"""Reading a session's fills page by page: ``/v1/trading/accounts/{id}/fills`` over 20,000 fills.

A real :class:`~paperbroker.session.SessionRuntime` journaling to SQLite,
on synthetic minute bars: N one-share market orders (default 20,000) fill on
the ideal venue, then every fill is read 100 (and 1,000) at a time, newest
first, each page after the last id of the one before, as a client pages
(:func:`~paperbroker.services.fills.account_fills` and the API's
serialisation). Prints the time per page and in all.

Run with ``python -m bench.fills_paging [N]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from paperbroker.api.responses import FillPublic
from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.data import synthetic_bars
from paperbroker.model.enums import OrderSide
from paperbroker.services.fills import account_fills
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.journal import Journal
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import preset

PER_MINUTE = 500


def main(count: int) -> None:
    start = datetime(2024, 1, 2, 14, 31, tzinfo=UTC)
    minutes = count // PER_MINUTE + 2
    series = {"S": synthetic_bars("S", minutes, seed=1, start=start)}
    with tempfile.TemporaryDirectory() as workdir:
        engine = create_engine_for(f"sqlite:///{Path(workdir) / 'fills.db'}")
        migrate(engine)
        factory = session_factory(engine)
        owner, _ = ApiKeys(factory).create("bench")
        begin = datetime_to_ns(start) - NANOS_PER_MINUTE
        end = int(series["S"].ts[-1])
        record = SessionsRepo(factory).create(
            owner, name="bench", simulation_start=begin, simulation_end=end
        )
        spec = SessionSpec(record.id, begin, end, Decimal(10**9), preset("ideal"))
        runtime = SessionRuntime(spec, MarketData(series), Journal(factory))
        account = runtime.default_account_id
        clock = time.perf_counter()
        for _minute in range(count // PER_MINUTE):
            for _ in range(PER_MINUTE):
                runtime.submit_order(account, "S", OrderSide.BUY, 1)
            runtime.advance_to(runtime.now_ns + NANOS_PER_MINUTE)
        total = len(account_fills(runtime, account, limit=10**9))
        print(f"{total} fills made in {time.perf_counter() - clock:.0f} s")
        for limit in (100, 1000):
            clock = time.perf_counter()
            pages, seen, after = 0, 0, None
            while page := account_fills(runtime, account, after=after, limit=limit):
                body = [FillPublic.of(fill).model_dump() for fill in page]
                pages, seen, after = pages + 1, seen + len(body), page[-1].id
            spent = time.perf_counter() - clock
            print(
                f"pages of {limit}: {pages} pages, {seen} fills in {spent:.1f} s, "
                f"{spent / pages * 1000:.1f} ms a page"
            )
        engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
