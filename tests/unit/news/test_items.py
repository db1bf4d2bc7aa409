"""NewsItem validation and normalisation; RFC 3339 times to the nanosecond."""

from __future__ import annotations

import dataclasses

import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.news import NewsItem, content_id, format_rfc3339, parse_rfc3339
from paperbroker.news.items import MAX_HEADLINE

TS = 1_327_406_400_000_000_000  # 2012-01-24T12:00:00Z


def test_item_normalises_symbols_and_text() -> None:
    item = NewsItem(TS, ("aapl", " MSFT ", "AAPL"), "  Apple and Microsoft  ", source=" Wire ")
    assert item.symbols == ("AAPL", "MSFT")
    assert item.headline == "Apple and Microsoft"
    assert item.source == "Wire"
    assert item.body is None


def test_item_is_immutable() -> None:
    item = NewsItem(TS, ("AAPL",), "Headline")
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.headline = "other"  # type: ignore[misc]


def test_default_id_is_derived_from_the_content() -> None:
    first = NewsItem(TS, ("AAPL",), "Headline")
    assert first.id == NewsItem(TS, ("AAPL",), "Headline").id == content_id(first)
    assert first.id.startswith("n-")
    assert len(first.id) == 18
    assert first.id != NewsItem(TS + 1, ("AAPL",), "Headline").id
    assert first.id != NewsItem(TS, ("MSFT",), "Headline").id
    assert first.id != NewsItem(TS, ("AAPL",), "Headline", source="Wire").id
    assert first.id != NewsItem(TS, ("AAPL",), "Headline", body="Text").id
    assert NewsItem(TS, ("AAPL",), "Headline", id="abc-1").id == "abc-1"


def test_to_dict_is_the_jsonl_record() -> None:
    item = NewsItem(TS + 5, ("AAPL", "IBM"), "Headline", source="Wire", id="x1")
    assert item.to_dict() == {
        "id": "x1",
        "time": "2012-01-24T12:00:00.000000005Z",
        "symbols": ["AAPL", "IBM"],
        "headline": "Headline",
        "source": "Wire",
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ts": 1.5}, "ts must be an integer"),
        ({"ts": True}, "ts must be an integer"),
        ({"ts": 2**63}, "ts 9223372036854775808 is out of range"),
        ({"symbols": ()}, "symbols must name at least one symbol"),
        ({"symbols": "AAPL"}, "symbols must be a tuple of strings"),
        ({"symbols": ("AAPL", 3)}, "symbols must be strings"),
        ({"symbols": ("AA PL",)}, "symbols: 'AA PL' is not a symbol"),
        ({"symbols": ("",)}, "symbols: '' is not a symbol"),
        ({"symbols": ("\ufb01",)}, "symbols: '\ufb01' is not a symbol"),  # upper() gives FI
        ({"symbols": tuple(f"S{i}" for i in range(51))}, "symbols: 51 symbols, at most 50 allowed"),
        ({"headline": ""}, "headline must not be empty"),
        ({"headline": "   "}, "headline must not be empty"),
        ({"headline": None}, "headline must be a string"),
        ({"headline": "x" * (MAX_HEADLINE + 1)}, "headline has 501 characters, at most 500"),
        ({"headline": "two\nlines"}, "headline must be one line"),
        ({"source": ""}, "source must not be empty when given"),
        ({"source": 5}, "source must be a string"),
        ({"source": "a\tb"}, "source must be one line"),
        ({"body": "x" * 20_001}, "body has 20001 characters"),
        ({"body": "nul\x00"}, "body must not contain control characters"),
        ({"id": "has space"}, "id must be 1 to 128 printable ASCII"),
        ({"id": "x" * 129}, "id must be 1 to 128"),
    ],
)
def test_item_validation_names_the_field(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"ts": TS, "symbols": ("AAPL",), "headline": "Headline"}
    fields.update(kwargs)
    with pytest.raises(InvalidRequest, match="^" + message.replace("(", r"\(")):
        NewsItem(**fields)  # type: ignore[arg-type]


def test_body_keeps_line_breaks() -> None:
    assert NewsItem(TS, ("AAPL",), "H", body="one\ntwo\tthree").body == "one\ntwo\tthree"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2012-01-24T12:00:00Z", TS),
        ("2012-01-24t12:00:00z", TS),
        ("2012-01-24 12:00:00Z", TS),
        ("2012-01-24T07:00:00-05:00", TS),
        ("2012-01-24T17:30:00+05:30", TS),
        ("2012-01-24T12:00:00-00:00", TS),
        ("2012-01-24T12:00:00.5Z", TS + 500_000_000),
        ("2012-01-24T12:00:00.000000001Z", TS + 1),
        ("1969-12-31T23:59:59.999999999Z", -1),
    ],
)
def test_parse_rfc3339(text: str, expected: int) -> None:
    assert parse_rfc3339(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2012-01-24T12:00:00", "has no UTC offset"),
        ("2012-01-24T12:00", "has no UTC offset"),
        ("2012-01-24", "is a date; RFC 3339 needs a time and an offset"),
        ("24.01.2012 12:00", "is not RFC 3339"),
        ("1327406400", "is not RFC 3339"),
        ("2012-01-24T12:00:00.0000000001Z", "is not RFC 3339"),
        ("2012-02-30T12:00:00Z", "is not a valid date and time"),
        ("2012-01-24T24:00:00Z", "is not a valid date and time"),
        ("2012-01-24T12:00:00+24:00", "invalid UTC offset"),
        ("\u0662012-01-24T12:00:00Z", "is not RFC 3339"),  # an Arabic-Indic digit
    ],
)
def test_parse_rfc3339_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        parse_rfc3339(text)


def test_parse_rfc3339_refuses_non_strings() -> None:
    with pytest.raises(InvalidRequest, match="must be an RFC 3339 string"):
        parse_rfc3339(1327406400)  # type: ignore[arg-type]


@pytest.mark.parametrize("ts", [TS, TS + 1, TS + 120_000, -1, 0])
def test_format_round_trips(ts: int) -> None:
    assert parse_rfc3339(format_rfc3339(ts)) == ts


def test_format_rfc3339() -> None:
    assert format_rfc3339(TS) == "2012-01-24T12:00:00Z"
    assert format_rfc3339(TS + 120_000) == "2012-01-24T12:00:00.00012Z"
