"""``/v1/accounts``: open an account inside a session (named by ``X-Session-Id``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from paperbroker.api.access import Owner
from paperbroker.api.deps import Service, SessionIdHeader
from paperbroker.api.responses import AccountPublic
from paperbroker.api.schemas import AccountCreate

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])


@router.post("", operation_id="createAccount", summary="Open an account")
def create_account(
    session_id: SessionIdHeader,
    caller: Owner,
    service: Service,
    body: Annotated[AccountCreate | None, Body()] = None,
) -> AccountPublic:
    """A new account in the session, holding ``initialCash`` (default: the session's)."""
    initial_cash = None if body is None else body.initialCash
    return AccountPublic.of(service.open_account(caller.key_id, session_id, initial_cash))
