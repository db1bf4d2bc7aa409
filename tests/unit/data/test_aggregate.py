"""Timeframes and bar aggregation: hand-computed buckets, alignment in New York, a property."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.aggregate import (
    Bars,
    TimeFrame,
    Unit,
    aggregate,
    bucket_starts,
    check_timeframe,
    duration_text,
)
from paperbroker.data.series import BarSeries
from paperbroker.model.instrument import Instrument
from paperbroker.session.market import MarketData

NEW_YORK = ZoneInfo("America/New_York")
MINUTE = 60 * 10**9
HOUR = 60 * MINUTE


def utc(text: str) -> int:
    return datetime_to_ns(datetime.fromisoformat(text).replace(tzinfo=UTC))


Row = tuple[float, float, float, float, float]  # open, high, low, close, volume


def series_of(
    closes: Sequence[int],
    rows: Sequence[Row],
    duration_ns: int = MINUTE,
    instrument: Instrument | None = None,
) -> BarSeries:
    """A series of ``rows`` closing at ``closes`` (epoch ns)."""
    table = np.array(rows, dtype=np.float64).reshape(-1, 5)
    o, h, low, c, v = (table[:, k].copy() for k in range(5))
    instrument = instrument or Instrument.equity("SYN")
    return BarSeries(instrument, np.array(closes, dtype=np.int64), o, h, low, c, v, duration_ns)


def minute_bars(first_close: str, rows: Sequence[Row], step: int = 1) -> BarSeries:
    """Bars of ``step`` minutes, closing one after another from ``first_close`` (UTC)."""
    closes = [utc(first_close) + i * step * MINUTE for i in range(len(rows))]
    return series_of(closes, rows, step * MINUTE)


def rows_of(bars: Bars) -> list[tuple[int, float, float, float, float, float]]:
    return list(
        zip(
            bars.t.tolist(), bars.open.tolist(), bars.high.tolist(), bars.low.tolist(),
            bars.close.tolist(), bars.volume.tolist(), strict=True,
        )
    )  # fmt: skip


# Ten minutes from 09:30 New York on 2024-01-02 (EST, 14:30 UTC): (o, h, l, c, v).
TEN_MINUTES = [
    (10.0, 10.5, 9.8, 10.2, 100),
    (10.2, 10.9, 10.1, 10.8, 200),
    (10.8, 11.0, 10.0, 10.1, 300),
    (10.1, 10.3, 9.5, 9.9, 400),
    (9.9, 10.0, 9.7, 9.8, 500),
    (9.8, 12.0, 9.8, 11.5, 600),
    (11.5, 11.6, 11.0, 11.2, 700),
    (11.2, 11.3, 8.0, 8.5, 800),
    (8.5, 9.0, 8.4, 8.9, 900),
    (8.9, 9.1, 8.8, 9.0, 1000),
]


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("1Min", 1, Unit.MINUTE), ("59Min", 59, Unit.MINUTE), ("5T", 5, Unit.MINUTE),
        ("1Hour", 1, Unit.HOUR), ("12H", 12, Unit.HOUR), ("23Hour", 23, Unit.HOUR),
        ("1Day", 1, Unit.DAY), ("1D", 1, Unit.DAY), ("1Week", 1, Unit.WEEK), ("1W", 1, Unit.WEEK),
        ("1Month", 1, Unit.MONTH), ("3M", 3, Unit.MONTH), ("4Month", 4, Unit.MONTH),
        ("12Month", 12, Unit.MONTH),
    ],
)  # fmt: skip
def test_timeframes_alpaca_accepts(text: str, amount: int, unit: Unit) -> None:
    timeframe = TimeFrame.parse(text)
    assert (timeframe.amount, timeframe.unit) == (amount, unit)
    assert str(timeframe) == f"{amount}{unit.value}"


@pytest.mark.parametrize(
    "text",
    ["", "Min", "0Min", "60Min", "01Min", "24Hour", "2Day", "2Week", "5Month", "7M", "1Sec",
     "1min", "1 Min", "-1Min", "100Min", "1Minute"],
)  # fmt: skip
def test_timeframes_alpaca_refuses(text: str) -> None:
    with pytest.raises(InvalidRequest, match=r"is not one of \{1-59\}Min, \{1-23\}Hour"):
        TimeFrame.parse(text)


def test_a_timeframe_cannot_be_built_out_of_range() -> None:
    with pytest.raises(InvalidRequest, match="timeframe 2Day"):
        TimeFrame(2, Unit.DAY)


def test_duration_text() -> None:
    assert [duration_text(n) for n in (MINUTE, HOUR, 390 * MINUTE, 24 * HOUR, 1_500_000_000)] == [
        "1Min", "1Hour", "390Min", "1Day", "1.5s",
    ]  # fmt: skip


def test_five_minute_buckets() -> None:
    bars = aggregate(minute_bars("2024-01-02T14:31:00", TEN_MINUTES), TimeFrame.parse("5Min"))
    assert rows_of(bars) == [
        (utc("2024-01-02T14:30:00"), 10.0, 11.0, 9.5, 9.8, 1500.0),
        (utc("2024-01-02T14:35:00"), 9.8, 12.0, 8.0, 9.0, 4000.0),
    ]


def test_minute_buckets_count_from_new_york_midnight() -> None:
    # 09:30 is minute 570 of the day: 7-minute buckets start at 09:27 and 09:34.
    bars = aggregate(minute_bars("2024-01-02T14:31:00", TEN_MINUTES), TimeFrame.parse("7Min"))
    assert rows_of(bars) == [
        (utc("2024-01-02T14:27:00"), 10.0, 11.0, 9.5, 9.9, 1000.0),
        (utc("2024-01-02T14:34:00"), 9.9, 12.0, 8.0, 9.0, 4500.0),
    ]


def test_one_minute_bars_come_back_stamped_at_their_open() -> None:
    series = minute_bars("2024-01-02T14:31:00", TEN_MINUTES)
    bars = aggregate(series, TimeFrame.parse("1Min"))
    np.testing.assert_array_equal(bars.t, series.ts - MINUTE)
    np.testing.assert_array_equal(bars.volume, series.volume)


def test_hour_buckets_are_new_york_hours() -> None:
    # Minutes closing 10:59, 11:00, 11:01, 12:30 New York in winter (UTC-5).
    rows = [(10.0, 11.0, 9.0, 10.5, 1), (10.5, 12.0, 10.0, 11.0, 2), (11.0, 11.5, 10.5, 11.1, 4),
            (11.1, 11.2, 7.0, 7.5, 8)]  # fmt: skip
    ts = [utc(f"2024-01-02T{hm}:00") for hm in ("15:59", "16:00", "16:01", "17:30")]
    series = series_of(ts, rows)
    hourly = aggregate(series, TimeFrame.parse("1Hour"))
    assert rows_of(hourly) == [
        (utc("2024-01-02T15:00:00"), 10.0, 12.0, 9.0, 11.0, 3.0),  # 10:00 New York
        (utc("2024-01-02T16:00:00"), 11.0, 11.5, 10.5, 11.1, 4.0),
        (utc("2024-01-02T17:00:00"), 11.1, 11.2, 7.0, 7.5, 8.0),
    ]
    four_hourly = aggregate(series, TimeFrame.parse("4H"))  # 08:00-12:00, 12:00-16:00
    assert rows_of(four_hourly) == [
        (utc("2024-01-02T13:00:00"), 10.0, 12.0, 9.0, 11.1, 7.0),
        (utc("2024-01-02T17:00:00"), 11.1, 11.2, 7.0, 7.5, 8.0),
    ]


def test_days_are_new_york_dates_stamped_at_midnight() -> None:
    # Friday's last minute (EST), a Sunday-evening minute on the day clocks go
    # forward (EDT), and Monday's first minute: three days, three midnights.
    rows = [(1.0, 1.0, 1.0, 1.0, 1), (2.0, 2.0, 2.0, 2.0, 2), (3.0, 3.0, 3.0, 3.0, 4)]
    ts = [utc("2024-03-08T21:00:00"), utc("2024-03-10T22:01:00"), utc("2024-03-11T13:31:00")]
    series = series_of(ts, rows)
    days = aggregate(series, TimeFrame.parse("1Day"))
    assert days.t.tolist() == [
        utc("2024-03-08T05:00:00"),  # midnight EST
        utc("2024-03-10T05:00:00"),  # midnight, still EST: clocks change at 02:00
        utc("2024-03-11T04:00:00"),  # midnight EDT
    ]
    weeks = aggregate(series, TimeFrame.parse("1Week"))
    assert rows_of(weeks) == [
        (utc("2024-03-04T05:00:00"), 1.0, 2.0, 1.0, 2.0, 3.0),  # Monday 4 March to Sunday 10
        (utc("2024-03-11T04:00:00"), 3.0, 3.0, 3.0, 3.0, 4.0),
    ]


def test_the_two_one_oclock_hours_of_the_fall_back_night_stay_apart() -> None:
    # 2024-11-03: 01:00-02:00 EDT is 05:00-06:00 UTC, then 01:00-02:00 EST is 06:00-07:00 UTC.
    ts = [utc("2024-11-03T05:30:00"), utc("2024-11-03T06:30:00")]
    rows = [(1.0, 1.0, 1.0, 1.0, 1), (2.0, 2.0, 2.0, 2.0, 2)]
    series = series_of(ts, rows, instrument=Instrument.fx("EURUSD"))
    hours = aggregate(series, TimeFrame.parse("1Hour"))
    assert hours.t.tolist() == [utc("2024-11-03T05:00:00"), utc("2024-11-03T06:00:00")]
    day = aggregate(series, TimeFrame.parse("1Day"))
    assert rows_of(day) == [(utc("2024-11-03T04:00:00"), 1.0, 2.0, 1.0, 2.0, 3.0)]


def test_a_bucket_spanning_the_spring_forward_change_starts_under_the_old_offset() -> None:
    # 2022-03-13: 00:00-02:00 EST (05:00-07:00 UTC), then 03:00-04:00 EDT (07:00-08:00 UTC),
    # all in the 00:00-04:00 New York bucket, which started at 00:00 EST = 05:00 UTC.
    ts = [utc("2022-03-13T06:30:00"), utc("2022-03-13T07:30:00"), utc("2022-03-13T08:30:00")]
    rows = [(1.0, 1.0, 1.0, 1.0, 1), (2.0, 2.0, 2.0, 2.0, 2), (3.0, 3.0, 3.0, 3.0, 3)]
    series = series_of(ts, rows, instrument=Instrument.fx("EURUSD"))
    four = aggregate(series, TimeFrame.parse("4Hour"))
    assert rows_of(four) == [
        (utc("2022-03-13T05:00:00"), 1.0, 2.0, 1.0, 2.0, 3.0),
        (utc("2022-03-13T08:00:00"), 3.0, 3.0, 3.0, 3.0, 3.0),  # 04:00 EDT
    ]


@pytest.fixture(scope="module")
def aapl() -> BarSeries:
    """The bundled AAPL daily bars up to 2012-03-30 (each closes at 16:00 New York)."""
    series = MarketData.bundled().series("AAPL")
    assert series is not None
    return series.between(None, utc("2012-03-30T20:00:00"))


def test_weeks_of_daily_bars_start_on_monday(aapl: BarSeries) -> None:
    weeks = aggregate(aapl.between(utc("2012-01-03T00:00:00")), TimeFrame.parse("1Week"))
    # Hand-summed from the CSV; the week of 2 January starts on the holiday.
    assert rows_of(weeks)[:2] == [
        (utc("2012-01-02T05:00:00"), 409.4, 422.75, 409.0, 422.4, 41_135_900.0),
        (utc("2012-01-09T05:00:00"), 425.5001, 427.75, 418.66, 419.81, 46_639_800.0),
    ]
    assert weeks.t[-1] == utc("2012-03-26T04:00:00")  # EDT from 11 March


def test_months_of_daily_bars(aapl: BarSeries) -> None:
    months = aggregate(aapl, TimeFrame.parse("1Month"))
    assert rows_of(months)[-2] == (
        utc("2012-02-01T05:00:00"),
        458.41,
        547.61,
        453.98,
        542.44,
        406_019_800.0,
    )
    quarters = aggregate(aapl, TimeFrame.parse("3Month"))
    assert rows_of(quarters)[-1] == (
        utc("2012-01-01T05:00:00"),
        409.4,
        621.45,
        409.0,
        599.55,
        1_207_598_100.0,
    )
    assert quarters.t[-2] == utc("2011-10-01T04:00:00")
    years = aggregate(aapl, TimeFrame.parse("12Month"))
    assert rows_of(years)[-2] == (
        utc("2011-01-01T05:00:00"),
        325.64,
        426.7,
        310.5,
        405.0,
        4_430_690_700.0,
    )
    april = aggregate(aapl.between(utc("2012-01-01T00:00:00")), TimeFrame.parse("4Month"))
    assert april.t.tolist() == [utc("2012-01-01T05:00:00")]  # January to April


def test_a_day_of_daily_bars_is_the_bar_restamped(aapl: BarSeries) -> None:
    days = aggregate(aapl.between(utc("2012-01-03T00:00:00")), TimeFrame.parse("1Day"))
    assert rows_of(days)[0] == (
        utc("2012-01-03T05:00:00"),
        409.4,
        412.5,
        409.0,
        411.23,
        10_793_600.0,
    )
    assert days.size == 62
    # 23-hour buckets from midnight hold a whole 09:30-16:00 bar: the same stamps.
    np.testing.assert_array_equal(
        aggregate(aapl.between(utc("2012-01-03T00:00:00")), TimeFrame.parse("23Hour")).t,
        days.t,
    )


def test_a_finer_timeframe_names_both(aapl: BarSeries) -> None:
    with pytest.raises(
        InvalidRequest, match="timeframe 1Hour is finer than the stored 390Min bars"
    ):
        aggregate(aapl, TimeFrame.parse("1Hour"))
    with pytest.raises(InvalidRequest, match="finer than the stored 390Min bars of AAPL"):
        check_timeframe(aapl.between(0, -1), TimeFrame.parse("59Min"))  # even without bars
    hourly = minute_bars("2024-01-02T15:00:00", TEN_MINUTES, step=60)
    with pytest.raises(InvalidRequest, match="timeframe 30Min is finer than the stored 1Hour"):
        aggregate(hourly, TimeFrame.parse("30Min"))


def test_a_timeframe_that_would_cut_stored_bars_is_refused(aapl: BarSeries) -> None:
    # A 09:30-16:00 bar straddles 13:00, where 13-hour buckets change.
    with pytest.raises(InvalidRequest, match="13Hour does not fit the stored 390Min bars of AAPL"):
        aggregate(aapl, TimeFrame.parse("13Hour"))
    with pytest.raises(InvalidRequest, match="straddle"):
        check_timeframe(aapl, TimeFrame.parse("7Hour"))
    five = minute_bars("2024-01-02T14:35:00", TEN_MINUTES, step=5)  # 09:30-09:35, ...
    with pytest.raises(InvalidRequest, match="7Min does not fit the stored 5Min bars of SYN"):
        aggregate(five, TimeFrame.parse("7Min"))
    assert aggregate(five, TimeFrame.parse("10Min")).size == 5


def test_no_bars_give_no_buckets() -> None:
    empty = minute_bars("2024-01-02T14:31:00", [])
    bars = aggregate(empty, TimeFrame.parse("1Week"))
    assert bars.size == 0
    assert bars.t.dtype == np.int64


def test_bucket_starts_of_unsorted_instants() -> None:
    instants = np.array([utc("2024-07-04T16:00:00"), utc("2024-01-02T15:00:00")], dtype=np.int64)
    assert bucket_starts(instants, TimeFrame.parse("1Month")).tolist() == [
        utc("2024-07-01T04:00:00"), utc("2024-01-01T05:00:00"),
    ]  # fmt: skip


# -- property ------------------------------------------------------------------------------

TIMEFRAMES = [TimeFrame.parse(text) for text in (
    "1Min", "2Min", "5Min", "7Min", "15Min", "59Min", "1Hour", "2Hour", "4Hour", "7Hour",
    "23Hour", "1Day", "1Week", "1Month", "2Month", "3Month", "4Month", "6Month", "12Month",
)]  # fmt: skip


SECOND = 10**9


def _wall(ns: int) -> datetime:
    return datetime.fromtimestamp(ns // 10**9, tz=NEW_YORK).replace(tzinfo=None)


def walk_back_to(open_ns: int, naive_start: datetime) -> int:
    """The moment the wall clock, read backwards from ``open_ns`` along the stretch of
    the instant, reaches ``naive_start``: a bucket begins there, or at a clock change
    that leaves the stretch first (one that goes back, or one that skips the start)."""
    t = open_ns
    while True:
        offset = _offset(t)
        assert offset is not None
        local = (
            datetime_to_ns(naive_start.replace(tzinfo=UTC)) - int(offset.total_seconds()) * 10**9
        )
        segment = t // HOUR * HOUR  # back to the first hour with this offset (or the start)
        while segment > local and _offset(segment - SECOND) == offset:
            segment -= HOUR
        if local >= segment:
            return local
        before, after = _wall(segment - SECOND), _wall(segment)
        if before > after or before < naive_start:  # went back, or skipped the start
            return segment
        t = segment - SECOND


def _offset(ns: int) -> timedelta | None:
    return datetime.fromtimestamp(ns // 10**9, tz=NEW_YORK).utcoffset()


def expected_stamp(open_ns: int, timeframe: TimeFrame) -> int:
    """The bucket of a bar opening at ``open_ns``, from wall-clock arithmetic alone."""
    wall = datetime.fromtimestamp(open_ns // 10**9, tz=NEW_YORK)
    if timeframe.intraday:
        since_midnight = wall.hour * 3600 + wall.minute * 60 + wall.second
        width = timeframe.amount * (60 if timeframe.unit is Unit.MINUTE else 3600)
        naive = datetime.combine(wall.date(), time(0)) + timedelta(
            seconds=since_midnight // width * width
        )
        return walk_back_to(open_ns, naive)
    day = wall.date()
    if timeframe.unit is Unit.WEEK:
        day -= timedelta(days=day.weekday())
    elif timeframe.unit is Unit.MONTH:
        month = (day.month - 1) // timeframe.amount * timeframe.amount + 1
        day = date(day.year, month, 1)
    return datetime_to_ns(datetime.combine(day, time(0), tzinfo=NEW_YORK))


@st.composite
def minute_series(draw: st.DrawFn) -> BarSeries:
    n = draw(st.integers(1, 80))
    first = draw(
        st.integers(utc("2000-01-01T00:00:00") // MINUTE, utc("2030-01-01T00:00:00") // MINUTE)
    )
    gaps = draw(st.lists(st.integers(1, 90 * 24 * 60), min_size=n - 1, max_size=n - 1))
    closes = [first * MINUTE]
    for gap in gaps:
        closes.append(closes[-1] + gap * MINUTE)
    cents = st.integers(1, 100_000)
    rows: list[Row] = []
    for _ in range(n):
        o, c, up, down = draw(cents), draw(cents), draw(st.integers(0, 500)), draw(cents)
        low = max(1, min(o, c) - down)
        rows.append((o / 100, (max(o, c) + up) / 100, low / 100, c / 100, float(draw(cents))))
    return series_of(closes, rows)


@st.composite
def minutes_around_a_clock_change(draw: st.DrawFn) -> BarSeries:
    """Minute bars a few minutes apart across a night New York's clocks change."""
    year = draw(st.integers(2008, 2030))
    spring = draw(st.booleans())
    month, first_sunday = (3, 8) if spring else (11, 1)  # 2nd Sunday of March, 1st of November
    day = next(d for d in range(first_sunday, first_sunday + 7)
               if date(year, month, d).weekday() == 6)  # fmt: skip
    change = datetime_to_ns(datetime(year, month, day, 2, 0, tzinfo=NEW_YORK))
    first = change // MINUTE + draw(st.integers(-6 * 60, 60))
    gaps = draw(st.lists(st.integers(1, 40), min_size=1, max_size=60))
    closes = [first * MINUTE]
    for gap in gaps:
        closes.append(closes[-1] + gap * MINUTE)
    return series_of(closes, [(1.0, 1.0, 1.0, 1.0, 1.0)] * len(closes))


