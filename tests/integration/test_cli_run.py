"""``paperbroker run`` as an operator runs it: the real command in a subprocess, on a SQLite
file and on PostgreSQL, a synthetic feed of a bar every 0.1 s and an SMA crossover of
2 and 4 bars that trades every few bars.

- Ctrl+C stops it gracefully: exit 130, a summary, the session left ``paused``; a
  server started afterwards on the database shows it (owned by the admin key the
  run printed) and reads the same books.
- kill -9 in mid-trade, then ``run --resume``: the positions and the closed trades
  it prints as restored are those the database held at the crash, and at least as
  many as the last status line showed; it trades on, and SIGTERM ends it (exit 143).
- the default feed replays the bundled data; a replay that runs out completes the
  session (exit 0).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.server_process import CLI, ServerProcess, call
from tests.waiting import wait_for

from paperbroker.services.session_metrics import session_metrics
from paperbroker.services.sessions import SessionService
from paperbroker.session.market import MarketData
from paperbroker.store.db import create_engine_for, session_factory

SMA = ["--strategy", "sma_crossover", "--param", "fast=2", "--param", "slow=4",
       "--param", "allocation=0.2"]  # fmt: skip
SYNTHETIC = ["--symbols", "AAA,BBB", "--feed", "synthetic", "--interval", "0.1"]
STATUS = re.compile(
    r"^status .*positions (\d+)  open orders (\d+)  fills (\d+)  closed trades (\d+)"
)


class RunProcess:
    """``paperbroker run ARGS`` in a subprocess; its output collected line by line."""

    def __init__(self, database_url: str, workdir: Path, *args: str) -> None:
        env = {
            **os.environ,
            "PAPERBROKER_DATABASE_URL": database_url,
            "PAPERBROKER_DATA_DIR": str(workdir / "data"),
            "PAPERBROKER_LOG_DIR": str(workdir / "logs"),
        }
        self.lines: list[str] = []
        self.child = subprocess.Popen(
            [str(CLI), "run", *args], cwd=workdir, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        assert self.child.stdout is not None
        with self.child.stdout:
            for line in self.child.stdout:
                self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def statuses(self) -> list[tuple[int, int, int, int]]:
        """(positions, open orders, fills, closed trades) of every status line so far."""
        found = (STATUS.match(line) for line in list(self.lines))
        return [(int(m[1]), int(m[2]), int(m[3]), int(m[4])) for m in found if m]

    def wait(self, timeout: float = 60) -> int:
        code = self.child.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code

    def kill(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
        self.wait()

    def field(self, label: str) -> str:
        """The value of the last ``  label   value`` line (the summary's, at the end)."""
        for line in reversed(self.lines):
            if line.startswith(f"  {label} "):
                return line[len(label) + 2 :].strip()
        raise AssertionError(f"no {label!r} line in:\n{self.output}")

    def session_id(self) -> str:
        """The id in the header (``  session   ID, owned by KEY``)."""
        line = next(x for x in self.lines if x.startswith("  session ") and "owned by" in x)
        return line.split()[1].rstrip(",")

    def admin_key(self) -> str:
        line = next(x for x in self.lines if x.startswith("admin key: "))
        return line.removeprefix("admin key: ")


def stored_books(database_url: str, data_dir: Path, session_id: str) -> dict[str, Any]:
    """The session's positions and closed trades as the database holds them, read through
    the API's own views (positions, metrics) on a service that drives nothing."""
    engine = create_engine_for(database_url)
    try:
        service = SessionService(
            factory=session_factory(engine), market=MarketData.load(data_dir), drive=False
        )
        record = service.stored_sessions()[0]
        assert record.id == session_id
        runtime = service.runtime(record.owner_key_id, session_id)
        positions = {
            p.symbol: p.qty
            for p in service.positions(record.owner_key_id, session_id, runtime.default_account_id)
        }
        trades = session_metrics(runtime).trades
        closed = sum(1 for t in trades if t.exit_ts is not None)
        fills = runtime.execution_quality().fills
        state = runtime.state.value
        service.shutdown()
    finally:
        engine.dispose()
    return {"positions": positions, "closed": closed, "fills": fills, "state": state}


def restored_books(run: RunProcess) -> dict[str, Any]:
    """What ``run --resume`` printed as restored."""
    start = next(i for i, x in enumerate(run.lines) if x.startswith("Restored session "))
    end = next(
        (i for i, x in enumerate(run.lines) if i > start and not x.startswith("  ")),
        len(run.lines),
    )
    block = run.lines[start + 1 : end]
    positions = {}
    for line in block:
        if line.startswith("    position "):
            symbol, qty = line.split()[1:3]
            positions[symbol] = Decimal(qty)
    closed = int(next(x for x in block if x.startswith("  closed trades")).split()[-1])
    fills = int(next(x for x in block if x.startswith("  fills")).split()[-1])
    return {"positions": positions, "closed": closed, "fills": fills}


def test_ctrl_c_stops_gracefully_and_a_server_shows_the_session_paused(
    database_url: str, tmp_path: Path
) -> None:
    run = RunProcess(database_url, tmp_path, *SYNTHETIC, *SMA, "--duration", "0")
    try:
        wait_for(lambda: any(s[2] >= 2 for s in run.statuses()), "the strategy's fills", 60)
        run.child.send_signal(signal.SIGINT)
        assert run.wait() == 130, run.output
    finally:
        run.kill()
    out = run.output
    assert "Stopped after " in out, out
    assert "interrupted (Ctrl+C)" in out
    assert "left paused, its positions kept" in out
    session_id = run.session_id()
    books = stored_books(database_url, tmp_path / "data", session_id)
    assert books["state"] == "paused"
    assert int(run.field("fills").split()[0]) == books["fills"]  # the summary's count

    server = ServerProcess(database_url, env={"PAPERBROKER_DATA_DIR": str(tmp_path / "data")})
    server.start()
    try:
        server.admin_key = run.admin_key()
        status, sessions = call(server, "GET", "/api/paper-trading/sessions")
        assert status == 200, sessions
        assert [(s["id"], s["state"], s["name"]) for s in sessions] == [
            (session_id, "paused", "cli-run")
        ]
        status, held = call(server, "GET", f"/api/paper-trading/{session_id}/positions")
        assert status == 200
        assert {p["symbol"]: Decimal(p["qty"]) for p in held} == books["positions"]
    finally:
        server.stop()


def test_kill_9_then_resume_prints_the_books_of_the_crash_and_trades_on(
    database_url: str, tmp_path: Path
) -> None:
    run = RunProcess(database_url, tmp_path, *SYNTHETIC, *SMA, "--checkpoint-interval", "1")
    try:
        wait_for(
            lambda: any(s[0] >= 1 and s[3] >= 2 for s in run.statuses()),
            "a closed trade and a position held",
            60,
        )
        run.child.send_signal(signal.SIGKILL)  # mid-trade: bars keep coming every 0.1 s
        assert run.wait() == -signal.SIGKILL
    finally:
        run.kill()
    last_shown = run.statuses()[-1]
    session_id = run.session_id()
    crashed = stored_books(database_url, tmp_path / "data", session_id)
    assert crashed["state"] == "running"  # nothing ran at the kill
    # Whatever the status line showed had been journaled: nothing shown is lost.
    assert crashed["fills"] >= last_shown[2]
    assert crashed["closed"] >= last_shown[3]
    assert crashed["closed"] >= 2

    again = RunProcess(database_url, tmp_path, "--resume", *SMA)
    try:
        wait_for(lambda: again.statuses(), "the resumed run's first status", 60)
        assert again.session_id() == session_id
        assert restored_books(again) == {k: crashed[k] for k in ("positions", "closed", "fills")}
        assert "resumed paper session" in again.output
        wait_for(
            lambda: any(s[2] > crashed["fills"] for s in again.statuses()),
            "a fill after the resume",
            60,
        )
        again.child.send_signal(signal.SIGTERM)
        assert again.wait() == 143, again.output
    finally:
        again.kill()
    assert "terminated (SIGTERM)" in again.output
    assert stored_books(database_url, tmp_path / "data", session_id)["state"] == "paused"


def test_the_default_feed_replays_the_bundled_data_until_it_runs_out(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'run.db'}"
    run = RunProcess(
        url, tmp_path, "--symbols", "AAPL,MSFT", "--strategy", "buy_and_hold",
        "--interval", "0.1", "--replay-start", "2013-02-11",
    )  # fmt: skip
    try:
        assert run.wait() == 0, run.output
    finally:
        run.kill()
    assert "replay of the server's data from 2013-02-11" in run.output
    assert "the session completed (its feed has no more bars)" in run.output
    assert run.field("session").endswith("ended (completed)")
    books = stored_books(url, tmp_path / "data", run.session_id())
    assert books["state"] == "completed"
    assert set(books["positions"]) == {"AAPL", "MSFT"}


def test_a_stop_asked_for_while_paused_is_finished_by_the_next_resume(tmp_path: Path) -> None:
    """``sessions stop`` leaves a paper session with positions ``stopping`` (its closing
    orders need bars); ``run --resume`` brings them, the session stops, exit 0."""
    url = f"sqlite:///{tmp_path / 'run.db'}"
    args = ["--symbols", "AAA", "--strategy", "buy_and_hold", "--feed", "synthetic",
            "--interval", "0.1"]  # fmt: skip
    run = RunProcess(url, tmp_path, *args)
    try:
        wait_for(lambda: any(s[0] == 1 for s in run.statuses()), "the position", 60)
        run.child.send_signal(signal.SIGINT)
        assert run.wait() == 130, run.output
    finally:
        run.kill()
    session_id = run.session_id()
    env = {**os.environ, "PAPERBROKER_DATABASE_URL": url,
           "PAPERBROKER_DATA_DIR": str(tmp_path / "data")}  # fmt: skip
    stop = subprocess.run(
        [str(CLI), "sessions", "stop", session_id], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert stop.returncode == 0, stop.stderr
    assert "stopping" in stop.stdout
    again = RunProcess(url, tmp_path, "--resume")
    try:
        assert again.wait() == 0, again.output
    finally:
        again.kill()
    assert "Restored session " + session_id + " (stopping)" in again.output
    assert "the session stopped (its orders canceled, its positions closed)" in again.output
    books = stored_books(url, tmp_path / "data", session_id)
    assert (books["state"], books["positions"], books["closed"]) == ("stopped", {}, 1)
