"""API keys: issue, verify, list and revoke; only a salted hash of each secret is stored.

A key is a public ``key_id`` (``PK`` + 16 upper-case letters and digits) and a
40-character secret (letters and digits, ~238 bits from :mod:`secrets`). The
secret is shown once, at creation, and stored as

    scrypt$n=<N>,r=<R>,p=<P>$<salt, base64>$<hash, base64>

with a random 16-byte salt per key, compared with :func:`hmac.compare_digest`.
Because the secret is machine-generated with far more entropy than a password,
the scrypt cost is kept low (``n=2**10``, ~2 ms a check) so that verifying a key
on every request stays cheap; the parameters are part of the stored string, so
they can be raised for new keys without breaking old ones.
"""

from __future__ import annotations

import base64
import builtins
import hashlib
import hmac
import re
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.store.db import SessionFactory, read_session
from paperbroker.store.tables import ApiKeyRow, SessionRow

KEY_ID_PREFIX: Final = "PK"
KEY_ID_LENGTH: Final = 16
SECRET_LENGTH: Final = 40
_KEY_ID_ALPHABET: Final = string.ascii_uppercase + string.digits
_SECRET_ALPHABET: Final = string.ascii_letters + string.digits
_SCRYPT_N: Final = 2**10
_SCRYPT_R: Final = 8
_SCRYPT_P: Final = 1
_SALT_BYTES: Final = 16
_HASH_BYTES: Final = 32
#: Refuse stored parameters beyond these: a planted hash must not exhaust memory or CPU.
_MAX_SCRYPT_N: Final = 2**20
_MAX_SCRYPT_RP: Final = 64
_HASH_FORMAT: Final = re.compile(
    r"scrypt\$n=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)"
)
#: A well-formed hash that matches no secret, checked for unknown keys so that
#: an unknown key id costs as much time as a wrong secret.
_DUMMY_HASH: Final = (
    f"scrypt$n={_SCRYPT_N},r={_SCRYPT_R},p={_SCRYPT_P}"
    f"${base64.b64encode(bytes(_SALT_BYTES)).decode()}${base64.b64encode(bytes(_HASH_BYTES)).decode()}"
)
#: Taken by :meth:`ApiKeys.ensure_admin` on PostgreSQL; blocks other writers, not readers.
_LOCK_API_KEYS: Final = text("LOCK TABLE api_keys IN SHARE ROW EXCLUSIVE MODE")


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """What may be known about a key without its secret."""

    key_id: str
    label: str
    is_admin: bool
    created_at: int
    revoked_at: int | None
    #: The session and account a bound key trades (``None`` for a key of its own).
    session_id: str | None = None
    account_id: str | None = None

    @property
    def active(self) -> bool:
        """Whether the key has not been revoked."""
        return self.revoked_at is None

    @property
    def bound(self) -> bool:
        """Whether the key trades one account of one session."""
        return self.session_id is not None


