"""Paper load: twenty paper sessions trading live at once; event-loop lag and order acks.

A real ``paperbroker serve`` on SQLite (WAL, ``synchronous=FULL``) runs 20
paper sessions, each on its own synthetic feed of 5 symbols at one bar a
second (100 bars/s in all, every batch journaled before the clock moves),
each with an SMA crossover pipeline (data, strategy, risk, execution) on
the default ``equities_realistic`` venue. For ``--seconds`` (300 by
default) the benchmark measures:

- the server's **event-loop lag**: from ``GET /api/system/health``, whose
  monitor sleeps 100 ms at a time and records how late it wakes, read once
  a minute (each reading covers the minute since the last: p50 is the
  median of the minutes', p99 and max the worst minute's; a run shorter
  than a minute first lets the sessions run until the setup has left the
  monitor's window). Where the server has no health endpoint, the lag is only seen through the next
  figure, and the report says so;
- a **/ws ping round trip**: a websocket client sends ``{"action": "ping"}``
  ten times a second and times each ``pong`` (the event loop reads the
  frame, answers and writes, so a blocked loop shows here too, plus the
  client's own share);
- **order-ack latency**: one keep-alive client sends market orders to the
  sessions in turn through ``POST /api/paper-trading/{id}/orders`` at a
  fixed rate (5/s; open loop: a late request goes out at once, and its
  lateness counts);
- **bars ingested per second** (the feeds' counts) and the server's CPU.

Target: p99 event-loop lag <= 50 ms. There is no peer to compare with, so
the figures are absolute.

Run with ``python -m bench.paper_load [--seconds 300] [--sessions 20] [--rate 5]``;
``python -m bench`` runs it after the engine comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import json
import os
import platform
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from bench.server_process import ServerProcess, call

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_LAG_P99_MS = 50.0
SYMBOLS = ("AAA", "BBB", "CCC", "DDD", "EEE")
#: Short enough to trade within the first minute; 10 % of equity per entry, so the
#: strategies never take the cash the benchmark's own orders need.
STRATEGY = {"name": "sma_crossover", "params": {"fast": 5, "slow": 20, "allocation": 0.1}}
HEALTH_PATH = "/api/system/health"
#: The health endpoint's lag window.
HEALTH_WINDOW_SECONDS = 60.0
PING_INTERVAL_SECONDS = 0.1
#: The prefix of the client order ids of the benchmark's own orders.
HAND = "load-"


@dataclass(frozen=True)
class Stats:
    """p50, p99 and max of a set of millisecond figures, and how many there were."""

    count: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        ordered = sorted(values)
        if not ordered:
            return cls(0, 0.0, 0.0, 0.0)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return cls(len(ordered), statistics.median(ordered), p99, ordered[-1])

    def text(self) -> str:
        return f"p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, max {self.max_ms:.2f} ms"


@dataclass
class Results:
    """Everything one run measured (written to ``bench/results/paper_load.json``)."""

    sessions: int
    symbols_per_session: int
    seconds: float
    order_rate: float
    bars: int = 0
    bars_per_second: float = 0.0
    server_cpu_percent: float | None = None
    #: One ``event_loop`` reading of the health endpoint a minute; empty without one.
    lag_windows: list[dict[str, Any]] = field(default_factory=list)
    lag: Stats | None = None
    lag_source: str = ""
    ping: Stats = field(default_factory=lambda: Stats.of([]))
    control: Stats = field(default_factory=lambda: Stats.of([]))
    acks: Stats = field(default_factory=lambda: Stats.of([]))
    ack_errors: dict[str, int] = field(default_factory=dict)
    strategy_orders: int = 0
    fills: int = 0
    sessions_running: int = 0

    @property
    def target_met(self) -> bool | None:
        """Whether p99 lag <= the target (``None``: the server does not measure its lag)."""
        return None if self.lag is None else self.lag.p99_ms <= TARGET_LAG_P99_MS


# -- the parts that run during the measurement ------------------------------------------------
class Pinger(threading.Thread):
    """Times ``ping`` -> ``pong`` on ``/ws`` every ``PING_INTERVAL_SECONDS``."""

    def __init__(self, server: ServerProcess) -> None:
        super().__init__(name="ws-pinger", daemon=True)
        self.server = server
        self.stop = threading.Event()
        self.round_trips: list[float] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        assert self.server.admin_key is not None
        token = base64.b64encode(self.server.admin_key.encode()).decode()
        try:
            with connect(
                f"ws://127.0.0.1:{self.server.port}/ws",
                additional_headers={"Authorization": f"Basic {token}"},
                open_timeout=30,
            ) as ws:
                assert json.loads(ws.recv(timeout=30))["type"] == "authenticated"
                while not self.stop.wait(PING_INTERVAL_SECONDS):
                    sent = time.perf_counter()
                    ws.send('{"action":"ping"}')
                    while json.loads(ws.recv(timeout=30))["type"] != "pong":
                        pass  # a heartbeat
                    self.round_trips.append((time.perf_counter() - sent) * 1000)
        except (ConnectionClosed, OSError, TimeoutError) as error:
            self.error = error


class Control(threading.Thread):
    """The machine's own share of any lag: the server monitor's probe, run in this process.

    An event loop here sleeps 100 ms at a time and records how late it wakes,
    as the server's monitor does. On an idle machine it wakes within a
    fraction of a millisecond; when other processes keep the cores busy it
    waits for one, and so does the server.
    """

    def __init__(self) -> None:
        super().__init__(name="control-lag", daemon=True)
        self.stop = threading.Event()
        self.lags: list[float] = []

    def run(self) -> None:
        asyncio.run(self._probe())

    async def _probe(self) -> None:
        loop = asyncio.get_running_loop()
        while not self.stop.is_set():
            asked = loop.time()
            await asyncio.sleep(PING_INTERVAL_SECONDS)
            self.lags.append(max(0.0, loop.time() - asked - PING_INTERVAL_SECONDS) * 1000)


class OrderClient(threading.Thread):
    """Market orders to the sessions in turn at a fixed rate, each acknowledgement timed."""

    def __init__(self, server: ServerProcess, sessions: Sequence[str], rate: float) -> None:
        super().__init__(name="order-client", daemon=True)
        self.server = server
        self.sessions = list(sessions)
        self.rate = rate
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()

    def run(self) -> None:
        assert self.server.admin_key is not None
        headers = {
            "Authorization": "Basic " + base64.b64encode(self.server.admin_key.encode()).decode(),
            "Content-Type": "application/json",
        }
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        interval = 1.0 / self.rate
        start = time.perf_counter()
        n = 0
        while not self.stop.is_set():
            due = start + n * interval
            wait = due - time.perf_counter()
            if wait > 0 and self.stop.wait(wait):
                break
            session = self.sessions[n % len(self.sessions)]
            symbol = SYMBOLS[(n // len(self.sessions)) % len(SYMBOLS)]
            body = json.dumps(
                {"symbol": symbol, "side": "buy", "qty": "1", "type": "market",
                 "client_order_id": f"{HAND}{n}"}
            )  # fmt: skip
            n += 1
            sent = time.perf_counter()
            try:
                connection.request(
                    "POST", f"/api/paper-trading/{session}/orders", body=body, headers=headers
                )
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                self.errors[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
                continue
            self.latencies.append((time.perf_counter() - sent) * 1000)
            if response.status != 200:
                reason = json.loads(answer).get("message", "")[:60] if answer else ""
                self.errors[f"{response.status} {reason}".strip()] += 1
        connection.close()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` (Linux ``/proc``; ``None`` elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def health(server: ServerProcess) -> dict[str, Any] | None:
    """The health endpoint's ``event_loop`` reading, or ``None`` if the server has none."""
    status, answer = call(server, "GET", HEALTH_PATH, timeout=30)
    if status == 404 or not isinstance(answer, dict) or "event_loop" not in answer:
        return None
    reading: dict[str, Any] = answer["event_loop"]
    return reading


