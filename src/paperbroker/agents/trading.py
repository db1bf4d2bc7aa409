"""The agents between a decision and the venue: risk and execution.

The risk agent passes or denies each order intent by simple limits (full
risk management comes later); the execution agent is the only agent that
talks to the venue: it turns approved intents into orders, records denied
ones as orders rejected ``risk_denied`` (so every decision is in the order
history, with the rule that made it), and publishes the orders and fills.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import Field

from paperbroker.agents.base import Agent, AgentConfig
from paperbroker.agents.bus import Approved, Denied, OrderIntent, Topic
from paperbroker.agents.lifecycle import AgentStatus
from paperbroker.core.snapshot import NotSnapshottable
from paperbroker.model.enums import OrderSide, RejectReason

if TYPE_CHECKING:
    from paperbroker.engine.kernel import Kernel
    from paperbroker.model.fill import Fill
    from paperbroker.model.order import Order


class RiskConfig(AgentConfig):
    max_order_qty: Decimal | None = Field(None, gt=0, description="largest quantity per order")
    max_order_notional: Decimal | None = Field(
        None, gt=0, description="largest quantity × last price per order"
    )
    max_position_qty: Decimal | None = Field(
        None, gt=0, description="largest absolute position per symbol after the order"
    )
    max_open_orders: int | None = Field(None, ge=1, description="working orders per symbol")
    allow_short: bool = Field(True, description="whether an order may open a short position")


class RiskAgent(Agent):
    """Passes an intent unless it breaks one of its limits; says which when it denies."""

    kind = "risk"
    Config = RiskConfig
    subscribes = (Topic.ORDER_INTENTS,)
    publishes = (Topic.APPROVED_INTENTS, Topic.DENIED_INTENTS)
    config: RiskConfig

    def __init__(self, *args: Any, kernel: Kernel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kernel = kernel

    def on_message(self, topic: Topic, message: Any) -> None:
        assert isinstance(message, OrderIntent)
        reason = self.breach(message)
        if reason is None:
            self.metrics["approved"] += 1
            self.publish(Topic.APPROVED_INTENTS, Approved(message, self.name))
            return
        self.metrics["denied"] += 1
        self.log.warning("denied %s %s %s: %s", message.side, message.qty, message.symbol, reason)
        self.publish(Topic.DENIED_INTENTS, Denied(message, self.name, reason))

    def breach(self, intent: OrderIntent) -> str | None:
        """The limit ``intent`` would break, or ``None``."""
        config, kernel = self.config, self._kernel
        if config.max_order_qty is not None and intent.qty > config.max_order_qty:
            return f"qty {intent.qty} is over max_order_qty {config.max_order_qty}"
        price = kernel.books().mark(intent.symbol)
        if config.max_order_notional is not None and price is not None:
            notional = intent.qty * price
            if notional > config.max_order_notional:
                return f"notional {notional} is over max_order_notional {config.max_order_notional}"
        held = kernel.position(intent.symbol, intent.account_id).qty
        after = held + (intent.qty if intent.side is OrderSide.BUY else -intent.qty)
        if config.max_position_qty is not None and abs(after) > config.max_position_qty:
            return f"position {after} would be over max_position_qty {config.max_position_qty}"
        if not config.allow_short and after < 0:
            return f"position {after} would be short and allow_short is off"
        working = len(kernel.open_orders(intent.symbol, intent.account_id))
        if config.max_open_orders is not None and working >= config.max_open_orders:
            return f"{working} orders already work, max_open_orders is {config.max_open_orders}"
        return None


class ExecutionAgent(Agent):
    """Submits approved intents to the venue and records denied ones; publishes orders, fills."""

    kind = "execution"
    subscribes = (Topic.APPROVED_INTENTS, Topic.DENIED_INTENTS)
    publishes = (Topic.ORDERS, Topic.FILLS)

    def __init__(self, *args: Any, kernel: Kernel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kernel = kernel
        #: The order each intent became, by intent id (read by the strategy's context).
        self.orders: dict[str, Order] = {}

    def on_message(self, topic: Topic, message: Any) -> None:
        risk = self._kernel.risk
        if isinstance(message, Approved):
            intent, refusal = message.intent, None
            qty = intent.qty
            if risk.scaler.enabled:  # the session's position scaling sizes entries
                qty = risk.scaled(intent.symbol, intent.side, qty, intent.account_id)
        else:
            assert isinstance(message, Denied)
            intent, qty = message.intent, message.intent.qty
            refusal = (RejectReason.RISK_DENIED, f"{message.by}: {message.reason}")
        order = self._kernel.submit_order(
            intent.symbol,
            intent.side,
            qty,
            account_id=intent.account_id,
            refusal=refusal,
            **intent.options,
        )
        self.orders[intent.id] = order
        self.metrics["orders"] += 1
        self.publish(Topic.ORDERS, order)

    def save(self) -> dict[str, Any]:
        if self.orders:  # read by a strategy's context before its order call returns
            raise NotSnapshottable("an order intent is still on its way")
        return {}

    def on_fill(self, fill: Fill) -> None:
        """Publish a fill of the session's venue (called by the pipeline)."""
        if self.status is AgentStatus.RUNNING:
            self.metrics["fills"] += 1
            self.publish(Topic.FILLS, fill)
