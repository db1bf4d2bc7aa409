"""The agent use cases: find the caller's agents across their sessions, and command them.

An agent's id is unique on the server (a UUID derived from its session and
name), so ``/api/agents/{agent_id}`` needs no session in the path; an agent
of another key's session is :class:`NotFound`, like one that does not exist.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paperbroker.agents.base import Agent
from paperbroker.agents.logs import LogLine, read_log
from paperbroker.core.errors import NotFound
from paperbroker.model.events import NewsPosted
from paperbroker.services.sessions import SessionService


@dataclass(frozen=True)
class AgentRef:
    """An agent and the session it belongs to."""

    session_id: str
    agent: Agent


class AgentService:
    """Agents of the caller's sessions: list, read, start, stop, configure, logs."""

    def __init__(self, sessions: SessionService) -> None:
        self._sessions = sessions

    def list(self, owner: str) -> list[AgentRef]:
        """Every agent of the owner's sessions, session by session, in pipeline order."""
        refs: list[AgentRef] = []
        for view in self._sessions.list(owner):
            pipeline = self._sessions.pipeline(owner, view.id)
            if pipeline is not None:
                refs.extend(AgentRef(view.id, agent) for agent in pipeline.agents.values())
        return refs

    def get(self, owner: str, agent_id: str) -> AgentRef:
        """The owner's agent with that id.

        Raises:
            NotFound: if no session of the owner has it.
        """
        for ref in self.list(owner):
            if ref.agent.id == agent_id:
                return ref
        raise NotFound(f"agent {agent_id[:64]} not found")

    def command(
        self,
        owner: str,
        agent_id: str,
        action: str,
        changes: Mapping[str, Any] | None = None,
    ) -> AgentRef:
        """Start, stop or configure the agent, or reset its metrics (journaled).

        Raises:
            NotFound: for an agent that is not the owner's.
            Conflict: for a move its lifecycle does not have, or a completed session.
            InvalidRequest: for a bad configuration.
        """
        ref = self.get(owner, agent_id)
        runtime = self._sessions.runtime(owner, ref.session_id)
        agent = runtime.command_agent(ref.agent.name, action, changes)
        return AgentRef(ref.session_id, agent)

    def post_news(
        self, owner: str, session_id: str, symbols: Sequence[str], headline: str, source: str
    ) -> NewsPosted:
        """Post a headline to the owner's session at its current time (journaled).

        Raises:
            NotFound: for a session that is not the owner's.
            Conflict: if the session is completed.
        """
        runtime = self._sessions.runtime(owner, session_id)
        return runtime.post_news(symbols, headline, source)

    def logs(self, owner: str, agent_id: str, **filters: Any) -> builtins.list[LogLine]:
        """The agent's log lines (see :func:`~paperbroker.agents.logs.read_log`).

        Raises:
            NotFound: for an agent that is not the owner's, or without a log directory.
        """
        self.get(owner, agent_id)
        return read_log(self.log_dir(), agent_id, **filters)

    def log_dir(self) -> Path:
        log_dir = self._sessions.log_dir
        if log_dir is None:
            raise NotFound("this server keeps no agent log files")
        return log_dir
