"""Which account of which session a ``/v2`` call trades.

Two ways, neither needing a change to the client:

- a key *bound* to an account of a session (``paperbroker keys create
  --session ID --account ID``, or ``POST /v1/sessions/{id}/keys``) trades
  that account on plain ``/v2/...`` paths;
- any path under ``/sessions/{sessionId}/v2/...`` trades that session, for
  the key that owns it (its default account) or a key bound to it (its
  account). ``alpaca-py`` reaches it with ``url_override=".../sessions/{id}"``.

A key bound to another session, or a stranger's session, is a 404; an
unbound key on a plain ``/v2`` path is a 403 that says how to bind one.

:data:`Trading` and :data:`MarketTarget` are the routes' access declarations
(``bound-trading`` and ``bound-market-data``, see :mod:`paperbroker.api.access`):
the same keys may call both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from paperbroker.api.access import SESSION_PARAM, Access, declares
from paperbroker.api.auth import Caller
from paperbroker.api.deps import Service
from paperbroker.api.errors import ApiError
from paperbroker.api.formats import canonical_uuid
from paperbroker.core.errors import NotFound
from paperbroker.services.sessions import SessionService
from paperbroker.session.runtime import SessionRuntime
from paperbroker.store.keys import ApiKeyRecord


@dataclass(frozen=True, slots=True)
class Target:
    """A ``/v2`` call's account: ``owner`` is the key owning the session, which the
    service checks; the caller may be that key or one bound to the account."""

    owner: str
    session_id: str
    account_id: str
    service: SessionService

    @property
    def runtime(self) -> SessionRuntime:
        """The session's runtime (restored from its journal on first use)."""
        return self.service.runtime(self.owner, self.session_id)


@declares(Access.BOUND_TRADING)
def resolve_target(request: Request, caller: Caller, service: Service) -> Target:
    """The account the request trades (see the module doc): a route dependency."""
    raw = request.path_params.get(SESSION_PARAM)
    return target_for(caller, None if raw is None else str(raw), service)


@declares(Access.BOUND_MARKET_DATA)
def resolve_market_target(request: Request, caller: Caller, service: Service) -> Target:
    """The session whose clock the request reads the market at, chosen as for trading."""
    return resolve_target(request, caller, service)


def target_for(caller: ApiKeyRecord, raw: str | None, service: SessionService) -> Target:
    """The account ``caller`` trades on a path naming session ``raw`` (``None``: no prefix).

    Raises:
        NotFound: for a session that does not exist or that the key may not use.
        ApiError: 403 for an unbound key on a plain ``/v2`` path.
    """
    if raw is None:
        if caller.session_id is None or caller.account_id is None:
            raise ApiError(
                403,
                "this API key is not bound to a session: bind one with "
                "`paperbroker keys create --session ID` or POST /v1/sessions/{id}/keys, "
                "or call /sessions/{id}/v2/... with the key that owns the session",
            )
        session_id = caller.session_id
        return Target(service.owner_of(session_id), session_id, caller.account_id, service)
    named = canonical_uuid(raw)
    if named is None:
        raise NotFound(f"session {raw[:64]!r} not found")
    session_id = named
    if caller.session_id is not None:
        if caller.session_id != session_id or caller.account_id is None:
            raise NotFound(f"session {session_id} not found")
        return Target(service.owner_of(session_id), session_id, caller.account_id, service)
    runtime = service.runtime(caller.key_id, session_id)  # NotFound for a stranger's
    return Target(caller.key_id, session_id, runtime.default_account_id, service)


def _session_in_path(
    session_id: Annotated[str, Path(alias=SESSION_PARAM, description="The session to trade.")],
) -> None:
    """Puts the prefix's session id in the OpenAPI document; :func:`resolve_target` reads it."""


#: A dependency of every route under :data:`SESSION_PREFIX`.
SessionInPath = Depends(_session_in_path)
Trading = Annotated[Target, Depends(resolve_target)]
MarketTarget = Annotated[Target, Depends(resolve_market_target)]
