"""Period returns by day, month and year, and the strategy's return per market regime."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbroker.analytics.periods import (
    PeriodReturn,
    market_regimes,
    period_returns,
    regime_of,
    strategy_regimes,
)


def ns(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) * 1_000_000_000


TS = [ns(2024, 1, 30), ns(2024, 1, 31), ns(2024, 2, 1), ns(2024, 2, 29), ns(2024, 3, 1)]
EQ = [100.0, 110.0, 99.0, 121.0, 108.9]


def test_monthly_returns_chain_from_the_previous_periods_last_value() -> None:
    got = period_returns(TS, EQ, "month")
    assert [p.label for p in got] == ["2024-01", "2024-02", "2024-03"]
    assert [(p.start_ts, p.end_ts) for p in got] == [(TS[0], TS[1]), (TS[2], TS[3]), (TS[4], TS[4])]
    # Jan: 110/100 - 1; Feb: 121/110 - 1; Mar: 108.9/121 - 1.
    assert [p.value for p in got] == pytest.approx([0.1, 0.1, -0.1])


def test_daily_and_yearly_labels() -> None:
    days = period_returns(TS, EQ, "day")
    assert [p.label for p in days] == [
        "2024-01-30",
        "2024-01-31",
        "2024-02-01",
        "2024-02-29",
        "2024-03-01",
    ]
    assert days[0].value == 0.0
    assert days[2].value == pytest.approx(-0.1)
    years = period_returns(TS, EQ, "year")
    assert years == [PeriodReturn("2024", TS[0], TS[-1], pytest.approx(0.089))]


def test_a_period_on_a_zero_base_has_no_return() -> None:
    got = period_returns(
        [ns(2024, 1, 1), ns(2024, 2, 1), ns(2024, 3, 1)], [10.0, 0.0, 5.0], "month"
    )
    assert [p.value for p in got] == [0.0, -1.0, None]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="period"):
        period_returns(TS, EQ, "week")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="equal length"):
        period_returns(TS, EQ[:-1], "day")
    assert period_returns([], [], "day") == []


def test_regime_thresholds_are_inclusive_for_flat() -> None:
    assert regime_of(0.0101) == "up"
    assert regime_of(0.01) == "flat"
    assert regime_of(-0.01) == "flat"
    assert regime_of(-0.0101) == "down"
    assert regime_of(0.03, threshold=0.05) == "flat"


def test_strategy_return_compounds_over_each_regime() -> None:
    bench = [100.0, 105.0, 100.0, 104.0, 104.5]
    got = strategy_regimes(TS, EQ, bench, "month")
    # Benchmark: Jan 105/100-1 = +5 % (up), Feb 104/105-1 = -0.952 % (flat), Mar 104.5/104-1 (flat).
    by = {r.regime: r for r in got}
    assert [r.regime for r in got] == ["up", "down", "flat"]
    assert by["up"].periods == 1
    assert by["up"].strategy_return == pytest.approx(0.1)
    assert by["down"] == ("down", 0, None, None)
    assert by["flat"].periods == 2
    assert by["flat"].strategy_return == pytest.approx(1.1 * 0.9 - 1)
    assert by["flat"].benchmark_return == pytest.approx(104.5 / 105 - 1)


def test_regimes_match_periods_by_label() -> None:
    strategy = [PeriodReturn("2024-01", 0, 1, 0.2)]
    benchmark = [PeriodReturn("2024-01", 0, 1, -0.05), PeriodReturn("2024-02", 2, 3, 0.05)]
    got = {r.regime: r for r in market_regimes(strategy, benchmark)}
    assert got["down"].strategy_return == pytest.approx(0.2)
    assert got["up"].periods == 0
    with pytest.raises(ValueError, match="threshold"):
        market_regimes(strategy, benchmark, threshold=-1)


@given(
    st.lists(st.floats(0.5, 2.0), min_size=1, max_size=60),
    st.sampled_from(["day", "month", "year"]),
)
def test_period_returns_compound_to_the_total_return(factors: list[float], period: str) -> None:
    ts = [ns(2023, 12, 1) + i * 9 * 86_400 * 10**9 for i in range(len(factors) + 1)]
    eq = [100.0]
    for f in factors:
        eq.append(eq[-1] * f)
    got = period_returns(ts, eq, period)  # type: ignore[arg-type]
    total = math.prod(1 + (p.value or 0.0) for p in got) - 1
    assert total == pytest.approx(eq[-1] / eq[0] - 1, rel=1e-9, abs=1e-12)
