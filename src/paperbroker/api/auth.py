"""Authentication with an API key, the way Alpaca clients send it or with HTTP Basic.

A request authenticates with either

- the headers ``APCA-API-KEY-ID`` and ``APCA-API-SECRET-KEY`` (what
  ``alpaca-py`` and every Alpaca bot send), or
- ``Authorization: Basic base64(key_id:secret)``.

Every route takes a :data:`Caller`: the verified key's record. A missing,
malformed, unknown, revoked or wrong key is a 401 with ``WWW-Authenticate``;
the message does not say which, so it tells an attacker nothing. A key sent in
the headers is challenged to send them again, not to use Basic: a browser
meets a ``Basic`` challenge to a page's request with its own sign-in dialog.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPBasic, HTTPBasicCredentials

from paperbroker.api.deps import api_context
from paperbroker.api.errors import BASIC_CHALLENGE, HEADER_CHALLENGE, Unauthenticated
from paperbroker.store.keys import (
    KEY_ID_LENGTH,
    KEY_ID_PREFIX,
    SECRET_LENGTH,
    ApiKeyRecord,
    ApiKeys,
)

_KEY_ID: Final = re.compile(rf"{KEY_ID_PREFIX}[A-Z0-9]{{{KEY_ID_LENGTH}}}")
#: Secrets longer than this are refused before they are hashed.
_MAX_SECRET: Final = 4 * SECRET_LENGTH
KEY_ID_HEADER: Final = "APCA-API-KEY-ID"
SECRET_HEADER: Final = "APCA-API-SECRET-KEY"  # noqa: S105 (a header name)

_basic = HTTPBasic(
    auto_error=False,
    realm="paperbroker",
    description="An API key: `key_id` as the user name, its secret as the password.",
)
_key_id_header = APIKeyHeader(
    name=KEY_ID_HEADER,
    scheme_name="ApcaKeyId",
    auto_error=False,
    description="An API key's id (with its secret).",
)
_secret_header = APIKeyHeader(
    name=SECRET_HEADER,
    scheme_name="ApcaSecretKey",
    auto_error=False,
    description="The secret of the key in APCA-API-KEY-ID.",
)


def verify_key(
    request: Request, key_id: str, secret: str, *, challenge: str = BASIC_CHALLENGE
) -> ApiKeyRecord:
    """The record of the active key ``key_id`` whose secret is ``secret``.

    Raises:
        Unauthenticated: when the key is malformed, unknown, revoked or the secret wrong
            (with ``challenge`` as its ``WWW-Authenticate``).
    """
    record = verify_in(api_context(request).keys, key_id, secret)
    if record is None:
        raise Unauthenticated(challenge=challenge)
    return record


def verify_in(keys: ApiKeys, key_id: str, secret: str) -> ApiKeyRecord | None:
    """The record of the active key ``key_id`` of ``keys`` whose secret is ``secret``, else
    ``None`` (malformed, unknown, revoked, wrong): for callers outside an HTTP request."""
    if not _KEY_ID.fullmatch(key_id) or len(secret) > _MAX_SECRET:
        return None
    return keys.verify(key_id, secret)


def authenticate(
    request: Request,
    credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
    key_id: Annotated[str | None, Depends(_key_id_header)],
    secret: Annotated[str | None, Depends(_secret_header)],
) -> ApiKeyRecord:
    """The record of the key the request authenticates with (APCA headers, else Basic).

    Raises:
        Unauthenticated: when there is no key, or it does not verify.
    """
    if key_id is not None or secret is not None:
        return verify_key(request, key_id or "", secret or "", challenge=HEADER_CHALLENGE)
    if credentials is None:
        raise Unauthenticated(
            f"request is not authorized: send {KEY_ID_HEADER} and {SECRET_HEADER}, "
            "or HTTP Basic key_id:secret"
        )
    return verify_key(request, credentials.username, credentials.password)


Caller = Annotated[ApiKeyRecord, Depends(authenticate)]
