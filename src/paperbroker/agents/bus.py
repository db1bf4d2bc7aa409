"""A session's message bus: typed topics, deterministic delivery, and the wiring as a graph.

Agents talk only through the bus. Each topic carries one message type; a
message published on the wrong topic is refused. Delivery is synchronous
and depth-first: ``publish`` hands the message to every subscriber of the
topic in the order they subscribed, before it returns, so a decision made on
a bar reaches the venue within the same bar step as a plain strategy's
would, and the same inputs always give the same deliveries.

The bus records who may publish on a topic and who listens to it; the graph
it returns (:meth:`Bus.graph`) is that record, not a description kept
beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final, NamedTuple

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.model.enums import OrderSide
from paperbroker.model.fill import Fill
from paperbroker.model.order import Order


class Topic(StrEnum):
    """The bus's topics, in the order data flows through a pipeline."""

    BARS = "bars"
    NEWS = "news"
    SENTIMENT = "sentiment"
    SIGNALS = "signals"
    ORDER_INTENTS = "order_intents"
    APPROVED_INTENTS = "approved_intents"
    DENIED_INTENTS = "denied_intents"
    ORDERS = "orders"
    FILLS = "fills"


class NewsHeadline(NamedTuple):
    """A headline about one or more symbols, at the moment it became known."""

    ts: int
    symbols: tuple[str, ...]
    headline: str
    source: str = ""


class SentimentScore(NamedTuple):
    """A symbol's sentiment in [-1, 1] as of ``ts``."""

    ts: int
    symbol: str
    score: float


class Signal(NamedTuple):
    """A strategy's view of a symbol: ``direction`` +1 long, 0 flat, -1 short."""

    ts: int
    source: str
    symbol: str
    direction: int
    strength: float = 1.0


@dataclass(frozen=True)
class OrderIntent:
    """An order a strategy wants, before risk has passed it.

    ``limit``/``stop`` choose the type as :meth:`Kernel.submit_order
    <paperbroker.engine.kernel.Kernel.submit_order>` does; ``options`` are
    its other terms (``tif``, ``client_order_id``, …). ``account_id`` is the
    account it trades (``None``: the session's default account).
    """

    id: str
    ts: int
    source: str
    symbol: str
    side: OrderSide
    qty: Decimal
    reason: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    account_id: str | None = None


class Approved(NamedTuple):
    """An intent the risk agent passed, with the agent that passed it."""

    intent: OrderIntent
    by: str


class Denied(NamedTuple):
    """An intent the risk agent denied, with the agent and the rule that denied it."""

    intent: OrderIntent
    by: str
    reason: str


#: The message type of each topic.
MESSAGE_TYPES: Final[dict[Topic, type]] = {
    Topic.BARS: Bar,
    Topic.NEWS: NewsHeadline,
    Topic.SENTIMENT: SentimentScore,
    Topic.SIGNALS: Signal,
    Topic.ORDER_INTENTS: OrderIntent,
    Topic.APPROVED_INTENTS: Approved,
    Topic.DENIED_INTENTS: Denied,
    Topic.ORDERS: Order,
    Topic.FILLS: Fill,
}

Handler = Callable[[Topic, Any], None]


class Edge(NamedTuple):
    """Messages on ``topic`` flow from agent ``source`` to agent ``target``."""

    source: str
    target: str
    topic: Topic


class Bus:
    """Topics, their publishers and subscribers, and synchronous delivery."""

    def __init__(self) -> None:
        self._subscribers: dict[Topic, list[tuple[str, Handler]]] = {t: [] for t in Topic}
        self._publishers: dict[Topic, list[str]] = {t: [] for t in Topic}
        self.delivered = 0

    def subscribe(self, agent_id: str, topic: Topic, handler: Handler) -> None:
        """Deliver ``topic``'s messages to ``handler`` of ``agent_id`` (once per agent)."""
        entries = self._subscribers[topic]
        if any(owner == agent_id for owner, _ in entries):
            raise InvalidRequest(f"agent {agent_id} already listens to {topic}")
        entries.append((agent_id, handler))

    def publisher(self, agent_id: str, topic: Topic) -> Callable[[Any], None]:
        """A function that publishes on ``topic`` as ``agent_id`` (who is then a publisher)."""
        if agent_id not in self._publishers[topic]:
            self._publishers[topic].append(agent_id)

        def publish(message: Any) -> None:
            self.publish(topic, message)

        return publish

    def publish(self, topic: Topic, message: Any) -> None:
        """Deliver ``message`` to every subscriber of ``topic``, in subscription order.

        Raises:
            InvalidRequest: if the message is not of the topic's type.
        """
        expected = MESSAGE_TYPES[topic]
        if not isinstance(message, expected):
            raise InvalidRequest(
                f"topic {topic} carries {expected.__name__}, not {type(message).__name__}"
            )
        for _agent, handler in list(self._subscribers[topic]):
            self.delivered += 1
            handler(topic, message)

    def remove(self, agent_id: str) -> None:
        """Forget ``agent_id``'s subscriptions and publishing rights."""
        for topic in Topic:
            self._subscribers[topic] = [e for e in self._subscribers[topic] if e[0] != agent_id]
            self._publishers[topic] = [a for a in self._publishers[topic] if a != agent_id]

    def subscribers(self, topic: Topic) -> list[str]:
        return [agent for agent, _ in self._subscribers[topic]]

    def publishers(self, topic: Topic) -> list[str]:
        return list(self._publishers[topic])

    def graph(self) -> list[Edge]:
        """Every (publisher, subscriber, topic) the bus would deliver along, in topic order."""
        return [
            Edge(source, target, topic)
            for topic in Topic
            for source in self._publishers[topic]
            for target, _ in self._subscribers[topic]
            if source != target
        ]
