"""A pipeline of agents in a backtest: the same fills as its strategy alone, when risk passes.

And when risk denies, or no agent passes an intent on, the decision is in the
order history with its reason.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from paperbroker.agents.bus import Edge, Topic
from paperbroker.agents.pipeline import Pipeline, standard_pipeline
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.samples import load_sample
from paperbroker.data.series import BarSeries
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.result import BacktestResult
from paperbroker.model.enums import OrderStatus, RejectReason
from paperbroker.strategy.builtin import SmaCrossover

SPAN = {"start": "2008-01-01", "end": "2010-12-31"}
SMA = {"fast": 10, "slow": 30}


@cache
def stocks() -> dict[str, BarSeries]:
    return load_sample("stocks", symbols=["AAPL", "MSFT"])


def run(strategy: Any, params: dict[str, Any], execution: str = "ideal") -> BacktestResult:
    return Backtest(stocks(), strategy, params=params, execution=execution, **SPAN).run()


def pipeline(**changes: Any) -> dict[str, Any]:
    agents = standard_pipeline("sma_crossover", SMA)
    for agent in agents:
        agent.update(changes.get(agent["name"], {}))
    return {"agents": agents}


@pytest.mark.parametrize("execution", ["ideal", "equities_realistic"])
def test_a_pipeline_trades_exactly_as_its_strategy_alone(execution: str) -> None:
    alone = run(SmaCrossover, SMA, execution)
    piped = run(Pipeline, pipeline(), execution)
    assert len(alone.fills) > 20  # the comparison means something
    assert piped.fills_digest() == alone.fills_digest()
    assert piped.final_equity == alone.final_equity


def test_a_strategy_agent_sizes_against_its_own_symbols_not_the_sessions() -> None:
    # The backtest trades AAPL and MSFT; the strategy agent is given AAPL only.
    alone = Backtest(stocks()["AAPL"], SmaCrossover, params=SMA, execution="ideal", **SPAN).run()
    piped = run(Pipeline, {"agents": standard_pipeline("sma_crossover", SMA, ["AAPL"])})
    assert len(alone.fills) > 10
    assert {f.symbol for f in piped.fills} == {"AAPL"}
    # The whole cash, not half of it: the same orders as the strategy alone on AAPL.
    assert [(f.ts, f.side, f.qty, f.price) for f in piped.fills] == [
        (f.ts, f.side, f.qty, f.price) for f in alone.fills
    ]


def test_a_risk_limit_denies_intents_and_the_history_says_why() -> None:
    limited = run(Pipeline, pipeline(risk={"config": {"max_order_qty": "50"}}))
    assert limited.fills == []  # every entry wants far more than 50 shares
    assert limited.final_equity == Decimal(100_000)
    rejected = [o for o in limited.orders if o.status is OrderStatus.REJECTED]
    assert rejected
    assert {o.reject_reason for o in rejected} == {RejectReason.RISK_DENIED}
    assert all(o.reject_message.startswith("risk: qty ") for o in rejected)


def test_intents_with_no_running_agent_to_pass_them_are_not_routed() -> None:
    stopped = run(Pipeline, pipeline(execution={"status": "stopped"}))
    assert stopped.fills == []
    reasons = {o.reject_reason for o in stopped.orders}
    assert reasons == {RejectReason.NOT_ROUTED}


def test_the_graph_is_the_bus_wiring(build: Any) -> None:
    strategy = Pipeline(**pipeline())
    series = [s.between(None, 1_262_304_000 * 10**9) for s in stocks().values()]  # to 2010
    kernel = build.kernel(series, strategy=strategy)
    kernel.run_until(int(max(s.ts[-1] for s in series)))
    nodes, edges = strategy.graph()
    assert [(n["name"], n["type"], n["status"]) for n in nodes] == [
        ("data", "data", "running"),
        ("strategy", "strategy", "running"),
        ("risk", "risk", "running"),
        ("execution", "execution", "running"),
    ]
    assert edges == [
        Edge("data", "strategy", Topic.BARS),
        Edge("strategy", "risk", Topic.ORDER_INTENTS),
        Edge("risk", "execution", Topic.APPROVED_INTENTS),
        Edge("risk", "execution", Topic.DENIED_INTENTS),
    ]
    risk = strategy.agent("risk")
    assert risk.metrics["approved"] == strategy.agent("strategy").metrics["intents"] > 0


def test_a_pipeline_is_checked_when_it_is_built() -> None:
    agents = standard_pipeline("sma_crossover", SMA)
    with pytest.raises(InvalidRequest, match="exactly one risk agent"):
        Pipeline(agents=[a for a in agents if a["type"] != "risk"])
    with pytest.raises(InvalidRequest, match="unknown config field 'max_qty'"):
        run(Pipeline, pipeline(risk={"config": {"max_qty": 5}}))


def test_a_strategy_agent_reads_the_latest_sentiment_it_heard(build: Any) -> None:
    from paperbroker.agents.bus import SentimentScore
    from paperbroker.agents.decision import StrategyAgent

    strategy = Pipeline(**pipeline())
    series = [s.between(None, 1_230_000_000 * 10**9) for s in stocks().values()]
    build.kernel(series, strategy=strategy).run_until(int(series[0].ts[-1]))
    agent = strategy.agent("strategy")
    assert isinstance(agent, StrategyAgent)
    ctx = agent.strategy.ctx
    assert ctx.sentiment("AAPL") is None  # nothing heard yet
    publish = strategy.bus.publisher("news-desk", Topic.SENTIMENT)
    publish(SentimentScore(1, "AAPL", -0.6))
    publish(SentimentScore(2, "AAPL", 0.25))
    assert ctx.sentiment("AAPL") == 0.25
    assert ctx.sentiment("MSFT") is None
