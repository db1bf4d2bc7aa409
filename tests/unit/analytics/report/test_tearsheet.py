"""The report of a real backtest: every section, nothing loaded from elsewhere, escaped
texts, and JSON/CSV exports whose money is exact and whose final equity is the books'."""

from __future__ import annotations

import csv
import html
import io
import json
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from paperbroker.analytics.report import (
    PARTS,
    SECTIONS,
    ReportData,
    from_backtest,
    render_html,
    to_csv,
    to_json,
)
from paperbroker.analytics.report.labels import format_metric, label
from paperbroker.data.samples import load_sample
from paperbroker.data.series import BarSeries
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.result import BacktestResult
from paperbroker.strategy.builtin import SmaCrossover


@cache
def stocks() -> dict[str, BarSeries]:
    return load_sample("stocks", symbols=["AAPL", "MSFT"])


@cache
def result() -> BacktestResult:
    return Backtest(
        stocks(), SmaCrossover, params={"fast": 10, "slow": 30}, execution="equities_realistic",
        start="2009-01-01", end="2011-12-31",
    ).run()  # fmt: skip


def report() -> ReportData:
    return from_backtest(result(), benchmark=stocks()["MSFT"], bars=stocks().values())


class Page(HTMLParser):
    """Tags opened and closed, ids, and every src/href."""

    VOID = frozenset({"meta", "br", "img", "link", "input", "hr", "rect", "line", "path",
                      "polygon", "polyline"})  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        self.links += [str(v) for k, v in attrs if k in ("src", "href", "xlink:href")]
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.open, f"</{tag}> closes nothing"
        assert self.open.pop() == tag, f"</{tag}> closes another tag"


def test_the_tearsheet_has_every_section_in_order_and_loads_nothing() -> None:
    page = render_html(report())
    parser = Page()
    parser.feed(page)
    parser.close()
    assert parser.open == []  # every element closed, in order
    assert [i for i in parser.ids if i in SECTIONS] == list(SECTIONS)
    assert parser.links == []
    assert "http://" not in page
    assert "https://" not in page
    assert "url(" not in page
    assert page.count("<svg") >= 7  # equity, drawdown, heatmap, rolling, histogram, 2 prices
    assert "buy and hold MSFT" in page
    for name in result().metrics.as_dict():
        assert html.escape(label(name)) in page


def test_user_texts_are_escaped() -> None:
    data = report()
    hostile = ReportData(
        title="<script>alert(1)</script>", config={"strategy": "<b>x</b>", "params": {"a": "<i>"}},
        equity_ts=data.equity_ts, equity=data.equity, trades=data.trades, fills=data.fills,
        metrics=data.metrics,
    )  # fmt: skip
    page = render_html(hostile)
    assert "<script>" not in page
    assert "<b>x</b>" not in page
    assert "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_json_document_keeps_money_exact_and_ends_at_the_final_equity() -> None:
    run = result()
    document = json.loads(to_json(report()), parse_float=Decimal)
    assert document["final_equity"] == str(run.final_equity)
    assert document["equity"][-1]["v"] == document["final_equity"]
    assert document["metrics"]["final_equity"] == str(run.final_equity)
    assert len(document["equity"]) == len(run.equity_curve)
    assert len(document["fills"]) == len(run.fills)
    for row, fill in zip(document["fills"], run.fills, strict=True):
        assert Decimal(row["price"]) == fill.price
        assert Decimal(row["fee"]) == fill.fee
        assert Decimal(row["slippage"]) == fill.slippage
    net = sum((Decimal(t["pnl"]) for t in document["trades"]), Decimal(0))
    assert net == sum((t.pnl for t in run.trades), Decimal(0))
    assert document["config"]["params"] == json.loads(json.dumps(run.params, default=str))
    assert document["config"]["params"]["fast"] == 10
    assert document["config"]["fills_digest"] == run.fills_digest()
    assert document["benchmark"]["symbol"] == "MSFT"
    assert Decimal(document["benchmark"]["equity"][0]["v"]) == run.initial_cash


def test_every_csv_part_parses_and_agrees_with_the_json() -> None:
    data = report()
    document = json.loads(to_json(data))
    for part in PARTS:
        rows = list(csv.DictReader(io.StringIO(to_csv(data, part))))
        if part == "metrics":
            assert {r["metric"] for r in rows} == set(document["metrics"])
        elif part == "equity":
            assert [(r["time"], r["equity"]) for r in rows] == [
                (p["t"], p["v"]) for p in document["equity"]
            ]
        else:
            assert len(rows) == len(document[part])
            assert [r["symbol"] for r in rows] == [x["symbol"] for x in document[part]]


def test_result_report_writes_the_page_and_the_notebook_view_has_a_sparkline(
    tmp_path: Path,
) -> None:
    run = result()
    target = tmp_path / "report.html"
    page = run.report(target, benchmark=stocks()["MSFT"])
    assert target.read_text(encoding="utf-8") == page
    assert "buy and hold MSFT" in page
    view = run._repr_html_()
    assert "<polyline" in view
    assert "<table>" in view


def test_metrics_are_labelled_and_formatted_and_unknown_ones_still_show() -> None:
    assert label("sharpe") == "Sharpe ratio"
    assert label("brand_new_metric") == "brand new metric"
    assert format_metric("total_return", 0.1234) == "12.34%"
    assert format_metric("total_return", "0.1234") == "12.34%"
    assert format_metric("profit_factor", "inf") == "∞"
    assert format_metric("final_equity", "100123.456") == "100,123.46"
    assert format_metric("start_ts", "2012-01-03T21:00:00+00:00") == "2012-01-03T21:00:00+00:00"
    assert format_metric("max_drawdown_duration_ns", 86_400 * 10**9) == "1 day, 0:00:00"
    assert format_metric("num_trades", 1234) == "1,234"
    assert format_metric("sharpe", None) == "-"
