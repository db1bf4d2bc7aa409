"""A session's configuration used again: ``rerun``, ``clone`` and ``promote``.

- ``rerun``: a new backtest from the ended session's run record, run to its
  end at once; reproduced, its summary's ``fills_digest`` is the original's.
- ``clone``: a new session of the same type from its creation body, with
  ``changes`` deep-merged in and read by that type's create schema.
- ``promote``: a backtest's configuration as a paper session, a paper
  session's as a live one (with the broker fields the live route needs).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import ConfigDict, Field

from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.responses import SessionPublic
from paperbroker.api.routes import SESSION_RULES
from paperbroker.api.schemas import RequestModel
from paperbroker.api.session_bodies import create_from, deep_merge, owned_record, rerun_session
from paperbroker.services.promote import promote_body
from paperbroker.services.run_record import creation_config

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])


class RerunRequest(RequestModel):
    """Body of ``POST /v1/sessions/{sessionId}/rerun``: empty."""


class CloneRequest(RequestModel):
    """Body of ``POST /v1/sessions/{sessionId}/clone``."""

    changes: dict[str, Any] = Field(
        default_factory=dict,
        description="Fields of the session type's create body, deep-merged into the session's.",
        examples=[{"name": "faster", "strategy": {"params": {"fast": 5}}}],
    )


class PromoteRequest(RequestModel):
    """Body of ``POST /v1/sessions/{sessionId}/promote``: the type to promote to, and any
    field of that type's create body (``broker`` and ``confirm_real_money`` for live)."""

    model_config = ConfigDict(extra="allow")

    to: Literal["paper", "live"]


@router.post(
    "/{sessionId}/rerun",
    status_code=status.HTTP_201_CREATED,
    operation_id="rerunSession",
    summary="Rerun an ended session as a backtest",
    responses=answers(
        {404: "No such session of yours, or it has not ended yet."},
        rules=["the run record's window has market data"],
    ),
)
def rerun(
    session_id: SessionIdPath, caller: Owner, service: Service, body: RerunRequest | None = None
) -> SessionPublic:
    """A new backtest with the run record's window, cash, execution models, seed, strategy and
    parameters, run to its end; its own summary then holds its fills' digest."""
    return rerun_session(service, caller, session_id)


@router.post(
    "/{sessionId}/clone",
    status_code=status.HTTP_201_CREATED,
    operation_id="cloneSession",
    summary="Create a session like this one, with changes",
    responses=answers(rules=[*SESSION_RULES, "the merged body is a valid create body"]),
)
def clone(
    session_id: SessionIdPath, body: CloneRequest, caller: Owner, service: Service
) -> SessionPublic:
    """The session's creation body with ``changes`` merged in (objects key by key), created
    as its type's create route creates it (a paper or live session starts at once)."""
    record = owned_record(service, caller.key_id, session_id)
    config = deep_merge(creation_config(record), body.changes)
    return create_from(service, caller, record.kind, config)


@router.post(
    "/{sessionId}/promote",
    status_code=status.HTTP_201_CREATED,
    operation_id="promoteSession",
    summary="Promote a backtest to paper, a paper session to live",
    responses=answers(
        {409: "Not a promotion this session has (backtest → paper, paper → live)."},
        rules=[*SESSION_RULES, "the fields a live session needs (broker, confirm_real_money)"],
    ),
)
def promote(
    session_id: SessionIdPath, body: PromoteRequest, caller: Owner, service: Service
) -> SessionPublic:
    """The same strategy, parameters, symbols, risk rules (and execution models, for paper)
    in a session of type ``to``, started at once."""
    record = owned_record(service, caller.key_id, session_id)
    view = service.get(caller.key_id, session_id)
    extra = dict(body.model_extra or {})
    config = promote_body(record.kind, creation_config(record), body.to, extra, view.symbols)
    return create_from(service, caller, body.to, config)
