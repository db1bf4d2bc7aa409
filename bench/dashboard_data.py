"""The databases the dashboard benchmark serves: many sessions, and one session with many fills.

Both are made through the real :class:`~paperbroker.services.sessions.SessionService`
on the bundled market data, as the API would make them:

- **sessions**: N backtest sessions of one key (a tenth with a strategy
  pipeline, as ``bench.session_list`` makes them);
- **fills**: one backtest session on daily AAPL, MSFT, IBM and GOOG bars from
  2005, ten one-share market orders (good till canceled) a day, each filled at
  the next bar, until the account has the fills asked for. Buys for the first
  twenty days, then each symbol's buys and sells in pairs, so the account is
  never short.

Making them takes minutes (every order is a journaled command), so each is
kept in a cache directory (``PAPERBROKER_BENCH_CACHE``, default
``$TMPDIR/paperbroker-bench-dashboard``) under a name that holds its size and
a digest of the database's schema (its migrations and tables): a new schema
makes them again. Other changes to the code keep them, as a server upgraded
without a migration keeps its database: the server restores each session by
replaying its journal with the code it runs. A run works on a copy, so the
server's writes never reach the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORE = ROOT / "src" / "paperbroker" / "store"
DAY_NS = 24 * 60 * 60 * 10**9
#: 2005-01-03 14:30 UTC, the first session of 2005 at the open.
FILLS_START_NS = 1104762600 * 10**9
FILLS_SYMBOLS = ("AAPL", "MSFT", "IBM", "GOOG")
ORDERS_PER_DAY = 10
BUY_ONLY_DAYS = 20


@dataclass(frozen=True)
class Database:
    """A database file, the key (``KEY_ID:SECRET``) owning its sessions, and its session."""

    path: Path
    key: str
    session_id: str | None = None
    #: Fills (or sessions) it holds.
    count: int = 0


def cache_dir() -> Path:
    configured = os.environ.get("PAPERBROKER_BENCH_CACHE")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / "paperbroker-bench-dashboard"


def schema_version() -> str:
    """A digest of the database's schema: its tables and migrations."""
    digest = hashlib.sha256()
    files = [STORE / "tables.py", *sorted((STORE / "migrations").rglob("*.py"))]
    for path in files:
        digest.update(str(path.relative_to(STORE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _cached(name: str, make: object) -> Database:
    """The cached database ``name`` (made by ``make(path)`` if missing), copied for one run."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"{name}-{schema_version()}"
    db, meta = stem.with_suffix(".db"), stem.with_suffix(".json")
    if not (db.is_file() and meta.is_file()):
        for stale in folder.glob(f"{name}-*"):
            stale.unlink()
        partial = stem.with_suffix(".partial.db")
        began = time.perf_counter()
        print(f"making {db.name} (kept for later runs) ...", file=sys.stderr, flush=True)
        made: Database = make(partial)  # type: ignore[operator]
        _checkpoint(partial)
        partial.rename(db)
        info = {"key": made.key, "session": made.session_id, "count": made.count}
        meta.write_text(json.dumps(info))
        print(f"made {db.name} in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    info = json.loads(meta.read_text())
    copy = Path(tempfile.mkdtemp(prefix="pb-dashboard-")) / "bench.db"
    shutil.copyfile(db, copy)
    return Database(copy, info["key"], info["session"], info["count"])


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so that the file alone is the database."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _service(path: Path):  # type: ignore[no-untyped-def]
    from paperbroker.services.sessions import SessionService
    from paperbroker.session.market import MarketData
    from paperbroker.store.db import create_engine_for, session_factory
    from paperbroker.store.keys import ApiKeys
    from paperbroker.store.migrate import migrate

    path.unlink(missing_ok=True)
    # The bytes written do not depend on the synchronous level; NORMAL makes them faster.
    engine = create_engine_for(f"sqlite:///{path}", "NORMAL")
    migrate(engine)
    factory = session_factory(engine)
    key_id, secret = ApiKeys(factory).create("dashboard bench")
    service = SessionService(factory=factory, market=MarketData.bundled(), drive=False)
    return engine, service, key_id, f"{key_id}:{secret}"


def sessions_db(count: int) -> Database:
    """A database with ``count`` backtest sessions of one key."""

    def make(path: Path) -> Database:
        from bench.session_list import END, PIPELINE, START

        engine, service, owner, key = _service(path)
        for i in range(count):
            service.create(
                owner, start_ns=START, end_ns=END, name=f"bench-{i:05d}", initial_cash=None,
                execution={"preset": "ideal"}, pipeline=PIPELINE if i % 10 == 0 else None,
            )  # fmt: skip
            if i % 500 == 499:
                print(f"  {i + 1:,} sessions", file=sys.stderr, flush=True)
        service.shutdown()
        engine.dispose()
        return Database(path, key, None, count)

    return _cached(f"sessions-{count}", make)


def fills_db(fills: int) -> Database:
    """A database with one backtest session whose account has ``fills`` fills."""

    def make(path: Path) -> Database:
        from paperbroker.services.views import OrderRequest

        engine, service, owner, key = _service(path)
        days = -(-fills // ORDERS_PER_DAY) + 10
        view = service.create(
            owner, start_ns=FILLS_START_NS, end_ns=FILLS_START_NS + (days + 30) * DAY_NS,
            name=f"{fills:,} fills", initial_cash=Decimal(10**8),
        )  # fmt: skip
        account = view.default_account_id
        for sent in range(fills):
            day, k = divmod(sent, ORDERS_PER_DAY)
            # After the first days, each pair of orders buys and sells one symbol.
            side = "buy" if day < BUY_ONLY_DAYS or k % 2 == 0 else "sell"
            symbol = FILLS_SYMBOLS[(day + k // 2) % len(FILLS_SYMBOLS)]
            order = OrderRequest(symbol, side, "1", "market", time_in_force="gtc")
            service.submit_order(owner, view.id, account, order)
            if k == ORDERS_PER_DAY - 1:
                service.advance(owner, view.id, minutes=Decimal(24 * 60))
            if sent % 2000 == 1999:
                print(f"  {sent + 1:,} orders", file=sys.stderr, flush=True)
        # Past a weekend and a holiday: every order has filled.
        service.advance(owner, view.id, minutes=Decimal(5 * 24 * 60))
        orders = service.orders(owner, view.id, account, "all")
        refused = sum(1 for o in orders if o.order.filled_qty == 0)
        if refused:
            raise RuntimeError(f"{refused} of the {fills:,} orders did not fill")
        service.shutdown()
        engine.dispose()
        return Database(path, key, view.id, fills)

    return _cached(f"fills-{fills}", make)


def discard(database: Database) -> None:
    """Remove a run's copy (and its directory)."""
    shutil.rmtree(database.path.parent, ignore_errors=True)


if __name__ == "__main__":  # make them ahead of a run: python -m bench.dashboard_data N FILLS
    print(sessions_db(int(sys.argv[1])))
    print(fills_db(int(sys.argv[2])))
