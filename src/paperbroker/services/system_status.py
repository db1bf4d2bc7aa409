"""What system control reads: the caller's live sessions and agents, counted.

A *census* walks the sessions a viewer may steer (every owner's for an
admin key, the key's own otherwise, none for a key bound to a session),
reading each live runtime and its pipeline's agents as they are now. It is
the one walk behind ``GET /api/system/status`` and the session and agent
parts of ``GET /api/system/health``; system start and stop walk the same
members.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from paperbroker.agents.base import Agent
from paperbroker.agents.lifecycle import AgentStatus
from paperbroker.core.errors import NotFound, PaperbrokerError
from paperbroker.model.events import SessionStateChanged
from paperbroker.services.events import Viewer
from paperbroker.services.paper import FeedView
from paperbroker.services.sessions import SessionService
from paperbroker.services.system_health import SystemMonitor
from paperbroker.session.lifecycle import SessionState
from paperbroker.session.runtime import SessionRuntime
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo

#: The session types, for counts that show every type.
SESSION_TYPES = ("backtest", "paper", "live")


@dataclass(frozen=True)
class Member:
    """A session in the viewer's scope and its live runtime."""

    record: SessionRecord
    runtime: SessionRuntime

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def owner(self) -> str:
        return self.record.owner_key_id

    @property
    def agents(self) -> list[Agent]:
        pipeline = self.runtime.pipeline
        return [] if pipeline is None else list(pipeline.agents.values())

    @property
    def commandable(self) -> bool:
        """Whether its agents take commands: a session still working (not ended, not at its
        end, not stopping)."""
        runtime = self.runtime
        return not (runtime.ended or runtime.completed or runtime.state is SessionState.STOPPING)


@dataclass(frozen=True)
class SessionFault:
    """A session in ``error``, or one that could not be loaded (``state`` ``unavailable``)."""

    session_id: str
    name: str
    type: str
    state: str
    reason: str


@dataclass(frozen=True)
class AgentFault:
    """An agent in ``error``."""

    agent_id: str
    name: str
    session_id: str
    error: str


@dataclass(frozen=True)
class FeedHealth:
    """A working paper session's feed."""

    session_id: str
    name: str
    feed: FeedView


@dataclass
class Census:
    """The viewer's sessions and agents as they are now."""

    members: list[Member] = field(default_factory=list)
    sessions_by_state: Counter[str] = field(default_factory=Counter)
    sessions_by_type: Counter[str] = field(default_factory=Counter)
    agents_by_status: Counter[str] = field(default_factory=Counter)
    session_faults: list[SessionFault] = field(default_factory=list)
    agent_faults: list[AgentFault] = field(default_factory=list)
    feeds: list[FeedHealth] = field(default_factory=list)

    @property
    def owners(self) -> set[str]:
        return {member.owner for member in self.members}

    @property
    def sessions_in_error(self) -> int:
        return len(self.session_faults)


def scope(repo: SessionsRepo, viewer: Viewer) -> list[SessionRecord]:
    """The sessions the viewer steers: an admin every owner's, a key bound to a session
    none (it trades one account, it does not steer), any other key its own."""
    if viewer.admin:
        return repo.list_all()
    if viewer.bound_session is not None:
        return []
    return repo.list_for_owner(viewer.key_id)


def take_census(
    service: SessionService,
    records: list[SessionRecord],
    monitor: SystemMonitor,
    *,
    feeds: bool = False,
) -> Census:
    """Read every session of ``records`` (loading it if it was not) and its agents.

    A session deleted meanwhile is left out; one that cannot be loaded is a
    fault. Agents' failure counters are shown to ``monitor`` (the error rate).
    ``feeds``: also read each working paper session's feed.
    """
    census = Census()
    for record in records:
        try:
            runtime = service.runtime(record.owner_key_id, record.id)
        except NotFound:
            continue  # deleted since it was listed
        except PaperbrokerError as error:
            census.session_faults.append(
                SessionFault(record.id, record.name, record.kind, "unavailable",
                             f"could not be loaded: {error}")
            )  # fmt: skip
            continue
        member = Member(record, runtime)
        census.members.append(member)
        state = runtime.state
        census.sessions_by_state[state.value] += 1
        census.sessions_by_type[record.kind] += 1
        if state is SessionState.ERROR:
            census.session_faults.append(
                SessionFault(record.id, record.name, record.kind, state.value, _reason(runtime))
            )
        new = record.created_at >= monitor.started_wall_ns
        for agent in member.agents:
            status = agent.status
            census.agents_by_status[status.value] += 1
            monitor.observe_agent(agent.id, record.owner_key_id, agent.metrics["errors"], new=new)
            if status is AgentStatus.ERROR:
                census.agent_faults.append(
                    AgentFault(agent.id, agent.name, record.id, agent.error or "")
                )
        if feeds and runtime.live and not runtime.ended:
            feed = _feed(service, member)
            if feed is not None:
                census.feeds.append(FeedHealth(record.id, record.name, feed))
    return census


def open_orders(members: list[Member]) -> int:
    """Working orders (accepted, held, pending a cancel or replacement) across ``members``."""
    total = 0
    for member in members:
        runtime = member.runtime
        with runtime.locked():  # a command may be adding orders meanwhile
            total += sum(1 for order in runtime.kernel.orders.values() if order.is_open)
    return total


def _reason(runtime: SessionRuntime) -> str:
    """Why the session is in its state: the reason of its last move, as journaled."""
    with runtime.locked():
        events = runtime.kernel.events
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            if isinstance(event, SessionStateChanged):
                return event.reason
    return ""


def _feed(service: SessionService, member: Member) -> FeedView | None:
    try:
        return service.feed_view(member.owner, member.id)
    except PaperbrokerError:
        return None  # deleted or reloaded meanwhile: the next read sees it
