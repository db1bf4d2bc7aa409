"""A pipeline of agents as the kernel's strategy: data → strategy → risk → execution.

:class:`Pipeline` builds the agents from their specs, wires them to one
:class:`~paperbroker.agents.bus.Bus` and runs inside the kernel like any
strategy: each bar close goes to the data agent, each fill to the execution
agent, and whatever the agents decide reaches the venue within that bar step.
The same pipeline therefore runs in a backtest, and later in paper and live
sessions, unchanged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import Field, field_validator

from paperbroker.agents.base import Agent
from paperbroker.agents.bus import Bus, Edge, NewsHeadline
from paperbroker.agents.decision import DataAgent, StrategyAgent
from paperbroker.agents.lifecycle import AgentStatus
from paperbroker.agents.logs import Mute, agent_logger
from paperbroker.agents.sentiment import SentimentAgent
from paperbroker.agents.trading import ExecutionAgent, RiskAgent
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.model.fill import Fill
from paperbroker.strategy.base import Strategy, StrategyParams
from paperbroker.strategy.registry import resolve_strategy

#: Namespace of agent ids in pipelines that belong to no session (a plain backtest).
_NAMESPACE: Final = uuid.UUID("9b1f3c52-6a3e-4d0f-8f57-2c1e5d7a4b90")
AGENT_TYPES: Final[dict[str, type[Agent]]] = {
    cls.kind: cls for cls in (DataAgent, SentimentAgent, StrategyAgent, RiskAgent, ExecutionAgent)
}
#: Build order: an agent is built after those it needs (a strategy needs the execution agent).
_ORDER: Final = ("data", "sentiment", "execution", "risk", "strategy")


class AgentSpec(StrategyParams):
    """One agent of a pipeline: its type, a name unique in the pipeline, and its settings."""

    type: Literal["data", "sentiment", "strategy", "risk", "execution"]
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    symbols: list[str] = Field(default_factory=list, description="empty: every symbol")
    config: dict[str, Any] = Field(default_factory=dict)
    status: Literal["running", "stopped"] = "running"


class PipelineParams(StrategyParams):
    agents: list[AgentSpec] = Field(min_length=1)
    namespace: str | None = Field(None, description="UUID the agent ids derive from")
    log_dir: str | None = Field(None, description="where each agent's log file goes")
    news_dir: str | None = Field(
        None, description="where a data agent's news files are (None: any path)"
    )
    strategy_files: bool = Field(
        True, description="whether strategy agents may load a file.py:Class (not in a server)"
    )

    @field_validator("agents")
    @classmethod
    def _one_of_each_where_needed(cls, agents: list[AgentSpec]) -> list[AgentSpec]:
        names = [a.name for a in agents]
        if len(set(names)) != len(names):
            raise ValueError("agent names must be unique in a pipeline")
        kinds = [a.type for a in agents]
        for needed in ("data", "execution", "risk"):
            if kinds.count(needed) != 1:
                raise ValueError(f"a pipeline needs exactly one {needed} agent")
        if "strategy" not in kinds:
            raise ValueError("a pipeline needs at least one strategy agent")
        return agents


def standard_pipeline(
    strategy: str,
    params: Mapping[str, Any] | None = None,
    symbols: Sequence[str] = (),
    *,
    news: str | None = None,
    strategy_files: bool = True,
) -> list[dict[str, Any]]:
    """The specs of data → strategy → risk → execution around one strategy.

    A strategy that reads sentiment (``uses_sentiment``) also gets a sentiment
    agent between the data agent's news and itself. ``news`` is the data
    agent's news file (``sample``, or a file; see :class:`DataConfig`).

    Raises:
        InvalidRequest: for a strategy that cannot be found.
    """
    data: dict[str, Any] = {"type": "data", "name": "data", "symbols": list(symbols)}
    if news is not None:
        data["config"] = {"news": news}
    specs = [
        data,
        {
            "type": "strategy",
            "name": "strategy",
            "symbols": list(symbols),
            "config": {"strategy": strategy, "params": dict(params or {})},
        },
        {"type": "risk", "name": "risk"},
        {"type": "execution", "name": "execution"},
    ]
    if resolve_strategy(strategy, files=strategy_files).uses_sentiment:
        specs.insert(1, {"type": "sentiment", "name": "sentiment"})
    return specs


class Pipeline(Strategy):
    """The kernel's strategy that runs a pipeline of agents (see the module doc)."""

    name = "pipeline"
    Params = PipelineParams
    params: PipelineParams

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.bus = Bus()
        self.agents: dict[str, Agent] = {}
        self._mute = Mute()
        #: Set while its session does not trade (stopping, ended): the agents hear nothing.
        self.halted = False

    def mute(self, on: bool) -> None:
        """Silence the agents' logs (``on``) while a restored session replays its
        journal, from before the agents start until the replay ends."""
        self._mute.on = on

    def on_start(self) -> None:
        kernel = self.ctx._kernel  # the pipeline is the kernel's own wiring
        namespace = uuid.UUID(self.params.namespace) if self.params.namespace else _NAMESPACE
        log_dir = None if self.params.log_dir is None else Path(self.params.log_dir)
        news_dir = None if self.params.news_dir is None else Path(self.params.news_dir)
        specs = sorted(self.params.agents, key=lambda s: _ORDER.index(s.type))
        execution: ExecutionAgent | None = None
        for spec in specs:
            agent_id = str(uuid.uuid5(namespace, f"agent/{spec.name}"))
            extra: dict[str, Any] = {}
            if spec.type in ("risk", "execution"):
                extra["kernel"] = kernel
            if spec.type == "data":
                extra["news_dir"] = news_dir
            if spec.type == "strategy":
                assert execution is not None
                extra.update(kernel=kernel, execution=execution, files=self.params.strategy_files)
            logger = (
                logging.getLogger(f"paperbroker.agent.{agent_id}")
                if log_dir is None
                else agent_logger(log_dir, agent_id, self._mute)
            )
            agent = AGENT_TYPES[spec.type](
                agent_id, spec.name, spec.symbols, spec.config, logger, **extra
            )
            if isinstance(agent, ExecutionAgent):
                execution = agent
            self.agents[spec.name] = agent
        # Listed, and wired, in the order the specs were given: subscribers hear in it.
        self.agents = {spec.name: self.agents[spec.name] for spec in self.params.agents}
        for spec in self.params.agents:
            self.agents[spec.name].attach(self.bus, kernel.clock.now_ns)
        for spec in self.params.agents:
            if spec.status == "running":
                self.agents[spec.name].start()
        self._data = next(a for a in self.agents.values() if isinstance(a, DataAgent))
        self._execution = execution

    def on_bar(self, bar: Bar) -> None:
        if not self.halted:
            self._data.on_bar(bar)

    def post_news(self, news: NewsHeadline) -> None:
        """A headline that became known now: the data agent publishes it."""
        if not self.halted:
            self._data.on_news(news)

    def on_fill(self, fill: Fill) -> None:
        if self._execution is not None:
            self._execution.on_fill(fill)

    def graph(self) -> tuple[list[dict[str, Any]], list[Edge]]:
        """The pipeline's nodes (its agents) and edges (the bus's wiring)."""
        nodes = [
            {"id": a.id, "name": a.name, "type": a.kind, "status": a.status.value}
            for a in self.agents.values()
        ]
        names = {a.id: a.name for a in self.agents.values()}
        edges = [Edge(names[e.source], names[e.target], e.topic) for e in self.bus.graph()]
        return nodes, edges

    def command(self, name: str, action: str, changes: Mapping[str, Any]) -> Agent:
        """Start, stop or configure the agent ``name``, or reset its metrics.

        Raises:
            InvalidRequest: for an unknown agent or action, or a bad configuration.
            InvalidTransition: for a move its lifecycle does not have.
        """
        agent = self.agent(name)
        if action == "start":
            agent.start()
        elif action == "stop":
            agent.stop()
        elif action == "configure":
            agent.configure(changes)
        elif action == "reset_metrics":
            agent.reset_metrics()
        else:
            raise InvalidRequest(f"unknown agent action {action!r}")
        return agent

    def by_id(self, agent_id: str) -> Agent | None:
        """The agent with id ``agent_id``, if the pipeline has it."""
        return next((a for a in self.agents.values() if a.id == agent_id), None)

    def agent(self, name: str) -> Agent:
        """The agent named ``name``.

        Raises:
            InvalidRequest: if the pipeline has none.
        """
        agent = self.agents.get(name)
        if agent is None:
            raise InvalidRequest(f"the pipeline has no agent {name!r}")
        return agent


__all__ = ["AGENT_TYPES", "AgentSpec", "AgentStatus", "Pipeline", "standard_pipeline"]
