"""The bus: typed topics, synchronous depth-first delivery, and the graph of its wiring."""

from __future__ import annotations

from typing import Any

import pytest

from paperbroker.agents.bus import Bus, Edge, SentimentScore, Signal, Topic
from paperbroker.core.errors import InvalidRequest


def test_delivery_is_synchronous_in_subscription_order_and_depth_first() -> None:
    bus = Bus()
    seen: list[str] = []
    to_signals = bus.publisher("sentiment", Topic.SIGNALS)

    def first(_topic: Topic, message: Any) -> None:
        seen.append(f"a:{message.symbol}")
        if isinstance(message, SentimentScore):
            to_signals(Signal(message.ts, "a", message.symbol, 1))

    bus.subscribe("a", Topic.SENTIMENT, first)
    bus.subscribe("b", Topic.SENTIMENT, lambda _t, m: seen.append(f"b:{m.symbol}"))
    bus.subscribe("c", Topic.SIGNALS, lambda _t, m: seen.append(f"c:{m.direction}"))
    bus.publisher("news", Topic.SENTIMENT)(SentimentScore(1, "AAPL", -0.5))
    # a's signal reaches c before b hears the score: a publish returns after delivery.
    assert seen == ["a:AAPL", "c:1", "b:AAPL"]
    assert bus.delivered == 3


def test_a_message_of_the_wrong_type_is_refused() -> None:
    bus = Bus()
    with pytest.raises(InvalidRequest, match="topic signals carries Signal, not SentimentScore"):
        bus.publish(Topic.SIGNALS, SentimentScore(1, "AAPL", 0.1))


def test_an_agent_listens_to_a_topic_once() -> None:
    bus = Bus()
    bus.subscribe("a", Topic.BARS, lambda _t, _m: None)
    with pytest.raises(InvalidRequest, match="already listens"):
        bus.subscribe("a", Topic.BARS, lambda _t, _m: None)


def test_the_graph_is_the_wiring() -> None:
    bus = Bus()
    bus.publisher("data", Topic.BARS)
    bus.publisher("strategy", Topic.ORDER_INTENTS)
    bus.subscribe("strategy", Topic.BARS, lambda _t, _m: None)
    bus.subscribe("sentiment", Topic.BARS, lambda _t, _m: None)
    bus.subscribe("risk", Topic.ORDER_INTENTS, lambda _t, _m: None)
    assert bus.graph() == [
        Edge("data", "strategy", Topic.BARS),
        Edge("data", "sentiment", Topic.BARS),
        Edge("strategy", "risk", Topic.ORDER_INTENTS),
    ]
    bus.remove("strategy")
    assert bus.graph() == [Edge("data", "sentiment", Topic.BARS)]
