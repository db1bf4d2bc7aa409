"""The indicators behind the built-in strategies: hand values and the kernel's look-ahead check."""

from __future__ import annotations

import math

import numpy as np
import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.strategy import (
    bollinger_lower,
    bollinger_upper,
    roc,
    rolling_std,
    rsi,
    spike_ratio,
)
from paperbroker.strategy.indicators import compute_indicator

PRICES = np.array([1.0, 2.0, 4.0, 8.0, 4.0, 2.0])


def test_roc_hand_values() -> None:
    # lookback 2: 4/1 - 1, 8/2 - 1, 4/4 - 1, 2/8 - 1
    assert np.array_equal(roc(PRICES, 2), [np.nan, np.nan, 3.0, 3.0, 0.0, -0.75], equal_nan=True)
    # A zero base has no rate.
    assert math.isnan(roc(np.array([0.0, 1.0]), 1)[1])


def test_bollinger_bands_use_population_deviation() -> None:
    # window 2 over (1, 2): mean 1.5, population std 0.5; over (2, 4): 3 and 1.
    lower, upper = bollinger_lower(PRICES, 2, 2.0), bollinger_upper(PRICES, 2, 2.0)
    assert lower[1:3].tolist() == [0.5, 1.0]
    assert upper[1:3].tolist() == [2.5, 5.0]
    assert math.isnan(lower[0])
    assert rolling_std(PRICES, 2, ddof=0)[1] == 0.5
    with pytest.raises(InvalidRequest, match="ddof"):
        rolling_std(PRICES, 2, ddof=2)


def test_rsi_hand_values_and_flat_price() -> None:
    # period 2; changes +1 +2 +4 -4 -2: t=2 gains only -> 100; t=3 still 100;
    # t=4: gain (2.75 + 0) / 2 = 1.375, loss (0 + 4) / 2 = 2 -> 100 - 100 / 1.6875.
    values = rsi(PRICES, 2)
    assert values[2] == values[3] == 100.0
    assert values[4] == pytest.approx(100 - 100 / 1.6875)
    assert np.isnan(values[:2]).all()
    assert rsi(np.full(5, 3.0), 2)[2:].tolist() == [50.0, 50.0, 50.0]


def test_spike_ratio_leaves_the_bar_out_of_its_baseline() -> None:
    # window 2: 4 / mean(1, 2), 8 / mean(2, 4), 4 / mean(4, 8), 2 / mean(8, 4)
    expected = [np.nan, np.nan, 4 / 1.5, 8 / 3, 4 / 6, 2 / 6]
    assert np.allclose(spike_ratio(PRICES, 2), expected, equal_nan=True)
    # Zero volume as a baseline: no ratio rather than infinity.
    assert np.isnan(spike_ratio(np.array([0.0, 0.0, 5.0]), 2)[2])


@pytest.mark.parametrize(
    ("fn", "args"),
    [
        (roc, (20,)),
        (bollinger_lower, (20, 2.0)),
        (bollinger_upper, (20, 2.0)),
        (rsi, (14,)),
        (spike_ratio, (20,)),
    ],
)
def test_builtin_indicators_pass_the_look_ahead_check(fn: object, args: tuple[object, ...]) -> None:
    rng = np.random.default_rng(11)
    prices = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 2_000)))
    values = compute_indicator(fn, prices, *args)  # type: ignore[arg-type]
    assert values.shape == prices.shape
    assert np.isfinite(values[60:]).all()
