"""System control: every session and agent of the caller at once, and how the server is.

``status`` counts the caller's live sessions and agents (an admin key's:
every owner's); ``health`` adds what the server measures about itself and
scores it (:func:`~paperbroker.services.system_health.health_score`).

``stop`` is an operator's "stop everything now, keep positions": every
running session is paused (a backtest's clock stops, a paper session stops
trading while its prices keep coming) and every running agent stopped.
Orders and positions stay as they are; nothing ends. Sessions end only by
their own ``stop`` or ``kill``.

``start`` undoes it: every stopped (or failed) agent of a working session
is started, then every paper session that is paused or in ``error`` and
every backtest in ``error`` resumes; a paused backtest resumes only if a
system stop paused it since the owner's last system start. Playing a
backtest is a choice about simulated time, made per session: a backtest
someone paused (or never started) to step it by hand stays paused.

Both record their summary in each affected owner's system stream (and the
caller's), so ``/ws`` and ``/api/activity`` show them; that record is also
how ``start`` knows which backtests a stop paused, across restarts. Both
are serialised by one lock and idempotent: a second ``stop`` finds nothing
running and reports nothing. One session's or agent's failure (it ended
meanwhile, say) is its result, ``"error: …"``, never the call's.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.exc import SQLAlchemyError

from paperbroker.agents.base import Agent
from paperbroker.agents.lifecycle import AgentStatus
from paperbroker.core.clock import NANOS_PER_MINUTE, NANOS_PER_SECOND, Clock, WallClock
from paperbroker.core.errors import PaperbrokerError
from paperbroker.services.events import EventHub, Viewer
from paperbroker.services.sessions import SessionService
from paperbroker.services.system_health import (
    ERROR_WINDOW_MINUTES,
    HealthInputs,
    HealthScore,
    LagStats,
    SystemMonitor,
    health_score,
    memory_rss_bytes,
)
from paperbroker.services.system_queries import (
    SYSTEM_STARTED,
    SYSTEM_STOPPED,
    RoundTrip,
    failures_since,
    fills_since,
    round_trip,
    stops_since_start,
)
from paperbroker.services.system_status import (
    SESSION_TYPES,
    AgentFault,
    Census,
    FeedHealth,
    Member,
    SessionFault,
    open_orders,
    scope,
    take_census,
)
from paperbroker.services.views import SessionView
from paperbroker.session.lifecycle import SessionState
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.store.system_events import MAX_PAYLOAD_CHARS

log = logging.getLogger(__name__)

_NANOS_PER_DAY: Final = 86_400 * NANOS_PER_SECOND
#: Room left in a system event's payload for the JSON around the lists.
_PAYLOAD_MARGIN: Final = 512


@dataclass(frozen=True)
class SystemStatus:
    """The caller's sessions and agents, counted now."""

    sessions_by_state: dict[str, int]
    sessions_by_type: dict[str, int]
    agents_by_status: dict[str, int]
    open_orders: int
    fills_today: int
    session_faults: list[SessionFault]
    agent_faults: list[AgentFault]
    owners: int
    started_at_ns: int
    uptime_seconds: float


@dataclass(frozen=True)
class ErrorRate:
    """Errors over the last ``window_minutes``: 5xx answers (server-wide), sessions' moves
    into ``error`` and agents' failures (the caller's)."""

    window_minutes: int
    server_errors: int
    session_failures: int
    agent_failures: int

    @property
    def per_minute(self) -> float:
        total = self.server_errors + self.session_failures + self.agent_failures
        return total / self.window_minutes


@dataclass(frozen=True)
class SystemHealth:
    """How the server is, and its score."""

    score: HealthScore
    cpu_percent: float
    memory_rss_bytes: int | None
    threads: int
    uptime_seconds: float
    database: RoundTrip
    lag: LagStats
    feeds: list[FeedHealth]
    errors: ErrorRate
    sessions_in_error: int
    agents_in_error: int
    event_connections: int


