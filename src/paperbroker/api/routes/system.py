"""``/api/system``: the state of all your sessions and agents, health, stop and start everything.

An admin key sees and steers every key's sessions; any other key its own;
a key bound to a session is refused (403). What each verb does, and the health rule,
are in :mod:`paperbroker.services.system` and docs/operations.md.

:func:`install` mounts the routes, keeps one
:class:`~paperbroker.services.system.SystemService` on the application
and counts its 5xx answers; :func:`monitoring` runs the event-loop lag
monitor for as long as the application serves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperbroker.api.access import Owner
from paperbroker.api.events.hub import event_hub
from paperbroker.api.formats import time_text
from paperbroker.api.responses import ResponseModel
from paperbroker.services.events import Viewer
from paperbroker.services.sessions import SessionService
from paperbroker.services.system import ControlResult, SystemHealth, SystemService, SystemStatus
from paperbroker.services.system_health import LAG_WINDOW_SECONDS, SystemMonitor
from paperbroker.services.system_status import AgentFault, FeedHealth, SessionFault

router = APIRouter(prefix="/api/system", tags=["system"])


def _system(request: Request) -> SystemService:
    system = getattr(request.app.state, "system", None)
    if not isinstance(system, SystemService):
        raise TypeError("the application has no system service: see api.routes.system.install")
    return system


System = Annotated[SystemService, Depends(_system)]


# -- answers ---------------------------------------------------------------------------
class SessionCounts(ResponseModel):
    total: int
    by_state: dict[str, int] = Field(description="Every lifecycle state, zeros included.")
    by_type: dict[str, int] = Field(examples=[{"backtest": 3, "paper": 1, "live": 0}])


class AgentCounts(ResponseModel):
    total: int
    by_status: dict[str, int] = Field(description="Every agent status, zeros included.")


class SessionFaultPublic(ResponseModel):
    session_id: str
    name: str
    type: str
    state: Literal["error", "unavailable"] = Field(
        description="`unavailable`: its journal could not be loaded."
    )
    reason: str

    @classmethod
    def of(cls, fault: SessionFault) -> SessionFaultPublic:
        return cls(
            session_id=fault.session_id, name=fault.name, type=fault.type,
            state=fault.state,  # type: ignore[arg-type]  # one of the two
            reason=fault.reason,
        )  # fmt: skip


class AgentFaultPublic(ResponseModel):
    agent_id: str
    name: str
    session_id: str
    error: str

    @classmethod
    def of(cls, fault: AgentFault) -> AgentFaultPublic:
        return cls(
            agent_id=fault.agent_id, name=fault.name, session_id=fault.session_id,
            error=fault.error,
        )  # fmt: skip


class FaultsPublic(ResponseModel):
    count: int
    sessions: list[SessionFaultPublic]
    agents: list[AgentFaultPublic]


class StatusPublic(ResponseModel):
    """Your sessions and agents now (an admin key's: everyone's), and the server."""

    sessions: SessionCounts
    agents: AgentCounts
    open_orders: int = Field(description="Working orders across the sessions.")
    fills_today: int = Field(
        description="Fills committed since midnight UTC, wall clock, whatever the session's time."
    )
    errors: FaultsPublic
    owners: int = Field(description="How many keys own the sessions counted.")
    started_at: str
    uptime_seconds: float
    version: str

    @classmethod
    def of(cls, status: SystemStatus, version: str) -> StatusPublic:
        faults = [SessionFaultPublic.of(f) for f in status.session_faults]
        agent_faults = [AgentFaultPublic.of(f) for f in status.agent_faults]
        return cls(
            sessions=SessionCounts(
                total=sum(status.sessions_by_state.values()),
                by_state=status.sessions_by_state,
                by_type=status.sessions_by_type,
            ),
            agents=AgentCounts(
                total=sum(status.agents_by_status.values()), by_status=status.agents_by_status
            ),
            open_orders=status.open_orders,
            fills_today=status.fills_today,
            errors=FaultsPublic(
                count=len(faults) + len(agent_faults), sessions=faults, agents=agent_faults
            ),
            owners=status.owners,
            started_at=time_text(status.started_at_ns),
            uptime_seconds=round(status.uptime_seconds, 3),
            version=version,
        )


class ControlPublic(ResponseModel):
    """Each session's and agent's result: its new state, or `error: …`."""

    sessions: dict[str, str] = Field(examples=[{"3b0c…": "paused"}])
    agents: dict[str, str] = Field(examples=[{"9f1e…": "stopped"}])

    @classmethod
    def of(cls, result: ControlResult) -> ControlPublic:
        return cls(sessions=result.sessions, agents=result.agents)


class ProcessPublic(ResponseModel):
    cpu_percent: float = Field(description="Over the last second, of one core.")
    memory_rss_bytes: int | None
    threads: int
    uptime_seconds: float


class DatabasePublic(ResponseModel):
    reachable: bool
    latency_ms: float | None = Field(description="A `SELECT 1` through the server's pool.")
    error: str | None


class EventLoopPublic(ResponseModel):
    lag_p50_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    samples: int
    window_seconds: int


class FeedPublic(ResponseModel):
    session_id: str
    name: str
    type: str
    connected: bool
    stale: bool
    stale_seconds: float
    last_error: str | None

    @classmethod
    def of(cls, health: FeedHealth) -> FeedPublic:
        feed = health.feed
        return cls(
            session_id=health.session_id, name=health.name, type=feed.type,
            connected=feed.connected, stale=feed.stale,
            stale_seconds=round(feed.stale_seconds, 3), last_error=feed.last_error,
        )  # fmt: skip


class ErrorsPublic(ResponseModel):
    window_minutes: int
    server_errors: int = Field(description="5xx answers, server-wide.")
    session_failures: int = Field(description="Your sessions' moves into `error`.")
    agent_failures: int = Field(description="Your agents' failures.")
    per_minute: float
    sessions_in_error: int
    agents_in_error: int


class HealthPublic(ResponseModel):
    """The server's health: one score by the rule in docs/operations.md, and its inputs."""

    health: int = Field(ge=0, le=100, description="100 is perfect health.")
    status: Literal["ok", "degraded", "down"]
    penalties: dict[str, float] = Field(description="The points each input cost.")
    process: ProcessPublic
    database: DatabasePublic
    event_loop: EventLoopPublic
    feeds: list[FeedPublic] = Field(description="Your working paper sessions' feeds.")
    errors: ErrorsPublic
    event_connections: int
    version: str

    @classmethod
    def of(cls, health: SystemHealth, version: str) -> HealthPublic:
        lag, errors = health.lag, health.errors
        return cls(
            health=health.score.score,
            status=health.score.status,  # type: ignore[arg-type]  # one of the three
            penalties=dict(health.score.penalties),
            process=ProcessPublic(
                cpu_percent=health.cpu_percent,
                memory_rss_bytes=health.memory_rss_bytes,
                threads=health.threads,
                uptime_seconds=round(health.uptime_seconds, 3),
            ),
            database=DatabasePublic(
                reachable=health.database.latency_ms is not None,
                latency_ms=_ms(health.database.latency_ms),
                error=health.database.error,
            ),
            event_loop=EventLoopPublic(
                lag_p50_ms=round(lag.p50_ms, 3),
                lag_p99_ms=round(lag.p99_ms, 3),
                lag_max_ms=round(lag.max_ms, 3),
                samples=lag.samples,
                window_seconds=int(LAG_WINDOW_SECONDS),
            ),
            feeds=[FeedPublic.of(feed) for feed in health.feeds],
            errors=ErrorsPublic(
                window_minutes=errors.window_minutes,
                server_errors=errors.server_errors,
                session_failures=errors.session_failures,
                agent_failures=errors.agent_failures,
                per_minute=round(errors.per_minute, 3),
                sessions_in_error=health.sessions_in_error,
                agents_in_error=health.agents_in_error,
            ),
            event_connections=health.event_connections,
            version=version,
        )


