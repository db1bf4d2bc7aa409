"""Read news files (CSV or JSON Lines) into :class:`NewsItem` lists, and the bundled sample.

Both formats carry the same fields (see ``docs/news.md``):

- CSV: a header naming ``time``, ``symbols`` and ``headline`` and optionally
  ``source``, ``id`` and ``body``, in any order; symbols are separated by
  ``;`` (``AAPL;MSFT``).  An empty optional cell means "not given".
- JSONL: one object per line,
  ``{"time": "2012-01-24T12:00:00Z", "symbols": ["AAPL"], "headline": "..."}``
  with the same optional keys; blank lines are skipped.

Times are RFC 3339 and must carry an offset.  Unknown columns or keys are
refused rather than ignored, so a misspelt optional field cannot vanish.
The result is sorted by time, keeping file order among equal times; ids must
be unique.  Every error names the file and the line.  Files are only parsed
(``csv`` and ``json``), never evaluated or unpickled.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final, Literal

from paperbroker.core.errors import InvalidRequest
from paperbroker.news.items import NewsItem, parse_rfc3339

NewsFormat = Literal["csv", "jsonl"]

MAX_FILE_BYTES: Final = 16 * 1024 * 1024
MAX_LINE_CHARS: Final = 64 * 1024
SYMBOL_SEPARATOR: Final = ";"
SUFFIXES: Final[dict[str, NewsFormat]] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
SAMPLE_FILE: Final = "news_sample.jsonl"

REQUIRED_FIELDS: Final = ("time", "symbols", "headline")
OPTIONAL_FIELDS: Final = ("source", "id", "body")
_FIELDS: Final = frozenset(REQUIRED_FIELDS + OPTIONAL_FIELDS)


def load_news(path: str | Path, *, file_format: NewsFormat | None = None) -> list[NewsItem]:
    """Read a news file, sorted by time (stable); the format comes from the suffix by default.

    ``.csv`` is CSV; ``.jsonl`` and ``.ndjson`` are JSON Lines.  Files larger
    than ``MAX_FILE_BYTES`` or with a line longer than ``MAX_LINE_CHARS`` are
    refused before anything is parsed.

    Raises:
        InvalidRequest: naming the file (and line) of the first problem.
    """
    path = Path(path)
    kind = file_format or SUFFIXES.get(path.suffix.lower())
    if kind not in ("csv", "jsonl"):
        raise InvalidRequest(
            f"{path}: unknown news format; use a suffix {', '.join(SUFFIXES)} or file_format"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # never read more than the limit
    except OSError as exc:
        raise InvalidRequest(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_news(_decode(data, str(path)), file_format=kind, source=str(path))


def parse_news(text: str, *, file_format: NewsFormat, source: str = "<text>") -> list[NewsItem]:
    """Parse news held in memory (``source`` names it in errors), as :func:`load_news` does.

    Raises:
        InvalidRequest: naming ``source`` and the line of the first problem.
    """
    if len(text) > MAX_FILE_BYTES:
        raise InvalidRequest(f"{source}: larger than {MAX_FILE_BYTES} bytes")
    text = text.removeprefix("\ufeff")
    _check_lines(text, source)
    if file_format == "csv":
        rows = _csv_rows(text, source)
    elif file_format == "jsonl":
        rows = _jsonl_rows(text, source)
    else:
        raise InvalidRequest(f"{source}: unknown news format {file_format!r}; use csv or jsonl")
    items: list[NewsItem] = []
    first_line: dict[str, int] = {}
    for line, fields in rows:
        try:
            item = NewsItem(**fields)
        except InvalidRequest as exc:
            raise InvalidRequest(f"{source}:{line}: {exc}") from None
        if item.id in first_line:
            raise InvalidRequest(
                f"{source}:{line}: duplicate id {item.id!r} (first on line {first_line[item.id]})"
            )
        first_line[item.id] = line
        items.append(item)
    items.sort(key=_time)  # list.sort is stable: equal times keep file order
    return items


def load_sample_news() -> list[NewsItem]:
    """The bundled example news: fictional headlines on AAPL, MSFT, IBM and GOOG, 2012 H1.

    Parsed once per process; see ``docs/news.md`` for its contents.
    """
    return list(_sample())


#: A news file named in a session's configuration: a plain file name, no directories.
NEWS_NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
#: The name that stands for the bundled sample.
SAMPLE_NAME: Final = "sample"


def load_named_news(name: str, directory: Path | None) -> list[NewsItem]:
    """The news a configuration names: ``sample`` (the bundled file) or a news file.

    With a ``directory`` (a server's news directory) ``name`` must be a plain
    file name (:data:`NEWS_NAME_PATTERN`) of a regular file directly inside it,
    not a link, so a request can never read another file. Without one (a
    backtest in the user's own process) ``name`` is a path.

    Raises:
        InvalidRequest: for a name that is not allowed, a missing file, or bad contents.
    """
    if name == SAMPLE_NAME:
        return load_sample_news()
    if directory is None:
        path = Path(name)
    else:
        root = directory.resolve()
        path = root / name
        if (
            not NEWS_NAME_PATTERN.fullmatch(name)
            or path.is_symlink()
            or path.resolve().parent != root
        ):
            raise InvalidRequest(
                f"news {name[:64]!r} is not a file name in the news directory; "
                f"use {SAMPLE_NAME!r} or the name of a file there"
            )
    if not path.is_file():
        where = "" if directory is None else " in the news directory"
        raise InvalidRequest(f"news file {name[:128]!r} not found{where}")
    return load_news(path)


@cache
def _sample() -> tuple[NewsItem, ...]:
    resource = resources.files("paperbroker.data").joinpath("files").joinpath(SAMPLE_FILE)
    data = resource.read_bytes()
    return tuple(parse_news(_decode(data, SAMPLE_FILE), file_format="jsonl", source=SAMPLE_FILE))


def _time(item: NewsItem) -> int:
    return item.ts


def _decode(data: bytes, source: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise InvalidRequest(f"{source}: larger than {MAX_FILE_BYTES} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidRequest(f"{source}:{line}: not valid UTF-8") from None


def _check_lines(text: str, source: str) -> None:
    start = 0
    line = 1
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        if end - start > MAX_LINE_CHARS:
            raise InvalidRequest(f"{source}:{line}: line longer than {MAX_LINE_CHARS} characters")
        start = end + 1
        line += 1


# --- CSV -------------------------------------------------------------------------


def _csv_rows(text: str, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    end = 0  # the last physical line read so far
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InvalidRequest(f"{source}:{reader.line_num}: bad CSV: {exc}") from None
        end = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        if header is None:
            header = _csv_header(row, source, start)
            continue
        if len(row) != len(header):
            raise InvalidRequest(
                f"{source}:{start}: expected {len(header)} fields "
                f"({','.join(header)}), found {len(row)}"
            )
        yield start, _csv_fields(dict(zip(header, row, strict=True)), source, start)
    if header is None:
        raise InvalidRequest(f"{source}:1: no header; expected {','.join(REQUIRED_FIELDS)}")


def _csv_header(row: list[str], source: str, line: int) -> list[str]:
    names = [name.strip().lower() for name in row]
    unknown = [name for name in names if name not in _FIELDS]
    if unknown:
        raise InvalidRequest(
            f"{source}:{line}: unknown column(s) {', '.join(map(repr, unknown))}; "
            f"columns are {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InvalidRequest(f"{source}:{line}: column(s) {', '.join(repeated)} given twice")
    missing = [name for name in REQUIRED_FIELDS if name not in names]
    if missing:
        raise InvalidRequest(f"{source}:{line}: header lacks column(s) {', '.join(missing)}")
    return names


def _csv_fields(cells: dict[str, str], source: str, line: int) -> dict[str, Any]:
    try:
        ts = parse_rfc3339(cells["time"])
    except InvalidRequest as exc:
        raise InvalidRequest(f"{source}:{line}: {exc}") from None
    raw = cells["symbols"]
    parts = [part.strip() for part in raw.split(SYMBOL_SEPARATOR)]
    if any(mark in raw for mark in "|,") or (len(parts) > 1 and not all(parts)):
        raise InvalidRequest(
            f"{source}:{line}: symbols {raw!r}: separate symbols with "
            f"{SYMBOL_SEPARATOR!r}, as in AAPL{SYMBOL_SEPARATOR}MSFT"
        )
    fields: dict[str, Any] = {
        "ts": ts,
        "symbols": tuple(part for part in parts if part),
        "headline": cells["headline"],
    }
    for name in OPTIONAL_FIELDS:
        value = cells.get(name, "").strip()
        if value:
            fields[name] = value
    return fields


# --- JSON Lines -------------------------------------------------------------------


def _jsonl_rows(text: str, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise InvalidRequest(
                f"{source}:{line}: not valid JSON: {exc.msg} (column {exc.colno})"
            ) from None
        except ValueError as exc:
            raise InvalidRequest(f"{source}:{line}: {exc}") from None
        yield line, _json_fields(record, source, line)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"key {key!r} given twice")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_fields(record: object, source: str, line: int) -> dict[str, Any]:
    where = f"{source}:{line}"
    if not isinstance(record, dict):
        raise InvalidRequest(f"{where}: each line must be a JSON object")
    unknown = sorted(set(record) - _FIELDS)
    if unknown:
        raise InvalidRequest(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"keys are {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}"
        )
    missing = [name for name in REQUIRED_FIELDS if name not in record]
    if missing:
        raise InvalidRequest(f"{where}: missing key(s) {', '.join(missing)}")
    symbols = record["symbols"]
    if not isinstance(symbols, list):
        raise InvalidRequest(f"{where}: symbols must be a list of strings, not {symbols!r}")
    try:
        ts = parse_rfc3339(record["time"])
    except InvalidRequest as exc:
        raise InvalidRequest(f"{where}: {exc}") from None
    fields: dict[str, Any] = {"ts": ts, "symbols": tuple(symbols), "headline": record["headline"]}
    for name in OPTIONAL_FIELDS:
        value = record.get(name)
        if name == "id" and value is not None and (not isinstance(value, str) or not value):
            raise InvalidRequest(f"{where}: id must be a non-empty string, not {value!r}")
        if value is not None:
            fields[name] = value
    return fields
