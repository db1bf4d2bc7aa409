"""The paired bootstrap interval of a Sharpe-ratio and a total-return difference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.analytics.bootstrap import Interval, bootstrap_differences, resample_indices


def series(seed: int, n: int = 250, mean: float = 0.0005) -> np.ndarray:
    return np.random.default_rng(seed).normal(mean, 0.01, n)


def test_estimates_are_the_differences_on_the_series_as_given() -> None:
    a, b = np.array([0.01, -0.02, 0.03, 0.0]), np.array([0.0, 0.01, -0.01, 0.02])
    sharpe, total = bootstrap_differences(a, b, seed=1, resamples=200, periods_per_year=252)
    sa = a.mean() / a.std(ddof=1) * math.sqrt(252)
    sb = b.mean() / b.std(ddof=1) * math.sqrt(252)
    assert sharpe.estimate == pytest.approx(sa - sb, rel=1e-12)
    assert total.estimate == pytest.approx(np.prod(1 + a) - np.prod(1 + b), rel=1e-12)
    assert sharpe.resamples == 200
    assert sharpe.confidence == 0.95
    assert sharpe.low <= sharpe.high
    assert total.low <= total.high


def test_same_seed_same_interval_other_seed_other_interval() -> None:
    a, b = series(1), series(2)
    first = bootstrap_differences(a, b, seed=7, resamples=300)
    assert bootstrap_differences(a, b, seed=7, resamples=300) == first
    assert bootstrap_differences(a, b, seed=8, resamples=300) != first


def test_identical_series_give_a_zero_difference_in_every_resample() -> None:
    a = series(3)
    sharpe, total = bootstrap_differences(a, a.copy(), seed=0, resamples=100, mean_block=5)
    assert sharpe == Interval(0.0, 0.0, 0.0, 0.95, 100)
    assert total == Interval(0.0, 0.0, 0.0, 0.95, 100)


def test_a_clearly_better_series_has_an_interval_above_zero() -> None:
    b = series(4, n=500, mean=0.0)
    a = b + 0.002  # the same noise, two tenths of a percent more every day
    sharpe, total = bootstrap_differences(a, b, seed=5, resamples=500)
    assert sharpe.low > 0
    assert total.low > 0


def test_stationary_blocks_continue_consecutively() -> None:
    idx = resample_indices(50, resamples=20, mean_block=1e9, rng=np.random.default_rng(0))
    steps = (np.diff(idx, axis=1)) % 50
    assert np.all(steps == 1)  # an effectively infinite block never restarts


def test_bad_options_are_refused() -> None:
    a = series(1, n=10)
    with pytest.raises(ValueError, match="equal length"):
        bootstrap_differences(a, a[:-1], seed=0)
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_differences(a, a, seed=0, confidence=1.0)
    with pytest.raises(ValueError, match="resamples"):
        bootstrap_differences(a, a, seed=0, resamples=0)
    with pytest.raises(ValueError, match="mean_block"):
        bootstrap_differences(a, a, seed=0, mean_block=0.5)
    with pytest.raises(ValueError, match="finite"):
        bootstrap_differences(a, np.full(10, np.nan), seed=0)
    empty = bootstrap_differences([], [], seed=0)
    assert empty[0].estimate == 0.0


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-0.1, 0.1), min_size=2, max_size=40),
    st.integers(0, 2**32 - 1),
    st.floats(1.0, 10.0),
)
def test_interval_bounds_are_ordered(values: list[float], seed: int, block: float) -> None:
    a = np.array(values)
    b = a[::-1].copy()
    for interval in bootstrap_differences(a, b, seed=seed, resamples=50, mean_block=block):
        assert interval.low <= interval.high
        assert math.isfinite(interval.low)
        assert math.isfinite(interval.high)
