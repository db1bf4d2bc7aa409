"""The allocation math of multi-strategy sessions: the arms' weights and cash, and the
equal-risk weights, checked against numbers worked by hand."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from paperbroker.agents.arms import Arm, arm_accounts, arm_labels, arm_weights, arms_pipeline
from paperbroker.agents.sleeve import equal_risk_weights, strategy_volatility
from paperbroker.core.errors import InvalidRequest

D = Decimal


def test_weights_default_to_equal_shares_of_what_the_given_ones_leave() -> None:
    assert arm_weights([None, None]) == [D("0.5"), D("0.5")]
    assert arm_weights([None, None, None]) == [D("0.333333333")] * 3
    assert arm_weights([D("0.4"), None, None]) == [D("0.4"), D("0.3"), D("0.3")]
    assert arm_weights([D("0.2"), D("0.3")]) == [D("0.2"), D("0.3")]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ([D("0.7"), D("0.6")], "at most 1"),
        ([D(1), None], "leave nothing"),
        ([D(0), None], "(0, 1]"),
        ([D("1.5"), None], "(0, 1]"),
    ],
)
def test_bad_weights_are_refused(given: list[Decimal | None], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message.replace("(", r"\(").replace("]", r"\]")):
        arm_weights(given)


def test_labels_default_to_letters_and_must_be_unique() -> None:
    assert arm_labels([Arm("x"), Arm("y", label="slow"), Arm("z")]) == ["a", "slow", "c"]
    with pytest.raises(InvalidRequest, match="unique"):
        arm_labels([Arm("x", label="b"), Arm("y")])


def test_an_ab_plan_opens_one_account_per_arm_with_its_share_of_the_cash() -> None:
    plan = arms_pipeline(
        [Arm("sma_crossover"), Arm("sma_crossover"), Arm("buy_and_hold", weight=D("0.2"))],
        mode="ab", allocation="fixed", initial_cash=D("1000.01"),
    )  # fmt: skip
    # 0.4 each of 1000.01 is 400.004: the cents are rounded down, the rest stays home.
    assert arm_accounts(plan.agents) == [D("400.00"), D("400.00"), D("200.00")]
    assert plan.default_cash == D("0.01")
    strategies = [a for a in plan.agents if a["type"] == "strategy"]
    assert [s["config"]["account"] for s in strategies] == [1, 2, 3]
    assert [s["config"]["label"] for s in strategies] == ["a", "b", "c"]
    assert [a["type"] for a in plan.agents][-2:] == ["risk", "execution"]


def test_a_shared_plan_gives_weights_and_the_rule_and_keeps_the_cash_home() -> None:
    plan = arms_pipeline(
        [Arm("sma_crossover", symbols=["AAPL"]), Arm("sma_crossover", symbols=["IBM"])],
        mode="shared", allocation="equal_risk", initial_cash=D(1000),
    )  # fmt: skip
    assert plan.default_cash == D(1000)
    assert arm_accounts(plan.agents) == []
    data, *strategies = (a for a in plan.agents if a["type"] in ("data", "strategy"))
    assert data["symbols"] == ["AAPL", "IBM"]
    assert [s["config"]["weight"] for s in strategies] == ["0.5", "0.5"]
    assert {s["config"]["allocation"] for s in strategies} == {"equal_risk"}


def test_too_few_or_too_many_arms_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="2 to 8"):
        arms_pipeline([Arm("sma_crossover")], mode="ab", allocation="fixed", initial_cash=D(1))


def test_equal_risk_weights_are_inverse_to_volatility_and_keep_the_total() -> None:
    # 1/0.01 = 100 and 1/0.02 = 50: two thirds and one third of the base total 1.
    assert equal_risk_weights([D("0.5"), D("0.5")], [0.01, 0.02]) == [
        D("0.666666666"), D("0.333333333"),
    ]  # fmt: skip
    # Base weights scale it: 0.6/0.01 = 60 and 0.2/0.02 = 10, of a total 0.8.
    assert equal_risk_weights([D("0.6"), D("0.2")], [0.01, 0.02]) == [
        D("0.685714285"), D("0.114285714"),
    ]  # fmt: skip
    # An unknown or zero volatility: the base weights as they are.
    assert equal_risk_weights([D("0.3"), D("0.7")], [None, 0.02]) == [D("0.3"), D("0.7")]
    assert equal_risk_weights([D("0.3"), D("0.7")], [0.0, 0.02]) == [D("0.3"), D("0.7")]


def test_a_strategys_volatility_is_that_of_its_symbols_mean_return() -> None:
    # Returns of one symbol: +10%, −10%, +10%: std (ddof 1) of [0.1, −0.1, 0.1].
    one = np.array([100.0, 110.0, 99.0, 108.9])
    assert strategy_volatility([one]) == pytest.approx(float(np.std([0.1, -0.1, 0.1], ddof=1)))
    # Two symbols moving opposite ways cancel: no volatility at all.
    other = np.array([100.0, 90.0, 99.0, 89.1])
    assert strategy_volatility([one, other]) == pytest.approx(0.0)
    assert strategy_volatility([np.array([1.0, 2.0])]) is None
    assert strategy_volatility([]) is None
