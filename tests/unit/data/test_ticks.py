"""Tick grids: prices on or off them, the tick data needs, and the note that says so."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.data.ticks import data_notes, grid_floats, infer_tick, off_grid, off_grid_note
from paperbroker.model.instrument import Instrument
from paperbroker.model.values import price_on_grid

TICKS = ["1", "0.01", "0.0001", "0.00001", "1E-8", "0.05", "0.25"]


@settings(max_examples=200, deadline=None)
@given(
    prices=st.lists(
        st.one_of(
            st.floats(0.0001, 1e6, allow_nan=False, allow_infinity=False),
            # Exactly half a tick off the grid, where rounding could go either way.
            st.integers(1, 10**7).map(lambda n: n / 1000 + 0.005),
        ),
        min_size=1,
        max_size=50,
    ),
    tick=st.sampled_from(TICKS),
)
def test_grid_floats_are_the_marks_price_on_grid_gives(prices: list[float], tick: str) -> None:
    array = np.array(prices, dtype=np.float64)
    expected = [float(price_on_grid(p, Decimal(tick))) for p in prices]
    assert grid_floats(array, Decimal(tick)).tolist() == expected


def test_off_grid_marks_only_prices_the_grid_would_move() -> None:
    prices = np.array([144.78, 144.78172417, 147.25, 147.2459, 0.1 + 0.2])
    assert off_grid(prices, Decimal("0.01")).tolist() == [False, True, False, True, False]
    assert not off_grid(prices[:4], Decimal("1E-8")).any()


def test_the_note_names_the_symbol_the_tick_and_the_first_off_grid_price(build: Any) -> None:
    rows = [(144.78, 145.0, 144.5, 144.9), (144.9, 145.2, 144.7, 144.78172417), (145.0,) * 4]
    series = build.series(rows, symbol="SPY")
    assert off_grid_note(series) == (
        "SPY: 1 of 3 bars have prices off its 0.01 tick (e.g. close 144.78172417); "
        "fills and marks use the nearest tick (144.78)"
    )
    fine = build.series(rows, symbol="SPY", instrument=Instrument.equity("SPY", "1E-8"))
    assert off_grid_note(fine) is None


def test_a_note_is_logged_once_and_returned_every_time(
    build: Any, caplog: pytest.LogCaptureFixture
) -> None:
    series = build.series([(10.0, 10.1, 9.9, 10.004)], symbol="ONCE")
    with caplog.at_level(logging.WARNING, logger="paperbroker.data.ticks"):
        first = data_notes([series])
        second = data_notes([series])
    assert first == second
    assert len(first) == 1
    assert first[0].startswith(
        "ONCE: 1 of 1 bars have prices off its 0.01 tick (e.g. close 10.004)"
    )
    assert [r.getMessage() for r in caplog.records] == list(first)


@pytest.mark.parametrize(
    ("prices", "tick"),
    [
        ([144.78172417, 147.2459, 150.0], "1E-8"),  # dividend-adjusted minute prices
        ([19.301, 14.2675, 20.0], "0.0001"),
        ([50.0, 50.5, 51.25], "0.01"),  # never coarser than an equity's cent
        ([50.0, 51.0, 52.0], "0.01"),
        ([1.0 / 3.0, 0.5, 1.0], "1E-10"),  # beyond ten decimals: the finest, still noted
    ],
)
def test_infer_tick_is_the_coarsest_grid_every_price_is_on(
    build: Any, prices: list[float], tick: str
) -> None:
    rows = [(p, p, p, p) for p in prices]
    assert infer_tick(build.series(rows), Decimal("0.01")) == Decimal(tick)
