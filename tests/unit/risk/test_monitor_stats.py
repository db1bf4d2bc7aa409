"""The monitor's bar statistics on their own: average daily volume, correlations, bets."""

from __future__ import annotations

import math
from datetime import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from paperbroker.model.instrument import CRYPTO_HOURS, US_EQUITY_HOURS, TradingHours
from paperbroker.risk.monitor_stats import (
    average_daily_volume,
    correlation_matrix,
    effective_bets,
    range_multiple,
    session_length_ns,
)

HOUR_NS = 3600 * 10**9


def test_session_lengths() -> None:
    assert session_length_ns(US_EQUITY_HOURS) == 6.5 * HOUR_NS
    assert session_length_ns(CRYPTO_HOURS) == 24 * HOUR_NS
    assert session_length_ns(TradingHours("Asia/Tokyo", time(9), time(15))) == 6 * HOUR_NS


def test_a_bar_longer_than_the_session_counts_one_day() -> None:
    volume = np.array([100.0, 300.0])
    assert average_daily_volume(volume, 24 * HOUR_NS, US_EQUITY_HOURS) == 200  # daily, 24 h
    assert average_daily_volume(volume, HOUR_NS, CRYPTO_HOURS) == 400 * 24 / 2  # hourly
    assert average_daily_volume(np.array([]), HOUR_NS, CRYPTO_HOURS) is None


def series(*closes: float) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(len(closes), dtype=np.int64), np.array(closes, dtype=np.float64)


def test_a_pair_is_compared_over_the_intervals_both_have() -> None:
    # B lacks time 2: the intervals 1→2 and 2→3 are A's alone; over 0→1, 3→4 and 4→5
    # both move +10 %, −10 %, +10 %.  Without the alignment A's 50 would spoil it.
    a = (np.array([0, 1, 2, 3, 4, 5]), np.array([10.0, 11, 50, 12.1, 10.89, 11.979]))
    b = (np.array([0, 1, 3, 4, 5]), np.array([20.0, 22, 24.2, 21.78, 23.958]))
    matrix = correlation_matrix([a, b])
    assert matrix[0, 1] == pytest.approx(1)
    assert matrix[1, 0] == matrix[0, 1]


def test_a_symbol_on_another_timetable_leaves_the_others_measured() -> None:
    a = series(100, 110, 99, 108.9, 98.01)
    b = series(100, 110, 99, 108.9, 119.79)
    times, closes = series(1, 2, 3, 4, 5)
    other = (times * 10 + 5, closes)  # closes in between
    matrix = correlation_matrix([a, other, b])
    assert matrix[0, 2] == pytest.approx(1 / math.sqrt(3))  # as in docs/risk-monitoring.md
    assert np.isnan(matrix[0, 1])
    assert np.isnan(matrix[1, 2])
    assert effective_bets(np.ones(3), matrix) == pytest.approx(9 / (3 + 2 / math.sqrt(3) + 4))


def test_a_symbol_whose_price_does_not_move_has_no_correlation() -> None:
    matrix = correlation_matrix([series(1, 2, 3, 2, 1), series(5, 5, 5, 5, 5)])
    assert np.isnan(matrix[0, 1])
    assert np.isnan(matrix[1, 0])
    assert list(np.diag(matrix)) == [1, 1]


def test_bets_count_unknown_correlations_as_one_and_a_hedge_as_one_bet() -> None:
    unknown = np.array([[1, np.nan], [np.nan, 1]])
    assert effective_bets(np.array([1.0, 1.0]), unknown) == 1
    hedge = np.array([[1, -1.0], [-1.0, 1]])
    assert effective_bets(np.array([5.0, -5.0]), hedge) == 1
    # Three uncorrelated positions of 50, 30 and 20: 1 / (0.25 + 0.09 + 0.04) = 2.6316
    assert effective_bets(np.array([50.0, 30, 20]), np.eye(3)) == pytest.approx(1 / 0.38)
    assert effective_bets(np.array([]), np.empty((0, 0))) == 0


def test_range_multiple_needs_the_lookback_and_a_range() -> None:
    high, low = np.array([2.0, 2, 5]), np.array([1.0, 1, 1])
    assert range_multiple(high, low, 2) == 4
    assert range_multiple(high, low, 3) is None
    assert range_multiple(np.ones(3), np.ones(3), 2) is None


@settings(max_examples=200)
@given(
    returns=arrays(np.float64, (4, 8), elements=st.floats(-0.5, 0.5)),
    weights=arrays(np.float64, 4, elements=st.floats(-1e6, 1e6)).filter(
        lambda w: bool(np.all(np.abs(w) > 1e-3))
    ),
)
def test_bets_lie_between_one_and_the_number_of_positions(
    returns: np.ndarray, weights: np.ndarray
) -> None:
    closes = 100 * np.cumprod(np.hstack([np.ones((4, 1)), 1 + returns]), axis=1)
    matrix = correlation_matrix([(np.arange(9, dtype=np.int64), c) for c in closes])
    known = matrix[~np.isnan(matrix)]
    assert np.all((known >= -1) & (known <= 1))
    assert np.array_equal(np.isnan(matrix), np.isnan(matrix.T))
    bets = effective_bets(weights, matrix)
    assert 1 <= bets <= 4
    assert math.isfinite(bets)
