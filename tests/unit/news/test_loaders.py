"""News files: CSV and JSON Lines, every refusal naming file and line, and the bundled sample."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from paperbroker.core.clock import ns_to_datetime
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.samples import load_sample
from paperbroker.news import (
    NewsItem,
    load_news,
    load_sample_news,
    loaders,
    parse_news,
    parse_rfc3339,
)

CSV_HEADER = "time,symbols,headline,source,id\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


# --- good files ---------------------------------------------------------------------


def test_csv_reads_sorts_stably_and_fills_optional_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "news.csv",
        CSV_HEADER
        + "2012-01-25T12:00:00Z,AAPL,Later,,\n"
        + "\n"
        + '2012-01-24T07:00:00-05:00,aapl; MSFT,"First, with a comma",Wire,a1\n'
        + "2012-01-24T12:00:00Z,IBM,Same time as the first,,\n",
    )
    items = load_news(path)
    assert [item.headline for item in items] == [
        "First, with a comma",
        "Same time as the first",
        "Later",
    ]
    first, second, third = items
    assert first == NewsItem(
        parse_rfc3339("2012-01-24T12:00:00Z"),
        ("AAPL", "MSFT"),
        "First, with a comma",
        "Wire",
        id="a1",
    )
    assert second.source is None
    assert second.id.startswith("n-")
    assert third.symbols == ("AAPL",)


def test_csv_columns_in_any_order_with_crlf_and_bom(tmp_path: Path) -> None:
    text = "\ufeffHeadline, Symbols ,TIME,body\r\nH1,GOOG,2012-03-01T16:30:00Z,Some text\r\n"
    items = load_news(write(tmp_path, "news.csv", text))
    assert len(items) == 1
    assert items[0].symbols == ("GOOG",)
    assert items[0].body == "Some text"


def test_csv_with_only_a_header_is_empty(tmp_path: Path) -> None:
    assert load_news(write(tmp_path, "news.csv", "time,symbols,headline\n")) == []


def test_jsonl_reads_optional_keys_and_skips_blank_lines(tmp_path: Path) -> None:
    lines = [
        {"time": "2012-02-01T12:00:00Z", "symbols": ["MSFT"], "headline": "B", "source": None},
        {
            "time": "2012-01-31T16:30:00Z",
            "symbols": ["aapl", "IBM"],
            "headline": "A",
            "source": "Wire",
            "body": "Body\ntext",
            "id": "x-1",
        },
    ]
    text = json.dumps(lines[0]) + "\n\n  \n" + json.dumps(lines[1]) + "\n"
    items = load_news(write(tmp_path, "news.jsonl", text))
    assert [item.headline for item in items] == ["A", "B"]
    assert items[0].symbols == ("AAPL", "IBM")
    assert items[0].body == "Body\ntext"
    assert items[0].id == "x-1"
    assert items[1].source is None


def test_jsonl_round_trips_through_to_dict(tmp_path: Path) -> None:
    items = load_sample_news()
    text = "".join(json.dumps(item.to_dict()) + "\n" for item in items)
    assert load_news(write(tmp_path, "copy.ndjson", text)) == items


def test_format_from_argument_and_from_memory(tmp_path: Path) -> None:
    text = CSV_HEADER + "2012-01-24T12:00:00Z,AAPL,H,,\n"
    assert len(load_news(write(tmp_path, "news.txt", text), file_format="csv")) == 1
    assert parse_news(text, file_format="csv")[0].headline == "H"
    assert parse_news("\ufeff" + text, file_format="csv")[0].headline == "H"


# --- refusals -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", ":1: no header; expected time,symbols,headline"),
        ("time,symbols,headlines\n", ":1: unknown column(s) 'headlines'; columns are"),
        ("time,symbols,headline,time\n", ":1: column(s) time given twice"),
        ("\ntime,symbols\n", ":2: header lacks column(s) headline"),
        (CSV_HEADER + "2012-01-24T12:00:00Z,AAPL,H\n", ":2: expected 5 fields"),
        (CSV_HEADER + "2012-01-24T12:00:00,AAPL,H,,\n", ":2: time '2012-01-24T12:00:00' has no"),
        (CSV_HEADER + "\n\nyesterday,AAPL,H,,\n", ":4: time 'yesterday' is not RFC 3339"),
        (CSV_HEADER + "2012-01-24T12:00:00Z,AAPL|MSFT,H,,\n", ":2: symbols 'AAPL|MSFT': separate"),
        (CSV_HEADER + "2012-01-24T12:00:00Z,AAPL;,H,,\n", ":2: symbols 'AAPL;': separate"),
        (CSV_HEADER + "2012-01-24T12:00:00Z,,H,,\n", ":2: symbols must name at least one"),
        (CSV_HEADER + "2012-01-24T12:00:00Z,A$,H,,\n", ":2: symbols: 'A$' is not a symbol"),
        (CSV_HEADER + "2012-01-24T12:00:00Z,AAPL, ,,\n", ":2: headline must not be empty"),
        (CSV_HEADER + '2012-01-24T12:00:00Z,AAPL,"a\nb",,\n', ":2: headline must be one line"),
        (CSV_HEADER + "2012-01-24T12:00:00Z,AAPL,H,,bad id\n", ":2: id must be"),
        (CSV_HEADER + '2012-01-24T12:00:00Z,AAPL,"H"x,,\n', ":2: bad CSV:"),
        (
            CSV_HEADER + "2012-01-24T12:00:00Z,AAPL,H,,a\n2012-01-25T12:00:00Z,IBM,G,,a\n",
            ":3: duplicate id 'a' (first on line 2)",
        ),
        (
            CSV_HEADER + "2012-01-24T12:00:00Z,AAPL,H,,\n2012-01-24T12:00:00Z,AAPL,H,,\n",
            ":3: duplicate id 'n-",
        ),
    ],
)
def test_csv_refusals_name_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "bad.csv", body)
    with pytest.raises(InvalidRequest) as caught:
        load_news(path)
    assert str(caught.value).startswith(f"{path}{message}"), str(caught.value)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"]', ":2: not valid JSON:"),
        ('["2012-01-24T12:00:00Z", ["AAPL"], "H"]', ":2: each line must be a JSON object"),
        ('{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"]}', ":2: missing key(s) headline"),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"], "headline": "H", "url": "x"}',
            ":2: unknown key(s) 'url'; keys are time, symbols, headline, source, id, body",
        ),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": "AAPL", "headline": "H"}',
            ":2: symbols must be a list of strings",
        ),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": [], "headline": "H"}',
            ":2: symbols must name at least one symbol",
        ),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": [1], "headline": "H"}',
            ":2: symbols must be strings",
        ),
        ('{"time": "2012-01-24", "symbols": ["AAPL"], "headline": "H"}', ":2: time '2012-01-24'"),
        (
            '{"time": "2012-01-24T12:00:00", "symbols": ["AAPL"], "headline": "H"}',
            ":2: time '2012-01-24T12:00:00' has no UTC offset",
        ),
        (
            '{"time": 1327406400, "symbols": ["AAPL"], "headline": "H"}',
            ":2: time must be an RFC 3339 string",
        ),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"], "headline": ""}',
            ":2: headline must not be empty",
        ),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"], "headline": 3}',
            ":2: headline must be a string",
        ),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"], "headline": "H", "id": 7}',
            ":2: id must be a non-empty string",
        ),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"], "headline": "H", "id": ""}',
            ":2: id must be a non-empty string",
        ),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"], "headline": "H", "source": ""}',
            ":2: source must not be empty",
        ),
        (
            '{"time": "2012-01-24T12:00:00Z", "time": "2012-01-24T12:00:00Z"}',
            ":2: key 'time' given twice",
        ),
        ('{"time": NaN}', ":2: NaN is not JSON"),
        (
            '{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"], "headline": "H", "id": "a"}',
            ":2: duplicate id 'a' (first on line 1)",
        ),
    ],
)
def test_jsonl_refusals_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    first = '{"time": "2012-01-23T12:00:00Z", "symbols": ["IBM"], "headline": "G", "id": "a"}'
    path = write(tmp_path, "bad.jsonl", first + "\n" + line + "\n")
    with pytest.raises(InvalidRequest) as caught:
        load_news(path)
    assert str(caught.value).startswith(f"{path}{message}"), str(caught.value)


def test_unknown_suffix_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match=r"news\.txt: unknown news format; use a suffix"):
        load_news(write(tmp_path, "news.txt", ""))
    with pytest.raises(InvalidRequest, match=r"absent\.csv: cannot read: No such file"):
        load_news(tmp_path / "absent.csv")
    with pytest.raises(InvalidRequest, match="<text>: unknown news format 'xml'"):
        parse_news("", file_format="xml")  # type: ignore[arg-type]


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", b"time,symbols,headline\n2012-01-24T12:00:00Z,AAPL,caf\xe9\n")
    with pytest.raises(InvalidRequest, match=r"bad\.csv:2: not valid UTF-8"):
        load_news(path)


def test_size_guards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_LINE_CHARS", 40)
    text = CSV_HEADER + "2012-01-24T12:00:00Z,AAPL,A headline long enough,,\n"
    with pytest.raises(InvalidRequest, match=r"long\.csv:2: line longer than 40 characters"):
        load_news(write(tmp_path, "long.csv", text))
    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 60)
    with pytest.raises(InvalidRequest, match=r"big\.csv: larger than 60 bytes"):
        load_news(write(tmp_path, "big.csv", text))
    with pytest.raises(InvalidRequest, match="<text>: larger than 60 bytes"):
        parse_news(text, file_format="csv")


# --- the bundled sample -------------------------------------------------------------


def test_sample_shape() -> None:
    items = load_sample_news()
    assert len(items) == 63
    assert [item.ts for item in items] == sorted(item.ts for item in items)
    assert [item.id for item in items] == [f"sample-{i:03d}" for i in range(1, 64)]
    assert {item.source for item in items} == {"Sample Wire"}
    counts = Counter(symbol for item in items for symbol in item.symbols)
    assert counts == {"AAPL": 17, "MSFT": 17, "IBM": 16, "GOOG": 17}
    assert ns_to_datetime(items[0].ts).date() == date(2012, 1, 5)
    assert ns_to_datetime(items[-1].ts).date() == date(2012, 6, 28)
    assert load_sample_news() == items
    assert load_sample_news() is not load_sample_news()  # callers get their own list


def test_sample_items_fall_on_days_with_bars() -> None:
    bars = load_sample("stocks", symbols=["AAPL", "MSFT", "IBM", "GOOG"])
    days = {
        symbol: {ns_to_datetime(int(ts)).date() for ts in series.ts}
        for symbol, series in bars.items()
    }
    for item in load_sample_news():
        for symbol in item.symbols:
            assert ns_to_datetime(item.ts).date() in days[symbol], (item.id, symbol)


def test_sample_checksum_is_recorded_in_attribution() -> None:
    files = resources.files("paperbroker.data").joinpath("files")
    digest = hashlib.sha256(files.joinpath("news_sample.jsonl").read_bytes()).hexdigest()
    assert f"{digest}  news_sample.jsonl" in files.joinpath("ATTRIBUTION.md").read_text()
