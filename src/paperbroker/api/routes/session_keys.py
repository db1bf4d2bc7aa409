"""``/v1/sessions/{sessionId}/keys``: API keys bound to one account of a session.

A bound key is what an unmodified Alpaca bot is configured with: its ``/v2``
calls trade that account of that session. The session's owner issues,
lists and revokes them; a bound key is deleted with its session.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Request, status
from pydantic import Field

from paperbroker.api.access import Owner
from paperbroker.api.deps import Service, SessionIdPath, api_context
from paperbroker.api.formats import canonical_uuid, time_text
from paperbroker.api.responses import ResponseModel
from paperbroker.api.schemas import PrintableText, RequestModel
from paperbroker.core.errors import NotFound
from paperbroker.store.keys import ApiKeyRecord

router = APIRouter(prefix="/v1/sessions/{sessionId}/keys", tags=["keys"])


class BoundKeyCreate(RequestModel):
    """Body of ``POST /v1/sessions/{sessionId}/keys`` (optional)."""

    accountId: str | None = Field(
        default=None, description="The account the key trades (default: the session's first)."
    )
    label: PrintableText = Field(default="bot", min_length=1, max_length=200)


class BoundKeyPublic(ResponseModel):
    """A key bound to an account of a session; ``secret`` only in the answer that creates it."""

    key_id: str
    secret: str | None = Field(description="Shown once, when the key is created.")
    label: str
    session_id: str
    account_id: str
    created_at: str
    revoked_at: str | None

    @classmethod
    def of(cls, record: ApiKeyRecord, secret: str | None = None) -> BoundKeyPublic:
        assert record.session_id is not None
        assert record.account_id is not None
        return cls(
            key_id=record.key_id,
            secret=secret,
            label=record.label,
            session_id=record.session_id,
            account_id=record.account_id,
            created_at=time_text(record.created_at),
            revoked_at=None if record.revoked_at is None else time_text(record.revoked_at),
        )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="createBoundKey",
    summary="Issue a key that trades one account of the session",
)
def create_bound_key(
    request: Request,
    session_id: SessionIdPath,
    caller: Owner,
    service: Service,
    body: Annotated[BoundKeyCreate | None, Body()] = None,
) -> BoundKeyPublic:
    """A new key whose ``/v2`` calls trade ``accountId`` (default: the session's first account).

    The secret is in this answer only; the server keeps a hash of it.
    """
    body = body or BoundKeyCreate()
    runtime = service.runtime(caller.key_id, session_id)
    if body.accountId is None:
        account_id = runtime.default_account_id
    else:
        account_id = canonical_uuid(body.accountId) or body.accountId[:64]
        service.account(caller.key_id, session_id, account_id)  # NotFound for a stranger's
    keys = api_context(request).keys
    key_id, secret = keys.create(body.label, session_id=session_id, account_id=account_id)
    return BoundKeyPublic.of(keys.get(key_id), secret)


@router.get(
    "",
    operation_id="listBoundKeys",
    summary="List the keys bound to the session",
)
def list_bound_keys(
    request: Request, session_id: SessionIdPath, caller: Owner, service: Service
) -> list[BoundKeyPublic]:
    """Every key bound to the session, revoked ones included, oldest first (no secrets)."""
    service.get(caller.key_id, session_id)
    return [BoundKeyPublic.of(r) for r in api_context(request).keys.bound_to(session_id)]


@router.delete(
    "/{keyId}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revokeBoundKey",
    summary="Revoke a key bound to the session",
)
def revoke_bound_key(
    request: Request,
    session_id: SessionIdPath,
    key_id: Annotated[str, Path(alias="keyId", max_length=64)],
    caller: Owner,
    service: Service,
) -> None:
    """The key stops authenticating at once."""
    service.get(caller.key_id, session_id)
    keys = api_context(request).keys
    bound = {record.key_id for record in keys.bound_to(session_id)}
    if key_id not in bound:
        raise NotFound(f"key {key_id} is not bound to session {session_id}")
    keys.revoke(key_id)
