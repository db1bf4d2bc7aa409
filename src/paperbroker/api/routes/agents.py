"""``/api/agents``: the agents of the caller's sessions: read, start, stop, configure, logs.

Agent ids are validated against a strict pattern before anything else, and
log files are resolved inside the configured log directory only (see
:mod:`paperbroker.agents.logs`): any other text is a 404, never a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from fastapi.responses import PlainTextResponse
from pydantic import Field

from paperbroker.agents.logs import AGENT_ID_PATTERN, MAX_LINES, LogLine
from paperbroker.api.access import Owner
from paperbroker.api.deps import Service
from paperbroker.api.formats import time_text
from paperbroker.api.params import Time
from paperbroker.api.responses import ResponseModel
from paperbroker.core.errors import NotFound
from paperbroker.services.agents import AgentRef, AgentService

router = APIRouter(prefix="/api/agents", tags=["agents"])
system_router = APIRouter(prefix="/system/agents", tags=["agents"])


def _agent_id(agent_id: Annotated[str, Path(description="The agent's id.")]) -> str:
    if not AGENT_ID_PATTERN.fullmatch(agent_id):
        raise NotFound(f"agent {agent_id[:64]!r} not found")
    return agent_id


def _agents(service: Service) -> AgentService:
    return AgentService(service)


AgentId = Annotated[str, Depends(_agent_id)]
Agents = Annotated[AgentService, Depends(_agents)]


class AgentPublic(ResponseModel):
    """An agent of a session's pipeline: what it is, its state, settings and counters."""

    id: str
    name: str
    type: str
    session_id: str
    status: str = Field(
        json_schema_extra={"enum": ["stopped", "starting", "running", "stopping", "error"]}
    )
    symbols: list[str] = Field(description="The symbols it covers; empty: every one.")
    last_active: str | None = Field(description="The session time it last handled a message.")
    error: str | None = Field(description="Why it is in `error`.")
    config: dict[str, Any]
    metrics: dict[str, int]

    @classmethod
    def of(cls, ref: AgentRef) -> AgentPublic:
        agent = ref.agent
        return cls(
            id=agent.id,
            name=agent.name,
            type=agent.kind,
            session_id=ref.session_id,
            status=agent.status.value,
            symbols=list(agent.symbols),
            last_active=None if agent.last_active is None else time_text(agent.last_active),
            error=agent.error,
            config=agent.config.model_dump(mode="json"),
            metrics=dict(sorted(agent.metrics.items())),
        )


class LogLinePublic(ResponseModel):
    time: str | None = Field(
        description="When it was written: the server's local time, with its offset."
    )
    level: str
    text: str

    @classmethod
    def of(cls, line: LogLine) -> LogLinePublic:
        moment = None if line.time is None else line.time.isoformat()
        return cls(time=moment, level=line.level, text=line.text)


class LogPublic(ResponseModel):
    agent_id: str
    lines: list[LogLinePublic]


Level = Annotated[str | None, Query(max_length=16, description="This level and above.")]
Search = Annotated[str | None, Query(max_length=200, description="Lines containing this.")]
#: Times before 1970 or from 2262 are held there: a filter from the beginning, or to the end.
Since = Annotated[Time | None, Query(description="Lines written at or after this time (RFC 3339).")]


@dataclass(frozen=True, slots=True)
class LogFilters:
    """Which lines of an agent's log to read: the same query on every log route."""

    lines: int
    level: str | None
    search: str | None
    since: datetime | None


def _log_filters(default_lines: int) -> Any:
    def filters(
        lines: Annotated[
            int, Query(ge=1, le=MAX_LINES, description="At most this many (the last) lines.")
        ] = default_lines,
        level: Level = None,
        search: Search = None,
        since: Since = None,
    ) -> LogFilters:
        return LogFilters(lines, level, search, since)

    return Depends(filters)


Filters = Annotated[LogFilters, _log_filters(100)]
DownloadFilters = Annotated[LogFilters, _log_filters(MAX_LINES)]


