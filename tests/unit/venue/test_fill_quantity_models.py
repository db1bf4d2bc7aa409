"""Fill-quantity models: random partial fills and the tightest of several limits."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbroker.core.errors import InvalidRequest
from paperbroker.venue.fill_quantity import (
    CompositeQuantity,
    FullFill,
    QuantityInput,
    RandomPartialFill,
    VolumeParticipation,
)
from paperbroker.venue.latency import unit_draw

D = Decimal


def q(order_id: str = "O-1", bar_ts: int = 1, leaves: str = "100", lot: str = "1") -> QuantityInput:
    return QuantityInput(10_000.0, D(0), D(lot), D(leaves), order_id, bar_ts)


def test_random_partial_fill_limits_about_the_given_share_of_bars() -> None:
    model = RandomPartialFill("0.1", seed=5)
    answers = [model.available(q(f"O-{i}")) for i in range(5_000)]
    limited = [a for a in answers if a is not None]
    assert len(limited) == pytest.approx(500, abs=75)
    assert all(D(10) <= a <= D(90) for a in limited)  # 10 % to 90 % of 100


def test_random_partial_fill_is_the_documented_draw() -> None:
    model = RandomPartialFill("0.5", seed=2, min_fraction="0.2", max_fraction="0.6")
    for i in range(200):
        order_id = f"O-{i}"
        answer = model.available(q(order_id, bar_ts=7))
        if unit_draw(2, order_id, 7, "partial") >= 0.5:
            assert answer is None
        else:
            fraction = 0.2 + 0.4 * unit_draw(2, order_id, 7, "fraction")
            expected = (100 * D(repr(fraction))).to_integral_value(ROUND_FLOOR)
            assert answer == max(expected, D(1))


def test_random_partial_fill_depends_only_on_seed_order_and_bar() -> None:
    model = RandomPartialFill("0.5", seed=9)
    first = [model.available(q(f"O-{i}", bar_ts=3)) for i in range(50)]
    assert [model.available(q(f"O-{i}", bar_ts=3)) for i in reversed(range(50))] == first[::-1]
    assert [RandomPartialFill("0.5", seed=9).available(q(f"O-{i}", 3)) for i in range(50)] == first
    other_bar = [model.available(q(f"O-{i}", bar_ts=4)) for i in range(50)]
    assert other_bar != first


@given(
    leaves=st.integers(min_value=1, max_value=10_000),
    lot=st.sampled_from(["1", "10", "0.5"]),
    seed=st.integers(min_value=0, max_value=1000),
)
def test_random_partial_fill_at_least_one_lot_never_more_than_leaves(
    leaves: int, lot: str, seed: int
) -> None:
    model = RandomPartialFill("1", seed=seed, min_fraction="0", max_fraction="1")
    answer = model.available(q(leaves=str(leaves), lot=lot))
    assert answer is not None
    assert answer % D(lot) == 0
    assert answer <= leaves
    if leaves >= D(lot):
        assert answer >= D(lot)


def test_random_partial_fill_probability_zero_never_limits() -> None:
    model = RandomPartialFill("0")
    assert all(model.available(q(f"O-{i}")) is None for i in range(100))


def test_random_partial_fill_waits_for_the_full_bar_and_describes_itself() -> None:
    model = RandomPartialFill(seed=3)
    assert model.needs_full_bar is True
    assert model.describe() == {
        "model": "random_partial",
        "probability": "0.1",
        "min_fraction": "0.1",
        "max_fraction": "0.9",
        "seed": 3,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"probability": "1.1"}, "probability: must be in"),
        ({"min_fraction": "-0.1"}, "min_fraction: must be in"),
        ({"min_fraction": "0.8", "max_fraction": "0.5"}, "min_fraction: must not be above"),
        ({"seed": -1}, "seed: must not be negative"),
    ],
)
def test_random_partial_fill_invalid_parameters_raise(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        RandomPartialFill(**kwargs)  # type: ignore[arg-type]


def test_composite_quantity_takes_the_tightest_limit() -> None:
    model = CompositeQuantity([VolumeParticipation("0.001"), FullFill()])
    assert model.available(q()) == D(10)  # 0.1 % of 10,000
    assert model.needs_full_bar is True
    assert CompositeQuantity([FullFill()]).available(q()) is None
    assert CompositeQuantity([FullFill()]).needs_full_bar is False
    assert model.describe() == {
        "model": "min",
        "parts": [{"model": "volume_participation", "max_share": "0.001"}, {"model": "full"}],
    }


def test_composite_quantity_with_random_partial_never_exceeds_either() -> None:
    participation = VolumeParticipation("0.005")  # 50 of 10,000
    partial = RandomPartialFill("1", seed=1)
    model = CompositeQuantity([participation, partial])
    for i in range(50):
        answer = model.available(q(f"O-{i}"))
        limits = [participation.available(q(f"O-{i}")), partial.available(q(f"O-{i}"))]
        assert answer == min(limit for limit in limits if limit is not None)


def test_composite_quantity_needs_parts() -> None:
    with pytest.raises(InvalidRequest, match="parts"):
        CompositeQuantity([])