@settings(max_examples=200, deadline=None)
@given(series=minutes_around_a_clock_change(),
       timeframe=st.sampled_from([t for t in TIMEFRAMES if t.intraday]))  # fmt: skip
def test_buckets_across_a_clock_change_never_pass_their_bars_or_go_back(
    series: BarSeries, timeframe: TimeFrame
) -> None:
    opens = series.ts - series.duration_ns
    stamps = bucket_starts(opens, timeframe)
    assert np.all(stamps <= opens)
    assert np.all(np.diff(stamps) >= 0)
    expected = [expected_stamp(int(o), timeframe) for o in opens]
    assert stamps.tolist() == expected


@settings(max_examples=150, deadline=None)
@given(series=minute_series(), timeframe=st.sampled_from(TIMEFRAMES))
def test_aggregation_matches_a_wall_clock_reference(
    series: BarSeries, timeframe: TimeFrame
) -> None:
    bars = aggregate(series, timeframe)
    # Reference: group consecutive bars by their wall-clock bucket.
    expected: list[tuple[int, float, float, float, float, float]] = []
    for i in range(len(series)):
        stamp = expected_stamp(int(series.ts[i]) - MINUTE, timeframe)
        o, h, low, c, v = (float(col[i]) for col in (
            series.open, series.high, series.low, series.close, series.volume))  # fmt: skip
        if expected and expected[-1][0] == stamp:
            t, o0, h0, l0, _, v0 = expected[-1]
            expected[-1] = (t, o0, max(h0, h), min(l0, low), c, v0 + v)
        else:
            expected.append((stamp, o, h, low, c, v))
    assert rows_of(bars) == expected
    assert float(bars.volume.sum()) == float(series.volume.sum())  # whole volumes: exact
    assert np.all(bars.high >= np.maximum(bars.open, bars.close))
    assert np.all(bars.low <= np.minimum(bars.open, bars.close))
    assert np.all(np.diff(bars.t) > 0)
