"""Quote bars: validation, mids, slicing, loading, Parquet round trips and the generator."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from paperbroker.core.clock import NANOS_PER_MINUTE
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.loaders import load_bars, load_bars_with_columns, save_parquet
from paperbroker.data.series import QUOTE_COLUMNS, BarSeries, QuoteArrays
from paperbroker.data.store import MarketDataStore
from paperbroker.data.synthetic import synthetic_bars, synthetic_quotes
from paperbroker.model.instrument import Instrument

XYZ = Instrument.equity("XYZ")
TS = np.array([NANOS_PER_MINUTE, 2 * NANOS_PER_MINUTE], dtype=np.int64)

# Two valid bars, one row of bid O/H/L/C then ask O/H/L/C each.
ROWS = [
    (10.0, 11.0, 9.0, 10.5, 10.1, 11.1, 9.1, 10.6),
    (10.5, 12.0, 10.0, 11.0, 10.6, 12.1, 10.1, 11.1),
]


def quotes(rows: Sequence[tuple[float, ...]] = ROWS) -> QuoteArrays:
    table = np.array(rows, dtype=np.float64)
    return QuoteArrays(*(np.ascontiguousarray(table[:, i]) for i in range(8)))


def with_value(column: str, row: int, value: float) -> QuoteArrays:
    changed = quotes()
    getattr(changed, column)[row] = value
    return changed


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def assert_same_quotes(left: BarSeries, right: BarSeries) -> None:
    assert left.quotes is not None
    assert right.quotes is not None
    for name in QUOTE_COLUMNS:
        np.testing.assert_array_equal(getattr(left.quotes, name), getattr(right.quotes, name))


def assert_same_series(left: BarSeries, right: BarSeries) -> None:
    assert left.symbol == right.symbol
    assert left.duration_ns == right.duration_ns
    for column in ("ts", "open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(left, column), getattr(right, column))
    assert_same_quotes(left, right)


# --- the series ------------------------------------------------------------------


def test_from_quotes_prices_are_the_mids_and_volume_defaults_to_zero() -> None:
    series = BarSeries.from_quotes(XYZ, TS, quotes(), NANOS_PER_MINUTE)
    np.testing.assert_allclose(series.open, [10.05, 10.55])
    np.testing.assert_allclose(series.high, [11.05, 12.05])  # (bid_high + ask_high) / 2
    np.testing.assert_allclose(series.low, [9.05, 10.05])  # (bid_low + ask_low) / 2
    np.testing.assert_allclose(series.close, [10.55, 11.05])
    assert series.volume.tolist() == [0.0, 0.0]
    assert series.bar(1).close == series.close[1]


def test_from_quotes_takes_a_volume() -> None:
    volume = np.array([5.0, 7.0])
    series = BarSeries.from_quotes(XYZ, TS, quotes(), NANOS_PER_MINUTE, volume=volume)
    assert series.volume.tolist() == [5.0, 7.0]


def test_quote_arrays_are_read_only() -> None:
    series = BarSeries.from_quotes(XYZ, TS, quotes(), NANOS_PER_MINUTE)
    assert series.quotes is not None
    for column in series.quotes:
        assert not column.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            column[0] = 1.0


def test_trade_prices_are_kept_beside_quotes() -> None:
    trade = np.array([10.06, 10.56])
    series = BarSeries(
        XYZ, TS, trade, trade + 1, trade - 1, trade, np.ones(2), NANOS_PER_MINUTE, quotes()
    )
    assert series.open.tolist() == [10.06, 10.56]
    assert series.quotes is not None
    assert series.quotes.ask_close.tolist() == [10.6, 11.1]


def test_a_series_without_quotes_has_none() -> None:
    assert synthetic_bars(n=3).quotes is None


def test_a_locked_market_is_allowed() -> None:
    locked = [(10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0)]
    series = BarSeries.from_quotes(XYZ, TS[:1], quotes(locked), NANOS_PER_MINUTE)
    assert series.close.tolist() == [10.0]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("bid_open", 0.0, "bid_open is missing or not positive"),
        ("ask_close", float("nan"), "ask_close is missing or not positive"),
        ("bid_high", 10.8, "bid_high is below bid_open or bid_close"),
        ("bid_low", 10.7, "bid_low is above bid_open or bid_close"),
        ("ask_high", 11.0, "ask_high is below ask_open or ask_close"),
        ("ask_low", 10.65, "ask_low is above ask_open or ask_close"),
        ("bid_open", 10.7, "bid_open is above ask_open"),
        ("bid_close", 11.2, "bid_close is above ask_close"),
        ("bid_high", 12.2, "bid_high is above ask_high"),
        ("bid_low", 10.2, "bid_low is above ask_low"),
    ],
)
def test_each_quote_rule_names_symbol_and_first_bad_row(
    column: str, value: float, message: str
) -> None:
    bad = with_value(column, 1, value)
    with pytest.raises(InvalidRequest) as caught:
        BarSeries.from_quotes(XYZ, TS, bad, NANOS_PER_MINUTE)
    assert str(caught.value) == f"XYZ: {message} at row 1"
    trade = np.array([10.05, 10.55])  # the rule holds with trade prices too
    with pytest.raises(InvalidRequest, match=f"XYZ: {message} at row 1"):
        BarSeries(XYZ, TS, trade, trade, trade, trade, np.ones(2), NANOS_PER_MINUTE, bad)


def test_quote_column_length_and_type() -> None:
    short = quotes()._replace(ask_low=np.array([9.1]))
    with pytest.raises(InvalidRequest, match="XYZ: column ask_low has 1 rows, ts has 2"):
        BarSeries.from_quotes(XYZ, TS, short, NANOS_PER_MINUTE)
    single = quotes()._replace(bid_high=np.array([11.0, 12.0], dtype=np.float32))
    with pytest.raises(InvalidRequest, match="XYZ: column bid_high must be float64"):
        BarSeries.from_quotes(XYZ, TS, single, NANOS_PER_MINUTE)
    trade = np.array([10.05, 10.55])
    with pytest.raises(InvalidRequest, match="column ask_low has 1 rows"):
        BarSeries(XYZ, TS, trade, trade, trade, trade, np.ones(2), NANOS_PER_MINUTE, short)


def test_between_slices_the_quotes() -> None:
    series = synthetic_quotes(n=10, seed=4)
    part = series.between(int(series.ts[2]), int(series.ts[5]))
    assert len(part) == 4
    assert part.quotes is not None
    assert series.quotes is not None
    for name in QUOTE_COLUMNS:
        np.testing.assert_array_equal(getattr(part.quotes, name), getattr(series.quotes, name)[2:6])
        assert not getattr(part.quotes, name).flags.writeable
    assert series.between() is series
    empty = series.between(int(series.ts[-1]) + 1)
    assert len(empty) == 0
    assert empty.quotes is not None
    assert len(empty.quotes.bid_open) == 0


# --- loading -----------------------------------------------------------------------

QUOTE_HEADER = "bid_open,bid_high,bid_low,bid_close,ask_open,ask_high,ask_low,ask_close"
QUOTE_CSV = f"""time,{QUOTE_HEADER}
2024-01-02T14:30:00Z,10,11,9,10.5,10.1,11.1,9.1,10.6
2024-01-02T14:31:00Z,10.5,12,10,11,10.6,12.1,10.1,11.1
"""


def test_quote_csv_gives_mids_and_zero_volume(tmp_path: Path) -> None:
    series = load_bars(write(tmp_path / "q.csv", QUOTE_CSV), symbol="X")["X"]
    assert series.quotes is not None
    assert series.quotes.bid_close.tolist() == [10.5, 11.0]
    assert series.quotes.ask_high.tolist() == [11.1, 12.1]
    np.testing.assert_allclose(series.open, [10.05, 10.55])
    np.testing.assert_allclose(series.high, [11.05, 12.05])
    assert series.volume.tolist() == [0.0, 0.0]
    assert series.duration_ns == NANOS_PER_MINUTE


def test_trade_columns_beside_quotes_are_kept(tmp_path: Path) -> None:
    text = (
        f"time,open,high,low,close,volume,{QUOTE_HEADER}\n"
        "2024-01-02T14:30:00Z,10.1,10.9,9.5,10.5,300,10,11,9,10.5,10.1,11.1,9.1,10.6\n"
    )
    path = write(tmp_path / "q.csv", text)
    series = load_bars(path, symbol="X", bar_duration=timedelta(minutes=1))["X"]
    bar = series.bar(0)
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume) == (10.1, 10.9, 9.5, 10.5, 300.0)
    assert series.quotes is not None
    assert series.quotes.bid_open.tolist() == [10.0]


@pytest.mark.parametrize(
    "names",
    [
        "BidOpen,BidHigh,BidLow,BidClose,AskOpen,AskHigh,AskLow,AskClose",  # FXCM
        "bidopen,bidhigh,bidlow,bidclose,askopen,askhigh,asklow,askclose",
        "open_bid,high_bid,low_bid,close_bid,open_ask,high_ask,low_ask,close_ask",
        "bid.o,bid.h,bid.l,bid.c,ask.o,ask.h,ask.l,ask.c",  # flattened OANDA candles
        "Bid Open,Bid High,Bid Low,Bid Close,Ask Open,Ask High,Ask Low,Ask Close",
    ],
)
def test_quote_column_aliases(tmp_path: Path, names: str) -> None:
    text = QUOTE_CSV.replace(QUOTE_HEADER, names)
    series = load_bars(write(tmp_path / "q.csv", text), symbol="X")["X"]
    expected = load_bars(write(tmp_path / "canonical.csv", QUOTE_CSV), symbol="X")["X"]
    assert_same_series(series, expected)


def test_some_quote_columns_is_a_one_line_error_naming_the_missing(tmp_path: Path) -> None:
    text = (
        "time,BidOpen,BidHigh,BidLow,BidClose,AskOpen,AskClose\n"
        "2024-01-02T14:30:00Z,10,11,9,10.5,10.1,10.6\n"
    )
    with pytest.raises(InvalidRequest) as caught:
        load_bars(write(tmp_path / "q.csv", text), symbol="X")
    message = str(caught.value)
    assert message.startswith("q.csv: quote columns need all 8 or none")
    assert "missing ask_high, ask_low" in message
    assert "\n" not in message


def test_some_trade_prices_beside_quotes_is_an_error(tmp_path: Path) -> None:
    text = f"time,close,{QUOTE_HEADER}\n2024-01-02T14:30:00Z,10.5,10,11,9,10.5,10.1,11.1,9.1,10.6\n"
    with pytest.raises(
        InvalidRequest,
        match=r"q\.csv: a quote file's trade prices need all 4 or none; missing open, high, low",
    ):
        load_bars(write(tmp_path / "q.csv", text), symbol="X")


def test_a_file_without_quotes_still_needs_trade_prices(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "time,open,high,low\n2024-01-02,1,1,1\n")
    with pytest.raises(InvalidRequest, match="no close column"):
        load_bars(path, symbol="X")


def test_bad_quote_row_is_named_in_file_terms(tmp_path: Path) -> None:
    text = QUOTE_CSV + "2024-01-02T14:32:00Z,11,12,10,11.2,11.1,12.1,10.1,11.1\n"
    with pytest.raises(InvalidRequest, match=r"q\.csv: row 3 \(X\): bid_close is above ask_close"):
        load_bars(write(tmp_path / "q.csv", text), symbol="X")


def test_quote_file_with_symbols_is_split_and_filtered(tmp_path: Path) -> None:
    text = (
        f"symbol,time,{QUOTE_HEADER}\n"
        "B,2024-01-02T14:31:00Z,20,21,19,20.5,20.1,21.1,19.1,20.6\n"
        "A,2024-01-02T14:31:00Z,10.5,12,10,11,10.6,12.1,10.1,11.1\n"
        "A,2024-01-02T14:30:00Z,10,11,9,10.5,10.1,11.1,9.1,10.6\n"
        "B,2024-01-02T14:30:00Z,19,20,18,19.5,19.1,20.1,18.1,19.6\n"
    )
    path = write(tmp_path / "q.csv", text)
    both = load_bars(path)
    assert both["A"].quotes is not None
    assert both["A"].quotes.bid_open.tolist() == [10.0, 10.5]  # sorted by time
    assert both["B"].quotes is not None
    assert both["B"].quotes.ask_close.tolist() == [19.6, 20.6]
    only = load_bars_with_columns(path, ["ask_close"], symbol="B")
    assert list(only) == ["B"]
    assert_same_series(only["B"].series, both["B"])
    assert only["B"].extra["ask_close"].tolist() == [19.6, 20.6]


# --- parquet ---------------------------------------------------------------------


def test_parquet_round_trip_keeps_quotes_exactly(tmp_path: Path) -> None:
    minute = synthetic_quotes("SYN", 500, seed=7)
    fx = synthetic_quotes("EURUSD", 50, seed=8, start_price=1.1, instrument=Instrument.fx("EURUSD"))
    path = tmp_path / "quotes.parquet"
    save_parquet({"SYN": minute, "EURUSD": fx}, path)
    back = load_bars(
        path, instrument=lambda s: fx.instrument if s == "EURUSD" else Instrument.equity(s)
    )
    assert list(back) == ["EURUSD", "SYN"]
    assert_same_series(back["SYN"], minute)
    assert_same_series(back["EURUSD"], fx)


def test_csv_to_parquet_round_trip_keeps_trades_and_quotes(tmp_path: Path) -> None:
    text = (
        f"time,open,high,low,close,volume,{QUOTE_HEADER}\n"
        "2024-01-02T14:30:00Z,10.1,10.9,9.5,10.5,300,10,11,9,10.5,10.1,11.1,9.1,10.6\n"
        "2024-01-02T14:31:00Z,10.5,12,10.2,11,200,10.5,12,10,11,10.6,12.1,10.1,11.1\n"
    )
    series = load_bars(write(tmp_path / "q.csv", text), symbol="X")["X"]
    save_parquet(series, tmp_path / "q.parquet")
    assert_same_series(load_bars(tmp_path / "q.parquet")["X"], series)


def test_parquet_holds_series_with_quotes_or_without_not_both(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="Q has quotes and T has none"):
        save_parquet(
            {"Q": synthetic_quotes("Q", 3), "T": synthetic_bars("T", 3)}, tmp_path / "x.parquet"
        )


def test_imported_quotes_survive_the_store(tmp_path: Path) -> None:
    store = MarketDataStore(tmp_path / "market")
    imported = store.import_file(write(tmp_path / "q.csv", QUOTE_CSV), "QTEST").series
    assert imported.quotes is not None
    assert_same_series(store.load_all()["QTEST"], imported)


# --- the generator ---------------------------------------------------------------


def test_synthetic_quotes_same_seed_same_series_different_seed_different() -> None:
    first, again = synthetic_quotes(n=2_000, seed=1), synthetic_quotes(n=2_000, seed=1)
    other = synthetic_quotes(n=2_000, seed=2)
    assert_same_series(first, again)
    assert first.quotes is not None
    assert other.quotes is not None
    assert not np.array_equal(first.quotes.bid_close, other.quotes.bid_close)


def test_synthetic_quotes_invariants() -> None:
    series = synthetic_quotes(n=50_000, seed=3, annual_volatility=0.5, spread_ticks=3.0)
    q = series.quotes
    assert q is not None
    spread_open, spread_close = q.ask_open - q.bid_open, q.ask_close - q.bid_close
    assert spread_open.min() >= 0.01 - 1e-9  # at least one tick, never crossed or locked
    assert spread_close.min() >= 0.01 - 1e-9
    assert spread_close.mean() == pytest.approx(0.03, rel=0.05)
    for column in q:
        np.testing.assert_array_equal(column, np.round(column, 2))  # on the tick grid
        assert np.all(column >= 0.01)
    np.testing.assert_array_equal(q.bid_open[1:], q.bid_close[:-1])  # opens at the last close
    np.testing.assert_array_equal(q.ask_open[1:], q.ask_close[:-1])
    assert np.any(q.bid_high > np.maximum(q.bid_open, q.bid_close))  # some excursion
    assert np.any(q.ask_low < np.minimum(q.ask_open, q.ask_close))


def test_synthetic_quotes_sit_around_the_synthetic_bars_walk() -> None:
    quoted, traded = synthetic_quotes(n=5_000, seed=6), synthetic_bars(n=5_000, seed=6)
    np.testing.assert_array_equal(quoted.ts, traded.ts)
    np.testing.assert_array_equal(quoted.volume, traded.volume)
    assert np.abs(quoted.close - traded.close).max() <= 0.005 + 1e-9  # half a tick at most
    assert quoted.duration_ns == traded.duration_ns


def test_one_tick_spread_everywhere() -> None:
    q = synthetic_quotes(n=1_000, seed=2, spread_ticks=1).quotes
    assert q is not None
    np.testing.assert_allclose(q.ask_close - q.bid_close, 0.01, atol=1e-9)


def test_synthetic_quotes_at_a_tiny_price_and_on_an_fx_grid() -> None:
    tiny = synthetic_quotes(n=5_000, start_price=0.01, annual_volatility=3.0, seed=5)
    assert tiny.quotes is not None
    assert tiny.quotes.bid_low.min() == 0.01
    fx = synthetic_quotes(n=1_000, start_price=1.1, instrument=Instrument.fx("EURUSD"))
    assert fx.quotes is not None
    np.testing.assert_array_equal(fx.quotes.ask_close, np.round(fx.quotes.ask_close, 5))
    assert len(synthetic_quotes(n=0)) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"spread_ticks": 0.5}, "spread_ticks must be >= 1"),
        ({"spread_ticks": float("nan")}, "spread_ticks must be >= 1"),
        ({"n": -1}, "synthetic_quotes: n must be >= 0"),
    ],
)
def test_synthetic_quotes_bad_arguments(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        synthetic_quotes(**kwargs)  # type: ignore[arg-type]
