"""Replay acceptance: a day of ACME's minute bars replayed to a paper session, end to end.

The real ``paperbroker serve`` on a SQLite file, with a data directory into
which ``paperbroker data import`` first put ``docs/examples/acme-1min.csv``.
A ``/ws`` client subscribes to every session's orders and fills before the
session exists; then a paper session replays ACME at 60 times real time (a
bar a second) under an SMA(2)/SMA(4) crossover on the ``equities_realistic``
venue: at most 5 % of a bar's volume fills (ACME trades a few thousand
shares a minute, the strategy's entries are 400), and every order travels
50 ± 20 ms to the venue. After half a minute the session is stopped, which
closes its position, and the test checks:

- the strategy's orders are listed by ``GET /api/paper-trading/{id}/orders``,
  each filled by exactly the fills the journal holds for it;
- at least one order filled in several pieces (a partial fill, then more);
- every fill came after its order's submission by at least its latency,
  and the latency is the preset's;
- what ``/ws`` delivered, event by event (seq, kind, payload), in order, is
  exactly the session's journal restricted to orders and fills, read from
  the server's database.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bench.server_process import CLI, ServerProcess, call
from tests.waiting import wait_for
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from paperbroker.services.event_kinds import FILLS, ORDERS, topic_of
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.journal import EncodedEvent, Journal

ROOT = Path(__file__).resolve().parents[2]
ACME_CSV = ROOT / "docs" / "examples" / "acme-1min.csv"
#: How long the session trades before it is stopped (one bar a second at speed 60).
RUN_SECONDS = 30.0
WAIT = 20.0
STRATEGY = {"name": "sma_crossover", "params": {"fast": 2, "slow": 4, "allocation": 0.2}}
EXECUTION = {"preset": "equities_realistic", "seed": 11}
#: The preset's latency: 50 ± 20 ms.
LATENCY_NS = (30_000_000, 70_000_000)


def open_ws(server: ServerProcess) -> ClientConnection:
    """A connection to ``/ws`` with the admin key in the headers (unread frames unbounded)."""
    assert server.admin_key is not None
    token = base64.b64encode(server.admin_key.encode()).decode()
    return connect(
        f"ws://127.0.0.1:{server.port}/ws",
        additional_headers={"Authorization": f"Basic {token}"},
        open_timeout=WAIT,
        max_queue=None,
    )


class Listener:
    """A ``/ws`` client subscribed to every session's orders and fills, read by a thread."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        assert self._recv()["type"] == "authenticated"
        self.ws.send(json.dumps({"action": "subscribe", "topics": [ORDERS, FILLS]}))
        answer = self._recv()
        # Every session of the key, those created later too, each from its first event.
        assert answer["type"] == "subscribed", answer
        self.events: list[dict[str, Any]] = []
        self.others: list[dict[str, Any]] = []  # frames other than events and heartbeats
        self._thread = threading.Thread(target=self._read, name="ws-listener", daemon=True)
        self._thread.start()

    def _recv(self) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(self.ws.recv(timeout=WAIT))
        return frame

    def _read(self) -> None:
        try:
            for raw in self.ws:
                frame = json.loads(raw)
                if frame["type"] == "event":
                    self.events.append(frame)
                elif frame["type"] != "heartbeat":
                    self.others.append(frame)
        except ConnectionClosed:
            return

    def of(self, session_id: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["session_id"] == session_id]

    def last_seq(self, session_id: str) -> int:
        mine = self.of(session_id)
        return mine[-1]["seq"] if mine else 0

    def join(self) -> None:
        """Wait for the reader once the connection is closed."""
        self._thread.join(timeout=WAIT)


@dataclass
class Run:
    """What one replay left behind."""

    session: dict[str, Any]
    orders: list[dict[str, Any]]
    positions: list[dict[str, Any]]
    final: dict[str, Any]
    journal: list[EncodedEvent]
    received: list[dict[str, Any]]
    other_frames: list[dict[str, Any]]
    server_output: str = field(repr=False)


