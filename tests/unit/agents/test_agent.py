"""An agent's lifecycle, configuration, metrics and failures."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pydantic import Field

from paperbroker.agents.base import Agent, AgentConfig
from paperbroker.agents.bus import Bus, SentimentScore, Signal, Topic
from paperbroker.agents.lifecycle import AGENT_TRANSITIONS, AgentStatus
from paperbroker.core.errors import InvalidRequest, InvalidTransition


class ThresholdConfig(AgentConfig):
    threshold: float = Field(0.5, ge=0, le=1, description="score needed for a signal")


class Threshold(Agent):
    """Turns sentiment scores beyond a threshold into signals; fails on NaN scores."""

    kind = "test"
    Config = ThresholdConfig
    subscribes = (Topic.SENTIMENT,)
    publishes = (Topic.SIGNALS,)
    config: ThresholdConfig

    def on_message(self, topic: Topic, message: Any) -> None:
        assert isinstance(message, SentimentScore)
        if message.score != message.score:
            raise ValueError("score is NaN")
        if abs(message.score) >= self.config.threshold:
            direction = 1 if message.score > 0 else -1
            self.publish(Topic.SIGNALS, Signal(message.ts, self.name, message.symbol, direction))


def make(bus: Bus, **config: Any) -> tuple[Threshold, list[Signal]]:
    agent = Threshold(
        "00000000-0000-4000-8000-000000000001", "threshold", ["AAPL"], config,
        logging.getLogger("test.agent"),
    )  # fmt: skip
    agent.attach(bus, clock=lambda: 42)
    heard: list[Signal] = []
    bus.subscribe("listener", Topic.SIGNALS, lambda _t, m: heard.append(m))
    return agent, heard


def test_an_agent_handles_messages_only_while_running() -> None:
    bus = Bus()
    agent, heard = make(bus)
    send = bus.publisher("source", Topic.SENTIMENT)
    send(SentimentScore(1, "AAPL", 0.9))
    assert (heard, agent.metrics["dropped"]) == ([], 1)
    agent.start()
    assert agent.status is AgentStatus.RUNNING
    send(SentimentScore(2, "AAPL", 0.9))
    send(SentimentScore(3, "AAPL", 0.1))
    assert heard == [Signal(2, "threshold", "AAPL", 1)]
    assert (agent.metrics["received"], agent.metrics["published"]) == (2, 1)
    assert agent.last_active == 42
    agent.stop()
    assert agent.status is AgentStatus.STOPPED


def test_impossible_transitions_name_the_state() -> None:
    agent, _ = make(Bus())
    with pytest.raises(InvalidTransition, match="stop in state stopped"):
        agent.stop()
    agent.start()
    with pytest.raises(InvalidTransition, match="start in state running"):
        agent.start()


def test_a_failing_agent_goes_to_error_and_can_start_again() -> None:
    bus = Bus()
    agent, heard = make(bus)
    agent.start()
    bus.publish(Topic.SENTIMENT, SentimentScore(1, "AAPL", float("nan")))
    assert agent.status is AgentStatus.ERROR
    assert agent.error == "ValueError: score is NaN"
    bus.publish(Topic.SENTIMENT, SentimentScore(2, "AAPL", 0.9))
    assert heard == []  # an agent in error hears nothing
    agent.start()
    bus.publish(Topic.SENTIMENT, SentimentScore(3, "AAPL", -0.7))
    assert heard == [Signal(3, "threshold", "AAPL", -1)]


def test_configuration_is_typed_and_unknown_fields_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="unknown config field 'treshold'"):
        make(Bus(), treshold=0.2)
    agent, _ = make(Bus(), threshold=0.2)
    with pytest.raises(InvalidRequest, match="config field 'threshold'"):
        agent.configure({"threshold": 2})
    assert agent.configure({"threshold": 0.3}) == ThresholdConfig(threshold=0.3)


def test_an_agent_publishes_only_on_its_own_topics() -> None:
    agent, _ = make(Bus())
    with pytest.raises(InvalidRequest, match="does not publish on fills"):
        agent.publish(Topic.FILLS, object())


def test_the_lifecycle_table_documents_itself() -> None:
    table = AGENT_TRANSITIONS.to_markdown()
    assert "| `stopped` | start | `starting` |" in table
    assert "| `running` | fail | `error` |" in table
