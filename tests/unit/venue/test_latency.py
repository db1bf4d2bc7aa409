"""Latency models and the order-independent random draw behind every seeded model."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbroker.core.errors import InvalidRequest
from paperbroker.venue.latency import JitteredLatency, ZeroLatency, unit_draw

MS = 1_000_000


def test_unit_draw_depends_only_on_seed_and_parts() -> None:
    first = unit_draw(7, "O-1", "submit")
    unit_draw(7, "O-2", "submit")  # another draw in between changes nothing
    assert unit_draw(7, "O-1", "submit") == first
    assert unit_draw(8, "O-1", "submit") != first
    assert unit_draw(7, "O-1", "cancel") != first


def test_unit_draw_distinguishes_text_from_numbers_and_part_boundaries() -> None:
    assert unit_draw(0, "a", 1) != unit_draw(0, "a", "1")
    assert unit_draw(0, "ab", "c") != unit_draw(0, "a", "bc")


@given(seed=st.integers(min_value=0, max_value=2**63), part=st.text())
def test_unit_draw_is_in_the_unit_interval(seed: int, part: str) -> None:
    assert 0.0 <= unit_draw(seed, part) < 1.0


def test_unit_draw_is_roughly_uniform() -> None:
    draws = [unit_draw(1, f"O-{i}") for i in range(10_000)]
    assert sum(draws) / len(draws) == pytest.approx(0.5, abs=0.01)
    assert sum(d < 0.1 for d in draws) == pytest.approx(1000, abs=100)


def test_zero_latency_is_zero() -> None:
    assert ZeroLatency().delay_ns("O-1", "submit") == 0
    assert ZeroLatency().describe() == {"model": "none"}


def test_jittered_latency_stays_within_base_plus_minus_jitter() -> None:
    model = JitteredLatency(50, 20, seed=3)
    delays = [model.delay_ns(f"O-{i}", action) for i in range(500) for action in ("submit",)]
    assert all(30 * MS <= d <= 70 * MS for d in delays)
    assert min(delays) < 32 * MS
    assert max(delays) > 68 * MS
    assert sum(delays) / len(delays) == pytest.approx(50 * MS, rel=0.05)


def test_jittered_latency_is_the_documented_formula() -> None:
    model = JitteredLatency("50", "20", seed=3)
    u = unit_draw(3, "O-9", "cancel")
    assert model.delay_ns("O-9", "cancel") == round((50 + 20 * (2 * u - 1)) * MS)


def test_jittered_latency_is_deterministic_per_seed_order_and_action() -> None:
    a, b = JitteredLatency(50, 20, seed=1), JitteredLatency(50, 20, seed=1)
    assert a.delay_ns("O-1", "replace") == b.delay_ns("O-1", "replace")
    assert a.delay_ns("O-1", "submit") != JitteredLatency(50, 20, seed=2).delay_ns("O-1", "submit")


def test_jittered_latency_clips_at_zero_and_keeps_fractions_of_a_millisecond() -> None:
    clipped = JitteredLatency(1, 5)
    assert all(clipped.delay_ns(f"O-{i}", "submit") >= 0 for i in range(200))
    assert any(clipped.delay_ns(f"O-{i}", "submit") == 0 for i in range(200))
    assert JitteredLatency("0.25").delay_ns("O-1", "submit") == 250_000


def test_jittered_latency_describes_itself() -> None:
    assert JitteredLatency(50, 20, seed=4).describe() == {
        "model": "jittered",
        "base_ms": "50",
        "jitter_ms": "20",
        "seed": 4,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_ms": -1}, "base_ms: must not be negative"),
        ({"base_ms": 1, "jitter_ms": "-0.5"}, "jitter_ms: must not be negative"),
        ({"base_ms": 1, "seed": -1}, "seed: must not be negative"),
    ],
)
def test_jittered_latency_negative_parameter_raises_naming_it(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        JitteredLatency(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("model", [ZeroLatency(), JitteredLatency(5, 1)])
def test_latency_unknown_action_raises(model: ZeroLatency | JitteredLatency) -> None:
    with pytest.raises(InvalidRequest, match="action"):
        model.delay_ns("O-1", "amend")