def import_acme(data_dir: Path) -> None:
    done = subprocess.run(
        [str(CLI), "data", "import", str(ACME_CSV), "--symbol", "ACME", "--timeframe", "1Min"],
        env={**os.environ, "PAPERBROKER_DATA_DIR": str(data_dir)},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "imported 390 1Min bars of ACME" in done.stdout


@dataclass
class Server:
    process: ServerProcess
    database_url: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server on a SQLite file, with ACME imported into its data directory."""
    workdir = tmp_path_factory.mktemp("paper-replay")
    import_acme(workdir / "data")
    database_url = f"sqlite:///{workdir / 'replay.db'}"
    process = ServerProcess(database_url, env={"PAPERBROKER_DATA_DIR": str(workdir / "data")})
    process.start()
    try:
        yield Server(process, database_url)
    finally:
        process.stop()


@pytest.fixture(scope="module")
def run(server: Server) -> Run:
    return replay(server.process, server.database_url)


def replay(server: ServerProcess, database_url: str) -> Run:
    with open_ws(server) as ws:
        listener = Listener(ws)
        status, session = call(
            server, "POST", "/api/paper-trading/sessions",
            {"name": "acme replay", "symbols": ["ACME"], "strategy": STRATEGY,
             "execution": EXECUTION, "feed": {"type": "replay", "speed": 60}},
        )  # fmt: skip
        assert status == 201, session
        sid = session["id"]
        time.sleep(RUN_SECONDS)
        status, stopping = call(server, "POST", f"/api/paper-trading/sessions/{sid}/stop")
        assert status == 200, stopping
        final = wait_for(
            lambda: (
                (s := call(server, "GET", f"/api/paper-trading/sessions/{sid}")[1])["state"]
                == "stopped"
                and s
            ),
            "the stop to close the position",
        )
        status, orders = call(server, "GET", f"/api/paper-trading/{sid}/orders")
        assert status == 200, orders
        status, positions = call(server, "GET", f"/api/paper-trading/{sid}/positions")
        assert status == 200, positions
        engine = create_engine_for(database_url)
        try:
            journal = Journal(session_factory(engine)).read(sid)
        finally:
            engine.dispose()
        heard = [e for e in journal if topic_of(e.kind) in (ORDERS, FILLS)]
        assert heard, "the session traded nothing"
        wait_for(lambda: listener.last_seq(sid) >= heard[-1].seq, "/ws to catch up")
        time.sleep(0.5)  # anything beyond the journal would show up now
    listener.join()
    return Run(
        session, orders, positions, final, journal, listener.of(sid), listener.others,
        "".join(server.output),
    )  # fmt: skip


def decoded(event: EncodedEvent) -> Any:
    return json.loads(event.payload)


def fills_by_order(journal: list[EncodedEvent]) -> dict[str, list[dict[str, Any]]]:
    fills: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in journal:
        if event.kind == "OrderFilled":
            fills[decoded(event)["order_id"]].append(decoded(event)["fill"])
    return fills


def test_a_replayed_day_trades_with_partial_fills_and_latency_and_ws_equals_the_journal(
    run: Run,
) -> None:
    session, orders, journal = run.session, run.orders, run.journal
    assert session["feed"]["type"] == "replay"
    assert session["execution"]["fill_quantity"] == {
        "model": "volume_participation", "max_share": "0.05",
    }  # fmt: skip
    assert run.final["state"] == "stopped"
    assert run.final["feed"]["bars"] >= RUN_SECONDS - 2  # a bar a second

    # Orders: the strategy's, then the stop's closing order; every one listed.
    submitted = {decoded(e)["order_id"]: e for e in journal if e.kind == "OrderSubmitted"}
    assert len(orders) >= 2
    assert [o["id"] for o in orders] == list(submitted)
    assert {o["symbol"] for o in orders} == {"ACME"}
    assert orders[0]["side"] == "buy"
    fills = fills_by_order(journal)
    held = Decimal(0)
    for order in orders:
        filled = sum((Decimal(f["qty"]) for f in fills.get(order["id"], [])), Decimal(0))
        assert Decimal(order["filled_qty"]) == filled, order["id"]
        assert order["status"] in ("filled", "canceled"), order  # nothing works after the stop
        held += filled if order["side"] == "buy" else -filled
    # The stop closed the position: the fills add up to nothing, and nothing is held.
    assert held == 0
    assert run.positions == []

    # Partial fills: an order filled in several pieces, each at most 5 % of its bar.
    pieces = {oid: len(f) for oid, f in fills.items()}
    assert max(pieces.values()) >= 2, f"no order filled in pieces: {pieces}"
    bars = {e.ts: Decimal(decoded(e)["volume"]) for e in journal if e.kind == "BarReceived"}
    for fill in (f for per_order in fills.values() for f in per_order):
        volume = bars.get(fill["bar_ts"])
        if volume is not None:
            assert Decimal(fill["qty"]) <= volume * Decimal("0.05"), fill

    # Latency: every fill comes after its order's submission by at least its delay.
    latencies = []
    for order_id, per_order in fills.items():
        submitted_at = submitted[order_id].ts
        for fill in per_order:
            assert LATENCY_NS[0] <= fill["latency_ns"] <= LATENCY_NS[1], fill
            assert fill["ts"] >= submitted_at + fill["latency_ns"], (order_id, fill)
            latencies.append(fill["latency_ns"])
    assert latencies

    # /ws: exactly the journal's orders and fills, in order, with their seqs and payloads.
    expected = [
        (e.seq, e.kind, topic_of(e.kind), decoded(e))
        for e in journal
        if topic_of(e.kind) in (ORDERS, FILLS)
    ]
    received = [(e["seq"], e["kind"], e["topic"], e["data"]) for e in run.received]
    assert [r[:2] for r in received] == [e[:2] for e in expected]
    assert received == expected
    assert {e["stream"] for e in run.received} == {f"session:{session['id']}"}
    assert run.other_frames == []  # no error, no warning, no end
    assert {k for _, k, _, _ in expected} >= {"OrderSubmitted", "OrderAccepted", "OrderFilled"}
    assert "Traceback" not in run.server_output


def test_a_stop_while_an_order_works_under_latency_closes_the_position(server: Server) -> None:
    process = server.process
    status, session = call(
        process, "POST", "/api/paper-trading/sessions",
        {"name": "stop with a working order", "symbols": ["AAA"],
         "feed": {"type": "synthetic", "seed": 5, "interval_seconds": 0.1},
         "execution": {"preset": "ideal",
                       "latency": {"model": "jittered", "base_ms": "50", "jitter_ms": "0"}}},
    )  # fmt: skip
    assert status == 201, session
    sid = session["id"]
    orders = f"/api/paper-trading/{sid}/orders"
    wait_for(lambda: call(process, "GET", f"/api/paper-trading/sessions/{sid}")[1]["feed"]["bars"],
             "the first bar")  # fmt: skip
    status, buy = call(process, "POST", orders,
                       {"symbol": "AAA", "side": "buy", "qty": "10", "type": "market"})  # fmt: skip
    assert status == 200, buy
    wait_for(lambda: call(process, "GET", f"/api/paper-trading/{sid}/positions")[1], "the buy")
    status, resting = call(
        process, "POST", orders,
        {"symbol": "AAA", "side": "sell", "qty": "10", "type": "limit",
         "limit_price": "100000", "time_in_force": "gtc"},
    )  # fmt: skip
    assert status == 200, resting
    status, stopping = call(process, "POST", f"/api/paper-trading/sessions/{sid}/stop")
    assert status == 200, stopping
    wait_for(
        lambda: call(process, "GET", f"/api/paper-trading/sessions/{sid}")[1]["state"] == "stopped",
        "the stop",
    )
    status, positions = call(process, "GET", f"/api/paper-trading/{sid}/positions")
    assert status == 200
    # Stopped means flat (docs/operations.md); here 10 AAA are still held.
    assert positions == []
