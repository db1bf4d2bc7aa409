"""The journal: gapless per-session sequences, all-or-nothing batches, cascades."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, func, select

from paperbroker.core.errors import Conflict, InvalidRequest, NotFound
from paperbroker.store.journal import EncodedEvent, Journal
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo
from paperbroker.store.tables import SessionEventRow


def event(seq: int, kind: str = "OrderSubmitted") -> EncodedEvent:
    payload = json.dumps({"order_id": f"o{seq}", "qty": "10", "price": "101.25"})
    return EncodedEvent(seq=seq, ts=1_700_000_000_000_000_000 + seq, kind=kind,
                        schema_version=1, payload=payload)  # fmt: skip


def events(first: int, last: int) -> list[EncodedEvent]:
    return [event(seq) for seq in range(first, last + 1)]


def count(engine: Engine, table: type[SessionEventRow]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_append_then_read_round_trips_every_field(
    journal: Journal, trading_session: SessionRecord
) -> None:
    sid = trading_session.id
    assert journal.last_seq(sid) == 0
    assert journal.append(sid, events(1, 3)) == 3
    assert journal.append(sid, [event(4, "ClockAdvanced")]) == 4
    assert journal.read(sid) == [*events(1, 3), event(4, "ClockAdvanced")]
    assert journal.read(sid, after_seq=2) == [event(3), event(4, "ClockAdvanced")]
    assert journal.read(sid, after_seq=4) == []
    assert journal.last_seq(sid) == 4


def test_payloads_are_stored_byte_for_byte(
    journal: Journal, trading_session: SessionRecord
) -> None:
    payload = '{"price":"0.1000000000000000055511151231257827","note":"é ✓ \\u0000"}'
    journal.append(trading_session.id, [EncodedEvent(1, 0, "Note", 7, payload)])
    assert journal.read(trading_session.id)[0].payload == payload


def test_an_empty_batch_writes_nothing(
    journal: Journal, trading_session: SessionRecord, engine: Engine
) -> None:
    journal.append(trading_session.id, events(1, 2))
    assert journal.append(trading_session.id, []) == 2
    assert count(engine, SessionEventRow) == 2


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        (events(2, 3), "next event must be seq 4, got 2"),  # replaying the last batch
        ([event(3)], "next event must be seq 4, got 3"),  # repeating the last event
        (events(5, 6), "next event must be seq 4, got 5"),  # a gap
        ([event(4), event(5), event(5)], "consecutive"),  # repeated inside the batch
        ([event(4), event(6)], "consecutive"),  # a gap inside the batch
        ([event(4), event(3)], "consecutive"),  # backwards inside the batch
    ],
)
def test_a_batch_that_breaks_the_sequence_is_refused_whole(
    journal: Journal,
    trading_session: SessionRecord,
    engine: Engine,
    batch: list[EncodedEvent],
    message: str,
) -> None:
    sid = trading_session.id
    journal.append(sid, events(1, 3))
    with pytest.raises(Conflict, match=message):
        journal.append(sid, batch)
    assert journal.read(sid) == events(1, 3)
    assert count(engine, SessionEventRow) == 3


def test_a_batch_with_one_bad_seq_at_the_end_writes_none(
    journal: Journal, trading_session: SessionRecord, engine: Engine
) -> None:
    with pytest.raises(Conflict):
        journal.append(trading_session.id, [*events(1, 9), event(11)])
    assert count(engine, SessionEventRow) == 0
    assert journal.append(trading_session.id, events(1, 10)) == 10


def test_seqs_are_per_session(
    journal: Journal, repo: SessionsRepo, owner: str, trading_session: SessionRecord
) -> None:
    other = repo.create(owner, name="s2", simulation_start=0, simulation_end=1)
    journal.append(trading_session.id, events(1, 3))
    journal.append(other.id, events(1, 2))
    assert journal.last_seq(trading_session.id) == 3
    assert journal.read(other.id) == events(1, 2)


def test_bad_events_are_invalid_requests(journal: Journal, trading_session: SessionRecord) -> None:
    with pytest.raises(InvalidRequest, match="seq must be >= 1"):
        journal.append(trading_session.id, [event(0)])
    with pytest.raises(InvalidRequest, match="no kind"):
        journal.append(trading_session.id, [event(1, kind="")])


def test_unknown_sessions_are_not_found(journal: Journal) -> None:
    ghost = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(NotFound):
        journal.append(ghost, events(1, 1))
    with pytest.raises(NotFound):
        journal.read(ghost)
    with pytest.raises(NotFound):
        journal.last_seq(ghost)


def test_deleting_a_session_deletes_its_events(
    journal: Journal,
    repo: SessionsRepo,
    owner: str,
    trading_session: SessionRecord,
    engine: Engine,
) -> None:
    other = repo.create(owner, name="kept", simulation_start=0, simulation_end=1)
    journal.append(trading_session.id, events(1, 4))
    journal.append(other.id, events(1, 2))
    repo.delete(owner, trading_session.id)
    assert count(engine, SessionEventRow) == 2
    with pytest.raises(NotFound):
        journal.read(trading_session.id)
    assert journal.read(other.id) == events(1, 2)
