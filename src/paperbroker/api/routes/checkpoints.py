"""``/v1/sessions/{sessionId}/checkpoints``: a session's checkpoints listed, written now,
and cleaned up.

A checkpoint is the session's whole state at one journal seq; a restart
begins from the newest one that verifies and replays only the journal after
it (docs/recovery.md). The key that owns the session may call these, and an
admin key on any session.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from paperbroker.api.access import Owner
from paperbroker.api.checkpoint_schemas import (
    CheckpointCleanupPublic,
    CheckpointPublic,
    CheckpointsPublic,
)
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.errors import ApiError
from paperbroker.core.snapshot import NotSnapshottable
from paperbroker.store.checkpoints import DEFAULT_KEEP

router = APIRouter(prefix="/v1/sessions", tags=["checkpoints"])


@router.get(
    "/{sessionId}/checkpoints",
    operation_id="listSessionCheckpoints",
    summary="A session's checkpoints",
)
def list_checkpoints(
    session_id: SessionIdPath, caller: Owner, service: Service
) -> CheckpointsPublic:
    """The session's checkpoints, newest first, their count, newest seq and time, total
    size, and how its last restore in this server went (from which seq, how long)."""
    infos, stats = service.checkpoint_cases.list(caller.key_id, session_id, admin=caller.is_admin)
    return CheckpointsPublic.of(session_id, infos, stats)


@router.post(
    "/{sessionId}/checkpoints",
    operation_id="createSessionCheckpoint",
    summary="Write a checkpoint of a session now",
    status_code=201,
    responses=answers(
        {
            409: "The session's state cannot be written into a checkpoint (a strategy that "
            "does not save its state, a read-only session): it restarts by replaying its "
            "journal. The message says why."
        }
    ),
)
def create_checkpoint(
    session_id: SessionIdPath, caller: Owner, service: Service
) -> CheckpointPublic:
    """A checkpoint of the session as of its last journaled event (`manual`); if one was
    written at that seq already, that one (nothing new, nothing written)."""
    try:
        info = service.checkpoint_cases.create(caller.key_id, session_id, admin=caller.is_admin)
    except NotSnapshottable as exc:
        raise ApiError(409, f"no checkpoint of session {session_id}: {exc}") from None
    return CheckpointPublic.of(info)


@router.delete(
    "/{sessionId}/checkpoints",
    operation_id="cleanupSessionCheckpoints",
    summary="Delete a session's older checkpoints",
)
def cleanup_checkpoints(
    session_id: SessionIdPath,
    caller: Owner,
    service: Service,
    keep_count: Annotated[
        int,
        Query(alias="keep_count", ge=1, le=1_000_000, description="Keep the newest this many."),
    ] = DEFAULT_KEEP,
    older_than_hours: Annotated[
        float | None,
        Query(
            alias="older_than_hours",
            ge=0,
            le=1_000_000,
            description="Also delete those written longer ago than this (the newest stays).",
        ),
    ] = None,
) -> CheckpointCleanupPublic:
    """Delete the checkpoints beyond the newest `keep_count` (default 100) and, with
    `older_than_hours`, those older than that; the newest one is always kept."""
    deleted = service.checkpoint_cases.cleanup(
        caller.key_id, session_id, keep_count, older_than_hours, admin=caller.is_admin
    )
    return CheckpointCleanupPublic(session_id=session_id, deleted=deleted)
