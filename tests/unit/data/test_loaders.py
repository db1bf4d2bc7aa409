"""load_bars / save_parquet: formats, aliases, time conventions and error messages."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.loaders import load_bars, load_bars_with_columns, save_parquet
from paperbroker.data.series import BarSeries
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.model.enums import AssetClass
from paperbroker.model.instrument import Instrument

HOUR_NS = 60 * NANOS_PER_MINUTE


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return datetime_to_ns(datetime(year, month, day, hour, minute, tzinfo=UTC))


def write(path: Path, text: str) -> Path:
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


DAILY = """Ticker,Date,Open,High,Low,Close,Volume,Adj Close
AAPL,2000-03-02,127.0,127.94,120.69,122.0,2779100,3.9
MSFT,2000-03-01,89.62,94.09,88.94,90.81,53444900,30.1
AAPL,2000-03-01,118.56,132.06,118.5,130.31,9616100,4.1
AAPL,2000-07-03,52.0,53.0,51.0,52.5,1000,1.7
"""


# --- daily bars --------------------------------------------------------------


def test_daily_csv_splits_symbols_sorts_and_closes_at_new_york_close(tmp_path: Path) -> None:
    bars = load_bars(write(tmp_path / "daily.csv", DAILY))
    assert list(bars) == ["AAPL", "MSFT"]
    aapl = bars["AAPL"]
    assert len(aapl) == 3
    # Winter (EST): 16:00 New York is 21:00 UTC; 2000-07-03 closed early, at 13:00
    # New York (EDT), 17:00 UTC. The bars last a full session all the same.
    assert aapl.ts.tolist() == [utc(2000, 3, 1, 21), utc(2000, 3, 2, 21), utc(2000, 7, 3, 17)]
    assert aapl.duration_ns == 6 * HOUR_NS + 30 * NANOS_PER_MINUTE
    # A file that begins on an early close: its bars still last a full session.
    early = "Ticker,Date,Open,High,Low,Close,Volume\n" + "".join(
        f"IBM,{day},1,1,1,1,1\n" for day in ("2000-11-24", "2000-11-27")
    )
    ibm = load_bars(write(tmp_path / "early.csv", early))["IBM"]
    assert ibm.ts.tolist() == [utc(2000, 11, 24, 18), utc(2000, 11, 27, 21)]
    assert ibm.duration_ns == 6 * HOUR_NS + 30 * NANOS_PER_MINUTE
    assert aapl.close.tolist() == [130.31, 122.0, 52.5]
    assert aapl.volume.tolist() == [9616100.0, 2779100.0, 1000.0]
    assert aapl.instrument == Instrument.equity("AAPL")
    assert bars["MSFT"].bar(0).close == 90.81


def test_gzip_csv_and_extra_columns(tmp_path: Path) -> None:
    loaded = load_bars_with_columns(write(tmp_path / "daily.csv.gz", DAILY), ["adj_close"])
    assert loaded["AAPL"].extra["adj_close"].tolist() == [4.1, 3.9, 1.7]
    assert len(loaded["MSFT"].series) == 1


def test_symbol_filter_and_instrument_factory(tmp_path: Path) -> None:
    path = write(tmp_path / "daily.csv", DAILY)
    bars = load_bars(path, symbol="MSFT", instrument=lambda s: Instrument.equity(s, "0.0001"))
    assert list(bars) == ["MSFT"]
    assert str(bars["MSFT"].instrument.tick_size) == "0.0001"


@pytest.mark.parametrize(
    "header",
    [
        "date,open,high,low,close,volume",
        "DATE,O,H,L,C,V",
        "Timestamp,Open,High,Low,Close,Vol",
        "datetime, Open , High, Low, Close, Volume",
    ],
)
def test_column_aliases(tmp_path: Path, header: str) -> None:
    text = f"{header}\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11,200\n"
    bars = load_bars(write(tmp_path / "x.csv", text), symbol="X")
    assert bars["X"].close.tolist() == [10.5, 11.0]
    assert bars["X"].volume.tolist() == [100.0, 200.0]


def test_volume_is_optional(tmp_path: Path) -> None:
    text = "time,open,high,low,close\n2024-01-02,10,11,9,10.5\n"
    assert load_bars(write(tmp_path / "x.csv", text), symbol="X")["X"].volume.tolist() == [0.0]


def test_single_instrument_names_the_series(tmp_path: Path) -> None:
    text = "time,open,high,low,close\n2024-01-02,10,11,9,10.5\n"
    bars = load_bars(write(tmp_path / "x.csv", text), instrument=Instrument.equity("ZZ"))
    assert list(bars) == ["ZZ"]


# --- intraday and time formats -------------------------------------------------

EURUSD = """Time,Open,High,Low,Close,Volume
01.01.2017 22:00:00.000,1.05236,1.05253,1.05221,1.05227,143539993.3
01.01.2017 23:00:00.000,1.05227,1.05426,1.05226,1.05282,253139999.4
02.01.2017 00:00:00.000,1.05283,1.05283,1.05268,1.05281,131399993.9
02.01.2017 02:00:00.000,1.0524,1.0530,1.0520,1.0525,1.0
"""


def test_day_first_open_stamped_intraday_closes_one_duration_later(tmp_path: Path) -> None:
    bars = load_bars(
        write(tmp_path / "fx.csv", EURUSD), symbol="EURUSD", instrument=Instrument.fx("EURUSD")
    )
    series = bars["EURUSD"]
    assert series.duration_ns == HOUR_NS  # most common gap, despite the 2-hour hole
    assert series.ts[0] == utc(2017, 1, 1, 23)
    assert series.ts[-1] == utc(2017, 1, 2, 3)
    assert series.instrument.asset_class is AssetClass.FX


def test_close_stamps_and_explicit_duration(tmp_path: Path) -> None:
    path = write(tmp_path / "fx.csv", EURUSD)
    series = load_bars(path, symbol="E", timestamp="close", bar_duration=timedelta(minutes=30))
    assert series["E"].ts[0] == utc(2017, 1, 1, 22)
    assert series["E"].duration_ns == 30 * NANOS_PER_MINUTE


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("2024-01-02T14:30:00", "2024-01-02T14:31:00"),
        ("2024-01-02 14:30:00Z", "2024-01-02 14:31:00Z"),
        ("2024-01-02T09:30:00-05:00", "2024-01-02T09:31:00-05:00"),
        ("2024-01-02T14:30:00", "2024-01-02T09:31:00-05:00"),  # mixed: Python fallback
        ("1704205800", "1704205860"),  # epoch seconds
        ("1704205800000", "1704205860000"),  # epoch milliseconds
        ("1704205800000000000", "1704205860000000000"),  # epoch nanoseconds
    ],
)
def test_time_formats(tmp_path: Path, first: str, second: str) -> None:
    text = f"time,open,high,low,close\n{first},10,11,9,10\n{second},10,11,9,10\n"
    series = load_bars(write(tmp_path / "x.csv", text), symbol="X")["X"]
    assert series.ts.tolist() == [utc(2024, 1, 2, 14, 31), utc(2024, 1, 2, 14, 32)]
    assert series.duration_ns == NANOS_PER_MINUTE


def test_naive_times_are_read_in_the_given_timezone(tmp_path: Path) -> None:
    text = (
        "time,open,high,low,close\n"
        "2024-01-02 09:30,10,11,9,10\n2024-01-02 09:31,10,11,9,10\n"
        "2024-07-01 09:30,10,11,9,10\n"
    )
    path = write(tmp_path / "x.csv", text)
    series = load_bars(path, symbol="X", timezone="America/New_York", timestamp="close")["X"]
    assert series.ts.tolist() == [
        utc(2024, 1, 2, 14, 30),
        utc(2024, 1, 2, 14, 31),
        utc(2024, 7, 1, 13, 30),
    ]


def test_new_york_minutes_across_the_spring_change_keep_their_wall_times(
    tmp_path: Path,
) -> None:
    # Friday 2024-03-08 is EST (UTC-5); the clocks spring forward on Sunday the 10th,
    # so Monday's 09:30 is EDT (UTC-4): an hour earlier in UTC.
    text = "time,open,high,low,close\n" + "".join(
        f"2024-03-{day} 09:3{minute},10,11,9,10\n" for day in ("08", "11") for minute in (0, 1)
    )
    path = write(tmp_path / "x.csv", text)
    series = load_bars(path, symbol="X", timezone="America/New_York")["X"]
    assert series.ts.tolist() == [
        utc(2024, 3, 8, 14, 31), utc(2024, 3, 8, 14, 32),
        utc(2024, 3, 11, 13, 31), utc(2024, 3, 11, 13, 32),
    ]  # fmt: skip


@pytest.mark.parametrize("time_type", ["text", "parquet"])
def test_a_wall_time_the_clocks_skipped_is_refused_naming_the_row(
    tmp_path: Path, time_type: str
) -> None:
    times = ["2024-03-10 01:30", "2024-03-10 02:30", "2024-03-10 03:30"]
    if time_type == "text":
        rows = "".join(f"{t},10,11,9,10\n" for t in times)
        path = write(tmp_path / "x.csv", "time,open,high,low,close\n" + rows)
    else:
        path = tmp_path / "x.parquet"
        stamps = [datetime.fromisoformat(t) for t in times]
        pq.write_table(
            pa.table({"time": stamps, "open": [10.0] * 3, "high": [11.0] * 3,
                      "low": [9.0] * 3, "close": [10.0] * 3}),
            path,
        )  # fmt: skip
    with pytest.raises(InvalidRequest) as error:
        load_bars(path, symbol="X", timezone="America/New_York", timestamp="close")
    assert str(error.value) == (
        f"{path.name}: column time row 2: 2024-03-10T02:30:00 does not exist in "
        "America/New_York (the clocks skip it when they spring forward); "
        "is the file in another time zone?"
    )


def test_a_wall_time_shown_twice_is_first_then_second_occurrence_in_file_order(
    tmp_path: Path,
) -> None:
    # Hourly bars through the fall-back night of 2024-11-03 in New York: 01:00
    # comes twice (EDT, then EST), one symbol's each; another symbol has it once.
    rows = [
        ("A", "00:00"), ("A", "01:00"), ("B", "01:00"), ("A", "01:00"), ("A", "02:00"),
        ("B", "02:00"),
    ]  # fmt: skip
    text = "symbol,time,open,high,low,close\n" + "".join(
        f"{symbol},2024-11-03 {clock},10,11,9,10\n" for symbol, clock in rows
    )
    path = write(tmp_path / "x.csv", text)
    loaded = load_bars(path, timezone="America/New_York", timestamp="close")
    assert loaded["A"].ts.tolist() == [
        utc(2024, 11, 3, 4),
        utc(2024, 11, 3, 5),
        utc(2024, 11, 3, 6),
        utc(2024, 11, 3, 7),
    ]
    assert loaded["B"].ts.tolist() == [utc(2024, 11, 3, 5), utc(2024, 11, 3, 7)]
    third = text + "A,2024-11-03 01:00,10,11,9,10\n"
    with pytest.raises(InvalidRequest, match=r"A has two bars at 2024-11-03T05:00:00Z"):
        load_bars(write(tmp_path / "y.csv", third), timezone="America/New_York")


def test_out_of_order_rows_are_sorted(tmp_path: Path) -> None:
    text = (
        "time,open,high,low,close\n"
        "2024-01-02T00:02:00Z,3,3,3,3\n2024-01-02T00:00:00Z,1,1,1,1\n2024-01-02T00:01:00Z,2,2,2,2\n"
    )
    series = load_bars(write(tmp_path / "x.csv", text), symbol="X", timestamp="close")["X"]
    assert series.close.tolist() == [1.0, 2.0, 3.0]


# --- parquet -------------------------------------------------------------------


def test_parquet_round_trip_is_exact(tmp_path: Path) -> None:
    minute = synthetic_bars("SYN", 500, seed=7)
    fx = synthetic_bars("EURUSD", 50, seed=8, instrument=Instrument.fx("EURUSD"))
    path = tmp_path / "bars.parquet"
    save_parquet({"SYN": minute, "EURUSD": fx}, path)
    assert pq.read_schema(path).field("ts").type == pa.timestamp("ns", tz="UTC")

    back = load_bars(path, timestamp="open", bar_duration=timedelta(hours=5))  # both ignored
    assert list(back) == ["EURUSD", "SYN"]
    for original in (minute, fx):
        loaded = back[original.symbol]
        assert loaded.duration_ns == original.duration_ns
        for column in ("ts", "open", "high", "low", "close", "volume"):
            np.testing.assert_array_equal(getattr(loaded, column), getattr(original, column))


def test_parquet_keeps_each_symbols_tick_for_equities_loaded_without_instruments(
    tmp_path: Path,
) -> None:
    fine = synthetic_bars("FINE", 5, seed=1, instrument=Instrument.equity("FINE", "0.0001"))
    cents = synthetic_bars("CENTS", 5, seed=2)
    save_parquet({"FINE": fine, "CENTS": cents}, tmp_path / "two.parquet")
    back = load_bars(tmp_path / "two.parquet")
    assert back["FINE"].instrument == Instrument.equity("FINE", "0.0001")
    assert back["CENTS"].instrument == Instrument.equity("CENTS")
    given = load_bars(tmp_path / "two.parquet", instrument=Instrument.fx)  # a factory wins
    assert given["FINE"].instrument == Instrument.fx("FINE")


def test_single_series_round_trip_and_pq_suffix(tmp_path: Path) -> None:
    series = synthetic_bars("ONE", 10)
    save_parquet(series, tmp_path / "one.pq")
    back = load_bars(tmp_path / "one.pq")["ONE"]
    np.testing.assert_array_equal(back.ts, series.ts)


def test_foreign_parquet_with_typed_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            "Date": pa.array([datetime(2024, 1, 2).date(), datetime(2024, 1, 3).date()]),
            "Open": [10, 11],
            "High": [12, 12],
            "Low": [9, 10],
            "Close": [11.0, 11.5],
        }
    )
    pq.write_table(table, tmp_path / "d.parquet")
    series = load_bars(tmp_path / "d.parquet", symbol="X")["X"]
    assert series.ts.tolist() == [utc(2024, 1, 2, 21), utc(2024, 1, 3, 21)]
    assert series.open.dtype == np.float64


def test_save_parquet_rejects_mismatched_key(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="'A'"):
        save_parquet({"A": synthetic_bars("B", 3)}, tmp_path / "x.parquet")
    with pytest.raises(InvalidRequest, match=r"\.parquet"):
        save_parquet(synthetic_bars("B", 3), tmp_path / "x.csv")


# --- errors ----------------------------------------------------------------------


def test_missing_file_and_bad_suffix(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match=r"nope\.csv: no such file"):
        load_bars(tmp_path / "nope.csv", symbol="X")
    (tmp_path / "bars.json").write_text("{}")
    with pytest.raises(InvalidRequest, match=r"bars\.json: unsupported file type"):
        load_bars(tmp_path / "bars.json", symbol="X")


def test_missing_column_lists_found_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "time,open,high,low,volume\n2024-01-02,1,1,1,1\n")
    with pytest.raises(InvalidRequest) as caught:
        load_bars(path, symbol="X")
    message = str(caught.value)
    assert "x.csv: no close column" in message
    assert "columns found: time, open, high, low, volume" in message
    assert "\n" not in message


def test_missing_extra_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "time,open,high,low,close\n2024-01-02,1,1,1,1\n")
    with pytest.raises(InvalidRequest, match="no Adj Close column"):
        load_bars_with_columns(path, ["Adj Close"], symbol="X")


def test_symbol_required_without_symbol_column(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "time,open,high,low,close\n2024-01-02,1,1,1,1\n")
    with pytest.raises(InvalidRequest, match="no symbol/ticker column; pass symbol="):
        load_bars(path)


def test_unknown_symbol_lists_symbols(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidRequest, match="symbol IBM not in the file; symbols found: AAPL, MSFT"
    ):
        load_bars(write(tmp_path / "d.csv", DAILY), symbol="IBM")


def test_single_instrument_for_many_symbols_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="holds AAPL, MSFT"):
        load_bars(write(tmp_path / "d.csv", DAILY), instrument=Instrument.equity("AAPL"))


def test_bad_number_names_column_and_row(tmp_path: Path) -> None:
    text = "time,open,high,low,close\n2024-01-02,1,1,1,1\n2024-01-03,1,abc,1,1\n"
    with pytest.raises(InvalidRequest, match=r"x\.csv: column high row 2: 'abc' is not a number"):
        load_bars(write(tmp_path / "x.csv", text), symbol="X")


def test_empty_value_names_column_and_row(tmp_path: Path) -> None:
    text = "time,open,high,low,close\n2024-01-02,1,1,1,1\n2024-01-03,1,1,1,\n"
    with pytest.raises(InvalidRequest, match="column close row 2"):
        load_bars(write(tmp_path / "x.csv", text), symbol="X")


def test_bad_time_names_row(tmp_path: Path) -> None:
    text = "time,open,high,low,close\n2024-01-02T10:00,1,1,1,1\n2024-01-02Tnoon,1,1,1,1\n"
    with pytest.raises(InvalidRequest, match="column time row 2: cannot read '2024-01-02Tnoon'"):
        load_bars(write(tmp_path / "x.csv", text), symbol="X")
    text = "time,open,high,low,close\n2024-01-02,1,1,1,1\n2024-02-30,1,1,1,1\n"
    with pytest.raises(InvalidRequest, match="row 2: cannot read '2024-02-30'"):
        load_bars(write(tmp_path / "y.csv", text), symbol="X")


def test_duplicate_time_names_symbol_and_time(tmp_path: Path) -> None:
    text = DAILY + "MSFT,2000-03-01,89.62,94.09,88.94,90.81,53444900,30.1\n"
    with pytest.raises(InvalidRequest) as caught:
        load_bars(write(tmp_path / "d.csv", text))
    assert str(caught.value) == "d.csv: MSFT has two bars at 2000-03-01 (rows 2 and 5)"


def test_inconsistent_bar_names_file_row_and_symbol(tmp_path: Path) -> None:
    text = DAILY + "MSFT,2000-03-02,89.62,88.0,88.94,90.81,53444900,30.1\n"
    with pytest.raises(InvalidRequest, match=r"d.csv: row 5 \(MSFT\): high is below open or close"):
        load_bars(write(tmp_path / "d.csv", text))


def test_negative_volume_and_non_positive_price(tmp_path: Path) -> None:
    text = "time,open,high,low,close,volume\n2024-01-02,1,1,1,1,-5\n"
    with pytest.raises(InvalidRequest, match=r"row 1 \(X\): volume is missing or negative"):
        load_bars(write(tmp_path / "x.csv", text), symbol="X")
    text = "time,open,high,low,close\n2024-01-02,0,1,0,1\n"
    with pytest.raises(InvalidRequest, match=r"row 1 \(X\): open is missing or not positive"):
        load_bars(write(tmp_path / "y.csv", text), symbol="X")


def test_ambiguous_columns(tmp_path: Path) -> None:
    text = "date,time,open,high,low,close\n2024-01-02,10:00,1,1,1,1\n"
    with pytest.raises(InvalidRequest, match="columns date, time all look like the time"):
        load_bars(write(tmp_path / "x.csv", text), symbol="X")


def test_single_intraday_bar_needs_a_duration(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "time,open,high,low,close\n2024-01-02T10:00Z,1,1,1,1\n")
    with pytest.raises(InvalidRequest, match="pass bar_duration"):
        load_bars(path, symbol="X")
    series = load_bars(path, symbol="X", bar_duration=timedelta(minutes=5))["X"]
    assert series.ts.tolist() == [utc(2024, 1, 2, 10, 5)]


def test_ragged_csv_and_empty_file(tmp_path: Path) -> None:
    text = "time,open,high,low,close\n2024-01-02,1,1,1,1\n2024-01-03,1,1\n"
    with pytest.raises(InvalidRequest, match=r"x\.csv: cannot read"):
        load_bars(write(tmp_path / "x.csv", text), symbol="X")
    with pytest.raises(InvalidRequest, match=r"e\.csv: the file is empty"):
        load_bars(write(tmp_path / "e.csv", ""), symbol="X")
    with pytest.raises(InvalidRequest, match=r"h\.csv: the file has no rows"):
        load_bars(write(tmp_path / "h.csv", "time,open,high,low,close\n"), symbol="X")


def test_bad_options() -> None:
    with pytest.raises(InvalidRequest, match="unknown time zone 'Mars/Olympus'"):
        load_bars("x.csv", symbol="X", timezone="Mars/Olympus")
    with pytest.raises(InvalidRequest, match="timestamp must be"):
        load_bars("x.csv", symbol="X", timestamp="middle")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match="bar_duration must be positive"):
        load_bars("x.csv", symbol="X", bar_duration=timedelta(0))


def test_loaded_series_is_a_bar_series(tmp_path: Path) -> None:
    series = load_bars(write(tmp_path / "d.csv", DAILY))["AAPL"]
    assert isinstance(series, BarSeries)
    assert not series.close.flags.writeable
