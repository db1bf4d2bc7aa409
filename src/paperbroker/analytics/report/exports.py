"""The report as data: one JSON document, or CSV files per part.

Money, prices and quantities are exact decimal strings (never floats);
times RFC 3339 UTC; ratios as :meth:`Metrics.as_dict` writes them. The JSON
document has ``config``, ``metrics``, ``trades``, ``fills``, ``equity``
(``[{t, v}]``) and ``benchmark``; a CSV part is one of :data:`PARTS`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Literal

from paperbroker.analytics.report.data import ReportData, exact
from paperbroker.analytics.trades import Trade
from paperbroker.core.clock import ns_to_text
from paperbroker.model.fill import Fill

Part = Literal["metrics", "trades", "fills", "equity"]
PARTS: Final[tuple[Part, ...]] = ("metrics", "trades", "fills", "equity")
#: The version of the JSON document's shape.
SCHEMA_VERSION: Final = 1


def money(value: Decimal) -> str:
    """An exact decimal as plain digits (no exponent, no negative zero)."""
    return "0" if not value else format(value, "f")


def trade_row(t: Trade) -> dict[str, Any]:
    """One trade as JSON values (the field names of the API's trades)."""
    return {
        "symbol": t.symbol,
        "direction": t.direction,
        "qty": money(t.qty),
        "entry_time": ns_to_text(t.entry_ts),
        "entry_price": money(t.entry_price),
        "exit_time": None if t.exit_ts is None else ns_to_text(t.exit_ts),
        "exit_price": None if t.exit_price is None else money(t.exit_price),
        "gross_pnl": money(t.gross_pnl),
        "fees": money(t.fees),
        "pnl": money(t.pnl),
        "return_pct": repr(t.return_pct),
        "fill_ids": [str(f) for f in t.fill_ids],
    }


def fill_row(f: Fill) -> dict[str, Any]:
    """One fill as JSON values."""
    return {
        "id": str(f.id),
        "order_id": str(f.order_id),
        "account_id": str(f.account_id),
        "symbol": f.symbol,
        "side": f.side.value,
        "qty": money(f.qty),
        "price": money(f.price),
        "fee": money(f.fee),
        "time": ns_to_text(f.ts),
        "liquidity": f.liquidity.value,
        "rule": f.rule.value,
        "reference_price": money(f.reference_price),
        "slippage": money(f.slippage),
        "bar_time": ns_to_text(f.bar_ts),
        "model": f.model,
        "latency_seconds": money(Decimal(f.latency_ns).scaleb(-9)),
    }


def equity_points(data: ReportData) -> list[dict[str, str]]:
    return [
        {"t": ns_to_text(t), "v": money(v)}
        for t, v in zip(data.equity_ts, data.equity, strict=True)
    ]


def to_document(data: ReportData) -> dict[str, Any]:
    """The whole report as one JSON-ready dict (see the module doc)."""
    benchmark = None
    if data.benchmark is not None:
        benchmark = {
            "symbol": data.benchmark.symbol,
            "equity": [
                {"t": ns_to_text(t), "v": money(exact(v))}
                for t, v in zip(data.benchmark.ts, data.benchmark.equity, strict=True)
            ],
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "title": data.title,
        "config": dict(data.config),
        "metrics": dict(data.metrics),
        "final_equity": None if data.final_equity is None else money(data.final_equity),
        "trades": [trade_row(t) for t in data.trades],
        "fills": [fill_row(f) for f in data.fills],
        "equity": equity_points(data),
        "benchmark": benchmark,
    }


def to_json(data: ReportData) -> str:
    """:func:`to_document` as JSON text (strict: no NaN or infinity)."""
    return json.dumps(to_document(data), indent=2, default=str, allow_nan=False)


def to_csv(data: ReportData, part: Part) -> str:
    """One part of the report as CSV text with a header row.

    Raises:
        ValueError: for a part that is not one of :data:`PARTS`.
    """
    if part == "metrics":
        return _csv(["metric", "value"], ([k, _cell(v)] for k, v in data.metrics.items()))
    if part == "trades":
        return _rows_csv([trade_row(t) for t in data.trades], _TRADE_COLUMNS)
    if part == "fills":
        return _rows_csv([fill_row(f) for f in data.fills], _FILL_COLUMNS)
    if part == "equity":
        return _csv(["time", "equity"], ([p["t"], p["v"]] for p in equity_points(data)))
    raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")


_TRADE_COLUMNS: Final = (
    "symbol", "direction", "qty", "entry_time", "entry_price", "exit_time", "exit_price",
    "gross_pnl", "fees", "pnl", "return_pct", "fill_ids",
)  # fmt: skip
_FILL_COLUMNS: Final = (
    "id", "order_id", "account_id", "symbol", "side", "qty", "price", "fee", "time", "liquidity",
    "rule", "reference_price", "slippage", "bar_time", "model", "latency_seconds",
)  # fmt: skip


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, Mapping):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _rows_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    return _csv(list(columns), ([_cell(row[c]) for c in columns] for row in rows))


def _csv(header: list[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
