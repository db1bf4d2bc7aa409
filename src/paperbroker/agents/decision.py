"""The agents that see the market and decide: data and strategy.

The data agent publishes each bar of the session's feed, as the clock
passes it. A strategy agent runs any :class:`~paperbroker.strategy.base.Strategy`
unchanged: its context reads the books and the bars as usual, but its
orders become *intents* on the bus, which the risk agent passes or denies
and the execution agent sends, all before the order call returns. So a
strategy trades the same through a pipeline as alone, when risk passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from pydantic import Field

from paperbroker.agents.base import Agent, AgentConfig
from paperbroker.agents.bus import NewsHeadline, OrderIntent, SentimentScore, Topic
from paperbroker.agents.lifecycle import AgentStatus
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.engine.context import OrderOptions, PriceLike, StrategyContext
from paperbroker.model.enums import OrderSide, RejectReason
from paperbroker.model.values import to_decimal
from paperbroker.news import NewsFeed, load_named_news
from paperbroker.strategy.base import Strategy
from paperbroker.strategy.registry import resolve_strategy

if TYPE_CHECKING:
    from paperbroker.agents.trading import ExecutionAgent
    from paperbroker.engine.kernel import Kernel
    from paperbroker.model.order import Order


class DataConfig(AgentConfig):
    news: str | None = Field(
        None,
        max_length=4096,
        description=(
            "news to publish as the clock reaches each headline: 'sample' (the bundled "
            "file) or a CSV/JSONL news file (in a session: a file name in the news directory)"
        ),
    )


class DataAgent(Agent):
    """Publishes the bars of its symbols (all, when it names none) as they close, and
    the headlines about them as they become known.

    Headlines come from ``POST /v1/sessions/{id}/news`` (:meth:`on_news`, at
    once) and from the news file its configuration names: each headline of
    the file goes out at the first bar close at or after its time, before
    that bar, and never earlier. A headline that comes due while the agent
    is stopped is not published later, as a bar is not.
    """

    kind = "data"
    Config = DataConfig
    publishes = (Topic.BARS, Topic.NEWS)
    config: DataConfig

    def __init__(self, *args: Any, news_dir: Path | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._news_dir = news_dir
        self._feed = self._load_feed()

    def _load_feed(self) -> NewsFeed:
        if self.config.news is None:
            return NewsFeed()
        return NewsFeed(load_named_news(self.config.news, self._news_dir))

    def on_configure(self) -> None:
        # Another file: its headlines from now on only, never the past ones.
        cursor = self._feed.cursor
        self._feed = self._load_feed()
        if cursor is not None:
            self._feed.until(cursor)

    def on_news(self, news: NewsHeadline) -> None:
        """Called by the pipeline for each headline, at its time."""
        if self.status is not AgentStatus.RUNNING:
            return
        if self.symbols and not set(news.symbols) & set(self.symbols):
            return
        self.metrics["news"] += 1
        self.publish(Topic.NEWS, news)

    def on_bar(self, bar: Bar) -> None:
        """Called by the pipeline at each bar close."""
        for item in self._feed.until(self._now()):
            self.on_news(NewsHeadline(item.ts, item.symbols, item.headline, item.source or ""))
        if self.status is not AgentStatus.RUNNING or (
            self.symbols and bar.symbol not in self.symbols
        ):
            return
        self.metrics["bars"] += 1
        self.publish(Topic.BARS, bar)


class StrategyConfig(AgentConfig):
    strategy: str = Field(description="a built-in strategy name or path/to/file.py:Class")
    params: dict[str, Any] = Field(default_factory=dict, description="the strategy's parameters")


class IntentContext(StrategyContext):
    """A strategy's context whose orders go through the pipeline as intents.

    Its :attr:`symbols` are the strategy agent's own (every symbol of the
    session only when the agent names none): a strategy sizes, and registers
    its indicators, over the universe it was given, whatever else the session
    can trade, so it makes the same orders as when run alone on those symbols.

    An intent that does not become an order (its risk agent denied it, or no
    agent was running to pass it on) still leaves a rejected order in the
    history, with the reason: ``risk_denied`` or ``not_routed``.
    """

    __slots__ = ("_agent", "_execution")

    def __init__(self, kernel: Kernel, agent: StrategyAgent, execution: ExecutionAgent) -> None:
        super().__init__(kernel)
        self._agent = agent
        self._execution = execution

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._agent.symbols or super().symbols

    def buy(self, symbol: str, qty: PriceLike, **options: Unpack[OrderOptions]) -> Order:
        return self._route(symbol, OrderSide.BUY, qty, dict(options))

    def sell(self, symbol: str, qty: PriceLike, **options: Unpack[OrderOptions]) -> Order:
        return self._route(symbol, OrderSide.SELL, qty, dict(options))

    def _route(
        self, symbol: str, side: OrderSide, qty: PriceLike, options: dict[str, Any]
    ) -> Order:
        intent = self._agent.intent(symbol, side, to_decimal(qty, field="qty"), options)
        order = self._execution.orders.pop(intent.id, None)
        if order is None:  # no running agent passed it on
            order = self._kernel.submit_order(
                symbol, side, intent.qty,
                refusal=(RejectReason.NOT_ROUTED, "no running agent passed the intent on"),
                **options,
            )  # fmt: skip
        return order


class StrategyAgent(Agent):
    """Runs a strategy on the bars it hears; its orders are published as intents."""

    kind = "strategy"
    Config = StrategyConfig
    subscribes = (Topic.BARS, Topic.SENTIMENT)
    publishes = (Topic.ORDER_INTENTS,)
    config: StrategyConfig

    def __init__(
        self,
        *args: Any,
        kernel: Kernel,
        execution: ExecutionAgent,
        files: bool = True,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        cls = resolve_strategy(self.config.strategy, files=files)
        self.strategy: Strategy = cls(**self.config.params)
        self.strategy.ctx = IntentContext(kernel, self, execution)
        # The latest score heard per symbol: only what was published by now.
        self._sentiment: dict[str, float] = {}
        self.strategy.ctx.set_sentiment_source(self._sentiment.get)
        self._kernel = kernel
        self._begun = False
        self._count = 0

    def configure(self, changes: Mapping[str, Any]) -> AgentConfig:
        """Refused: a strategy agent's strategy and parameters are fixed when it is created.

        Raises:
            InvalidRequest: always.
        """
        raise InvalidRequest("a strategy agent's strategy and params are fixed when it is created")

    def on_start(self) -> None:
        if not self._begun:  # indicators are registered once, before the first bar
            self._begun = True
            self.strategy.on_start()

    def on_message(self, topic: Topic, message: Any) -> None:
        if isinstance(message, SentimentScore):
            self._sentiment[message.symbol] = message.score
            return
        assert isinstance(message, Bar)
        if not self.symbols or message.symbol in self.symbols:
            self.strategy.on_bar(message)

    def intent(
        self, symbol: str, side: OrderSide, qty: Decimal, options: dict[str, Any]
    ) -> OrderIntent:
        """Publish an order intent of the strategy and return it."""
        self._count += 1
        intent = OrderIntent(
            f"{self.name}-{self._count}", self._kernel.clock.now_ns(), self.name, symbol, side,
            qty, options=options,
        )  # fmt: skip
        self.metrics["intents"] += 1
        self.publish(Topic.ORDER_INTENTS, intent)
        return intent
