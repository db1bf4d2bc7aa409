"""``/v1/sessions``: create, list, read and delete sessions; drive their clocks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, status
from pydantic import Field

from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.formats import time_text
from paperbroker.api.responses import (
    AdvancePublic,
    InvalidFieldBody,
    PipelinePublic,
    ResponseModel,
    SessionPublic,
)
from paperbroker.api.routes import SESSION_RULES
from paperbroker.api.routes.ab_tests import check_arms
from paperbroker.api.routes.catalog import check_strategy
from paperbroker.api.schemas import (
    AdvanceRequest,
    PrintableText,
    RequestModel,
    SessionCreate,
    SpeedRequest,
    Symbol,
)
from paperbroker.services.agents import AgentService

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    operation_id="createSession",
    summary="Create a backtest session",
    responses=answers(rules=[*SESSION_RULES, "endTime after startTime"], body=InvalidFieldBody),
)
def create_session(body: SessionCreate, caller: Owner, service: Service) -> SessionPublic:
    """A new session, paused at ``startTime``, with one account holding ``initialCash``.

    ``execution`` chooses the simulated venue's models (default: the
    ``equities_realistic`` preset) and ``account`` how its accounts trade
    (default: cash); both are fixed for the session's life. A strategy parameter
    its strategy refuses is a 422 whose ``field`` names it (``strategy.params.fast``).
    """
    if body.strategy is not None:
        check_strategy(body.strategy.name, body.strategy.params)
    check_arms(body.strategies)
    return SessionPublic.of(
        service.create(
            caller.key_id,
            start_ns=body.start_ns,
            end_ns=body.end_ns,
            name=body.name,
            initial_cash=body.default_cash,
            execution=body.execution,
            account=None if body.account is None else body.account.to_settings(),
            pipeline=body.pipeline,
            risk=body.risk,
        )
    )


@router.get("", operation_id="listSessions", summary="List your sessions")
def list_sessions(caller: Owner, service: Service) -> list[SessionPublic]:
    """The caller's sessions, oldest first; other keys' sessions are never listed."""
    return [SessionPublic.of(view) for view in service.list(caller.key_id)]


@router.get("/{sessionId}", operation_id="getSession", summary="Read a session")
def get_session(session_id: SessionIdPath, caller: Owner, service: Service) -> SessionPublic:
    return SessionPublic.of(service.get(caller.key_id, session_id))


@router.delete(
    "/{sessionId}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteSession",
    summary="Delete a session and all its data",
)
def delete_session(session_id: SessionIdPath, caller: Owner, service: Service) -> None:
    service.delete(caller.key_id, session_id)


@router.post(
    "/{sessionId}/time/advance",
    operation_id="advanceSessionTime",
    summary="Move the clock forward",
    responses=answers(rules=["duration or targetTime, not both"]),
)
def advance_time(
    session_id: SessionIdPath,
    caller: Owner,
    service: Service,
    body: Annotated[AdvanceRequest | None, Body()] = None,
) -> AdvancePublic:
    """By ``duration`` minutes or to ``targetTime``; neither (or no body) is one minute.

    Orders fill as the clock passes over the bars; past the end the clock stops
    at the end and the session completes.
    """
    body = body or AdvanceRequest()
    return AdvancePublic.of(
        service.advance(caller.key_id, session_id, minutes=body.minutes, target_ns=body.target_ns)
    )


@router.post(
    "/{sessionId}/time/play",
    operation_id="playSession",
    summary="Let the clock run",
)
def play(session_id: SessionIdPath, caller: Owner, service: Service) -> SessionPublic:
    """The clock advances in the background at the session's speed until paused or ended."""
    return SessionPublic.of(service.play(caller.key_id, session_id))


@router.post(
    "/{sessionId}/time/pause",
    operation_id="pauseSession",
    summary="Stop the running clock",
)
def pause(session_id: SessionIdPath, caller: Owner, service: Service) -> SessionPublic:
    return SessionPublic.of(service.pause(caller.key_id, session_id))


@router.put(
    "/{sessionId}/time/speed",
    operation_id="setSessionSpeed",
    summary="Set the playback speed",
)
def set_speed(
    session_id: SessionIdPath, body: SpeedRequest, caller: Owner, service: Service
) -> SessionPublic:
    """``speed`` times real time: 1 is real time, 100 is 100 simulated minutes a minute."""
    return SessionPublic.of(service.set_speed(caller.key_id, session_id, body.speed))


@router.get(
    "/{sessionId}/pipeline",
    operation_id="getSessionPipeline",
    summary="The session's agents and how they are wired",
)
def get_pipeline(session_id: SessionIdPath, caller: Owner, service: Service) -> PipelinePublic:
    """Nodes (the agents, with their status) and edges (who publishes what to whom on the
    session's bus); both empty for a session traded by hand."""
    return PipelinePublic.of(service.pipeline(caller.key_id, session_id))


class NewsCreate(RequestModel):
    """Body of ``POST /v1/sessions/{sessionId}/news``."""

    symbols: list[Symbol] = Field(min_length=1, max_length=20)
    headline: PrintableText = Field(min_length=1, max_length=500)
    source: PrintableText = Field(default="", max_length=100)


class NewsPublic(ResponseModel):
    """A headline as the session's journal keeps it, stamped with the session's time."""

    time: str
    symbols: list[str]
    headline: str
    source: str


@router.post(
    "/{sessionId}/news",
    status_code=status.HTTP_201_CREATED,
    operation_id="postSessionNews",
    summary="Post a headline to the session",
)
def post_news(
    session_id: SessionIdPath, body: NewsCreate, caller: Owner, service: Service
) -> NewsPublic:
    """The headline becomes known at the session's current time: its pipeline's data agent
    publishes it to the sentiment agent. 409 once the session is completed."""
    event = AgentService(service).post_news(
        caller.key_id, session_id, body.symbols, body.headline, body.source
    )
    return NewsPublic(
        time=time_text(event.ts),
        symbols=event.symbols.split(","),
        headline=event.headline,
        source=event.source,
    )
