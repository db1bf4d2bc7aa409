"""Read OHLCV bars from CSV and Parquet files into :class:`BarSeries`.

Vendors disagree on almost everything: column names, time formats, time
zones and whether a bar is stamped at its open or its close.  This module
turns all of that into the engine's one convention: ``ts`` is the bar's close
time in epoch nanoseconds UTC and ``duration_ns`` is its length.

- Columns are matched case-insensitively, ignoring spaces and punctuation,
  through a small alias table (``Date``, ``Gmt time``, ``Close``, ``c``, ...).
  Columns not in the table are ignored; :func:`load_bars_with_columns` also
  returns named extra columns (``Adj Close``) aligned with the bars.
- Quote bars: the eight columns ``bid_open`` .. ``ask_close`` (also spelled
  ``BidOpen``, ``open_bid``, ``bid.o``, ...) give each bar bid and ask OHLC.
  All eight or none; without trade open/high/low/close the series' prices
  are the mids (see :meth:`BarSeries.from_quotes`).
- Times may be ISO-8601 dates or datetimes (with or without an offset), epoch
  integers in s/ms/us/ns (unit chosen by magnitude) or the day-first form
  ``01.01.2017 22:00:00.000``.  Naive times are read in ``timezone``.
- A date-only column marks daily bars: each closes at its instrument's session
  close and lasts one session.  Midnight datetimes are *not* promoted to dates:
  for a 24-hour market that would move the close to the open.
- Row numbers in messages count data rows from 1 (the header is not a row).
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import (
    QUOTE_COLUMNS,
    BarSeries,
    FloatArray,
    IntArray,
    QuoteArrays,
    quote_checks,
)
from paperbroker.data.source_errors import first_line, first_null
from paperbroker.data.timestamps import close_times, format_time, parse_times, resolve_repeats
from paperbroker.model.instrument import Instrument

InstrumentSpec = Instrument | Callable[[str], Instrument] | None
"""An instrument for a one-symbol file, or a factory ``symbol -> Instrument``."""

DURATION_KEY = b"paperbroker.bar_duration_ns"
"""Parquet metadata key written by :func:`save_parquet`: JSON ``{symbol: ns}``."""
TICK_KEY = b"paperbroker.tick_size"
"""Parquet metadata key written by :func:`save_parquet`: JSON ``{symbol: "0.0001"}``."""

CSV_SUFFIXES = (".csv", ".csv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")

ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "date", "datetime", "gmt time", "ts"),
    "open": ("open", "o"),
    "high": ("high", "h"),
    "low": ("low", "l"),
    "close": ("close", "c"),
    "volume": ("volume", "vol", "v"),
    "symbol": ("symbol", "ticker"),
}
REQUIRED = ("time", "open", "high", "low", "close")
PRICES = ("open", "high", "low", "close")

QUOTE_ALIASES: dict[str, tuple[str, ...]] = {
    f"{side}_{field}": (f"{side}_{field}", f"{field}_{side}", f"{side}_{field[0]}")
    for side in ("bid", "ask")
    for field in PRICES
}
"""Quote columns in :data:`QUOTE_COLUMNS` order; ``BidOpen`` and ``bid.o`` match by normalising."""


class LoadedBars(NamedTuple):
    """A loaded series plus the requested extra columns, row-aligned with it."""

    series: BarSeries
    extra: dict[str, FloatArray]


def load_bars(
    path: str | Path,
    *,
    symbol: str | None = None,
    instrument: InstrumentSpec = None,
    timestamp: Literal["open", "close"] = "open",
    bar_duration: timedelta | None = None,
    timezone: str = "UTC",
) -> dict[str, BarSeries]:
    """Read a CSV (``.csv``, ``.csv.gz``) or Parquet (``.parquet``, ``.pq``) file of bars.

    A file with a symbol/ticker column yields one series per symbol (``symbol``
    then keeps only that one); otherwise ``symbol`` names the single series.
    ``instrument`` is an Instrument (one symbol) or a factory, default
    :meth:`Instrument.equity` (on the tick a file written by
    :func:`save_parquet` records).  Intraday stamps are bar opens unless
    ``timestamp="close"``; the duration is ``bar_duration`` or the most common
    gap between stamps.  Files written by :func:`save_parquet` carry their own
    close stamps and durations, so ``timestamp`` and ``bar_duration`` are ignored.
    Volume is optional (zeros when absent).  The result is keyed and ordered by symbol.

    With all eight quote columns (``bid_open``, ``bid_high``, ``bid_low``,
    ``bid_close``, ``ask_open`` .. ``ask_close``, or aliases such as
    ``BidOpen``/``open_bid``) each series carries :class:`QuoteArrays`; the
    trade open/high/low/close columns then become optional, and without them
    the series' prices are the mids of :meth:`BarSeries.from_quotes`.

    Raises:
        InvalidRequest: if the file is missing, unreadable or of an unknown
            type, a required column is missing, only some of the quote
            columns (or, beside quotes, some of the trade prices) are there,
            a value cannot be parsed, a symbol has two bars at one time, or
            the bars or quotes are inconsistent.
    """
    loaded = load_bars_with_columns(
        path,
        (),
        symbol=symbol,
        instrument=instrument,
        timestamp=timestamp,
        bar_duration=bar_duration,
        timezone=timezone,
    )
    return {name: item.series for name, item in loaded.items()}


def load_bars_with_columns(
    path: str | Path,
    columns: Sequence[str],
    *,
    symbol: str | None = None,
    instrument: InstrumentSpec = None,
    timestamp: Literal["open", "close"] = "open",
    bar_duration: timedelta | None = None,
    timezone: str = "UTC",
) -> dict[str, LoadedBars]:
    """Like :func:`load_bars`, also returning the numeric ``columns`` (e.g. ``"Adj Close"``).

    Each result's ``extra`` maps every requested name, as given, to a float
    array aligned with the series' bars.

    Raises:
        InvalidRequest: as :func:`load_bars`, and if a requested column is missing.
    """
    source = Path(path)
    name = source.name
    zone = _check_options(timestamp, bar_duration, timezone)
    symbol = None if symbol is None else symbol.strip().upper()  # symbols are upper case
    table = _read_table(source)
    if table.num_rows == 0:
        raise InvalidRequest(f"{name}: the file has no rows")
    found = _resolve_columns(table.column_names, name)
    extra_names = {
        wanted: _find_column(table.column_names, wanted, name, (wanted,)) for wanted in columns
    }
    saved = _saved_durations(table, name)

    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    times = parse_times(_column(table, found["time"]), found["time"], name, zone)
    quotes = (
        QuoteArrays(
            *(_to_float(_column(table, found[key]), found[key], name) for key in QUOTE_COLUMNS)
        )
        if QUOTE_COLUMNS[0] in found
        else None
    )
    if "open" in found or quotes is None:
        prices = {key: _to_float(_column(table, found[key]), found[key], name) for key in PRICES}
    else:
        prices = dict(zip(PRICES, quotes.mid(), strict=True))
    volume = (
        _to_float(_column(table, found["volume"]), found["volume"], name)
        if "volume" in found
        else np.zeros(table.num_rows, dtype=np.float64)
    )
    extras = {
        wanted: _to_float(_column(table, actual), actual, name)
        for wanted, actual in extra_names.items()
    }
    symbols, codes = _symbols(table, found.get("symbol"), symbol, instrument, name)
    if symbol is not None and "symbol" in found:
        keep = codes == symbols.index(symbol)
        symbols, codes = [symbol], np.zeros(int(keep.sum()), dtype=np.int64)
        rows, times = rows[keep], times.take(keep)
        prices = {key: column[keep] for key, column in prices.items()}
        volume = volume[keep]
        extras = {key: column[keep] for key, column in extras.items()}
        quotes = None if quotes is None else QuoteArrays(*(column[keep] for column in quotes))
    _check_rows(name, rows, symbols, codes, prices, volume, quotes)
    instruments = _instruments(symbols, instrument, name, _saved_ticks(table, name))

    values = resolve_repeats(times, codes)
    order = np.lexsort((values, codes))
    codes, stamps, rows = codes[order], values[order], rows[order]
    _check_duplicates(name, symbols, codes, stamps, rows, times.dates)
    bounds = np.searchsorted(codes, np.arange(len(symbols) + 1))
    durations, closes = close_times(
        name, symbols, instruments, bounds, stamps, times.dates, saved, timestamp, bar_duration
    )

    result: dict[str, LoadedBars] = {}
    for index, sym in enumerate(symbols):
        lo, hi = int(bounds[index]), int(bounds[index + 1])
        picked = order[lo:hi]
        try:
            series = BarSeries(
                instruments[sym],
                closes[lo:hi].copy(),
                prices["open"][picked],
                prices["high"][picked],
                prices["low"][picked],
                prices["close"][picked],
                volume[picked],
                durations[sym],
                None if quotes is None else QuoteArrays(*(column[picked] for column in quotes)),
            )
        except InvalidRequest as exc:
            raise InvalidRequest(f"{name}: {exc}") from None
        result[sym] = LoadedBars(series, {key: column[picked] for key, column in extras.items()})
    return result


def save_parquet(series: Mapping[str, BarSeries] | BarSeries, path: str | Path) -> None:
    """Write bars to a Parquet file that :func:`load_bars` reads back exactly.

    Columns are ``symbol``, ``ts`` (close time, ``timestamp[ns, UTC]``),
    ``open``, ``high``, ``low``, ``close`` and ``volume``, then the eight quote
    columns ``bid_open`` .. ``ask_close`` when the series have quotes; each
    symbol's bar duration and tick are stored in the file's key-value
    metadata under ``DURATION_KEY`` and ``TICK_KEY``.  Loading without an
    instrument makes equities on those ticks; other instruments are not
    stored: pass them again when loading.

    Raises:
        InvalidRequest: if the path is not ``.parquet``/``.pq``, there is nothing
            to save, a mapping key differs from its series' symbol, a symbol
            repeats, only some of the series have quotes (one file holds
            either kind, not both), or the file cannot be written.
    """
    target = Path(path)
    if not target.name.lower().endswith(PARQUET_SUFFIXES):
        raise InvalidRequest(f"{target}: save_parquet needs a .parquet or .pq path")
    items = [series] if isinstance(series, BarSeries) else list(series.values())
    if not isinstance(series, BarSeries):
        for key, value in series.items():
            if key != value.symbol:
                raise InvalidRequest(f"save_parquet: key {key!r} holds {value.symbol}'s series")
    if not items:
        raise InvalidRequest("save_parquet: no series to save")
    durations: dict[str, int] = {}
    for item in items:
        if item.symbol in durations:
            raise InvalidRequest(f"save_parquet: symbol {item.symbol} appears twice")
        durations[item.symbol] = item.duration_ns
    quoted = [item.quotes for item in items if item.quotes is not None]
    if quoted and len(quoted) < len(items):
        with_ = next(item.symbol for item in items if item.quotes is not None)
        without = next(item.symbol for item in items if item.quotes is None)
        raise InvalidRequest(
            f"save_parquet: {with_} has quotes and {without} has none; save them to separate files"
        )
    quote_columns = {
        key: pa.array(np.concatenate([quotes[index] for quotes in quoted]))
        for index, key in enumerate(QUOTE_COLUMNS if quoted else ())
    }
    lengths = [len(item) for item in items]
    names = np.repeat(np.array([item.symbol for item in items], dtype=object), lengths)
    stamps = np.concatenate([item.ts for item in items])
    table = pa.table(
        {
            "symbol": pa.array(names, type=pa.string()),
            "ts": pa.array(stamps, type=pa.int64()).cast(pa.timestamp("ns", tz="UTC")),
            **{
                key: pa.array(np.concatenate([getattr(item, key) for item in items]))
                for key in ("open", "high", "low", "close", "volume")
            },
            **quote_columns,
        }
    ).replace_schema_metadata(
        {
            DURATION_KEY: json.dumps(durations).encode(),
            TICK_KEY: json.dumps(
                {item.symbol: str(item.instrument.tick_size) for item in items}
            ).encode(),
        }
    )
    try:
        pq.write_table(table, str(target))
    except (pa.ArrowException, OSError) as exc:
        raise InvalidRequest(f"{target}: cannot write: {first_line(exc)}") from None


# --- reading -----------------------------------------------------------------


def _check_options(timestamp: str, bar_duration: timedelta | None, timezone: str) -> ZoneInfo:
    if timestamp not in ("open", "close"):
        raise InvalidRequest(f"timestamp must be 'open' or 'close', not {timestamp!r}")
    if bar_duration is not None and bar_duration <= timedelta(0):
        raise InvalidRequest(f"bar_duration must be positive, not {bar_duration}")
    try:
        return ZoneInfo(timezone)
    except (KeyError, ValueError, TypeError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise InvalidRequest(f"unknown time zone {timezone!r}") from None


def _read_table(path: Path) -> pa.Table:
    lower = path.name.lower()
    if not lower.endswith(CSV_SUFFIXES + PARQUET_SUFFIXES):
        raise InvalidRequest(
            f"{path}: unsupported file type; expected .csv, .csv.gz, .parquet or .pq"
        )
    if not path.is_file():
        raise InvalidRequest(f"{path}: no such file")
    try:
        if lower.endswith(PARQUET_SUFFIXES):
            return pq.read_table(str(path))
        header = _csv_header(path)
        convert = pa_csv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        return pa_csv.read_csv(str(path), convert_options=convert)
    except (pa.ArrowException, OSError, ValueError, EOFError, csv.Error) as exc:
        raise InvalidRequest(f"{path.name}: cannot read: {first_line(exc)}") from None


def _csv_header(path: Path) -> list[str]:
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    if not header:
        raise InvalidRequest(f"{path.name}: the file is empty")
    return header


def _column(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks()


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _find_column(
    names: Sequence[str], label: str, source: str, aliases: Sequence[str], required: bool = True
) -> str:
    wanted = {_norm(alias) for alias in aliases}
    hits = [name for name in names if _norm(name) in wanted]
    if len(hits) > 1:
        raise InvalidRequest(f"{source}: columns {', '.join(hits)} all look like the {label}")
    if hits:
        return hits[0]
    if required:
        raise InvalidRequest(
            f"{source}: no {label} column (accepted names: {', '.join(aliases)}); "
            f"columns found: {', '.join(names)}"
        )
    return ""


def _resolve_columns(names: Sequence[str], source: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, aliases in QUOTE_ALIASES.items():
        actual = _find_column(names, key, source, aliases, required=False)
        if actual:
            found[key] = actual
    quoted = _all_or_none(found, tuple(QUOTE_ALIASES), source, "quote columns")
    for key, aliases in ALIASES.items():
        required = key in REQUIRED and not (quoted and key in PRICES)
        actual = _find_column(names, key, source, aliases, required=required)
        if actual:
            found[key] = actual
    if quoted:
        _all_or_none(found, PRICES, source, "a quote file's trade prices")
    return found


def _all_or_none(found: Mapping[str, str], keys: Sequence[str], source: str, what: str) -> bool:
    """Whether all of ``keys`` were found; raise if only some were."""
    present = [found[key] for key in keys if key in found]
    if present and len(present) < len(keys):
        missing = ", ".join(key for key in keys if key not in found)
        raise InvalidRequest(
            f"{source}: {what} need all {len(keys)} or none; "
            f"missing {missing} (found {', '.join(present)})"
        )
    return bool(present)


def _saved_durations(table: pa.Table, source: str) -> dict[str, int] | None:
    metadata = table.schema.metadata or {}
    raw = metadata.get(DURATION_KEY)
    if raw is None:
        return None
    try:
        parsed = json.loads(raw)
        return {str(key): int(value) for key, value in parsed.items()}
    except (ValueError, TypeError, AttributeError):
        raise InvalidRequest(f"{source}: corrupt {DURATION_KEY.decode()} metadata") from None


def _saved_ticks(table: pa.Table, source: str) -> dict[str, Decimal]:
    raw = (table.schema.metadata or {}).get(TICK_KEY)
    if raw is None:
        return {}
    try:
        ticks = {str(key): Decimal(str(value)) for key, value in json.loads(raw).items()}
    except (ValueError, TypeError, AttributeError, ArithmeticError):
        raise InvalidRequest(f"{source}: corrupt {TICK_KEY.decode()} metadata") from None
    if not all(tick.is_finite() and tick > 0 for tick in ticks.values()):
        raise InvalidRequest(f"{source}: corrupt {TICK_KEY.decode()} metadata")
    return ticks


# --- column conversion -------------------------------------------------------


def _to_float(array: pa.Array, column: str, source: str) -> FloatArray:
    first_null(array, column, source)
    kind = array.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return np.asarray(array.cast(pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise InvalidRequest(f"{source}: column {column} has type {kind}, not numbers")
    text = pc.utf8_trim_whitespace(array)
    try:
        return np.asarray(text.cast(pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    except pa.ArrowInvalid as exc:
        for row, value in enumerate(text.to_pylist(), start=1):
            try:
                float(value)
            except ValueError:
                raise InvalidRequest(
                    f"{source}: column {column} row {row}: {value!r} is not a number"
                ) from None
        raise InvalidRequest(f"{source}: column {column}: {first_line(exc)}") from None


def _symbols(
    table: pa.Table,
    column: str | None,
    symbol: str | None,
    instrument: InstrumentSpec,
    source: str,
) -> tuple[list[str], IntArray]:
    """The sorted symbols (upper-cased, as everywhere) and, per row, the index of its symbol."""
    if column is None:
        if symbol is None and isinstance(instrument, Instrument):
            symbol = instrument.symbol
        if symbol is None:
            raise InvalidRequest(f"{source}: no symbol/ticker column; pass symbol=")
        return [symbol], np.zeros(table.num_rows, dtype=np.int64)
    array = _column(table, column)
    first_null(array, column, source)
    text = pc.utf8_upper(pc.utf8_trim_whitespace(array.cast(pa.string())))
    empty = pc.equal(text, "").to_numpy(zero_copy_only=False)
    if empty.any():
        row = int(np.argmax(empty)) + 1
        raise InvalidRequest(f"{source}: column {column} row {row}: empty symbol")
    encoded = pc.dictionary_encode(text)
    names: list[str] = encoded.dictionary.to_pylist()
    order = sorted(range(len(names)), key=names.__getitem__)
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    ordered = [names[index] for index in order]
    if symbol is not None and symbol not in ordered:
        raise InvalidRequest(
            f"{source}: symbol {symbol} not in the file; symbols found: {', '.join(ordered)}"
        )
    return ordered, rank[encoded.indices.to_numpy(zero_copy_only=False)]


def _instruments(
    symbols: Sequence[str], instrument: InstrumentSpec, source: str, ticks: Mapping[str, Decimal]
) -> dict[str, Instrument]:
    if isinstance(instrument, Instrument):
        if len(symbols) != 1 or symbols[0] != instrument.symbol:
            raise InvalidRequest(
                f"{source}: instrument {instrument.symbol} given but the file holds "
                f"{', '.join(symbols)}; pass a factory for several symbols"
            )
        return {instrument.symbol: instrument}
    result: dict[str, Instrument] = {}
    for sym in symbols:
        if instrument is not None:
            made = instrument(sym)
        elif sym in ticks:
            made = Instrument.equity(sym, str(ticks[sym]))
        else:
            made = Instrument.equity(sym)
        if made.symbol != sym:
            raise InvalidRequest(f"{source}: instrument factory returned {made.symbol} for {sym}")
        result[sym] = made
    return result


def _check_rows(
    source: str,
    rows: IntArray,
    symbols: Sequence[str],
    codes: IntArray,
    prices: Mapping[str, FloatArray],
    volume: FloatArray,
    quotes: QuoteArrays | None,
) -> None:
    """Name the first inconsistent row in file terms (BarSeries would only give its index).

    Quotes come first: mids derived from a bad quote would fail a trade-price check.
    """
    top = np.maximum(prices["open"], prices["close"])
    bottom = np.minimum(prices["open"], prices["close"])
    checks: list[tuple[str, npt.NDArray[np.bool_]]] = [] if quotes is None else quote_checks(quotes)
    checks += [
        (f"{key} is missing or not positive", ~(prices[key] > 0))
        for key in ("open", "high", "low", "close")
    ]
    checks += [
        ("volume is missing or negative", ~(volume >= 0)),
        ("high is below open or close", prices["high"] < top),
        ("low is above open or close", prices["low"] > bottom),
    ]
    for what, bad in checks:
        if bad.any():
            index = int(np.argmax(bad))
            raise InvalidRequest(f"{source}: row {rows[index]} ({symbols[codes[index]]}): {what}")


def _check_duplicates(
    source: str,
    symbols: Sequence[str],
    codes: IntArray,
    stamps: IntArray,
    rows: IntArray,
    dates: bool,
) -> None:
    same = (codes[1:] == codes[:-1]) & (stamps[1:] == stamps[:-1])
    if same.any():
        index = int(np.argmax(same))
        when = format_time(int(stamps[index]), dates)
        raise InvalidRequest(
            f"{source}: {symbols[codes[index]]} has two bars at {when} "
            f"(rows {min(rows[index], rows[index + 1])} and {max(rows[index], rows[index + 1])})"
        )