def feeds(server: ServerProcess) -> list[dict[str, Any]]:
    status, sessions = call(server, "GET", "/api/paper-trading/sessions", timeout=30)
    assert status == 200, sessions
    listed: list[dict[str, Any]] = sessions
    return listed


# -- one run ------------------------------------------------------------------------------------
def measure(server: ServerProcess, sessions: int, seconds: float, rate: float) -> Results:
    """Create the sessions, then measure for ``seconds`` (see the module doc)."""
    results = Results(sessions, len(SYMBOLS), seconds, rate)
    ids = []
    for index in range(sessions):
        status, session = call(
            server, "POST", "/api/paper-trading/sessions",
            {"name": f"load {index}", "symbols": list(SYMBOLS), "strategy": STRATEGY,
             "initial_cash": "10000000",
             "feed": {"type": "synthetic", "seed": index, "interval_seconds": 1}},
            timeout=60,
        )  # fmt: skip
        assert status == 201, session
        ids.append(session["id"])
    has_health = health(server) is not None
    if not has_health:
        results.lag_source = f"not measured: the server has no {HEALTH_PATH}; see /ws ping"
        time.sleep(2)  # every feed has delivered
    elif seconds < HEALTH_WINDOW_SECONDS:
        # One reading of the monitor's last minute at the end: the setup must be out of it.
        time.sleep(HEALTH_WINDOW_SECONDS - seconds + 2)
        results.lag_source = f"{HEALTH_PATH}, one reading of its last minute, sessions running"
    else:
        time.sleep(2)
        results.lag_source = (
            f"{HEALTH_PATH}, one reading a minute: the minutes' median p50, worst p99 and max"
        )
    pinger, client, control = Pinger(server), OrderClient(server, ids, rate), Control()
    bars_before = sum(s["feed"]["bars"] for s in feeds(server))
    cpu_before = cpu_seconds(server.pid) if server.pid is not None else None
    started = time.monotonic()
    control.start()
    pinger.start()
    client.start()
    window = min(HEALTH_WINDOW_SECONDS, seconds)
    next_reading = started + window
    deadline = started + seconds
    while (now := time.monotonic()) < deadline:
        time.sleep(max(0.0, min(next_reading, deadline) - now))
        if has_health and time.monotonic() >= next_reading - 0.01:
            reading = health(server)
            if reading is not None:
                results.lag_windows.append(reading)
            next_reading += window
    elapsed = time.monotonic() - started
    for part in (client, pinger, control):
        part.stop.set()
    for part in (client, pinger, control):
        part.join(timeout=60)
    cpu_after = cpu_seconds(server.pid) if server.pid is not None else None
    listed = feeds(server)
    results.bars = sum(s["feed"]["bars"] for s in listed) - bars_before
    results.bars_per_second = results.bars / elapsed
    if cpu_before is not None and cpu_after is not None:
        results.server_cpu_percent = 100 * (cpu_after - cpu_before) / elapsed
    if results.lag_windows:
        results.lag = Stats(
            sum(w["samples"] for w in results.lag_windows),
            statistics.median(w["lag_p50_ms"] for w in results.lag_windows),
            max(w["lag_p99_ms"] for w in results.lag_windows),
            max(w["lag_max_ms"] for w in results.lag_windows),
        )
    results.ping = Stats.of(pinger.round_trips)
    results.control = Stats.of(control.lags)
    if pinger.error is not None:
        results.ack_errors[f"/ws pinger: {pinger.error!r}"] = 1
    results.acks = Stats.of(client.latencies)
    results.ack_errors.update(client.errors)
    results.sessions_running = sum(1 for s in listed if s["state"] == "running")
    results.fills = sum(int(s["execution_quality"]["fills"]) for s in listed)
    for session_id in ids:
        status, orders = call(server, "GET", f"/api/paper-trading/{session_id}/orders", timeout=60)
        assert status == 200, orders
        results.strategy_orders += sum(
            1 for o in orders if not o["client_order_id"].startswith(HAND)
        )
    return results


