"""Start-up time: the command line's help, and a server's restart until it answers.

Every figure is a cold start: a fresh ``paperbroker`` process, timed from the
moment it is launched.

- **CLI**: ``paperbroker --help`` and ``paperbroker backtest --help`` until the
  process exits. Target: 0.3 s each.
- **Server, empty database**: ``paperbroker serve`` on a SQLite database that
  an earlier start migrated and that holds keys but no session, until
  ``GET /v1/sessions`` answers ``200`` to a key. Target: 1.5 s.
- **Server, 10,000 journaled orders**: the same with one backtest session
  whose journal holds 10,000 orders (submitted a few a day, filled at the
  next open, about 30,000 events). "Ready" is the same call, by a key that
  owns no session; the time until the journaled session itself answers
  (``GET /v1/sessions/{id}`` by its owner, which waits for its restore) is
  printed beside it. Target: 2 s.

Each start reports its wall time and the CPU time the process had used by
then (user + system, from ``/proc``): on a busy machine the wall time grows
with the wait for a core, the CPU time much less. Minimums, medians and p90s
over ``--runs`` starts (7); the verdict is the median's.

The starts read the modules' bytecode where it is cached (``make env``
compiles it). Where it is not, and Python may not write it
(``PYTHONDONTWRITEBYTECODE``), every start compiles every module again: the
benchmark says so before its figures.

With ``--baseline PATH``, the ``paperbroker`` executable of another
checkout (its environment's ``bin/paperbroker``), that checkout's server
starts alternate with this one's on the same databases, and its figures are
printed beside these: the two see the same load. Its schema must be this
one's.

Run with ``python -m bench.startup [--runs 7] [--orders 10000] [--cli-runs 10]
[--baseline PATH]``.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bench.server_process import CLI, free_port

CLI_TARGET_S = 0.3
EMPTY_TARGET_S = 1.5
ORDERS_TARGET_S = 2.0
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Start:
    """One cold start: wall seconds until it answered, and the CPU seconds it had used."""

    wall: float
    cpu: float
    session_wall: float | None = None


def percentile(values: list[float], q: float) -> float:
    """The ``q``-quantile (0..1) of ``values``, interpolated."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    at = q * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def summary(label: str, values: list[float], target: float | None) -> str:
    median, p90 = statistics.median(values), percentile(values, 0.9)
    line = f"  {label:40s} min {min(values):5.2f} s   median {median:5.2f} s   p90 {p90:5.2f} s"
    if target is not None:
        verdict = "meets" if median <= target else "MISSES"
        line += f"   ({verdict} the {target:g} s target)"
    return line


def uncached_bytecode() -> list[str]:
    """The server's modules (of paperbroker and of its largest dependencies) whose
    bytecode is not on disk: a start compiles each of them, unless it may write it."""
    modules = ("paperbroker.api.app", "fastapi.routing", "pydantic.main", "sqlalchemy.orm.session")
    missing = []
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        if not Path(importlib.util.cache_from_source(spec.origin)).exists():
            missing.append(name)
    return missing


