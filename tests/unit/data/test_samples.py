"""Bundled samples: contents, dates, split detection and adjustment."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pytest

from paperbroker.core.clock import NANOS_PER_MINUTE
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.samples import (
    available_samples,
    load_sample,
    sample_splits,
    sample_symbols,
)
from paperbroker.model.enums import AssetClass

ROWS = {"AAPL": 3270, "MSFT": 3270, "IBM": 3270, "GOOG": 2148, "FB": 196}
SPLITS = {
    "AAPL": [date(2000, 6, 21), date(2005, 2, 28)],
    "MSFT": [date(2003, 2, 18)],
}


def test_available_samples() -> None:
    assert set(available_samples()) == {"stocks", "eurusd"}


def test_stock_rows_dates_and_instruments() -> None:
    stocks = load_sample("stocks")
    assert {symbol: len(series) for symbol, series in stocks.items()} == ROWS
    assert sample_symbols()["AAPL"] == ("stocks", date(2000, 3, 1), date(2013, 3, 1))
    assert sample_symbols()["GOOG"] == ("stocks", date(2004, 8, 19), date(2013, 3, 1))
    assert sample_symbols()["FB"] == ("stocks", date(2012, 5, 18), date(2013, 3, 1))
    assert str(stocks["AAPL"].instrument.tick_size) == "0.0001"
    assert stocks["AAPL"].duration_ns == 390 * NANOS_PER_MINUTE


def test_eurusd() -> None:
    series = load_sample("eurusd")["EURUSD"]
    assert len(series) == 6225
    assert series.instrument.asset_class is AssetClass.FX
    assert series.duration_ns == 60 * NANOS_PER_MINUTE
    assert series.bar(0).time.isoformat() == "2017-01-01T23:00:00+00:00"  # opened 22:00
    assert sample_symbols()["EURUSD"] == ("eurusd", date(2017, 1, 1), date(2017, 12, 29))


def test_detected_splits_are_exactly_the_known_ones() -> None:
    found = {
        symbol: [split.day for split in splits]
        for symbol, splits in sample_splits().items()
        if splits
    }
    assert found == SPLITS
    assert all(s.ratio == Fraction(2) for splits in sample_splits().values() for s in splits)


def test_split_adjustment_removes_the_gaps() -> None:
    raw = load_sample("stocks", symbols=["AAPL"], adjust="none")["AAPL"]
    adjusted = load_sample("stocks", symbols="aapl")["AAPL"]
    assert raw.instrument == adjusted.instrument  # the raw prices' four decimals: a 0.0001 tick
    days = np.array([s.time.date() for s in map(raw.bar, range(len(raw)))])
    moves = adjusted.close[1:] / adjusted.close[:-1]
    raw_moves = raw.close[1:] / raw.close[:-1]
    for split_day in SPLITS["AAPL"]:
        near = np.abs(days[1:] - split_day) <= timedelta(days=7)
        assert np.any(raw_moves[near] < 0.6)  # the raw data has the gap ...
        assert np.all(np.abs(np.log(moves[near])) < np.log(1.4))  # ... adjusted has not
    # Before both splits: divided by 4, volume times 4; after: unchanged.
    assert adjusted.close[0] == pytest.approx(raw.close[0] / 4, abs=5e-5)
    assert adjusted.volume[0] == raw.volume[0] * 4
    assert adjusted.close[-1] == raw.close[-1]
    np.testing.assert_array_equal(adjusted.ts, raw.ts)


def test_unknown_names_list_what_exists() -> None:
    with pytest.raises(InvalidRequest, match="unknown sample 'crypto'; available: stocks, eurusd"):
        load_sample("crypto")
    with pytest.raises(InvalidRequest, match="no symbol 'TSLA'; symbols: AAPL, FB, GOOG"):
        load_sample("stocks", symbols=["AAPL", "TSLA"])
    with pytest.raises(InvalidRequest, match="adjust must be"):
        load_sample("stocks", adjust="dividends")  # type: ignore[arg-type]
