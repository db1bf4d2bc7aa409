"""synthetic_bars: determinism, price invariants, volume profile and speed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.synthetic import BARS_PER_DAY, synthetic_bars
from paperbroker.model.instrument import Instrument

COLUMNS = ("ts", "open", "high", "low", "close", "volume")


def test_same_seed_same_bars_different_seed_different() -> None:
    first, again, other = synthetic_bars(seed=1), synthetic_bars(seed=1), synthetic_bars(seed=2)
    for column in COLUMNS:
        np.testing.assert_array_equal(getattr(first, column), getattr(again, column))
    assert not np.array_equal(first.close, other.close)
    assert not np.array_equal(first.volume, other.volume)


def test_defaults_are_twenty_days_of_consecutive_minutes() -> None:
    series = synthetic_bars()
    assert series.symbol == "SYN"
    assert len(series) == BARS_PER_DAY * 20
    assert series.duration_ns == NANOS_PER_MINUTE
    assert series.ts[0] == datetime_to_ns(datetime(2024, 1, 2, 14, 31, tzinfo=UTC))
    assert np.all(np.diff(series.ts) == NANOS_PER_MINUTE)  # no calendar gaps
    assert series.open[0] == 100.0


def test_price_invariants() -> None:
    series = synthetic_bars(n=20_000, seed=3, annual_volatility=0.5)
    np.testing.assert_array_equal(series.open[1:], series.close[:-1])
    assert np.all(series.high >= np.maximum(series.open, series.close))
    assert np.all(series.low <= np.minimum(series.open, series.close))
    assert np.any(series.high > np.maximum(series.open, series.close))  # some excursion
    assert np.any(series.low < np.minimum(series.open, series.close))
    for column in (series.open, series.high, series.low, series.close):
        np.testing.assert_array_equal(column, np.round(column, 2))  # the float nearest k/100
        assert np.all(column >= 0.01)
    assert np.all(series.volume == np.round(series.volume))
    assert np.all(series.volume >= 0)


def test_prices_stay_positive_at_a_tiny_price() -> None:
    series = synthetic_bars(n=5_000, start_price=0.01, annual_volatility=3.0, seed=5)
    assert series.low.min() == 0.01
    assert np.all(series.close >= 0.01)


def test_instrument_tick_grid() -> None:
    fx = Instrument.fx("EURUSD")
    series = synthetic_bars(n=1_000, start_price=1.1, instrument=fx)
    assert series.symbol == "EURUSD"
    np.testing.assert_array_equal(series.close, np.round(series.close, 5))
    assert not np.array_equal(series.close, np.round(series.close, 4))


def test_volume_profile_is_u_shaped() -> None:
    series = synthetic_bars(n=BARS_PER_DAY * 60, seed=9)
    by_minute = series.volume.reshape(-1, BARS_PER_DAY)
    first, midday = by_minute[:, 0].mean(), by_minute[:, BARS_PER_DAY // 2].mean()
    last = by_minute[:, -1].mean()
    assert first > 2 * midday
    assert last > 2 * midday


def test_volatility_matches_the_annual_figure() -> None:
    series = synthetic_bars(n=200_000, start_price=10_000.0, annual_volatility=0.3, seed=11)
    per_step = np.diff(np.log(series.close)).std()
    assert per_step == pytest.approx(0.3 / np.sqrt(252 * 390), rel=0.02)


def test_start_interval_and_epoch_start() -> None:
    series = synthetic_bars(n=3, start=1_000 * NANOS_PER_MINUTE, interval=timedelta(hours=1))
    assert series.ts.tolist() == [
        1_000 * NANOS_PER_MINUTE + i * 60 * NANOS_PER_MINUTE for i in range(3)
    ]
    assert series.duration_ns == 60 * NANOS_PER_MINUTE


def test_synthetic_million_bars_keep_open_equal_previous_close() -> None:
    series = synthetic_bars(n=1_000_000)
    assert len(series) == 1_000_000
    assert np.array_equal(series.open[1:], series.close[:-1])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": -1},
        {"interval": timedelta(0)},
        {"start_price": 0.0},
        {"annual_volatility": -0.1},
        {"base_volume": -1},
        {"start": datetime(2024, 1, 2)},  # naive
    ],
)
def test_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidRequest):
        synthetic_bars(**kwargs)  # type: ignore[arg-type]
