"""A backtest's result prints times as times, and has DataFrame and notebook views."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any, ClassVar

import pandas as pd
import pytest

from paperbroker.data.bar import Bar
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.result import BacktestResult
from paperbroker.strategy.base import Strategy

# 2024-01-03 and 2024-01-05 at 16:00 New York.
JAN_3, JAN_5 = "2024-01-03T21:00:00Z", "2024-01-05T21:00:00Z"


class _RoundTripThenHold(Strategy):
    """Buy 10 on the first bar, sell them on the second, buy 5 on the third and keep them."""

    name = "round <trip> & hold"
    plan: ClassVar[dict[int, tuple[str, int]]] = {0: ("buy", 10), 1: ("sell", 10), 2: ("buy", 5)}

    def on_start(self) -> None:
        self.bars = 0

    def on_bar(self, bar: Bar) -> None:
        step = self.plan.get(self.bars)
        self.bars += 1
        if step is not None:
            side, qty = step
            (self.ctx.buy if side == "buy" else self.ctx.sell)(bar.symbol, qty)


@pytest.fixture
def result(build: Any) -> BacktestResult:
    rows = [
        (100.0, 101.0, 99.0, 100.5),
        (100.25, 102.0, 100.0, 101.5),
        (101.75, 103.0, 101.0, 102.5),
        (102.25, 104.0, 102.0, 103.125),  # off the 0.01 tick: a data note
        (103.0, 104.0, 102.0, 103.5),
    ]
    series = build.series(rows, symbol="XYZ")
    return Backtest(series, _RoundTripThenHold, execution="ideal", cash=10_000).run()


def test_trades_fills_metrics_and_the_curve_print_times_not_nanoseconds(
    result: BacktestResult,
) -> None:
    closed, held = result.trades
    assert repr(closed) == (
        f"Trade(XYZ long qty=10 entry={JAN_3} @ 100.25 exit=2024-01-04T21:00:00Z @ 101.75 "
        "gross_pnl=15.0000000000 fees=0 fills=2)"
    )
    assert repr(held).startswith(f"Trade(XYZ long qty=5 entry={JAN_5} @ 102.25 exit=open ")
    fill = result.fills[0]
    assert f"at={JAN_3} market_at_open" in repr(fill)
    assert "Metrics(start=2024-01-02T21:00:00Z, end=2024-01-08T21:00:00Z," in repr(result.metrics)
    assert "max_drawdown_duration=0:00:00" in repr(result.metrics)
    assert repr(result.equity_curve) == (
        "EquityCurve(5 samples 2024-01-02T21:00:00Z – 2024-01-08T21:00:00Z, "
        "equity 10000.0 → 10021.25)"
    )
    assert repr(result) == (
        "BacktestResult(round <trip> & hold on XYZ, 2024-01-02T21:00:00Z – "
        "2024-01-08T21:00:00Z, final_equity=10021.25, total_return=0.002125, trades=2, "
        "fills=3, orders=3, data_notes=1)"
    )
    for text in map(repr, (closed, held, fill, result.metrics, result.equity_curve, result)):
        assert str(fill.ts) not in text
        assert str(result.metrics.start_ts) not in text


def test_to_pandas_keeps_decimals_exact_and_times_to_the_nanosecond(
    result: BacktestResult,
) -> None:
    trades, fills, equity = result.to_pandas()
    assert list(trades.columns) == [
        "symbol", "direction", "qty", "entry_time", "exit_time", "entry_price", "exit_price",
        "gross_pnl", "fees", "pnl", "return_pct", "fill_ids",
    ]  # fmt: skip
    assert str(trades["entry_time"].dtype) == "datetime64[ns, UTC]"
    assert trades["entry_time"].astype("int64").tolist() == [t.entry_ts for t in result.trades]
    assert trades["exit_time"].isna().tolist() == [False, True]
    assert trades["pnl"].tolist() == [t.pnl for t in result.trades]
    assert all(type(value) is Decimal for value in trades["entry_price"])
    assert trades["exit_price"].tolist()[1] is None

    assert len(fills) == len(result.fills)
    assert fills["price"].tolist() == [Decimal("100.25"), Decimal("101.75"), Decimal("102.25")]
    assert fills["time"].astype("int64").tolist() == [f.ts for f in result.fills]
    assert fills["side"].tolist() == ["buy", "sell", "buy"]
    assert fills["latency"].tolist() == [pd.Timedelta(0)] * 3

    assert equity.index.name == "time"
    assert equity.index.asi8.tolist() == result.equity_curve.ts.tolist()
    assert equity["equity"].tolist() == result.equity_curve.equity.tolist()
    assert equity["exposed"].tolist() == result.equity_curve.exposed.tolist()


def test_to_pandas_without_pandas_says_how_to_get_it(
    result: BacktestResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"needs pandas, .*: pip install pandas"):
        result.to_pandas()


def test_the_notebook_view_is_html_without_pandas(
    result: BacktestResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    page = result._repr_html_()
    # The equity as a small inline chart, then the summary table.
    assert page.startswith('<div class="paperbroker-result"><div title="equity"><svg ')
    assert "</svg></div><table><caption>" in page
    assert "<caption>round &lt;trip&gt; &amp; hold on XYZ</caption>" in page
    assert "<tr><th>Final equity</th><td>10,021.25</td></tr>" in page
    assert "<tr><th>Total return</th><td>0.21%</td></tr>" in page
    assert f"<td>{JAN_3}</td>" in page
    assert "<td>open</td><td>-</td><td>0</td><td>0</td></tr>" in page  # nothing realized yet
    assert "<li>XYZ: 1 of 5 bars have prices off its 0.01 tick (e.g. close 103.125)" in page
    assert "<caption>Trades (the first 2 of 2)</caption>" in page