@dataclass(frozen=True)
class ControlResult:
    """Each session's and agent's result: its new state, or ``"error: …"``."""

    sessions: dict[str, str]
    agents: dict[str, str]


class SystemService:
    """Status, health, start and stop over the sessions a viewer steers (see the module doc).

    One per application: its lock serialises system starts and stops.
    """

    def __init__(
        self,
        sessions: SessionService,
        hub: EventHub,
        monitor: SystemMonitor,
        *,
        wall: Clock | None = None,
    ) -> None:
        self._sessions = sessions
        self._hub = hub
        self.monitor = monitor
        self._repo = SessionsRepo(hub.database)
        self._wall = wall or WallClock()
        self._control = threading.Lock()

    # -- reads ------------------------------------------------------------------------
    def status(self, viewer: Viewer) -> SystemStatus:
        """The viewer's sessions by state and type, agents by status, open orders, fills
        committed since midnight UTC (wall clock), and what is in ``error``."""
        census = self._census(viewer)
        now = self._wall.now_ns()
        fills = 0
        if viewer.has_system_stream:  # a bound key steers no session
            midnight = now - now % _NANOS_PER_DAY
            fills = fills_since(self._hub.database, midnight, _owner(viewer))
        return SystemStatus(
            sessions_by_state={s.value: census.sessions_by_state[s.value] for s in SessionState},
            sessions_by_type={kind: census.sessions_by_type[kind] for kind in SESSION_TYPES},
            agents_by_status={s.value: census.agents_by_status[s.value] for s in AgentStatus},
            open_orders=open_orders(census.members),
            fills_today=fills,
            session_faults=census.session_faults,
            agent_faults=census.agent_faults,
            owners=len(census.owners),
            started_at_ns=self.monitor.started_wall_ns,
            uptime_seconds=self.monitor.uptime_seconds,
        )

    def health(self, viewer: Viewer) -> SystemHealth:
        """The process, the database, the event loop, the viewer's feeds and errors, scored."""
        database = round_trip(self._hub.database)
        census, errors = Census(), ErrorRate(ERROR_WINDOW_MINUTES, 0, 0, 0)
        try:  # both read the database: one that does not answer is reported, not raised
            census = self._census(viewer, feeds=True)
            errors = self._error_rate(viewer)
        except (PaperbrokerError, SQLAlchemyError) as error:
            if database.latency_ms is not None:  # it answered the ping, then failed a read
                log.warning("health: the database failed a read", exc_info=error)
                database = RoundTrip(None, f"the database failed a read ({type(error).__name__})")
            errors = ErrorRate(ERROR_WINDOW_MINUTES, self.monitor.server_errors(), 0, 0)
        lag = self.monitor.lag()
        stale = sum(1 for health in census.feeds if health.feed.stale)
        score = health_score(
            HealthInputs(
                lag_p99_ms=lag.p99_ms,
                db_latency_ms=database.latency_ms,
                stale_feeds=stale,
                sessions_in_error=census.sessions_in_error,
                agents_in_error=len(census.agent_faults),
                errors_per_minute=errors.per_minute,
            )
        )
        return SystemHealth(
            score=score,
            cpu_percent=self.monitor.cpu_percent(),
            memory_rss_bytes=memory_rss_bytes(),
            threads=threading.active_count(),
            uptime_seconds=self.monitor.uptime_seconds,
            database=database,
            lag=lag,
            feeds=census.feeds,
            errors=errors,
            sessions_in_error=census.sessions_in_error,
            agents_in_error=len(census.agent_faults),
            event_connections=self._hub.connections,
        )

    def _census(self, viewer: Viewer, *, feeds: bool = False) -> Census:
        records = scope(self._repo, viewer)
        return take_census(self._sessions, records, self.monitor, feeds=feeds)

    def _error_rate(self, viewer: Viewer) -> ErrorRate:
        since = self._wall.now_ns() - ERROR_WINDOW_MINUTES * NANOS_PER_MINUTE
        failures, owners = 0, frozenset[str]()
        if viewer.has_system_stream:  # a bound key steers no session
            failures = failures_since(self._hub.database, since, _owner(viewer))
            owners = frozenset({viewer.key_id})
        return ErrorRate(
            ERROR_WINDOW_MINUTES,
            self.monitor.server_errors(),
            failures,
            self.monitor.agent_failures(None if viewer.admin else owners),
        )

    # -- control ----------------------------------------------------------------------
    def stop(self, viewer: Viewer) -> ControlResult:
        """Pause every running session of the viewer's and stop every running agent, keeping
        orders and positions; record it. Returns each one's result."""
        with self._control:
            census = self._census(viewer)
            sessions: dict[str, str] = {}
            paused: dict[str, list[str]] = defaultdict(list)
            for member in census.members:
                if member.runtime.state is not SessionState.RUNNING:
                    continue
                result, done = self._move(member, self._sessions.suspend, SessionState.PAUSED)
                sessions[member.id] = result
                if done and member.record.kind == "backtest":
                    paused[member.owner].append(member.id)
            wanted = (AgentStatus.RUNNING, AgentStatus.STARTING)
            agents = self._command_agents(census.members, wanted, "stop")
            self._record(viewer, SYSTEM_STOPPED, census.members, sessions, agents, paused)
        return ControlResult(sessions, agents)

    def start(self, viewer: Viewer) -> ControlResult:
        """Start every stopped or failed agent of the viewer's working sessions, then resume
        every paused or failed paper session, every failed backtest and every backtest a
        system stop paused; record it. Returns each one's result."""
        with self._control:
            census = self._census(viewer)
            remembered = {owner: self._remembered(owner) for owner in census.owners}
            wanted = (AgentStatus.STOPPED, AgentStatus.ERROR)
            agents = self._command_agents(census.members, wanted, "start")
            sessions: dict[str, str] = {}
            for member in census.members:
                state = member.runtime.state
                resumes = state is SessionState.ERROR or (
                    state is SessionState.PAUSED
                    and (member.record.kind != "backtest" or member.id in remembered[member.owner])
                )
                if resumes:
                    sessions[member.id] = self._move(
                        member, self._sessions.resume, SessionState.RUNNING
                    )[0]
            pending = {owner for owner, ids in remembered.items() if ids}
            self._record(viewer, SYSTEM_STARTED, census.members, sessions, agents, {}, pending)
        return ControlResult(sessions, agents)

    def _remembered(self, owner: str) -> set[str]:
        """The backtests the owner's system stops paused since its last system start."""
        try:
            stops = stops_since_start(self._hub.database, owner)
        except PaperbrokerError:
            log.exception("could not read the system stops of %s", owner)
            return set()
        return {sid for stop in stops for sid in stop.get("paused_backtests", ())}

    def _move(
        self, member: Member, verb: Callable[[str, str], SessionView], target: SessionState
    ) -> tuple[str, bool]:
        """Apply a lifecycle verb; its result, and whether it was this call that moved it."""
        try:
            return verb(member.owner, member.id).state, True
        except PaperbrokerError as error:
            if member.runtime.state is target:  # moved there meanwhile: what was asked holds
                return target.value, False
            return f"error: {error}", False
        except Exception as error:  # one session's fault must not fail the others
            log.exception("system control: session %s", member.id)
            return f"error: {type(error).__name__}", False

    def _command_agents(
        self, members: Iterable[Member], wanted: tuple[AgentStatus, ...], action: str
    ) -> dict[str, str]:
        results: dict[str, str] = {}
        for member in members:
            if not member.commandable:
                continue  # its agents take no commands any more
            for agent in member.agents:
                if agent.status in wanted:
                    results[agent.id] = self._command(member, agent, action)
        return results

    def _command(self, member: Member, agent: Agent, action: str) -> str:
        try:
            status = member.runtime.command_agent(agent.name, action).status
        except PaperbrokerError as error:
            return f"error: {error}"
        except Exception as error:  # one agent's fault must not fail the others
            log.exception("system control: agent %s", agent.id)
            return f"error: {type(error).__name__}"
        if status is AgentStatus.ERROR:
            return f"error: {agent.error}"
        return status.value

    # -- the system streams -----------------------------------------------------------
    def _record(
        self,
        viewer: Viewer,
        kind: str,
        members: list[Member],
        sessions: dict[str, str],
        agents: dict[str, str],
        paused: dict[str, list[str]],
        also: set[str] | None = None,
    ) -> None:
        """Record the summary in the caller's stream (all of it) and in each affected
        owner's (their part, and who did it)."""
        owner_of = {member.id: member.owner for member in members}
        agent_owner = {a.id: m.owner for m in members for a in m.agents}
        parts: dict[str, tuple[dict[str, str], dict[str, str]]] = defaultdict(lambda: ({}, {}))
        for session_id, result in sessions.items():
            parts[owner_of[session_id]][0][session_id] = result
        for agent_id, result in agents.items():
            parts[agent_owner[agent_id]][1][agent_id] = result
        owners = set(parts) | (also or set())
        if viewer.has_system_stream:
            self._append(viewer.key_id, kind, viewer.key_id, sessions, agents,
                         paused.get(viewer.key_id, []))  # fmt: skip
            owners.discard(viewer.key_id)
        for owner in sorted(owners):
            mine, their_agents = parts[owner]
            self._append(owner, kind, viewer.key_id, mine, their_agents, paused.get(owner, []))

    def _append(
        self,
        owner: str,
        kind: str,
        by: str,
        sessions: dict[str, str],
        agents: dict[str, str],
        paused: list[str],
    ) -> None:
        failed = sum(1 for r in (*sessions.values(), *agents.values()) if r.startswith("error"))
        verb = ("paused", "stopped") if kind == SYSTEM_STOPPED else ("resumed", "started")
        message = (
            f"system {'stopped' if kind == SYSTEM_STOPPED else 'started'}"
            + ("" if by == owner else f" by key {by}")
            + f": {len(sessions) - _failed(sessions)} session(s) {verb[0]}, "
            f"{len(agents) - _failed(agents)} agent(s) {verb[1]}"
            + (f", {failed} failed" if failed else "")
        )
        payload: dict[str, Any] = {"message": message, "by": by, "failed": failed,
                                      "sessions": sessions, "agents": agents}  # fmt: skip
        if kind == SYSTEM_STOPPED:
            payload["paused_backtests"] = paused
        _fit(payload)
        try:
            self._hub.record_system(owner, kind, severity="warning" if failed else None, **payload)
        except PaperbrokerError:
            log.exception("could not record %s for %s", kind, owner)


def _failed(results: dict[str, str]) -> int:
    return sum(1 for result in results.values() if result.startswith("error"))


def _fit(payload: dict[str, Any]) -> None:
    """Keep a summary within a system event's size: drop the per-session and per-agent
    results first (the counts stay in the message), then the backtests to resume."""
    limit = MAX_PAYLOAD_CHARS - _PAYLOAD_MARGIN
    if len(json.dumps(payload, default=str)) <= limit:
        return
    payload["sessions"], payload["agents"], payload["truncated"] = {}, {}, True
    paused = payload.get("paused_backtests")
    if isinstance(paused, list):
        while paused and len(json.dumps(payload, default=str)) > limit:
            dropped = paused.pop()
            log.warning("system stop: backtest %s will not resume with a system start", dropped)


def _owner(viewer: Viewer) -> str | None:
    """The owner whose journal rows count (``None``: every owner's, an admin key)."""
    return None if viewer.admin else viewer.key_id
