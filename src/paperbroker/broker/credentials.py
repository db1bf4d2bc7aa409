"""Broker credentials, encrypted at rest: added and listed by their owners, read by the server.

A credential is a broker's key id and secret key. :class:`CredentialStore`
keeps each in the ``broker_credentials`` table as a Fernet token
(AES-128-CBC with HMAC-SHA256, from :mod:`cryptography`) of a small JSON
document that also names the credential's id and owner: a token copied onto
another row does not open there. What may be shown of a credential is its
label, its broker, its ``key_hint`` (the last four characters of the key id)
and when it was added; the secret leaves the store only through
:meth:`CredentialStore.open`, for the session that trades with it.

The encryption key is the server's secret key (:func:`load_secret_keys`):
``PAPERBROKER_SECRET_KEY`` (a Fernet key: 32 url-safe base64-encoded bytes,
``paperbroker credentials new-key`` prints one), or, when it is not set, a key
generated when a credential first needs it and kept in ``secret.key`` under the data
directory, readable by its owner only (mode 0600; a key file others may read
is refused). ``PAPERBROKER_SECRET_KEY`` may list several keys, comma
separated: the first encrypts, any decrypts, and
:meth:`CredentialStore.rotate` re-encrypts every credential with the first
(the rotation of a key: see docs/live.md).

``credentials_id: "server"`` names the server's own Alpaca keys
(``PAPERBROKER_ALPACA_KEY_ID``/``PAPERBROKER_ALPACA_SECRET_KEY``), which any
key may trade with; they are never stored.
"""

from __future__ import annotations

import builtins
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from paperbroker.broker.settings import SERVER_CREDENTIALS
from paperbroker.core.errors import Conflict, InvalidRequest, NotFound, OperationalError
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import BrokerCredentialRow

#: The file the generated key is kept in, under the server's data directory.
KEY_FILE: Final = "secret.key"
#: The brokers a credential may be for.
BROKERS: Final = ("alpaca",)
_MAX_LABEL: Final = 200
_MAX_KEY_ID: Final = 128
_MAX_SECRET: Final = 256
_HINT: Final = 4


@dataclass(frozen=True)
class BrokerCredentials:
    """A broker's key id and secret key (the secret is left out of ``repr``)."""

    key_id: str
    secret_key: str = field(repr=False)


@dataclass(frozen=True)
class CredentialRecord:
    """What may be shown of a stored credential: never its secret."""

    id: str
    owner_key_id: str
    label: str
    broker: str
    key_hint: str
    created_at: int


def generate_key() -> str:
    """A new Fernet key, as ``PAPERBROKER_SECRET_KEY`` takes it."""
    return Fernet.generate_key().decode("ascii")


def load_secret_keys(configured: str | None, data_dir: Path) -> MultiFernet:
    """The server's secret key(s): ``configured`` (``PAPERBROKER_SECRET_KEY``, keys comma
    separated, the first encrypting), else the key in ``data_dir/secret.key``, generated
    there (mode 0600) the first time.

    Raises:
        OperationalError: for a configured key that is not a Fernet key (the message
            says which of them, never its value), or a key file that cannot be read or
            written, is not a key, or that other users may read.
    """
    if configured is not None and configured.strip():
        keys = [part.strip() for part in configured.split(",") if part.strip()]
        return MultiFernet([_fernet(key, f"PAPERBROKER_SECRET_KEY (key {n})")
                            for n, key in enumerate(keys, 1)])  # fmt: skip
    return MultiFernet([_fernet(_key_file(data_dir / KEY_FILE), str(data_dir / KEY_FILE))])


def _fernet(key: str, where: str) -> Fernet:
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise OperationalError(
            f"{where} is not a Fernet key (32 url-safe base64-encoded bytes); "
            "'paperbroker credentials new-key' prints one"
        ) from None


