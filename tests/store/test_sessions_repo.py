"""The sessions table: owned by one key, invisible to every other."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import update

from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.store.db import SessionFactory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo
from paperbroker.store.tables import SessionRow

START = 1_104_537_600_000_000_000  # 2005-01-01T00:00:00Z
END = 1_356_912_000_000_000_000  # 2012-12-31T00:00:00Z


def test_create_then_get_returns_every_field(repo: SessionsRepo, owner: str) -> None:
    config = json.dumps({"initial_cash": "100000.00", "symbols": ["AAPL"]})
    created = repo.create(
        owner, name="crossover", simulation_start=START, simulation_end=END, config=config
    )
    assert str(uuid.UUID(created.id)) == created.id
    assert (created.kind, created.status, created.config) == ("backtest", "active", config)
    assert created.created_at > 0
    assert repo.get(owner, created.id) == created


def test_a_given_session_id_is_used_and_must_be_a_free_uuid(repo: SessionsRepo, owner: str) -> None:
    sid = str(uuid.uuid4())
    assert (
        repo.create(owner, name="a", simulation_start=0, simulation_end=1, session_id=sid).id == sid
    )
    with pytest.raises(InvalidRequest, match="already in use"):
        repo.create(owner, name="b", simulation_start=0, simulation_end=1, session_id=sid)
    with pytest.raises(InvalidRequest, match="not a UUID"):
        repo.create(owner, name="c", simulation_start=0, simulation_end=1, session_id="x")


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"name": "x" * 201},
        {"status": " "},
        {"kind": "k" * 33},
        {"simulation_start": END, "simulation_end": START},
    ],
)
def test_invalid_sessions_are_refused(
    repo: SessionsRepo, owner: str, fields: dict[str, object]
) -> None:
    values: dict[str, object] = {"name": "s", "simulation_start": START, "simulation_end": END}
    values.update(fields)
    with pytest.raises(InvalidRequest):
        repo.create(owner, **values)  # type: ignore[arg-type]


def test_an_unknown_owner_is_not_found(repo: SessionsRepo) -> None:
    with pytest.raises(NotFound, match="API key"):
        repo.create("PKNOSUCHKEY0000000", name="s", simulation_start=0, simulation_end=1)


def test_other_owners_neither_see_nor_touch_a_session(
    repo: SessionsRepo, keys: ApiKeys, owner: str
) -> None:
    intruder, _ = keys.create("intruder")
    mine = repo.create(owner, name="mine", simulation_start=0, simulation_end=1)
    theirs = repo.create(intruder, name="theirs", simulation_start=0, simulation_end=1)
    assert [s.id for s in repo.list_for_owner(owner)] == [mine.id]
    assert [s.id for s in repo.list_for_owner(intruder)] == [theirs.id]
    with pytest.raises(NotFound):
        repo.get(intruder, mine.id)
    with pytest.raises(NotFound):
        repo.update_status(intruder, mine.id, "completed")
    with pytest.raises(NotFound):
        repo.delete(intruder, mine.id)
    assert repo.get(owner, mine.id).status == "active"
    assert {s.id for s in repo.list_all()} == {mine.id, theirs.id}


def test_list_for_owner_is_oldest_first(keys: ApiKeys, factory: SessionFactory) -> None:
    ticks = iter(range(1, 100))
    repo = SessionsRepo(factory, now_ns=lambda: next(ticks))
    owner, _ = keys.create("o")
    ids = [
        repo.create(owner, name=f"s{i}", simulation_start=0, simulation_end=1).id for i in range(3)
    ]
    assert [s.id for s in repo.list_for_owner(owner)] == ids


def test_update_status(repo: SessionsRepo, owner: str) -> None:
    created = repo.create(owner, name="s", simulation_start=0, simulation_end=1)
    updated = repo.update_status(owner, created.id, "completed")
    assert updated.status == "completed"
    assert repo.get(owner, created.id) == updated
    with pytest.raises(InvalidRequest):
        repo.update_status(owner, created.id, "")


def test_delete_removes_the_session(repo: SessionsRepo, owner: str) -> None:
    created = repo.create(owner, name="s", simulation_start=0, simulation_end=1)
    repo.delete(owner, created.id)
    with pytest.raises(NotFound):
        repo.get(owner, created.id)
    assert repo.list_for_owner(owner) == []
    with pytest.raises(NotFound):
        repo.delete(owner, created.id)


def owned_by(factory: SessionFactory, session_id: str, key_id: str) -> None:
    """Make ``key_id`` own the session, as earlier versions let a key bound to a session do."""
    with factory.begin() as session:
        session.execute(
            update(SessionRow).where(SessionRow.id == session_id).values(owner_key_id=key_id)
        )


def test_a_key_bound_to_a_session_owns_none(
    repo: SessionsRepo, keys: ApiKeys, owner: str, trading_session: SessionRecord
) -> None:
    bound, _ = keys.create("bot", session_id=trading_session.id, account_id="a")
    with pytest.raises(InvalidRequest, match=f"bound to session {trading_session.id}"):
        repo.create(bound, name="mine", simulation_start=START, simulation_end=END)
    assert [r.id for r in repo.list_all()] == [trading_session.id]


def test_deleting_a_session_hands_what_its_bound_keys_own_to_its_owner(
    factory: SessionFactory, repo: SessionsRepo, keys: ApiKeys, owner: str
) -> None:
    parent = repo.create(owner, name="parent", simulation_start=START, simulation_end=END)
    bot, _ = keys.create("bot", session_id=parent.id, account_id="a")
    made = [
        repo.create(owner, name=f"bot's {i}", simulation_start=START, simulation_end=END)
        for i in range(2)
    ]
    for record in made:
        owned_by(factory, record.id, bot)
    # A key bound to one of those, which made a session of its own too: it stays as it is.
    grandchild = repo.create(owner, name="grandchild", simulation_start=START, simulation_end=END)
    second, _ = keys.create("bot of bot", session_id=made[0].id, account_id="a")
    owned_by(factory, grandchild.id, second)

    assert repo.delete(owner, parent.id) == [r.id for r in made]

    assert [r.id for r in repo.list_for_owner(owner)] == [r.id for r in made]
    assert repo.list_for_owner(second) == [repo.find(grandchild.id)]
    with pytest.raises(NotFound):
        keys.get(bot)  # deleted with the session it was bound to
    assert keys.get(second).session_id == made[0].id
    with pytest.raises(NotFound):
        repo.get(owner, parent.id)
