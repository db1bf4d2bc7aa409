"""The agent: an id, a type, a lifecycle, typed config, metrics and a log, on the bus.

Subclasses declare what they listen to (``subscribes``) and publish
(``publishes``), their ``Config`` (a pydantic model: unknown fields are
refused), and override :meth:`Agent.on_message`. An agent handles messages
only while ``running``; an exception while handling one moves it to
``error`` (logged with its traceback) and the rest of the pipeline goes on.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from paperbroker.agents.bus import Bus, Topic
from paperbroker.agents.lifecycle import AGENT_TRANSITIONS, AgentStatus, AgentTrigger
from paperbroker.core.errors import InvalidRequest
from paperbroker.core.fsm import StateMachine
from paperbroker.strategy.base import invalid_fields


class AgentConfig(BaseModel):
    """Base of every agent's configuration: typed, validated, frozen, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Agent:
    """One member of a session's pipeline.

    Args:
        agent_id: unique id (a UUID; it names the agent's log file).
        name: unique within the session (``risk``, ``sma``).
        symbols: the symbols it covers (empty: all the session's).
        config: raw configuration, validated by ``Config``.
        logger: where it logs (its own file, see :mod:`.logs`).

    Raises:
        InvalidRequest: for a configuration ``Config`` refuses (the field is named).
    """

    #: The agent type (``data``, ``strategy``, ``risk``, …).
    kind: ClassVar[str] = ""
    Config: ClassVar[type[AgentConfig]] = AgentConfig
    subscribes: ClassVar[tuple[Topic, ...]] = ()
    publishes: ClassVar[tuple[Topic, ...]] = ()

    def __init__(
        self,
        agent_id: str,
        name: str,
        symbols: Sequence[str],
        config: Mapping[str, Any],
        logger: logging.Logger,
    ) -> None:
        self.id = agent_id
        self.name = name
        self.symbols = tuple(symbols)
        self.config = parse_config(type(self), config)
        self.log = logger
        self.last_active: int | None = None
        self.metrics: Counter[str] = Counter()
        self.error: str | None = None
        self._state = StateMachine(AGENT_TRANSITIONS, AgentStatus.STOPPED)
        self._send: dict[Topic, Callable[[Any], None]] = {}
        self._now: Callable[[], int] = lambda: 0

    # -- wiring ---------------------------------------------------------------
    def attach(self, bus: Bus, clock: Callable[[], int]) -> None:
        """Subscribe to ``subscribes`` and become a publisher of ``publishes``."""
        self._now = clock
        for topic in self.subscribes:
            bus.subscribe(self.id, topic, self._deliver)
        self._send = {topic: bus.publisher(self.id, topic) for topic in self.publishes}

    def publish(self, topic: Topic, message: Any) -> None:
        """Publish on one of the agent's own topics."""
        send = self._send.get(topic)
        if send is None:
            raise InvalidRequest(f"agent {self.name} does not publish on {topic}")
        self.metrics["published"] += 1
        send(message)

    # -- lifecycle ------------------------------------------------------------
    @property
    def status(self) -> AgentStatus:
        return self._state.state

    def start(self) -> None:
        """``stopped``/``error`` → ``starting`` → ``running`` (or ``error`` if ``on_start`` fails).

        Raises:
            InvalidTransition: from any other state.
        """
        self._state.trigger(AgentTrigger.START)
        self.error = None
        if self._guard(self.on_start):
            self._state.trigger(AgentTrigger.STARTED)
            self.log.info("running")

    def stop(self) -> None:
        """``running``/``starting`` → ``stopping`` → ``stopped``; ``error`` → ``stopped``.

        Raises:
            InvalidTransition: from ``stopped`` or ``stopping``.
        """
        if self.status is AgentStatus.ERROR:
            self._state.trigger(AgentTrigger.STOP)
            return
        self._state.trigger(AgentTrigger.STOP)
        if self._guard(self.on_stop):
            self._state.trigger(AgentTrigger.STOPPED)
            self.log.info("stopped")

    def configure(self, changes: Mapping[str, Any]) -> AgentConfig:
        """Merge ``changes`` into the configuration, validated; return the new one.

        Raises:
            InvalidRequest: naming the field that is unknown or invalid.
        """
        merged = {**self.config.model_dump(), **changes}
        self.config = parse_config(type(self), merged)
        self.on_configure()
        self.log.info("configured: %s", ", ".join(f"{k}={v!r}" for k, v in changes.items()))
        return self.config

    def reset_metrics(self) -> None:
        self.metrics.clear()

    # -- checkpoints --------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """The agent's lifecycle state, configuration, metrics and own state (``save``),
        for a session's checkpoint.

        Raises:
            NotSnapshottable: if the agent's own state cannot be written exactly now.
        """
        return {
            "status": self.status.value,
            "error": self.error,
            "last_active": self.last_active,
            "metrics": dict(self.metrics),
            "config": self.config.model_dump(mode="json"),
            "own": self.save(),
        }

    def from_state(self, state: Mapping[str, Any]) -> None:
        """Take what :meth:`to_state` wrote, into an agent built from the same spec.

        Raises:
            InvalidRequest: for a configuration ``Config`` refuses.
        """
        self.config = parse_config(type(self), state["config"])
        self._state.state = AgentStatus(state["status"])
        self.error = state["error"]
        self.last_active = None if state["last_active"] is None else int(state["last_active"])
        self.metrics = Counter({str(k): int(v) for k, v in state["metrics"].items()})
        self.load(state["own"])

    # -- for subclasses ---------------------------------------------------------
    def save(self) -> dict[str, Any]:
        """What the agent keeps beyond its configuration, as JSON (default: nothing)."""
        return {}

    def load(self, state: Mapping[str, Any]) -> None:
        """Take back what :meth:`save` returned (the configuration is set already)."""

    def on_start(self) -> None:
        """Called while ``starting``."""

    def on_stop(self) -> None:
        """Called while ``stopping``."""

    def on_configure(self) -> None:
        """Called after the configuration changed."""

    def on_message(self, topic: Topic, message: Any) -> None:
        """Handle one message of a subscribed topic (only while ``running``)."""

    # -- internals --------------------------------------------------------------
    def _deliver(self, topic: Topic, message: Any) -> None:
        if self.status is not AgentStatus.RUNNING:
            self.metrics["dropped"] += 1
            return
        self.metrics["received"] += 1
        self.last_active = self._now()
        self._guard(lambda: self.on_message(topic, message))

    def _guard(self, action: Callable[[], None]) -> bool:
        """Run ``action``; on an exception log it and move to ``error``."""
        try:
            action()
        except Exception as error:  # an agent's fault must not stop the pipeline
            self.error = f"{type(error).__name__}: {error}"
            self.metrics["errors"] += 1
            self.log.exception("failed")
            self._state.trigger(AgentTrigger.FAIL)
            return False
        return True


def parse_config(agent: type[Agent], values: Mapping[str, Any]) -> AgentConfig:
    """Validate ``values`` for ``agent``'s ``Config``.

    Raises:
        InvalidRequest: naming the first bad field and why.
    """
    try:
        return agent.Config(**values)
    except ValidationError as error:
        raise invalid_fields(
            error,
            field="config field",
            unknown=f"for a {agent.kind} agent",
            known=agent.Config.model_fields,
            rule=f"invalid config for a {agent.kind} agent",
        ) from None