def report(results: Results) -> list[str]:
    """The figures as lines, in the style of the other benchmarks."""
    r = results
    expected = r.sessions * r.symbols_per_session
    lines = [
        f"paper load: {r.sessions} paper sessions x {r.symbols_per_session} symbols, synthetic "
        f"feeds at 1 bar/s, SMA pipelines, {r.seconds:g} s on SQLite (WAL, synchronous=FULL)",
        f"bars ingested: {r.bars:,} ({r.bars_per_second:.1f}/s; the feeds send {expected}/s)",
    ]
    if r.lag is not None:
        verdict = "meets" if r.target_met else "MISSES"
        lines.append(
            f"event-loop lag ({r.lag_source}; {r.lag.count:,} samples): "
            f"{r.lag.text()} ({verdict} the p99 <= "
            f"{TARGET_LAG_P99_MS:g} ms target)"
        )
    else:
        lines.append(f"event-loop lag: {r.lag_source}")
    lines.append(f"/ws ping round trip ({r.ping.count:,} pings): {r.ping.text()}")
    lines.append(
        f"the machine: the same 100 ms sleep probe in the client's process "
        f"({r.control.count:,} samples): {r.control.text()}"
    )
    errors = sum(r.ack_errors.values())
    lines.append(
        f"order ack at {r.order_rate:g}/s round robin ({r.acks.count:,} orders): "
        f"{r.acks.text()}, {errors} errors" + (f" {dict(r.ack_errors)}" if errors else "")
    )
    cpu = "n/a" if r.server_cpu_percent is None else f"{r.server_cpu_percent:.0f} % of one core"
    lines.append(
        f"server CPU: {cpu}; sessions still running: {r.sessions_running}/{r.sessions}; "
        f"strategy orders: {r.strategy_orders:,}; fills: {r.fills:,}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.paper_load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=300.0, help="how long to measure")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0, help="hand orders per second")
    parser.add_argument("--out", type=Path, default=RESULTS / "paper_load.json")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.sessions < 1 or args.rate <= 0:
        parser.error("--seconds, --sessions and --rate must be positive")
    with tempfile.TemporaryDirectory() as workdir:
        server = ServerProcess(
            f"sqlite:///{Path(workdir) / 'paper-load.db'}",
            env={"PAPERBROKER_DATA_DIR": str(Path(workdir) / "data")},
        )
        server.start()
        try:
            results = measure(server, args.sessions, args.seconds, args.rate)
        finally:
            server.stop()
    lines = report(results)
    print("\n".join(lines), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "generated_at": datetime.now(UTC).isoformat(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "results": asdict(results),
                "target_lag_p99_ms": TARGET_LAG_P99_MS,
                "target_met": results.target_met,
                "report": lines,
            },
            indent=2,
        )
        + "\n"
    )
    return 1 if sum(results.ack_errors.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
