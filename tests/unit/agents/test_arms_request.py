"""A multi-strategy pipeline read back as the request that made it: the same accounts'
cash to the cent, whatever the amount and the weights."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from paperbroker.agents.arms import Arm, arms_pipeline, arms_request

CENTS = st.integers(min_value=100, max_value=99_999_999_999_99).map(lambda c: Decimal(c) / 100)
WEIGHT = st.one_of(
    st.none(), st.integers(min_value=1, max_value=10**9).map(lambda w: Decimal(w) / 10**10)
)


@given(cash=CENTS, weights=st.lists(WEIGHT, min_size=2, max_size=8))
def test_an_ab_pipeline_reads_back_to_the_same_accounts(
    cash: Decimal, weights: list[Decimal | None]
) -> None:
    arms = [
        Arm("sma_crossover", {"fast": 2 + i, "slow": 20}, ["AAPL"], w)
        for i, w in enumerate(weights)
    ]
    plan = arms_pipeline(arms, mode="ab", allocation="fixed", initial_cash=cash)
    found = arms_request(plan.agents, plan.default_cash)
    assert found is not None
    assert found.initial_cash == cash
    again = arms_pipeline(found.arms, mode="ab", allocation="fixed", initial_cash=cash)
    assert again.agents == plan.agents
    assert again.default_cash == plan.default_cash


def test_a_shared_pipeline_reads_back_its_weights_and_rule() -> None:
    arms = [Arm("sma_crossover", {"fast": 2}), Arm("buy_and_hold", {}, ["MSFT"], Decimal("0.3"))]
    plan = arms_pipeline(arms, mode="shared", allocation="equal_risk", initial_cash=Decimal("5000"))
    found = arms_request(plan.agents, plan.default_cash)
    assert found is not None
    assert (found.mode, found.allocation, found.initial_cash) == ("shared", "equal_risk", 5000)
    assert [a.weight for a in found.arms] == [Decimal("0.7"), Decimal("0.3")]
    assert [a.label for a in found.arms] == ["a", "b"]


def test_a_pipeline_it_did_not_make_is_none() -> None:
    plan = arms_pipeline(
        [Arm("sma_crossover"), Arm("sma_crossover", {"fast": 3})],
        mode="ab", allocation="fixed", initial_cash=Decimal("1000"),
    )  # fmt: skip
    changed = [dict(a) for a in plan.agents]
    changed[-1] = {**changed[-1], "name": "my-execution"}
    assert arms_request(changed, plan.default_cash) is None
    one = [a for a in plan.agents if a.get("config", {}).get("label") != "b"]
    assert arms_request(one, plan.default_cash) is None
