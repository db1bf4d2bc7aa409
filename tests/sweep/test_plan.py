"""Planning a sweep: grid counts, seeded random draws, the space checked against the schema,
walk-forward windows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.sweep.conftest import sma_spec

from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import BarSeries
from paperbroker.strategy.builtin import SmaCrossover
from paperbroker.sweep.plan import combinations, folds, tasks
from paperbroker.sweep.spec import WalkForward, check_space
from paperbroker.sweep.sweeper import prepare

START = datetime_to_ns(datetime(2024, 1, 1, tzinfo=UTC))
DAY = 86_400 * 10**9


def test_a_grid_is_the_product_of_every_parameters_values_last_fastest() -> None:
    spec = sma_spec()
    combos = combinations(spec, check_space(spec, SmaCrossover))
    assert len(combos) == 9
    assert combos[:4] == [
        {"fast": 5, "slow": 20}, {"fast": 5, "slow": 30}, {"fast": 5, "slow": 40},
        {"fast": 10, "slow": 20},
    ]  # fmt: skip


def test_a_float_range_expands_by_its_step_without_float_noise() -> None:
    spec = sma_spec(space={"allocation": {"min": 0.1, "max": 0.3, "step": 0.1}})
    assert check_space(spec, SmaCrossover) == {"allocation": [0.1, 0.2, 0.3]}


def test_a_random_sweep_is_the_same_for_the_same_seed_and_draws_without_repeats() -> None:
    space = {"fast": {"min": 2, "max": 30}, "slow": {"min": 31, "max": 60, "step": 1}}
    spec = sma_spec(method="random", samples=12, seed=1, space=space)
    first = combinations(spec, check_space(spec, SmaCrossover))
    again = combinations(spec, check_space(spec, SmaCrossover))
    other = sma_spec(method="random", samples=12, seed=2, space=space)
    assert first == again
    assert len(first) == 12
    assert len({tuple(c.values()) for c in first}) == 12
    assert first != combinations(other, check_space(other, SmaCrossover))


def test_a_random_draw_over_a_float_range_stays_in_its_bounds() -> None:
    spec = sma_spec(method="random", samples=8, space={"allocation": {"min": 0.2, "max": 0.5}})
    drawn = [c["allocation"] for c in combinations(spec, check_space(spec, SmaCrossover))]
    assert all(0.2 <= a <= 0.5 for a in drawn)


@pytest.mark.parametrize(
    ("space", "says"),
    [
        ({"fast": {"values": [0]}}, "space.fast"),  # fast >= 1
        ({"fast": {"values": ["x"]}}, "space.fast"),
        ({"nope": {"values": [1]}}, "unknown parameter"),
        ({"fast": {"min": 1.5, "max": 3}}, "whole"),
        ({"allocation": {"min": 0.5, "max": 2, "step": 0.5}}, "space.allocation"),  # <= 1
        ({"allocation": {"min": 0.1, "max": 0.5}}, "needs a step"),
    ],
)
def test_a_space_the_schema_refuses_is_an_invalid_request(space: object, says: str) -> None:
    with pytest.raises(InvalidRequest, match=says):
        check_space(sma_spec(space=space), SmaCrossover)


def test_a_combination_the_strategy_refuses_is_planned_and_left_to_the_strategy(
    bars: dict[str, BarSeries],
) -> None:
    prepared = prepare(sma_spec(), bars)
    assert {"fast": 40, "slow": 20} in [t.params for t in prepared.first]


@given(
    n=st.integers(1, 8),
    share=st.floats(0.1, 0.9),
    days=st.integers(30, 2000),
    anchored=st.booleans(),
)
def test_walk_forward_out_of_sample_windows_never_overlap_and_follow_their_in_sample(
    n: int, share: float, days: int, anchored: bool
) -> None:
    windows = folds(
        START, START + days * DAY, WalkForward(folds=n, in_sample=share, anchored=anchored)
    )
    assert len(windows) == n
    assert windows[-1][1].end_ns == START + days * DAY
    for (in_sample, out), following in zip(windows, [*windows[1:], None], strict=True):
        assert in_sample.start_ns < in_sample.end_ns < out.start_ns < out.end_ns
        assert out.start_ns == in_sample.end_ns + 1
        if anchored:
            assert in_sample.start_ns == START
        if following is not None:
            assert out.end_ns < following[1].start_ns


def test_walk_forward_plans_every_combination_on_each_in_sample_window_with_unique_indices(
    bars: dict[str, BarSeries],
) -> None:
    spec = sma_spec(walk_forward={"folds": 3, "in_sample": 0.75})
    planned = tasks(
        spec, [{"fast": 5, "slow": 20}, {"fast": 10, "slow": 30}], START, START + 90 * DAY
    )
    assert [(t.idx, t.fold) for t in planned] == [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (5, 2)]
    assert {t.window.phase for t in planned} == {"in_sample"}
    assert prepare(spec, bars).total == (9 + 1) * 3