# -- the command line ---------------------------------------------------------------
def time_cli(args: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``paperbroker ARGS``, once per run."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([str(CLI), *args], capture_output=True, check=True)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


# -- the server -------------------------------------------------------------------
def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds process ``pid`` has used (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _get(url: str, key: str) -> int:
    """The status of an authenticated GET, or 0 if nothing answered."""
    request = urllib.request.Request(
        url, headers={"Authorization": "Basic " + base64.b64encode(key.encode()).decode()}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def cold_start(
    database_url: str,
    workdir: Path,
    key: str,
    session: tuple[str, str] | None = None,
    timeout: float = 120.0,
    cli: Path = CLI,
) -> Start:
    """Start a server, time it until ``GET /v1/sessions`` is a 200 for ``key`` (and,
    with ``session`` (its id and owner key), until that session answers), stop it."""
    port = free_port()
    env = {
        **os.environ,
        "PAPERBROKER_DATABASE_URL": database_url,
        "PAPERBROKER_DATA_DIR": str(workdir / "data"),
        "PAPERBROKER_LOG_DIR": str(workdir / "logs"),
        "PAPERBROKER_LOG_LEVEL": "WARNING",
    }
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(cli), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = started + timeout
        while True:
            status = _get(f"{base}/v1/sessions", key)
            if status == 200:
                break
            if child.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"the server did not answer (last status {status})")
            if status == 0:
                time.sleep(0.005)
        start = Start(time.perf_counter() - started, _cpu_seconds(child.pid))
        if session is not None:
            session_id, owner = session
            status = _get(f"{base}/v1/sessions/{session_id}", owner)
            if status != 200:
                raise RuntimeError(f"the journaled session answered {status}")
            start.session_wall = time.perf_counter() - started
        return start
    finally:
        child.terminate()
        _, errors = child.communicate(timeout=30)
        if child.returncode not in (0, -15):
            print(errors, file=sys.stderr)


def prepare(database_url: str, workdir: Path, orders: int) -> tuple[str, str, str]:
    """Migrate the database (a first start of the server does the same) and make two
    keys; journal ``orders`` orders in one backtest session of the second.

    Returns the first key (no sessions), the session's id and its owner's key.
    """
    from paperbroker.services.sessions import SessionService
    from paperbroker.services.views import OrderRequest
    from paperbroker.session.market import MarketData
    from paperbroker.store.db import create_engine_for, session_factory
    from paperbroker.store.keys import ApiKeys
    from paperbroker.store.migrate import migrate

    engine = create_engine_for(database_url, "NORMAL")  # the journal's bytes do not depend on it
    migrate(engine)
    factory = session_factory(engine)
    keys = ApiKeys(factory)
    probe = ":".join(keys.create("startup probe"))
    owner, secret = keys.create("startup owner")
    service = SessionService(factory=factory, market=MarketData.load(workdir / "data"), drive=False)
    day = 24 * 60 * 60 * 10**9
    start = 1104762600 * 10**9  # 2005-01-03 14:30 UTC
    view = service.create(
        owner, start_ns=start, end_ns=start + 3650 * day, name="journaled",
        initial_cash=Decimal(10**9),
    )  # fmt: skip
    account = view.default_account_id
    for i in range(orders):
        side = "buy" if i % 2 == 0 else "sell"
        request = OrderRequest(symbol="AAPL", side=side, qty="1", type="market")
        service.submit_order(owner, view.id, account, request)
        if i % 5 == 4:
            service.advance(owner, view.id, minutes=Decimal(24 * 60))
    service.shutdown()
    engine.dispose()
    return probe, view.id, f"{owner}:{secret}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="cold starts per server case")
    parser.add_argument("--cli-runs", type=int, default=10, help="runs per CLI command")
    parser.add_argument("--orders", type=int, default=10_000, help="orders in the journal")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="PAPERBROKER",
        help="the paperbroker executable of another checkout (its environment's bin/): "
        "its server starts alternate with this one's on the same databases, and are "
        "reported beside them",
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    missing = uncached_bytecode()
    if missing and sys.dont_write_bytecode:
        print(
            f"bytecode: not cached ({', '.join(missing)}, …), and PYTHONDONTWRITEBYTECODE is "
            "set: every start compiles the modules it imports (`make env` compiles them)"
        )
    elif missing:  # written now, as a first start would: the starts below are restarts
        importlib.import_module("paperbroker.api.app")
        print("bytecode: written now")
    else:
        print("bytecode: cached")

    print("CLI (a fresh process until it exits)")
    for command in (["--help"], ["backtest", "--help"]):
        walls, cpus = time_cli(command, args.cli_runs)
        label = "paperbroker " + " ".join(command)
        print(summary(label, walls, CLI_TARGET_S))
        print(summary("  CPU", cpus, None))

    with tempfile.TemporaryDirectory(prefix="pb-startup-") as tmp:
        workdir = Path(tmp)
        empty_url = f"sqlite:///{workdir / 'empty.db'}"
        probe, _, _ = prepare(empty_url, workdir, orders=0)
        full_url = f"sqlite:///{workdir / 'orders.db'}"
        began = time.perf_counter()
        probe_full, session_id, owner = prepare(full_url, workdir, orders=args.orders)
        print(f"(journaled {args.orders:,} orders in {time.perf_counter() - began:.0f} s)")

        print("Server on SQLite (a fresh process until GET /v1/sessions answers 200)")
        clis = {"": CLI} if args.baseline is None else {"": CLI, "baseline: ": args.baseline}
        empty: dict[str, list[Start]] = {name: [] for name in clis}
        full: dict[str, list[Start]] = {name: [] for name in clis}
        for _ in range(args.runs):  # with a baseline, its starts alternate with these
            for name, cli in clis.items():
                empty[name].append(cold_start(empty_url, workdir, probe, cli=cli))
        for _ in range(args.runs):
            for name, cli in clis.items():
                journaled = (session_id, owner)
                full[name].append(cold_start(full_url, workdir, probe_full, journaled, cli=cli))
        for name in clis:
            print(summary(f"{name}empty database", [s.wall for s in empty[name]], EMPTY_TARGET_S))
            print(summary("  CPU", [s.cpu for s in empty[name]], None))
        for name in clis:
            label = f"{name}{args.orders:,} journaled orders"
            print(summary(label, [s.wall for s in full[name]], ORDERS_TARGET_S))
            print(summary("  CPU", [s.cpu for s in full[name]], None))
            served = [s.session_wall for s in full[name] if s.session_wall is not None]
            print(summary("  until the journaled session answers", served, None))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
