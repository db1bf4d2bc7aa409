"""A running strategy agent takes new parameters, checked by its strategy's own schema."""

from __future__ import annotations

from typing import Any

import pytest

from paperbroker.agents.decision import StrategyAgent
from paperbroker.agents.pipeline import Pipeline, standard_pipeline
from paperbroker.core.errors import InvalidRequest
from paperbroker.engine.kernel import Kernel

FLAT = (100.00, 100.50, 99.50, 100.00)


@pytest.fixture
def pipeline(build: Any) -> Pipeline:
    series = build.series([FLAT] * 40)
    pipeline = Pipeline(agents=standard_pipeline("sma_crossover", {"fast": 10, "slow": 30}))
    kernel: Kernel = build.kernel(series, strategy=pipeline)
    kernel.run_until(int(series.ts[5]))
    return pipeline


def strategy_agent(pipeline: Pipeline) -> StrategyAgent:
    agent = pipeline.agent("strategy")
    assert isinstance(agent, StrategyAgent)
    return agent


def test_new_params_are_merged_validated_and_read_from_then_on(pipeline: Pipeline) -> None:
    agent = strategy_agent(pipeline)
    pipeline.command("strategy", "configure", {"params": {"fast": 5}})
    assert agent.config.params == {"fast": 5, "slow": 30}
    assert (agent.strategy.params.fast, agent.strategy.params.slow) == (5, 30)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"params": {"fast": "quick"}}, "fast"),
        ({"params": {"speed": 3}}, "unknown parameter 'speed'"),
        ({"params": 5}, "params must be an object"),
        ({"strategy": "momentum"}, "strategy is fixed when it is created"),
    ],
)
def test_bad_changes_change_nothing(
    pipeline: Pipeline, changes: dict[str, Any], message: str
) -> None:
    agent = strategy_agent(pipeline)
    with pytest.raises(InvalidRequest, match=message):
        pipeline.command("strategy", "configure", changes)
    assert agent.config.params == {"fast": 10, "slow": 30}
    assert agent.strategy.params.fast == 10  # type: ignore[attr-defined]
