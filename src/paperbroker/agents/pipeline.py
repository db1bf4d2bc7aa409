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
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import Field, field_validator

from paperbroker.agents.base import Agent
from paperbroker.agents.bus import Bus, Edge, NewsHeadline
from paperbroker.agents.decision import DataAgent, StrategyAgent
from paperbroker.agents.lifecycle import AgentStatus
from paperbroker.agents.logs import Mute, agent_logger
from paperbroker.agents.sentiment import SentimentAgent
from paperbroker.agents.sleeve import DEFAULT_LOOKBACK, Allocation
from paperbroker.agents.trading import ExecutionAgent, RiskAgent
from paperbroker.core.errors import InvalidRequest
from paperbroker.core.snapshot import CheckpointMismatch
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
log = logging.getLogger(__name__)


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
        strategies = [a.config for a in agents if a.type == "strategy"]
        labels = [c["label"] for c in strategies if c.get("label") is not None]
        if len(set(labels)) != len(labels):
            raise ValueError("strategy labels must be unique in a pipeline")
        if any(c.get("weight") is not None and c.get("label") is None for c in strategies):
            raise ValueError("a strategy with a weight (a shared account) needs a label")
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


def _account_id(value: object, namespace: uuid.UUID) -> str | None:
    """The id of a strategy agent's ``account`` setting (``None``: the default account)."""
    if value is None or value == 0:
        return None
    if isinstance(value, int):
        return str(uuid.uuid5(namespace, f"account/{value}"))
    return str(value)


def _allocations(
    kernel: Any, agents: Sequence[AgentSpec], namespace: uuid.UUID
) -> dict[str | None, Allocation]:
    """One :class:`Allocation` per account that strategies share (those with a ``weight``)."""
    members: dict[str | None, list[AgentSpec]] = {}
    for spec in agents:
        if spec.type == "strategy" and spec.config.get("weight") is not None:
            members.setdefault(_account_id(spec.config.get("account"), namespace), []).append(spec)
    allocations: dict[str | None, Allocation] = {}
    for account, shared in members.items():
        first = shared[0].config
        allocations[account] = Allocation(
            kernel,
            first.get("allocation", "fixed"),
            [(s.name, Decimal(str(s.config["weight"])), s.symbols) for s in shared],
            int(first.get("lookback", DEFAULT_LOOKBACK)),
        )
    return allocations


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
        #: The strategy agents in the order their strategies started (and registered
        #: their indicators): a restore starts them again in that order.
        self._begun: list[str] = []

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
        allocations = _allocations(kernel, self.params.agents, namespace)
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
                account = _account_id(spec.config.get("account"), namespace)
                extra.update(
                    kernel=kernel, execution=execution, files=self.params.strategy_files,
                    begun=self._begun, account_id=account,
                    allocation=allocations.get(account),
                )  # fmt: skip
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
        for agent in self.agents.values():  # a sleeve's books follow its fills, running or not
            if isinstance(agent, StrategyAgent) and agent.sleeve is not None:
                agent.sleeve.book(fill)
        if self._execution is not None:
            self._execution.on_fill(fill)

    # -- checkpoints ------------------------------------------------------------
    def on_save(self) -> dict[str, Any]:
        """The pipeline's state for a session's checkpoint: the messages the bus has
        delivered, the order the strategies started in, and each agent's
        (:meth:`Agent.to_state <paperbroker.agents.base.Agent.to_state>`). The bus's
        wiring is the specs', built again.

        Raises:
            NotSnapshottable: if an agent's state cannot be written exactly now.
        """
        return {
            "halted": self.halted,
            "delivered": self.bus.delivered,
            "begun": list(self._begun),
            "agents": {name: agent.to_state() for name, agent in self.agents.items()},
        }

    def on_load(self, state: dict[str, Any]) -> None:
        """Take what :meth:`on_save` wrote, into a pipeline built from the same specs
        and started (its strategies registered their indicators, in order, first).

        Raises:
            CheckpointMismatch: for other agents, or strategies started in another order.
        """
        if list(state["agents"]) != list(self.agents):
            raise CheckpointMismatch("the pipeline's agents differ from the checkpoint's")
        begun = [str(name) for name in state["begun"]]
        if begun[: len(self._begun)] != self._begun:
            raise CheckpointMismatch("the pipeline's strategies started in another order")
        for name in begun[len(self._begun) :]:  # started later, by a command
            agent = self.agents[name]
            own = state["agents"][name]["own"]
            if not isinstance(agent, StrategyAgent) or own["began_with"] is None:
                raise CheckpointMismatch(f"agent {name} did not start a strategy")
            try:
                agent.begin(own["began_with"])
            except Exception:  # it failed when it started too: the agent's state says so
                log.debug("agent %s: its strategy's start failed again", name, exc_info=True)
        for name, agent in self.agents.items():
            agent.from_state(state["agents"][name])
        self.halted = bool(state["halted"])
        self.bus.delivered = int(state["delivered"])

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
