"""API keys: secrets are shown once and stored only as salted scrypt hashes."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.store.keys import ApiKeys, hash_secret, secret_matches
from paperbroker.store.tables import ApiKeyRow

HASH_FORMAT = re.compile(r"scrypt\$n=\d+,r=\d+,p=\d+\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*")


def test_create_issues_well_formed_ids_and_secrets(keys: ApiKeys) -> None:
    key_id, secret = keys.create("bot 1")
    assert re.fullmatch(r"PK[A-Z0-9]{16}", key_id)
    assert re.fullmatch(r"[A-Za-z0-9]{40}", secret)
    other_id, other_secret = keys.create("bot 2")
    assert (other_id, other_secret) != (key_id, secret)


def test_the_secret_is_never_stored_in_clear(keys: ApiKeys, engine: Engine) -> None:
    key_id, secret = keys.create("bot")
    with engine.connect() as conn:
        row = conn.execute(select(ApiKeyRow.__table__).where(ApiKeyRow.key_id == key_id)).one()
    for value in row:
        assert secret not in str(value)
    assert HASH_FORMAT.fullmatch(row.secret_hash)
    if engine.dialect.name == "sqlite":
        database = Path(str(engine.url.database))
        for path in (database, database.with_name(database.name + "-wal")):
            if path.exists():
                assert secret.encode() not in path.read_bytes()


def test_each_hash_has_its_own_salt() -> None:
    first, second = hash_secret("same secret"), hash_secret("same secret")
    assert first != second
    assert secret_matches("same secret", first)
    assert secret_matches("same secret", second)
    assert not secret_matches("same secreT", first)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain-text-secret",
        "sha256$abc$def",
        "scrypt$n=1000,r=8,p=1$AAAA$AAAA",  # n not a power of two
        "scrypt$n=1073741824,r=8,p=1$AAAA$AAAA",  # absurd cost: refused, not computed
    ],
)
def test_malformed_stored_hashes_match_nothing(stored: str) -> None:
    assert not secret_matches("anything", stored)


def test_verify_accepts_only_the_right_secret_of_an_active_key(keys: ApiKeys) -> None:
    key_id, secret = keys.create("bot")
    record = keys.verify(key_id, secret)
    assert record is not None
    assert (record.key_id, record.label, record.is_admin, record.active) == (
        key_id,
        "bot",
        False,
        True,
    )
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert keys.verify(key_id, flipped) is None
    assert keys.verify(key_id, "") is None
    assert keys.verify(key_id, secret + "x") is None
    assert keys.verify("PK0000000000000000", secret) is None
    other_id, _ = keys.create("other")
    assert keys.verify(other_id, secret) is None


def test_a_revoked_key_no_longer_verifies(keys: ApiKeys) -> None:
    key_id, secret = keys.create("bot")
    revoked = keys.revoke(key_id)
    assert revoked.revoked_at is not None
    assert not revoked.active
    assert keys.verify(key_id, secret) is None
    assert keys.revoke(key_id).revoked_at == revoked.revoked_at  # idempotent
    assert keys.get(key_id).revoked_at == revoked.revoked_at


def test_revoking_or_getting_an_unknown_key_is_not_found(keys: ApiKeys) -> None:
    with pytest.raises(NotFound):
        keys.revoke("PKNOSUCHKEY0000000")
    with pytest.raises(NotFound):
        keys.get("PKNOSUCHKEY0000000")


def test_list_shows_every_key_without_secrets(keys: ApiKeys) -> None:
    first, _ = keys.create("a")
    second, _ = keys.create("b", is_admin=True)
    keys.revoke(first)
    listed = {record.key_id: record for record in keys.list()}
    assert set(listed) == {first, second}
    assert listed[second].is_admin
    assert not listed[first].active
    assert not hasattr(listed[first], "secret_hash")


def test_labels_must_be_given(keys: ApiKeys) -> None:
    with pytest.raises(InvalidRequest):
        keys.create("   ")
    with pytest.raises(InvalidRequest):
        keys.create("x" * 201)


def test_ensure_admin_creates_one_admin_key_once(keys: ApiKeys) -> None:
    created = keys.ensure_admin()
    assert created is not None
    key_id, secret = created
    record = keys.verify(key_id, secret)
    assert record is not None
    assert record.is_admin
    assert keys.ensure_admin() is None
    keys.revoke(key_id)
    assert keys.ensure_admin() is None  # a key exists, even if revoked
    assert len(keys.list()) == 1


def test_ensure_admin_does_nothing_when_keys_exist(keys: ApiKeys) -> None:
    keys.create("bot")
    assert keys.ensure_admin() is None


def test_concurrent_ensure_admin_creates_a_single_key(keys: ApiKeys) -> None:
    barrier = threading.Barrier(4)
    results: list[tuple[str, str] | None] = []

    def start_up() -> None:
        barrier.wait()
        results.append(keys.ensure_admin())

    threads = [threading.Thread(target=start_up) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(result is not None for result in results) == 1
    assert len(keys.list()) == 1
