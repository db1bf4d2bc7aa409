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
from typing import TYPE_CHECKING, Any, Final, Unpack

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from paperbroker.agents.base import Agent, AgentConfig, parse_config
from paperbroker.agents.bus import NewsHeadline, OrderIntent, SentimentScore, Topic
from paperbroker.agents.lifecycle import AgentStatus
from paperbroker.agents.sleeve import DEFAULT_LOOKBACK, AllocationRule, Sleeve, label_prefix
from paperbroker.core.errors import InvalidRequest
from paperbroker.core.snapshot import NotSnapshottable
from paperbroker.data.bar import Bar
from paperbroker.engine.context import OrderOptions, PriceLike, StrategyContext
from paperbroker.model.enums import OrderSide, RejectReason
from paperbroker.model.position import Position
from paperbroker.model.values import to_decimal
from paperbroker.news import NewsFeed, load_named_news
from paperbroker.strategy.base import Strategy, checkpoint_exact, parse_params
from paperbroker.strategy.registry import resolve_strategy

#: A strategy agent's label: letters, digits, ``_ . -`` (no ``:``, which ends it in an order id).
LABEL_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"

if TYPE_CHECKING:
    from paperbroker.agents.sleeve import Allocation
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

    def save(self) -> dict[str, Any]:
        return {"feed": self._feed.to_state()}

    def load(self, state: Mapping[str, Any]) -> None:
        self._feed = self._load_feed()  # the file its configuration names now
        self._feed.from_state(state["feed"])

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
    label: str | None = Field(
        None,
        pattern=LABEL_PATTERN,
        description="tags its orders: their client order ids are `<label>:<n>` (or "
        "`<label>:<the strategy's own id>`), so every order tells which strategy placed it",
    )
    account: int | str | None = Field(
        None,
        description="the account it trades: the n-th the session opened (0: the default "
        "one) or an account id; default: the default account",
    )
    account_cash: Decimal | None = Field(
        None,
        ge=0,
        description="the cash its account (number `account`) opens with when the session is "
        "created (an A/B arm's own account)",
    )
    weight: Decimal | None = Field(
        None,
        gt=0,
        le=1,
        description="its share of an account it shares with other strategies: it sizes "
        "against weight × the account's equity (docs/ab-tests.md)",
    )
    allocation: AllocationRule = Field(
        "fixed",
        description="how the weights of a shared account move: `fixed`, or `equal_risk` "
        "(∝ weight / volatility of its symbols' returns over `lookback` bars)",
    )
    lookback: int = Field(DEFAULT_LOOKBACK, ge=2, le=10_000, description="bars, for equal_risk")

    @model_serializer(mode="wrap")
    def _only_what_is_used(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # The multi-strategy settings are written only when set: a plain strategy's
        # configuration reads as it always has.
        data: dict[str, Any] = handler(self)
        for name in ("label", "account", "account_cash", "weight"):
            if data.get(name) is None:
                data.pop(name, None)
        if self.weight is None:
            data.pop("allocation", None)
            data.pop("lookback", None)
        return data


#: The settings of a strategy agent's account and sleeve: fixed for the session's life.
_FIXED_SETTINGS: Final = ("label", "account", "account_cash", "weight", "allocation", "lookback")


class IntentContext(StrategyContext):
    """A strategy's context whose orders go through the pipeline as intents.

    Its :attr:`symbols` are the strategy agent's own (every symbol of the
    session only when the agent names none): a strategy sizes, and registers
    its indicators, over the universe it was given, whatever else the session
    can trade, so it makes the same orders as when run alone on those symbols.

    An intent that does not become an order (its risk agent denied it, or no
    agent was running to pass it on) still leaves a rejected order in the
    history, with the reason: ``risk_denied`` or ``not_routed``.

    The account is the agent's (``account``; default: the session's default
    one): cash, equity, buying power, positions and working orders are that
    account's, or, when the agent shares it (``weight``), its sleeve's
    (:mod:`paperbroker.agents.sleeve`).
    """

    __slots__ = ("_account_id", "_agent", "_execution", "_sleeve")

    def __init__(
        self,
        kernel: Kernel,
        agent: StrategyAgent,
        execution: ExecutionAgent,
        account_id: str | None = None,
        sleeve: Sleeve | None = None,
    ) -> None:
        super().__init__(kernel)
        self._agent = agent
        self._execution = execution
        self._account_id = account_id
        self._sleeve = sleeve

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._agent.symbols or super().symbols

    @property
    def cash(self) -> Decimal:
        if self._sleeve is not None:
            return self._sleeve.cash()
        return self._kernel.books(self._account_id).account.cash

    @property
    def equity(self) -> Decimal:
        if self._sleeve is not None:
            return self._sleeve.equity()
        return self._kernel.books(self._account_id).equity

    @property
    def buying_power(self) -> Decimal:
        if self._sleeve is not None:
            return self._sleeve.buying_power()
        return self._kernel.books(self._account_id).buying_power

    def position(self, symbol: str) -> Position:
        position = self._kernel.position(symbol, self._account_id)
        if self._sleeve is not None:
            return self._sleeve.position(position.symbol)
        return position

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        working = self._kernel.open_orders(symbol, self._account_id)
        if self._sleeve is not None:
            return [order for order in working if self._sleeve.owns(order)]
        return working

    def affordable_qty(
        self,
        symbol: str,
        price: PriceLike | None = None,
        budget: PriceLike | None = None,
        buffer: PriceLike = 0,
    ) -> Decimal:
        if self._account_id is None and self._sleeve is None:
            return super().affordable_qty(symbol, price, budget, buffer)
        kept = to_decimal(buffer, field="buffer")
        if not 0 <= kept < 1:
            raise InvalidRequest(f"buffer must be in [0, 1), got {kept}")
        power = self.buying_power
        available = power if budget is None else to_decimal(budget, field="budget")
        if kept:
            available = min(available, power - kept * self.equity)
        if available <= 0:
            return Decimal(0)
        return self._kernel.affordable_qty(symbol, price, available)

    def close_position(self, symbol: str) -> Order | None:
        qty = self.position(symbol).qty
        if not qty:
            return None
        return self.sell(symbol, qty) if qty > 0 else self.buy(symbol, -qty)

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
                symbol, side, intent.qty, account_id=intent.account_id,
                refusal=(RejectReason.NOT_ROUTED, "no running agent passed the intent on"),
                **intent.options,
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
        begun: list[str] | None = None,
        account_id: str | None = None,
        allocation: Allocation | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        #: The pipeline's strategy agents in the order their strategies started.
        self._begun_list = [] if begun is None else begun
        #: The parameters the strategy started with (its ``on_start`` read them).
        self._began_with: dict[str, Any] | None = None
        cls = resolve_strategy(self.config.strategy, files=files)
        self.strategy: Strategy = cls(**self.config.params)
        #: The account it trades (``None``: the default one).
        self.account_id = account_id
        #: Its share of the account, when it shares it with other strategies.
        self.sleeve: Sleeve | None = None
        if allocation is not None and self.config.label is not None:
            self.sleeve = Sleeve(kernel, self.config.label, account_id, allocation, self.name)
        self.strategy.ctx = IntentContext(kernel, self, execution, account_id, self.sleeve)
        # The latest score heard per symbol: only what was published by now.
        self._sentiment: dict[str, float] = {}
        self.strategy.ctx.set_sentiment_source(self._sentiment.get)
        self._kernel = kernel
        self._begun = False
        self._count = 0

    def configure(self, changes: Mapping[str, Any]) -> AgentConfig:
        """Change the strategy's parameters while it runs (``params``: merged into the
        current ones and validated by the strategy's own schema), or the agent's
        common settings; the strategy itself stays the one it was created with.

        The strategy reads the new ``self.params`` from the next bar on.  Its
        indicators are not rebuilt: those it registered in ``on_start`` keep the
        parameters they were registered with (a moving average keeps its
        period), so a change acts on what the strategy decides with its
        parameters on each bar (thresholds, sizes, stops).

        Raises:
            InvalidRequest: for a change of ``strategy`` or of its account and sleeve
                settings (``label``, ``account``, ``weight``, …), or parameters the
                strategy's schema refuses (nothing changes then).
        """
        if "strategy" in changes and changes["strategy"] != self.config.strategy:
            raise InvalidRequest(
                "a strategy agent's strategy is fixed when it is created; its params may change"
            )
        given = changes.get("params", {})
        if not isinstance(given, Mapping):
            raise InvalidRequest("params must be an object of the strategy's parameters")
        wanted = parse_config(type(self), {**self.config.model_dump(), **changes})
        fixed = [
            name for name in _FIXED_SETTINGS if getattr(wanted, name) != getattr(self.config, name)
        ]
        if fixed:
            raise InvalidRequest(
                f"a strategy agent's {', '.join(fixed)} are fixed when it is created"
            )
        params = {**self.config.params, **given}
        validated = parse_params(type(self.strategy), params)
        config = super().configure({**changes, "params": params})
        self.strategy.params = validated
        return config

    def on_start(self) -> None:
        # Indicators are registered once, before the first bar; a strategy whose account
        # the session opens after its pipeline (an A/B arm's) starts at its first bar.
        if not self._begun and self._account_open():
            self.begin()

    def _account_open(self) -> bool:
        return self.account_id is None or self.account_id in self._kernel.portfolios

    def begin(self, params: Mapping[str, Any] | None = None) -> None:
        """Run the strategy's ``on_start`` (with ``params``: as it once started with them)."""
        self._begun = True
        self._began_with = dict(self.config.params if params is None else params)
        self._begun_list.append(self.name)
        if params is not None:
            self.strategy.params = parse_params(type(self.strategy), dict(params))
        self.strategy.on_start()

    def save(self) -> dict[str, Any]:
        """The scores heard, the intents counted, whether (and with which parameters)
        the strategy started, and the strategy's own state (``Strategy.on_save``).

        Raises:
            NotSnapshottable: for a strategy that does not save all it keeps.
        """
        if not checkpoint_exact(self.strategy):
            raise NotSnapshottable(
                f"the strategy {self.config.strategy} does not save its state (Strategy.on_save)"
            )
        return {
            "sentiment": dict(self._sentiment),
            "count": self._count,
            "began_with": self._began_with,
            "strategy": self.strategy.on_save() if self._begun else None,
            **({} if self.sleeve is None else {"sleeve": self.sleeve.save()}),
        }

    def load(self, state: Mapping[str, Any]) -> None:
        """Take back what :meth:`save` wrote; the strategy started already if it had
        (see :meth:`~paperbroker.agents.pipeline.Pipeline.on_load`)."""
        self._sentiment.clear()
        self._sentiment.update({str(k): float(v) for k, v in state["sentiment"].items()})
        self._count = int(state["count"])
        if self.sleeve is not None:
            self.sleeve.load(state.get("sleeve", {}))
        self.strategy.params = parse_params(type(self.strategy), dict(self.config.params))
        if state["strategy"] is not None:
            self.strategy.on_load(state["strategy"])

    def on_message(self, topic: Topic, message: Any) -> None:
        if isinstance(message, SentimentScore):
            self._sentiment[message.symbol] = message.score
            return
        assert isinstance(message, Bar)
        if not self._begun:
            self.begin()
        if not self.symbols or message.symbol in self.symbols:
            self.strategy.on_bar(message)

    def intent(
        self, symbol: str, side: OrderSide, qty: Decimal, options: dict[str, Any]
    ) -> OrderIntent:
        """Publish an order intent of the strategy and return it.

        A labelled agent tags the order: its client order id becomes
        ``<label>:<the strategy's own id>``, or ``<label>:<n>`` (its n-th intent).
        """
        self._count += 1
        label = self.config.label
        if label is not None:
            own = options.get("client_order_id") or str(self._count)
            options = {**options, "client_order_id": f"{label_prefix(label)}{own}"}
        intent = OrderIntent(
            f"{self.name}-{self._count}", self._kernel.clock.now_ns(), self.name, symbol, side,
            qty, options=options, account_id=self.account_id,
        )  # fmt: skip
        self.metrics["intents"] += 1
        self.publish(Topic.ORDER_INTENTS, intent)
        return intent
