"""Broker credentials: encrypted at rest under the server's key, shown only as a hint."""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update

from paperbroker.broker.credentials import (
    KEY_FILE,
    BrokerCredentials,
    CredentialStore,
    generate_key,
    load_secret_keys,
)
from paperbroker.core.errors import InvalidRequest, NotFound, OperationalError
from paperbroker.store.db import SessionFactory
from paperbroker.store.tables import BrokerCredentialRow

SECRET = "SENTINEL-store-4f1c9b"


def _store(factory: SessionFactory, key: str | None = None) -> CredentialStore:
    return CredentialStore(factory, MultiFernet([Fernet(key or generate_key())]))


def test_a_credential_is_stored_encrypted_and_opened_by_its_owner(
    factory: SessionFactory, engine: Engine
) -> None:
    store = _store(factory)
    made = store.create("PKOWNER", label="main", broker="alpaca", key_id="AKID1234WXYZ",
                        secret_key=SECRET)  # fmt: skip
    assert (made.label, made.broker, made.key_hint, made.owner_key_id) == (
        "main", "alpaca", "WXYZ", "PKOWNER",
    )  # fmt: skip
    with engine.connect() as conn:
        row = conn.execute(select(BrokerCredentialRow.__table__)).one()
    stored = " ".join(str(value) for value in row)
    assert SECRET not in stored
    assert "AKID1234WXYZ" not in stored
    assert SECRET.encode() not in row.ciphertext
    opened = store.open("PKOWNER", made.id)
    assert opened == BrokerCredentials("AKID1234WXYZ", SECRET)
    assert SECRET not in repr(opened)
    assert store.list("PKOWNER") == [made]
    assert store.get("PKOWNER", made.id) == made


def test_another_owner_neither_lists_opens_nor_deletes_a_credential(
    factory: SessionFactory,
) -> None:
    store = _store(factory)
    made = store.create("PKA", label="a", broker="alpaca", key_id="K1", secret_key=SECRET)
    assert store.list("PKB") == []
    for verb in (store.open, store.get, store.delete):
        with pytest.raises(NotFound):
            verb("PKB", made.id)
    store.delete("PKA", made.id)
    assert store.list("PKA") == []
    with pytest.raises(NotFound):
        store.open("PKA", made.id)


def test_a_token_moved_onto_another_row_does_not_open(
    factory: SessionFactory, engine: Engine
) -> None:
    store = _store(factory)
    mine = store.create("PKA", label="a", broker="alpaca", key_id="K1", secret_key=SECRET)
    theirs = store.create("PKB", label="b", broker="alpaca", key_id="K2", secret_key="other")
    with engine.begin() as conn:
        token = conn.execute(
            select(BrokerCredentialRow.ciphertext).where(BrokerCredentialRow.id == mine.id)
        ).scalar_one()
        conn.execute(
            update(BrokerCredentialRow)
            .where(BrokerCredentialRow.id == theirs.id)
            .values(ciphertext=token)
        )
    with pytest.raises(OperationalError, match="another credential"):
        store.open("PKB", theirs.id)


def test_another_secret_key_cannot_open_and_rotation_keeps_credentials(
    factory: SessionFactory,
) -> None:
    old, new = generate_key(), generate_key()
    made = _store(factory, old).create("PKA", label="a", broker="alpaca", key_id="K1",
                                       secret_key=SECRET)  # fmt: skip
    with pytest.raises(OperationalError, match="cannot be decrypted") as raised:
        _store(factory, new).open("PKA", made.id)
    assert SECRET not in str(raised.value)
    both = CredentialStore(factory, load_secret_keys(f"{new},{old}", Path("/nonexistent")))
    assert both.rotate() == 1
    assert _store(factory, new).open("PKA", made.id).secret_key == SECRET


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"label": " "}, "label"),
        ({"broker": "ibkr"}, "broker"),
        ({"key_id": ""}, "key_id"),
        ({"secret_key": ""}, "secret_key"),
        ({"secret_key": "x" * 257}, "secret_key"),
        ({"secret_key": "bad\nline"}, "secret_key"),
    ],
)
def test_invalid_fields_are_refused_by_name(
    factory: SessionFactory, fields: dict[str, str], named: str
) -> None:
    values = {"label": "a", "broker": "alpaca", "key_id": "K1", "secret_key": SECRET, **fields}
    with pytest.raises(InvalidRequest, match=f"^{named}:") as raised:
        _store(factory).create("PKA", **values)
    assert SECRET not in str(raised.value)


def test_server_credentials_are_the_servers_keys_for_any_owner(factory: SessionFactory) -> None:
    keys = MultiFernet([Fernet(generate_key())])
    with pytest.raises(InvalidRequest, match="no Alpaca keys"):
        CredentialStore(factory, keys).open("PKA", "server")
    server = BrokerCredentials("AK", SECRET)
    assert CredentialStore(factory, keys, server=server).open("PKB", "server") == server


# -- the secret key ---------------------------------------------------------------------
def test_without_a_configured_key_one_is_generated_once_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    first = load_secret_keys(None, data)
    path = data / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = first.encrypt(b"x")
    again = load_secret_keys("", data)  # read from the file, not made again
    assert again.decrypt(token) == b"x"


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    load_secret_keys(None, tmp_path)
    os.chmod(tmp_path / KEY_FILE, 0o644)
    with pytest.raises(OperationalError, match="chmod 600"):
        load_secret_keys(None, tmp_path)


def test_a_configured_key_is_used_and_no_file_is_made(tmp_path: Path) -> None:
    key = generate_key()
    keys = load_secret_keys(key, tmp_path)
    assert Fernet(key).decrypt(keys.encrypt(b"x")) == b"x"
    assert not (tmp_path / KEY_FILE).exists()


def test_a_configured_key_that_is_not_a_fernet_key_is_refused_without_echoing_it(
    tmp_path: Path,
) -> None:
    with pytest.raises(OperationalError, match=r"PAPERBROKER_SECRET_KEY \(key 2\)") as raised:
        load_secret_keys(f"{generate_key()},not-a-key-SENTINEL", tmp_path)
    assert "SENTINEL" not in str(raised.value)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(secret=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=8,
                      max_size=256))  # fmt: skip
def test_any_secret_opens_as_it_was_given_and_is_never_stored_as_it_is(
    factory: SessionFactory, engine: Engine, secret: str
) -> None:
    store = _store(factory)
    made = store.create("PKA", label="a", broker="alpaca", key_id="K1", secret_key=secret)
    assert store.open("PKA", made.id).secret_key == secret
    with engine.connect() as conn:
        token = conn.execute(
            select(BrokerCredentialRow.ciphertext).where(BrokerCredentialRow.id == made.id)
        ).scalar_one()
    assert secret.encode() not in token
    store.delete("PKA", made.id)


def test_a_key_file_is_made_only_when_a_credential_first_needs_it(
    factory: SessionFactory, tmp_path: Path
) -> None:
    store = CredentialStore(factory, functools.partial(load_secret_keys, None, tmp_path))
    assert store.list("PKA") == []
    assert not (tmp_path / KEY_FILE).exists()  # a server with no credential writes no key
    made = store.create("PKA", label="a", broker="alpaca", key_id="K1", secret_key=SECRET)
    assert (tmp_path / KEY_FILE).exists()
    again = CredentialStore(factory, functools.partial(load_secret_keys, None, tmp_path))
    assert again.open("PKA", made.id).secret_key == SECRET
