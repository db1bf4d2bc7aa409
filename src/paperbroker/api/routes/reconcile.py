"""``/v1/sessions/{sessionId}/reconciliations``: a live session's books checked against its
broker's, the record of every check, and the approval of a halted one.

A reconciliation compares the session's default account (orders, fills,
positions, cash) with the broker account's and classifies each difference
(docs/live.md, "Reconciliation"); the session's policy adopts the broker's
figures at once or halts trading until an operator approves them here. Only
the key that owns the session may call these routes: a key bound to a
session (a bot's) is refused (403). A session that is not live answers 409.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Path, Query, status
from pydantic import Field

from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath, _uuid_or_404
from paperbroker.api.formats import time_text
from paperbroker.api.responses import ResponseModel
from paperbroker.services.reconcile import ReconcileService, Reconciliation
from paperbroker.session.reconcile import Difference
from paperbroker.store.keys import ApiKeyRecord
from paperbroker.store.reconciliations import MAX_RUNS

router = APIRouter(prefix="/v1/sessions", tags=["reconciliation"])

_NOT_LIVE: Final = "The session is not a live session (or it has ended)."
_UNREACHABLE: Final = "The broker could not be reached, or its books kept moving: try again."


class ReconciliationPublic(ResponseModel):
    """One reconciliation run: when (session time), why, under which policy, what it found
    and what came of it."""

    id: str
    session_id: str
    ts: str = Field(description="When it ran, on the session's clock (RFC 3339).")
    trigger: str = Field(
        description="What ran it.",
        json_schema_extra={"enum": ["start", "reconnect", "interval", "manual"]},
    )
    policy: str = Field(
        description="The session's policy then.", json_schema_extra={"enum": ["adopt", "halt"]}
    )
    outcome: str = Field(
        description="`clean` (no difference), `adopted` (the broker's figures taken at once), "
        "`halted` (trading halted until approved) or `approved`.",
        json_schema_extra={"enum": ["clean", "adopted", "halted", "approved"]},
    )
    differences: list[Difference] = Field(description="What differed, classified.")
    resolved_at: str | None = Field(
        description="When a halted run was approved or superseded (session time)."
    )
    resolved_by: str | None = Field(description="Who approved it, or the run that took its place.")

    @classmethod
    def of(cls, run: Reconciliation) -> ReconciliationPublic:
        record = run.record
        resolved = record.resolved_at
        return cls(
            id=record.id, session_id=record.session_id, ts=time_text(record.ts),
            trigger=record.trigger, policy=record.policy, outcome=record.outcome,
            differences=run.differences,
            resolved_at=None if resolved is None else time_text(resolved),
            resolved_by=record.resolved_by,
        )  # fmt: skip


def _reconcile(service: Service) -> ReconcileService:
    return ReconcileService(service)


Reconciler = Annotated[ReconcileService, Depends(_reconcile)]


def _run_path(
    run_id: Annotated[str, Path(alias="runId", description="The run's id.")],
) -> str:
    return _uuid_or_404(run_id, "reconciliation run")


def _approver(key: ApiKeyRecord) -> str:
    return f"{key.label} ({key.key_id})" if key.label else key.key_id


@router.get(
    "/{sessionId}/reconciliations",
    operation_id="listReconciliations",
    summary="List a live session's reconciliations",
    responses=answers({409: _NOT_LIVE}),
)
def list_runs(
    session_id: SessionIdPath,
    caller: Owner,
    reconciler: Reconciler,
    limit: Annotated[int, Query(ge=1, le=MAX_RUNS, description="At most this many.")] = 100,
) -> list[ReconciliationPublic]:
    """Every run of the session, newest first: clean ones too."""
    runs = reconciler.list(caller.key_id, session_id, limit)
    return [ReconciliationPublic.of(run) for run in runs]


@router.post(
    "/{sessionId}/reconciliations",
    status_code=status.HTTP_201_CREATED,
    operation_id="runReconciliation",
    summary="Reconcile a live session with its broker now",
    responses=answers(
        {409: _NOT_LIVE, 503: _UNREACHABLE},
        rules=["the broker accepts the session's credential"],
    ),
)
def run(session_id: SessionIdPath, caller: Owner, reconciler: Reconciler) -> ReconciliationPublic:
    """Read the broker's books now, compare, and do what the session's policy says: adopt
    the broker's figures (journaled), or halt trading until the run is approved. The run
    is recorded whatever it found (`trigger` `manual`)."""
    return ReconciliationPublic.of(reconciler.run(caller.key_id, session_id, "manual"))


@router.post(
    "/{sessionId}/reconciliations/{runId}/approve",
    operation_id="approveReconciliation",
    summary="Approve a halted reconciliation",
    responses=answers(
        {
            409: "The session is not live (or has ended), or the run is not halted awaiting "
            "approval (clean, adopted, approved already, or superseded by a later run)."
        }
    ),
)
def approve(
    session_id: SessionIdPath,
    run_id: Annotated[str, Depends(_run_path)],
    caller: Owner,
    reconciler: Reconciler,
) -> ReconciliationPublic:
    """Apply the run's adjustments (journaled, with the approving key), mark it approved,
    and resume a session the reconciliation paused."""
    approved = reconciler.approve(caller.key_id, session_id, run_id, _approver(caller))
    return ReconciliationPublic.of(approved)
