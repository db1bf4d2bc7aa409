"""``/v1/sessions/{sessionId}/risk``, ``/emergency`` and ``/v1/risk``: a session's risk
layer, read and steered; the emergency controls; the overview and the audit trail.

Reading a session's risk is open to a key bound to the session (a bot may
see the limits it trades under); every change, override, reset and
emergency control needs the key that owns the session. Each one is journaled
with the session and audited in the owner's trail (see
:mod:`paperbroker.services.risk`).
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Path, Query, Request

from paperbroker.api.access import Access, Owner, declares
from paperbroker.api.auth import Caller
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.errors import ApiError
from paperbroker.api.params import UUID_PATTERN
from paperbroker.api.responses import InvalidFieldBody
from paperbroker.api.risk_fields import fields_named
from paperbroker.api.risk_schemas import (
    AuditPagePublic,
    EmergencyAllResult,
    EmergencyFailed,
    EmergencyRequest,
    EmergencyResult,
    ReasonBody,
    RiskChange,
    RiskOverrideCreate,
    RiskOverview,
    RiskOverviewRow,
    RiskView,
)
from paperbroker.core.errors import NotFound
from paperbroker.services.risk import MAX_AUDIT_PAGE, Actor, RiskService
from paperbroker.store.keys import ApiKeyRecord

router = APIRouter(tags=["risk"])

#: A breaker's name as the settings spell it (``daily_loss``), or ``all``.
_BREAKER: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: The rules a change checks beyond its schema.
_CHANGE_RULES: Final = (
    "the settings merged into the session's read as risk settings (the message and "
    "`field` name the rule at fault)",
)


def _risk(service: Service) -> RiskService:
    return RiskService(service)


Risk = Annotated[RiskService, Depends(_risk)]


@declares(Access.SESSION_READ)
def session_reader(
    request: Request, caller: Caller, session_id: SessionIdPath, service: Service
) -> str:
    """The key whose session ``session_id`` is read as: the caller's own, or for a key
    bound to that session, the key that owns it.

    Raises:
        ApiError: 403 for a key bound to another session.
    """
    if caller.session_id is None:
        return caller.key_id
    if caller.session_id != session_id:
        raise ApiError(
            403,
            f"API key {caller.key_id} is bound to session {caller.session_id}: it may read "
            f"that session's risk only, not {request.method} {request.url.path[:200]}",
        )
    return service.owner_of(session_id)


Reader = Annotated[str, Depends(session_reader)]


def _actor(key: ApiKeyRecord) -> Actor:
    return Actor(key.key_id, key.label)


def _breaker(
    name: Annotated[str, Path(description="A breaker (`daily_loss`, …) or `all`.")],
) -> str:
    if not _BREAKER.fullmatch(name):
        raise NotFound(f"breaker {name[:64]!r} not found")
    return name


@router.get(
    "/v1/sessions/{sessionId}/risk",
    operation_id="getSessionRisk",
    summary="Read a session's risk",
)
def get_risk(session_id: SessionIdPath, owner: Reader, risk: Risk) -> RiskView:
    """The session's rules and those in force now (an override applied), its breakers,
    how much of each limit is used, its exposure by position and sector, the
    correlation of its holdings, what it holds over the close, and its latest denials."""
    return RiskView.of(risk.view(owner, session_id))


@router.patch(
    "/v1/sessions/{sessionId}/risk",
    operation_id="configureSessionRisk",
    summary="Change a session's risk settings",
    responses=answers(rules=_CHANGE_RULES, body=InvalidFieldBody),
)
def configure_risk(
    session_id: SessionIdPath, body: RiskChange, caller: Owner, risk: Risk
) -> RiskView:
    """The groups and rules ``settings`` names change (``null`` turns a rule off); the
    next order is checked against them. Journaled with the key and ``reason``."""
    with fields_named():
        state = risk.configure(_actor(caller), session_id, body.settings, body.reason)
    return RiskView.of(state)


@router.post(
    "/v1/sessions/{sessionId}/risk/override",
    operation_id="overrideSessionRisk",
    summary="Override a session's risk settings for a while",
    responses=answers(
        rules=[*_CHANGE_RULES, "until or minutes, one of them; until after the session's time"],
        body=InvalidFieldBody,
    ),
)
def override_risk(
    session_id: SessionIdPath, body: RiskOverrideCreate, caller: Owner, risk: Risk
) -> RiskView:
    """Rules over the session's own until ``until`` (session time) or for ``minutes`` of
    session time; then they lapse by themselves (a ``RiskAdjusted`` event says so). A
    new override replaces the one in force."""
    with fields_named():
        state = risk.override(
            _actor(caller), session_id, body.settings, body.reason,
            until_ns=body.until_ns, minutes=body.minutes,
        )  # fmt: skip
    return RiskView.of(state)


@router.delete(
    "/v1/sessions/{sessionId}/risk/override",
    operation_id="clearSessionRiskOverride",
    summary="End a session's risk override",
)
def clear_override(
    session_id: SessionIdPath,
    caller: Owner,
    risk: Risk,
    reason: Annotated[str, Query(max_length=500, description="Why: journaled and audited.")] = "",
) -> RiskView:
    """The session's own rules are in force again (none in force: nothing changes)."""
    return RiskView.of(risk.clear_override(_actor(caller), session_id, reason))


