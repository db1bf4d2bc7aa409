"""HTTP Basic authentication with an API key: ``Authorization: Basic base64(key_id:secret)``.

Every /v1 route takes a :data:`Caller`: the verified key's record. A missing,
malformed, unknown, revoked or wrong key is a 401 with ``WWW-Authenticate``;
the message does not say which, so it tells an attacker nothing.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from fastapi import Depends, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from paperbroker.api.deps import api_context
from paperbroker.api.errors import Unauthenticated
from paperbroker.store.keys import KEY_ID_LENGTH, KEY_ID_PREFIX, SECRET_LENGTH, ApiKeyRecord

_KEY_ID: Final = re.compile(rf"{KEY_ID_PREFIX}[A-Z0-9]{{{KEY_ID_LENGTH}}}")
#: Secrets longer than this are refused before they are hashed.
_MAX_SECRET: Final = 4 * SECRET_LENGTH

_basic = HTTPBasic(
    auto_error=False,
    realm="paperbroker",
    description="An API key: `key_id` as the user name, its secret as the password.",
)


def authenticate(
    request: Request,
    credentials: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
) -> ApiKeyRecord:
    """The record of the key the request authenticates with.

    Raises:
        Unauthenticated: when there is no key, or it does not verify.
    """
    if credentials is None:
        raise Unauthenticated("request is not authorized: send HTTP Basic key_id:secret")
    key_id, secret = credentials.username, credentials.password
    if not _KEY_ID.fullmatch(key_id) or len(secret) > _MAX_SECRET:
        raise Unauthenticated()
    record = api_context(request).keys.verify(key_id, secret)
    if record is None:
        raise Unauthenticated()
    return record


Caller = Annotated[ApiKeyRecord, Depends(authenticate)]