def _ms(value: float | None) -> float | None:
    # Microseconds are the finest a round trip or a wake-up is worth reporting.
    return None if value is None else round(value, 3)


# -- routes ----------------------------------------------------------------------------
@router.get(
    "/status", operation_id="getSystemStatus", summary="Count your sessions and agents",
)  # fmt: skip
def get_status(request: Request, caller: Owner, system: System) -> StatusPublic:
    return StatusPublic.of(system.status(Viewer.of(caller)), request.app.version)


@router.get(
    "/health", operation_id="getSystemHealth", summary="Measure and score the server's health",
)  # fmt: skip
def get_health(request: Request, caller: Owner, system: System) -> HealthPublic:
    return HealthPublic.of(system.health(Viewer.of(caller)), request.app.version)


@router.post(
    "/stop", operation_id="stopSystem",
    summary="Pause every running session and stop every running agent (positions kept)",
)  # fmt: skip
def stop_system(caller: Owner, system: System) -> ControlPublic:
    """Not the graceful end of sessions: orders and positions stay as they are, and
    `POST /api/system/start` picks up where it left off."""
    return ControlPublic.of(system.stop(Viewer.of(caller)))


@router.post(
    "/start", operation_id="startSystem",
    summary="Start every stopped agent and resume the sessions a stop paused",
)  # fmt: skip
def start_system(caller: Owner, system: System) -> ControlPublic:
    """Paper sessions that are paused or in error resume; a backtest resumes if it is in
    error or a system stop paused it (docs/operations.md)."""
    return ControlPublic.of(system.start(Viewer.of(caller)))


# -- wiring ----------------------------------------------------------------------------
def install(app: FastAPI, service: SessionService) -> SystemService:
    """Mount ``/api/system`` on ``app`` (after its event hub) and count its 5xx answers."""
    monitor = SystemMonitor()
    system = SystemService(service, event_hub(app), monitor)
    app.state.system = system
    app.add_middleware(ServerErrors, monitor=monitor)
    app.include_router(router)
    return system


@asynccontextmanager
async def monitoring(app: FastAPI) -> AsyncIterator[None]:
    """Sample the event loop's lag (and the CPU) in a background task while serving."""
    system = getattr(app.state, "system", None)
    if not isinstance(system, SystemService):
        yield
        return
    task = asyncio.create_task(system.monitor.run(), name="event-loop-lag")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class ServerErrors:
    """ASGI middleware: count every 5xx answer (and every exception that escapes)."""

    def __init__(self, app: ASGIApp, monitor: SystemMonitor) -> None:
        self.app = app
        self.monitor = monitor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counted = False

        async def counting_send(message: Message) -> None:
            nonlocal counted
            if message["type"] == "http.response.start" and message["status"] >= 500:
                counted = True
                self.monitor.server_error()
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        except Exception:
            if not counted:
                self.monitor.server_error()
            raise
