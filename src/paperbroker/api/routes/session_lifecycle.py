"""``/v1/sessions/{id}/pause|resume|stop|kill|restart``: the lifecycle verbs, for every
session type (see ``docs/operations.md``)."""

from __future__ import annotations

from fastapi import APIRouter, status

from paperbroker.api.access import Owner
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.responses import SessionPublic

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])


@router.post(
    "/{sessionId}/pause",
    operation_id="pauseSessionLifecycle",
    summary="Pause a running session",
)
def pause(session_id: SessionIdPath, caller: Owner, service: Service) -> SessionPublic:
    """``running`` → ``paused``: a backtest's clock stops; a paper session stops trading
    while its prices keep coming. Another state is a 409 that names it."""
    return SessionPublic.of(service.suspend(caller.key_id, session_id))


@router.post(
    "/{sessionId}/resume",
    operation_id="resumeSession",
    summary="Resume a paused session",
)
def resume(session_id: SessionIdPath, caller: Owner, service: Service) -> SessionPublic:
    """``paused`` or ``error`` → ``running``. Another state is a 409 that names it."""
    return SessionPublic.of(service.resume(caller.key_id, session_id))


@router.post(
    "/{sessionId}/stop",
    operation_id="stopSession",
    summary="Stop a session gracefully",
)
def stop(session_id: SessionIdPath, caller: Owner, service: Service) -> SessionPublic:
    """Cancel the open orders, close the positions at market, end the session."""
    return SessionPublic.of(service.stop(caller.key_id, session_id))


@router.post(
    "/{sessionId}/kill",
    operation_id="killSession",
    summary="End a session at once",
)
def kill(session_id: SessionIdPath, caller: Owner, service: Service) -> SessionPublic:
    """End the session now; its orders and positions stay as they are."""
    return SessionPublic.of(service.kill(caller.key_id, session_id))


@router.post(
    "/{sessionId}/restart",
    status_code=status.HTTP_201_CREATED,
    operation_id="restartSession",
    summary="Start a new run of a session",
)
def restart(session_id: SessionIdPath, caller: Owner, service: Service) -> SessionPublic:
    """A new session with the same configuration, linked by ``restarted_from``; the old
    one is stopped first if it has not ended."""
    return SessionPublic.of(service.restart(caller.key_id, session_id))
