"""Concurrent appenders on one session: never a duplicate or a gap; the loser gets Conflict."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from paperbroker.core.errors import Conflict
from paperbroker.store.journal import EncodedEvent, Journal
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo

ROUNDS = 8
TARGET = 40


def batch(first: int, writer: str, size: int = 2) -> list[EncodedEvent]:
    return [
        EncodedEvent(seq, 0, "OrderSubmitted", 1, f'{{"writer":"{writer}","seq":{seq}}}')
        for seq in range(first, first + size)
    ]


def run_together(*workers: Callable[[], None]) -> None:
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    if errors:
        raise errors[0]


def race(journal: Journal, session_id: str, first: int) -> dict[str, str]:
    """Two writers append a batch starting at ``first`` at the same moment."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def writer(name: str) -> None:
        barrier.wait()
        try:
            journal.append(session_id, batch(first, name))
            outcomes[name] = "ok"
        except Conflict:
            outcomes[name] = "conflict"

    run_together(lambda: writer("a"), lambda: writer("b"))
    return outcomes


def test_two_writers_racing_for_the_same_seq_one_wins_one_gets_conflict(
    journal: Journal, trading_session: SessionRecord
) -> None:
    sid = trading_session.id
    for round_no in range(ROUNDS):
        first = 2 * round_no + 1
        outcomes = race(journal, sid, first)
        assert sorted(outcomes.values()) == ["conflict", "ok"]
        winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
        assert journal.read(sid, after_seq=first - 1) == batch(first, winner)
    assert [e.seq for e in journal.read(sid)] == list(range(1, 2 * ROUNDS + 1))


def test_writers_that_retry_on_conflict_build_one_gapless_sequence(
    journal: Journal, trading_session: SessionRecord
) -> None:
    sid = trading_session.id
    written: dict[str, list[int]] = {"a": [], "b": []}

    def writer(name: str) -> None:
        while True:
            last = journal.last_seq(sid)
            if last >= TARGET:
                return
            try:
                journal.append(sid, batch(last + 1, name))
            except Conflict:
                continue
            written[name].extend((last + 1, last + 2))

    run_together(lambda: writer("a"), lambda: writer("b"))
    seqs = [e.seq for e in journal.read(sid)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert sorted(written["a"] + written["b"]) == seqs
    for e in journal.read(sid):
        assert f'"seq":{e.seq}' in e.payload
        assert e.seq in written["a" if '"writer":"a"' in e.payload else "b"]


@pytest.mark.parametrize("size", [1, 50])
def test_writers_on_different_sessions_do_not_conflict(
    journal: Journal, trading_session: SessionRecord, size: int, repo: SessionsRepo, owner: str
) -> None:
    other = repo.create(owner, name="other", simulation_start=0, simulation_end=1)

    def writer(sid: str) -> None:
        last = 0
        for _ in range(5):
            last = journal.append(sid, batch(last + 1, sid[:4], size))

    run_together(lambda: writer(trading_session.id), lambda: writer(other.id))
    assert journal.last_seq(trading_session.id) == journal.last_seq(other.id) == 5 * size
