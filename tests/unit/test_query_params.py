"""The query value types: what their schema accepts is what they read, and nothing else."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from paperbroker.api.params import (
    FIRST_TIME,
    LAST_TIME,
    MAX_SYMBOLS_TEXT,
    DateOrTime,
    Symbols,
    Time,
    Timeframe,
    TimeOrDate,
)

SYMBOLS = TypeAdapter(Symbols)
TIME = TypeAdapter(Time)
TIME_OR_DATE = TypeAdapter(TimeOrDate)
DATE_OR_TIME = TypeAdapter(DateOrTime)
TIMEFRAME = TypeAdapter(Timeframe)


def schema_pattern(adapter: TypeAdapter[Any]) -> re.Pattern[str]:
    return re.compile(adapter.json_schema()["pattern"])


@given(st.from_regex(schema_pattern(SYMBOLS), fullmatch=True))
def test_every_symbol_list_the_schema_accepts_is_read_upper_cased(text: str) -> None:
    if len(text) <= MAX_SYMBOLS_TEXT:
        assert SYMBOLS.validate_python(text) == text.upper()


@given(st.text(max_size=40))
def test_a_symbol_list_is_read_exactly_when_the_schema_accepts_it(text: str) -> None:
    accepted = schema_pattern(SYMBOLS).search(text) is not None
    try:
        SYMBOLS.validate_python(text)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "give at least one symbol"),
        ("AAPL,,MSFT", "'' is not a symbol"),
        (" AAPL", "' AAPL' is not a symbol"),
        ("AA$PL", "'AA$PL' is not a symbol"),
        ("A" * 40, "is not a symbol"),
    ],
)
def test_a_malformed_symbol_list_is_refused_naming_the_symbol(text: str, says: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(says)):
        SYMBOLS.validate_python(text)


OFFSETS = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(st.datetimes(timezones=OFFSETS))
def test_every_rfc_3339_time_is_read_within_what_nanoseconds_count(moment: datetime) -> None:
    read = TIME.validate_python(moment.isoformat(timespec="microseconds"))
    assert FIRST_TIME <= read <= LAST_TIME
    if FIRST_TIME <= moment <= LAST_TIME:
        assert read == moment


@pytest.mark.parametrize(
    "text",
    ["2012-01-03", "2012-01-03T10:00:00", "2012-13-01T00:00:00Z", "yesterday", "20120103T000000Z",
     "2012-01-03T10:00Z", "2012-W01-1", ""],
)  # fmt: skip
def test_a_time_without_an_offset_or_off_the_calendar_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        TIME.validate_python(text)


def test_far_times_are_held_to_the_ends_and_a_space_is_a_plus() -> None:
    assert TIME.validate_python("0001-01-01T00:00:00+05:00") == FIRST_TIME
    assert TIME.validate_python("9999-12-31T23:59:59Z") == LAST_TIME
    assert TIME.validate_python("2012-01-03T09:30:00 05:00") == datetime(
        2012, 1, 3, 4, 30, tzinfo=UTC
    )


def test_a_date_is_its_midnight_in_new_york_or_the_date_as_written() -> None:
    assert TIME_OR_DATE.validate_python("2012-01-03") == datetime(2012, 1, 3, 5, tzinfo=UTC)
    assert DATE_OR_TIME.validate_python("2012-01-03T23:00:00-05:00") == date(2012, 1, 3)
    with pytest.raises(ValidationError, match="'2012-02-30' is not a date"):
        DATE_OR_TIME.validate_python("2012-02-30")


@pytest.mark.parametrize("text", ["1Min", "59T", "23Hour", "1D", "1Week", "12Month", "6M"])
def test_every_timeframe_alpaca_names_is_read(text: str) -> None:
    assert TIMEFRAME.validate_python(text) == text


@pytest.mark.parametrize("text", ["0Min", "60Min", "24H", "2Day", "5Month", " 1Day", "7Sec"])
def test_other_timeframes_are_refused_naming_the_forms(text: str) -> None:
    with pytest.raises(ValidationError, match="is not one of"):
        TIMEFRAME.validate_python(text)