def hash_secret(secret: str) -> str:
    """Hash ``secret`` with scrypt and a fresh random salt, in the module's format."""
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(secret, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return (
        f"scrypt$n={_SCRYPT_N},r={_SCRYPT_R},p={_SCRYPT_P}"
        f"${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    )


def secret_matches(secret: str, stored: str) -> bool:
    """Whether ``secret`` hashes to ``stored`` (``False`` for a malformed ``stored``)."""
    match = _HASH_FORMAT.fullmatch(stored)
    if match is None:
        return False
    n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    if n > _MAX_SCRYPT_N or r > _MAX_SCRYPT_RP or p > _MAX_SCRYPT_RP or n < 2 or n & (n - 1):
        return False
    salt = base64.b64decode(match.group(4))
    expected = base64.b64decode(match.group(5))
    return hmac.compare_digest(_scrypt(secret, salt, n, r, p, len(expected)), expected)


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int, length: int = _HASH_BYTES) -> bytes:
    return hashlib.scrypt(
        secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r + 2**20, dklen=length
    )


_PROVEN_LIMIT = 10_000


class ApiKeys:
    """The ``api_keys`` table.

    Args:
        session_factory: from :func:`paperbroker.store.db.session_factory`.
        now_ns: wall clock for ``created_at``/``revoked_at``.
    """

    def __init__(
        self, session_factory: SessionFactory, *, now_ns: Callable[[], int] = time.time_ns
    ) -> None:
        self._factory = session_factory
        self._now_ns = now_ns
        # (key id, SHA-256 of the secret) -> the stored hash it was proven against.
        # A client sends the same secret on every call; proving it once with the
        # slow hash is enough while the stored hash stays the same.  The row is
        # still read on every call, so a revocation takes effect at once.
        self._proven: dict[tuple[str, bytes], str] = {}

    def create(
        self,
        label: str,
        is_admin: bool = False,
        *,
        session_id: str | None = None,
        account_id: str | None = None,
    ) -> tuple[str, str]:
        """Issue a key; return ``(key_id, secret)``. The secret is not kept anywhere.

        With ``session_id`` and ``account_id`` the key is bound to that account
        of that session (the caller checks that both exist); it is deleted
        with the session.

        Raises:
            InvalidRequest: for a bad label, a binding missing one of its two
                ids, or a bound admin key.
            NotFound: if the session does not exist.
        """
        if (session_id is None) != (account_id is None):
            raise InvalidRequest("a bound key needs both a session and an account")
        if is_admin and session_id is not None:
            raise InvalidRequest("an admin key cannot be bound to a session")
        with self._factory.begin() as session:
            if session_id is not None and session.get(SessionRow, session_id) is None:
                raise NotFound(f"session {session_id} not found")
            return self._create(session, label, is_admin, session_id, account_id)

    def bound_to(self, session_id: str) -> builtins.list[ApiKeyRecord]:
        """The keys bound to ``session_id``, revoked ones included, oldest first."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(ApiKeyRow)
                .where(ApiKeyRow.session_id == session_id)
                .order_by(ApiKeyRow.created_at, ApiKeyRow.key_id)
            ).all()
            return [_record(row) for row in rows]

    def verify(self, key_id: str, secret: str) -> ApiKeyRecord | None:
        """The key's record if ``secret`` is its secret and it is not revoked, else ``None``."""
        with read_session(self._factory) as session:
            row = session.get(ApiKeyRow, key_id)
            record = None if row is None else _record(row)
            stored = _DUMMY_HASH if row is None else row.secret_hash
        fingerprint = (key_id, hashlib.sha256(secret.encode()).digest())
        if self._proven.get(fingerprint) != stored:
            if not secret_matches(secret, stored):
                return None
            if len(self._proven) >= _PROVEN_LIMIT:
                self._proven.clear()
            self._proven[fingerprint] = stored
        if record is None or not record.active:
            return None
        return record

    def get(self, key_id: str) -> ApiKeyRecord:
        """The key's record, revoked or not.

        Raises:
            NotFound: for an unknown key id.
        """
        with read_session(self._factory) as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFound(f"API key {key_id} not found")
            return _record(row)

    def list(self) -> builtins.list[ApiKeyRecord]:
        """Every key, revoked ones included, oldest first."""
        with read_session(self._factory) as session:
            rows = session.scalars(
                select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.key_id)
            ).all()
            return [_record(row) for row in rows]

    def revoke(self, key_id: str) -> ApiKeyRecord:
        """Revoke the key (a second revoke keeps the first time); return its record.

        Raises:
            NotFound: for an unknown key id.
        """
        with self._factory.begin() as session:
            row = session.get(ApiKeyRow, key_id)
            if row is None:
                raise NotFound(f"API key {key_id} not found")
            if row.revoked_at is None:
                row.revoked_at = self._now_ns()
            return _record(row)

    def ensure_admin(self, label: str = "admin") -> tuple[str, str] | None:
        """Create the first admin key if no key exists at all; return it, else ``None``.

        Concurrent callers create at most one key between them.
        """
        with self._factory.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                # Plain reads would let two start-ups both see an empty table.
                session.execute(_LOCK_API_KEYS)
            if session.scalar(select(func.count()).select_from(ApiKeyRow)):
                return None
            return self._create(session, label, True)

    def _create(
        self,
        session: Session,
        label: str,
        is_admin: bool,
        session_id: str | None = None,
        account_id: str | None = None,
    ) -> tuple[str, str]:
        label = label.strip()
        if not label or len(label) > 200:
            raise InvalidRequest("a key label must have 1 to 200 characters")
        while True:
            key_id = KEY_ID_PREFIX + "".join(
                secrets.choice(_KEY_ID_ALPHABET) for _ in range(KEY_ID_LENGTH)
            )
            if session.get(ApiKeyRow, key_id) is None:
                break
        secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
        session.add(
            ApiKeyRow(
                key_id=key_id,
                secret_hash=hash_secret(secret),
                is_admin=is_admin,
                label=label,
                created_at=self._now_ns(),
                revoked_at=None,
                session_id=session_id,
                account_id=account_id,
            )
        )
        return key_id, secret


def _record(row: ApiKeyRow) -> ApiKeyRecord:
    return ApiKeyRecord(
        key_id=row.key_id,
        label=row.label,
        is_admin=row.is_admin,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        session_id=row.session_id,
        account_id=row.account_id,
    )
