"""``/api/activity``: what happened lately in your sessions and system stream, newest first.

See :mod:`paperbroker.services.activity` for what is listed and who sees
what, and docs/events.md for the severity rule.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.events.hub import event_hub
from paperbroker.api.formats import time_text
from paperbroker.api.params import UUID_PATTERN
from paperbroker.api.responses import ResponseModel
from paperbroker.api.schemas import Documented
from paperbroker.services.activity import (
    CURSOR_PATTERN,
    MAX_KINDS,
    MAX_LIMIT,
    ActivityItem,
    ActivityService,
)
from paperbroker.services.events import Viewer

#: An event kind, as the activity service reads it: CamelCase (``OrderFilled``).
KIND_PATTERN = r"^[A-Z][A-Za-z0-9]{0,63}$"

router = APIRouter(prefix="/api/activity", tags=["activity"])

Severity = Literal["info", "warning", "error"]


def _activity(request: Request) -> ActivityService:
    return ActivityService(event_hub(request))


Activity = Annotated[ActivityService, Depends(_activity)]


class ActivityPublic(ResponseModel):
    """One event of the feed."""

    time: str = Field(description="The event's own time: session time for a session's events.")
    recorded_at: str = Field(description="When it was committed (wall time).")
    session_id: str | None = Field(description="The session it belongs to or is about.")
    stream: str = Field(examples=["session:3b0c…"], description="Its stream in /ws.")
    seq: int = Field(description="Its seq in that stream.")
    type: str = Field(examples=["OrderFilled"], description="The event's kind.")
    severity: Severity
    message: str = Field(examples=["buy 10 AAPL filled at 412.5"])
    data: dict[str, Any] = Field(description="The event as JSON, decimals as strings.")

    @classmethod
    def of(cls, item: ActivityItem) -> ActivityPublic:
        return cls(
            time=time_text(item.ts),
            recorded_at=time_text(item.recorded_at),
            session_id=item.session_id,
            stream=item.stream,
            seq=item.seq,
            type=item.kind,
            severity=item.severity,  # type: ignore[arg-type]  # one of SEVERITIES
            message=item.message,
            data=json.loads(item.data),
        )


@router.get(
    "",
    summary="List recent activity",
    responses=answers(
        {404: "No such session (session_id), or no such event (before) that the key may see."}
    ),
)
def list_activity(
    caller: Owner,
    activity: Activity,
    severity: Annotated[
        Severity, Query(description="This severity and above (default: every event).")
    ] = "info",
    session_id: Annotated[
        str | None,
        Query(pattern=UUID_PATTERN, description="Only this session's events (its id)."),
    ] = None,
    kinds: Annotated[
        list[Annotated[str, Documented(pattern=KIND_PATTERN)]] | None,
        Query(
            alias="type",
            max_length=MAX_KINDS,
            description="Only these kinds (repeat the parameter for several).",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many.")] = 100,
    before: Annotated[
        str | None,
        Query(
            pattern=CURSOR_PATTERN,
            examples=["session:3b0c1f9e-8d2a-4c6b-9f1e-2a7d5c4b3e10:42"],
            description="Load earlier: only the events listed after this one, written "
            "`<stream>:<seq>` of the last (oldest) item shown. Pages never repeat or skip an "
            "event, even when many share a `recorded_at` (docs/events.md).",
        ),
    ] = None,
) -> list[ActivityPublic]:
    """Your sessions' events and your system events, newest committed first: each with a
    severity (`info`, `warning`, `error`) and a short message. An admin key sees
    every key's. The next page back is `before=<stream>:<seq>` of the last item."""
    items = activity.list(
        Viewer.of(caller),
        severity=severity,
        session_id=session_id,
        kinds=tuple(kinds or ()),
        limit=limit,
        before=before,
    )
    return [ActivityPublic.of(item) for item in items]
