"""Durability: a batch whose append returned survives a SIGKILL of the writer.

A child process appends batches and prints each batch number after its
commit; the test kills it with SIGKILL at an arbitrary point, then checks that
every printed batch is in the journal, whole, and that no batch is partial.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import URL, Engine
from tests.store.backends import url_text

from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionRecord

#: Kill rounds per backend; each round starts a Python process (~1.5 s here).
ROUNDS = {"sqlite": 5, "postgresql": 3}
BATCH = 3
WRITER = Path(__file__).with_name("_journal_writer.py")


def run_and_kill(url: URL, session_id: str, lines_before_kill: int) -> list[int]:
    """Start a writer, SIGKILL it after it printed ``lines_before_kill`` batches."""
    child = subprocess.Popen(
        [sys.executable, str(WRITER), url_text(url), session_id, str(BATCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    printed: list[int] = []
    try:
        while len(printed) < lines_before_kill:
            line = child.stdout.readline()
            if not line:
                assert child.stderr is not None
                raise AssertionError(f"writer died: {child.stderr.read()}")
            printed.append(int(line))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        # Lines printed between our last read and the kill were committed too.
        printed.extend(int(line) for line in child.stdout.read().split())
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        child.stdout.close()
        if child.stderr is not None:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return printed


def test_every_acknowledged_batch_survives_sigkill(
    db_url: URL, engine: Engine, journal: Journal, trading_session: SessionRecord
) -> None:
    rng = random.Random(os.environ.get("PYTEST_XDIST_WORKER", "seed"))
    acknowledged: list[int] = []
    for _ in range(ROUNDS[engine.dialect.name]):
        acknowledged += run_and_kill(db_url, trading_session.id, rng.randint(1, 12))
        events = journal.read(trading_session.id)
        seqs = [e.seq for e in events]
        assert seqs == list(range(1, len(seqs) + 1))  # gapless
        assert len(seqs) % BATCH == 0  # no partial batch
        stored = {json.loads(e.payload)["batch"] for e in events}
        assert set(acknowledged) <= stored, f"lost batches {set(acknowledged) - stored}"
    # A batch committed but killed before its line was printed is skipped, not repeated.
    assert acknowledged == sorted(set(acknowledged))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
