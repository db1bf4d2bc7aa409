"""A session's P&L attributed to the strategies that trade it.

The strategies are those of the session's pipeline that carry a label
(:mod:`paperbroker.agents.arms`); each order tells its strategy by the
label its client order id starts with (an exit leg by its entry's). See
:mod:`paperbroker.analytics.attribution` for the arithmetic.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from paperbroker.agents.sleeve import order_label
from paperbroker.analytics.attribution import AttributedFill, StrategyPnl, attribute
from paperbroker.core.errors import NotFound
from paperbroker.model.events import OrderFilled
from paperbroker.model.values import ZERO
from paperbroker.session.runtime import SessionRuntime


@dataclass(frozen=True)
class LabeledStrategy:
    """A labelled strategy agent of a session's pipeline."""

    agent: str
    label: str
    strategy: str
    params: dict[str, Any]
    account: int | str | None
    weight: Decimal | None
    allocation: str


@dataclass(frozen=True)
class StrategyAttribution:
    """One row of a session's attribution: the strategy (``None``: no strategy) and its P&L."""

    strategy: str | None
    pnl: StrategyPnl


def labeled_strategies(runtime: SessionRuntime) -> list[LabeledStrategy]:
    """The session's labelled strategy agents, in pipeline order."""
    found = []
    for spec in runtime.spec.pipeline or ():
        config = spec.get("config") or {}
        if spec.get("type") == "strategy" and config.get("label") is not None:
            weight = config.get("weight")
            found.append(
                LabeledStrategy(
                    str(spec["name"]), str(config["label"]), str(config["strategy"]),
                    dict(config.get("params") or {}),
                    config.get("account"), None if weight is None else Decimal(str(weight)),
                    str(config.get("allocation", "fixed")),
                )
            )  # fmt: skip
    return found


def session_attribution(runtime: SessionRuntime) -> list[StrategyAttribution]:
    """Each labelled strategy's realized and unrealized P&L, fees, fills and orders over
    the session's accounts (an A/B arm's are in its own account, a shared strategy's in
    the default one), then a row (label ``None``) for what no strategy placed, if
    anything. A session run by one strategy without a label has one row, labelled with
    its agent's name, for every order.

    Raises:
        NotFound: for a session without a strategy.
    """
    strategies = labeled_strategies(runtime)
    if not strategies:
        strategies = _single_strategy(runtime)
    with runtime.locked():
        kernel = runtime.kernel
        orders = kernel.orders
        counts: Counter[str | None] = Counter(order_label(o, orders) for o in orders.values())
        fills = [
            AttributedFill(
                order_label(orders[e.fill.order_id], orders), e.fill.order_id, e.fill.symbol,
                e.fill.signed_qty, e.fill.price, e.fill.fee,
            )
            for e in kernel.events
            if isinstance(e, OrderFilled)
        ]  # fmt: skip
        books = kernel.books(None)
        marks = {s: books.mark(s) or ZERO for s in {f.symbol for f in fills}}
    if not labeled_strategies(runtime):  # one strategy: every order is its own
        only = strategies[0].label
        fills = [replace(f, label=only) for f in fills]
        counts = Counter({only: sum(counts.values())})
    rows = attribute(fills, marks, [s.label for s in strategies], counts)
    names = {s.label: s.strategy for s in strategies}
    return [StrategyAttribution(names.get(row.label) if row.label else None, row) for row in rows]


def multi_strategy(runtime: SessionRuntime) -> list[LabeledStrategy]:
    """The session's labelled strategies, two or more.

    Raises:
        NotFound: for a session that does not run several strategies.
    """
    strategies = labeled_strategies(runtime)
    if len(strategies) < 2:
        raise NotFound("not a multi-strategy session: it runs fewer than two labelled strategies")
    return strategies


def _single_strategy(runtime: SessionRuntime) -> list[LabeledStrategy]:
    agents = [a for a in runtime.spec.pipeline or () if a.get("type") == "strategy"]
    if len(agents) != 1:
        raise NotFound("not a multi-strategy session: it runs no labelled strategies")
    config = agents[0].get("config") or {}
    return [
        LabeledStrategy(
            str(agents[0]["name"]), str(agents[0]["name"]), str(config.get("strategy")),
            dict(config.get("params") or {}),
            config.get("account"), None, "fixed",
        )
    ]  # fmt: skip