@router.get("", summary="List your agents")
def list_agents(caller: Owner, agents: Agents) -> list[AgentPublic]:
    return [AgentPublic.of(ref) for ref in agents.list(caller.key_id)]


@router.get("/{agent_id}", summary="Read an agent")
def get_agent(agent_id: AgentId, caller: Owner, agents: Agents) -> AgentPublic:
    return AgentPublic.of(agents.get(caller.key_id, agent_id))


@router.post("/{agent_id}/start", summary="Start an agent")
def start_agent(agent_id: AgentId, caller: Owner, agents: Agents) -> AgentPublic:
    """409, naming its state, for an agent that is not stopped or in error."""
    return AgentPublic.of(agents.command(caller.key_id, agent_id, "start"))


@router.post("/{agent_id}/stop", summary="Stop an agent")
def stop_agent(agent_id: AgentId, caller: Owner, agents: Agents) -> AgentPublic:
    """409, naming its state, for an agent that is already stopped."""
    return AgentPublic.of(agents.command(caller.key_id, agent_id, "stop"))


@router.get("/{agent_id}/metrics", summary="Read an agent's metrics")
def get_metrics(agent_id: AgentId, caller: Owner, agents: Agents) -> dict[str, int]:
    return dict(sorted(agents.get(caller.key_id, agent_id).agent.metrics.items()))


@router.post("/{agent_id}/metrics/reset", summary="Reset an agent's metrics")
def reset_metrics(agent_id: AgentId, caller: Owner, agents: Agents) -> AgentPublic:
    return AgentPublic.of(agents.command(caller.key_id, agent_id, "reset_metrics"))


@router.patch("/{agent_id}/config", summary="Change an agent's configuration")
def configure_agent(
    agent_id: AgentId,
    caller: Owner,
    agents: Agents,
    changes: Annotated[dict[str, Any], Body(description="The fields to change.")],
) -> AgentPublic:
    """The fields given change; unknown fields or bad values are a 422 naming the field."""
    return AgentPublic.of(agents.command(caller.key_id, agent_id, "configure", changes))


def _read(agents: AgentService, owner: str, agent_id: str, query: LogFilters) -> list[LogLine]:
    return agents.logs(
        owner, agent_id, lines=query.lines, level=query.level, search=query.search,
        since=query.since,
    )  # fmt: skip


@router.get("/{agent_id}/logs", summary="Read an agent's log")
def get_logs(agent_id: AgentId, caller: Owner, agents: Agents, query: Filters) -> LogPublic:
    """The last ``lines`` lines that pass the filters, oldest first."""
    found = _read(agents, caller.key_id, agent_id, query)
    return LogPublic(agent_id=agent_id, lines=[LogLinePublic.of(line) for line in found])


@router.get(
    "/{agent_id}/logs/download",
    summary="Download an agent's log",
    response_class=PlainTextResponse,
    responses={200: {"description": "The lines as text, one per line.", "content": {
        "text/plain": {"schema": {"type": "string"}}}}},
)  # fmt: skip
def download_logs(
    agent_id: AgentId, caller: Owner, agents: Agents, query: DownloadFilters
) -> PlainTextResponse:
    """The lines as a text file (``attachment``): the same filters, up to the whole log."""
    found = _read(agents, caller.key_id, agent_id, query)
    return PlainTextResponse(
        "".join(line.text + "\n" for line in found),
        headers={"Content-Disposition": f'attachment; filename="{agent_id}.log"'},
    )


@system_router.get("/{agent_id}/logs", summary="Read an agent's log")
def system_logs(agent_id: AgentId, caller: Owner, agents: Agents, query: Filters) -> LogPublic:
    """As ``/api/agents/{agent_id}/logs``, filters included."""
    found = _read(agents, caller.key_id, agent_id, query)
    return LogPublic(agent_id=agent_id, lines=[LogLinePublic.of(line) for line in found])