def _key_file(path: Path) -> str:
    """The key in ``path``, made (readable by its owner only) if there is none."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as made:
                made.write(generate_key() + "\n")
                made.flush()
                os.fsync(made.fileno())
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise OperationalError(
                f"{path} may be read by other users; make it readable by its owner only "
                f"(chmod 600 {path})"
            )
        return path.read_text(encoding="ascii").strip()
    except OSError as error:
        raise OperationalError(f"cannot use the key file {path}: {error.strerror}") from None


class CredentialStore:
    """The ``broker_credentials`` table, its secrets encrypted (see the module doc).

    Args:
        factory: the server's database.
        keys: the server's secret key(s) (:func:`load_secret_keys`), or what reads
            them when they are first needed (a key file is made only then); ``None``:
            the server has none, and credentials can be neither added nor opened (409).
        server: the server's own Alpaca keys, named ``"server"`` (``None``: none).
        now_ns: wall clock for ``created_at``.
    """

    def __init__(
        self,
        factory: SessionFactory,
        keys: MultiFernet | Callable[[], MultiFernet] | None,
        *,
        server: BrokerCredentials | None = None,
        now_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self._factory = factory
        self._keys = keys
        self._reading = threading.Lock()
        self._server = server
        self._now_ns = now_ns

    def create(
        self, owner: str, *, label: str, broker: str, key_id: str, secret_key: str
    ) -> CredentialRecord:
        """Store a credential of ``owner``'s; return what may be shown of it.

        Raises:
            InvalidRequest: for an empty or too long label, key id or secret, or an
                unknown broker (the message names the field, never the secret's value).
            Conflict: if the server has no secret key.
        """
        keys = self._secret_keys()
        label = label.strip()
        if not label or len(label) > _MAX_LABEL:
            raise InvalidRequest(f"label: must have 1 to {_MAX_LABEL} characters")
        if broker not in BROKERS:
            raise InvalidRequest(f"broker: must be one of {', '.join(BROKERS)}, got {broker!r}")
        key_id = key_id.strip()
        if not key_id or len(key_id) > _MAX_KEY_ID or not key_id.isprintable():
            raise InvalidRequest(f"key_id: must have 1 to {_MAX_KEY_ID} printable characters")
        if not secret_key or len(secret_key) > _MAX_SECRET or not secret_key.isprintable():
            raise InvalidRequest(f"secret_key: must have 1 to {_MAX_SECRET} printable characters")
        credential_id = str(uuid.uuid4())
        plain = {"id": credential_id, "owner": owner, "key_id": key_id, "secret_key": secret_key}
        row = BrokerCredentialRow(
            id=credential_id,
            owner_key_id=owner,
            label=label,
            broker=broker,
            key_hint=key_id[-_HINT:],
            ciphertext=keys.encrypt(json.dumps(plain).encode()),
            created_at=self._now_ns(),
        )
        with self._factory.begin() as session:
            session.add(row)
        return _record(row)

    def list(self, owner: str) -> builtins.list[CredentialRecord]:
        """``owner``'s credentials, oldest first (never a secret)."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(BrokerCredentialRow)
                .where(BrokerCredentialRow.owner_key_id == owner)
                .order_by(BrokerCredentialRow.created_at, BrokerCredentialRow.id)
            ).all()
            return [_record(row) for row in rows]

    def all(self) -> builtins.list[CredentialRecord]:
        """Every owner's credentials, oldest first (never a secret): for an operator."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(BrokerCredentialRow).order_by(
                    BrokerCredentialRow.created_at, BrokerCredentialRow.id
                )
            ).all()
            return [_record(row) for row in rows]

    def find(self, credential_id: str) -> CredentialRecord:
        """What may be shown of a credential, whoever owns it: for an operator.

        Raises:
            NotFound: for an unknown id.
        """
        with read_session(self._factory) as session:
            row = session.get(BrokerCredentialRow, credential_id)
            if row is None:
                raise NotFound(f"broker credential {credential_id} not found")
            return _record(row)

    def get(self, owner: str, credential_id: str) -> CredentialRecord:
        """What may be shown of ``owner``'s credential.

        Raises:
            NotFound: for an unknown id, or another owner's credential.
        """
        with read_session(self._factory) as session:
            return _record(self._row(session, owner, credential_id))

    def delete(self, owner: str, credential_id: str) -> None:
        """Forget ``owner``'s credential, its ciphertext with it.

        Raises:
            NotFound: for an unknown id, or another owner's credential.
        """
        with self._factory.begin() as session:
            session.delete(self._row(session, owner, credential_id))

    def open(self, owner: str, credential_id: str) -> BrokerCredentials:
        """The credential's key id and secret, for the server's own use (a session's
        broker): never to be shown, logged or stored elsewhere.

        ``"server"`` is the server's own Alpaca keys.

        Raises:
            NotFound: for an unknown id, or another owner's credential.
            InvalidRequest: for ``"server"`` when the server has no Alpaca keys.
            OperationalError: if the credential cannot be decrypted with the server's
                secret key (it was changed without keeping the old one).
            Conflict: if the server has no secret key.
        """
        if credential_id == SERVER_CREDENTIALS:
            if self._server is None:
                raise InvalidRequest(
                    "broker.credentials_id: the server has no Alpaca keys "
                    "(PAPERBROKER_ALPACA_KEY_ID, PAPERBROKER_ALPACA_SECRET_KEY)"
                )
            return self._server
        with read_session(self._factory) as session:
            row = self._row(session, owner, credential_id)
            token = row.ciphertext
        try:
            plain = json.loads(self._secret_keys().decrypt(token))
        except InvalidToken:
            raise OperationalError(
                f"credential {credential_id} cannot be decrypted with the server's secret key "
                "(was PAPERBROKER_SECRET_KEY or the key file changed?)"
            ) from None
        if plain.get("id") != credential_id or plain.get("owner") != owner:
            raise OperationalError(f"credential {credential_id} holds another credential's token")
        return BrokerCredentials(plain["key_id"], plain["secret_key"])

    def rotate(self) -> int:
        """Re-encrypt every credential with the first secret key; return how many.

        Raises:
            OperationalError: if one cannot be decrypted with any of the keys.
            Conflict: if the server has no secret key.
        """
        keys = self._secret_keys()
        with self._factory.begin() as session:
            rows: Sequence[BrokerCredentialRow] = session.scalars(select(BrokerCredentialRow)).all()
            for row in rows:
                try:
                    row.ciphertext = keys.rotate(row.ciphertext)
                except InvalidToken:
                    raise OperationalError(
                        f"credential {row.id} cannot be decrypted with any secret key"
                    ) from None
            return len(rows)

    def _secret_keys(self) -> MultiFernet:
        with self._reading:
            if callable(self._keys) and not isinstance(self._keys, MultiFernet):
                self._keys = self._keys()
            if self._keys is None:
                raise Conflict("this server has no secret key: it keeps no broker credentials")
            return self._keys

    @staticmethod
    def _row(session: Session, owner: str, credential_id: str) -> BrokerCredentialRow:
        row = session.get(BrokerCredentialRow, credential_id)
        if row is None or row.owner_key_id != owner:
            raise NotFound(f"broker credential {credential_id} not found")
        return row


def _record(row: BrokerCredentialRow) -> CredentialRecord:
    return CredentialRecord(
        row.id, row.owner_key_id, row.label, row.broker, row.key_hint, row.created_at
    )


__all__ = [
    "BROKERS",
    "KEY_FILE",
    "BrokerCredentials",
    "CredentialRecord",
    "CredentialStore",
    "generate_key",
    "load_secret_keys",
]