@router.post(
    "/v1/sessions/{sessionId}/risk/breakers/{name}/reset",
    operation_id="resetSessionBreaker",
    summary="Reset a tripped breaker",
    responses=answers(rules=["a breaker of the risk settings, `kill_switch`, or `all`"]),
)
def reset_breaker(
    session_id: SessionIdPath,
    name: Annotated[str, Depends(_breaker)],
    body: ReasonBody,
    caller: Owner,
    risk: Risk,
) -> RiskView:
    """New entries are taken again once no breaker is tripped; ``all`` resets every one
    (the kill switch's too). Journaled with the key and ``reason``."""
    return RiskView.of(risk.reset_breaker(_actor(caller), session_id, name, body.reason))


@router.post(
    "/v1/sessions/{sessionId}/emergency",
    operation_id="sessionEmergency",
    summary="Use an emergency control on a session",
    responses=answers(rules=["percent for reduce and tighten_stops, and only for them"]),
)
def emergency(
    session_id: SessionIdPath, body: EmergencyRequest, caller: Owner, risk: Risk
) -> EmergencyResult:
    """``cancel_all``, ``close_all``, ``kill`` (both, and new entries halted until the
    ``kill_switch`` breaker is reset), ``reduce`` or ``tighten_stops`` by ``percent``.
    Idempotent: a second call finds nothing left to do. Closing orders are market
    orders: they fill as the session's clock moves."""
    outcome = risk.emergency(
        _actor(caller), session_id, body.action, percent=body.percent, reason=body.reason
    )
    return EmergencyResult.of(outcome)


@router.post(
    "/v1/risk/emergency",
    operation_id="emergencyAll",
    summary="Use an emergency control on every session",
    responses=answers(rules=["percent for reduce and tighten_stops, and only for them"]),
)
def emergency_all(body: EmergencyRequest, caller: Owner, risk: Risk) -> EmergencyAllResult:
    """The control on every session of the key that has not ended, one by one: a session
    that fails is listed in ``failed`` with its error, and the others go on."""
    done, failed = risk.emergency_all(
        _actor(caller), body.action, percent=body.percent, reason=body.reason
    )
    return EmergencyAllResult(
        results=[EmergencyResult.of(outcome) for outcome in done],
        failed=[EmergencyFailed.of(failure) for failure in failed],
    )


@router.get("/v1/risk", operation_id="getRiskOverview", summary="Your sessions' risk")
def overview(caller: Owner, risk: Risk) -> RiskOverview:
    """Each session of the key: halted or not, tripped breakers, exposure, the most used
    limit and today's denials, oldest session first."""
    return RiskOverview(sessions=[RiskOverviewRow.of(row) for row in risk.overview(caller.key_id)])


@router.get("/v1/risk/audit", operation_id="getRiskAudit", summary="The risk audit trail")
def audit(
    caller: Owner,
    risk: Risk,
    session_id: Annotated[
        str | None, Query(pattern=UUID_PATTERN, description="Only this session's actions.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_PAGE, description="At most this many.")] = 100,
    before: Annotated[
        int | None, Query(ge=1, description="Only entries before this one (its `id`).")
    ] = None,
) -> AuditPagePublic:
    """Every risk action taken with the key, newest first: who, when (wall time), what,
    why and how it went. The next page is ``before=<next>``."""
    page = risk.audit(caller.key_id, session_id=session_id, limit=limit, before=before)
    return AuditPagePublic.of(page)
