"""The system events table on SQLite and PostgreSQL: gapless per-owner seqs under concurrent
writers, reads, and the severity rule in SQL agreeing with the one in Python."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import URL, insert
from tests.store.backends import find_postgres, temporary_database, temporary_schema

from paperbroker.core.errors import InvalidRequest
from paperbroker.store.db import SessionFactory, create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.store.system_events import (
    ActivityQuery,
    SystemEvents,
    read_activity,
    severity_of,
)
from paperbroker.store.tables import SessionEventRow

WRITERS, EACH = 6, 15
CIRCULAR: dict[str, object] = {}
CIRCULAR["itself"] = CIRCULAR
LEVELS = ("info", "warning", "error")


@pytest.fixture(scope="module")
def postgres() -> Iterator[URL]:
    with temporary_database(find_postgres()) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SessionFactory]:
    if request.param == "sqlite":
        engine = create_engine_for(f"sqlite:///{tmp_path / 'system.db'}")
        migrate(engine)
        yield session_factory(engine)
        engine.dispose()
        return
    with temporary_schema(request.getfixturevalue("postgres")) as url:
        engine = create_engine_for(url)
        migrate(engine)
        yield session_factory(engine)
        engine.dispose()


def test_concurrent_writers_get_every_seq_once_per_owner(factory: SessionFactory) -> None:
    events = SystemEvents(factory)
    owners = ["PKOWNERAAAAAAAAAAA", "PKOWNERBBBBBBBBBBB"]
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            for n in range(EACH):
                events.append(owners[writer % 2], "SystemStarted", {"writer": writer, "n": n})
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for owner in owners:
        stored = events.read(owner)
        assert [e.seq for e in stored] == list(range(1, WRITERS // 2 * EACH + 1))
        assert events.last_seq(owner) == len(stored)
        for writer in range(owner == owners[1], WRITERS, 2):  # each writer's in its order
            mine = [e.payload for e in stored if f'"writer":{writer}' in e.payload]
            assert mine == [f'{{"n":{n},"writer":{writer}}}' for n in range(EACH)]
    assert events.last_seqs() == dict.fromkeys(owners, WRITERS // 2 * EACH)


def test_an_event_is_stored_as_given_and_read_after_a_seq(factory: SessionFactory) -> None:
    events = SystemEvents(factory, now_ns=lambda: 42)
    first = events.append("PKOWNER", "SessionCreated", {"cash": Decimal("1.50")}, session_id="s")
    assert first == ("PKOWNER", 1, 42, "SessionCreated", "info", "s", '{"cash":"1.50"}')
    events.append("PKOWNER", "SystemStopFailed", {})
    events.append("PKOWNER", "SystemStarted", {}, severity="warning")
    assert [(e.seq, e.severity) for e in events.read("PKOWNER", after_seq=1)] == [
        (2, "error"),
        (3, "warning"),
    ]
    assert [e.seq for e in events.read("PKOWNER", after_seq=1, limit=1)] == [2]
    assert events.read("PKSOMEONEELSE") == []


@pytest.mark.parametrize(
    ("kind", "payload", "severity"),
    [
        ("session_created", {}, None),  # not CamelCase
        ("SessionCreated", CIRCULAR, None),
        ("SessionCreated", {"x": "y" * 20_000}, None),
        ("SessionCreated", {}, "fatal"),
    ],
)
def test_what_the_store_refuses(
    factory: SessionFactory, kind: str, payload: dict[str, object], severity: str | None
) -> None:
    with pytest.raises(InvalidRequest):
        SystemEvents(factory).append("PKOWNER", kind, payload, severity=severity)


#: ``(kind, payload)`` of journal rows, the severity rule's every branch.
ROWS = [
    ("OrderFilled", "{}"),
    ("OrderRejected", '{"message":"no"}'),
    ("OrderDenied", "{}"),
    ("SessionStateChanged", '{"reason":"","state":"killed","trigger":"kill"}'),
    ("SessionStateChanged", '{"reason":"","state":"error","trigger":"fail"}'),
    ("SessionStateChanged", '{"reason":"","state":"paused","trigger":"pause"}'),
    # A quote in a string is escaped: this reason does not make the state "killed".
    ("SessionStateChanged", '{"reason":"x\\"state\\":\\"killed\\"","state":"paused"}'),
    ("SystemStartFailed", "{}"),
    ("AgentError", "{}"),
    ("AdvanceRequested", "{}"),  # quiet: never listed
]


def test_the_severity_rule_in_sql_is_the_one_in_python(factory: SessionFactory) -> None:
    owner, _ = ApiKeys(factory).create("owner")
    session_id = (
        SessionsRepo(factory).create(owner, name="s", simulation_start=0, simulation_end=1).id
    )
    rows = [
        {"session_id": session_id, "seq": seq, "ts": seq, "kind": kind}
        | {"schema_version": 2, "payload": payload, "committed_at": seq}
        for seq, (kind, payload) in enumerate(ROWS, start=1)
    ]
    with factory.begin() as session:
        session.execute(insert(SessionEventRow), rows)
    python = {
        seq: severity_of(kind, json.loads(payload).get("state"))
        for seq, (kind, payload) in enumerate(ROWS, start=1)
        if kind != "AdvanceRequested"
    }
    for floor in ("info", "warning", "error"):
        listed = read_activity(factory, ActivityQuery(owner, min_severity=floor, limit=50))
        wanted = {s for s, level in python.items() if LEVELS.index(level) >= LEVELS.index(floor)}
        assert {row.seq for row in listed} == wanted, floor
        assert all(row.severity == python[row.seq] for row in listed)
