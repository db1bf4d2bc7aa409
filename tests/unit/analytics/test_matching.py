"""Order-by-order matching of two runs: hand-checked differences, explanations, invariants."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from tests.builders import make_fill

from paperbroker.analytics.matching import compare_bars, diverge, executions, match
from paperbroker.core.ids import OrderId
from paperbroker.model.fill import Fill

S = 1_000_000_000


def fill(side: str, qty: int, price: str, ts_s: int, *, slip: str = "0", symbol: str = "XYZ",
         fee: str = "0") -> Fill:  # fmt: skip
    made = make_fill(side, qty, price, ts=ts_s * S, symbol=symbol, fee=fee)
    return made._replace(slippage=Decimal(slip))


def test_a_worse_later_run_is_explained_by_price_slippage_latency_and_pnl() -> None:
    backtest = [fill("buy", 10, "100", 0), fill("sell", 10, "110", 100)]
    paper = [
        fill("buy", 10, "100.03", 1, slip="0.03"),
        fill("sell", 10, "109.97", 101, slip="0.03"),
    ]
    found = diverge(paper, backtest)
    assert len(found.matched) == 2
    assert found.only_in_a == found.only_in_b == []
    buy, sell = found.matched
    assert buy.price_diff == Decimal("0.03")
    assert buy.cost_bps == 3.0  # 0.03 / 100 in bps: paid more
    assert abs(sell.cost_bps - 0.03 / 110 * 10_000) < 1e-12  # received less
    assert buy.delay_seconds == sell.delay_seconds == 1
    assert found.pnl_a == Decimal("99.40")  # 10 × (109.97 - 100.03)
    assert found.pnl_b == Decimal(100)
    assert found.explanations("paper", "backtest") == [
        "fills differ in price: paper filled 2 of 2 at worse prices and 0 at better ones, "
        "mean +2.9 bps",
        "slippage: paper paid 0.6, backtest 0 on the matched fills",
        "latency: mean delay 1 s (largest 1 s) of paper after backtest",
        "P&L differs by -0.6: paper 99.4, backtest 100",
    ]


def test_identical_runs_agree() -> None:
    run = [fill("buy", 5, "10", 0), fill("sell", 5, "12", 60, fee="1")]
    found = diverge(run, run)
    assert [m.price_diff for m in found.matched] == [0, 0]
    assert found.explanations() == [
        "the runs agree: every order matched at the same price, quantity and time"
    ]


def test_orders_of_one_run_only_are_listed_apart_and_explained() -> None:
    a = [fill("buy", 10, "100", 0), fill("buy", 3, "50", 5, symbol="ABC")]
    b = [fill("buy", 10, "100", 0), fill("sell", 3, "50", 5, symbol="ABC")]
    found = diverge(a, b)
    assert [(e.symbol, e.side.value) for e in found.only_in_a] == [("ABC", "buy")]
    assert [(e.symbol, e.side.value) for e in found.only_in_b] == [("ABC", "sell")]
    assert found.explanations("a", "b")[0] == (
        "orders differ: 1 only in a, 1 only in b (the strategy saw different data, cash or fills)"
    )


def test_each_order_takes_the_nearest_in_time_and_pairs_keep_their_order() -> None:
    a = [fill("buy", 1, "10", 10), fill("buy", 1, "10", 20)]
    b = [fill("buy", 1, "10", 9), fill("buy", 1, "10", 12), fill("buy", 1, "10", 21)]
    matched, only_a, only_b = match(executions(a), executions(b))
    assert [(m.a.ts // S, m.b.ts // S) for m in matched] == [(10, 9), (20, 21)]
    assert [e.ts // S for e in only_b] == [12]
    assert only_a == []
    # Beyond the largest gap allowed, nothing pairs.
    matched, only_a, _ = match(executions(a), executions(b), max_gap_ns=S // 2)
    assert matched == []
    assert len(only_a) == 2


def test_an_orders_partial_fills_are_one_execution_at_their_average_price() -> None:
    first = fill("buy", 4, "10", 0, slip="0.01", fee="1")
    second = fill("buy", 6, "11", 1, slip="0.02", fee="1")._replace(
        order_id=OrderId(first.order_id)
    )
    (execution,) = executions([first, second])
    assert execution.qty == 10
    assert execution.price == Decimal("10.6")  # (4 × 10 + 6 × 11) / 10
    assert execution.slippage == Decimal("0.16")  # 4 × 0.01 + 6 × 0.02
    assert execution.fees == 2
    assert execution.pnl == -2  # nothing realized yet, fees paid
    assert execution.ts == 0


def test_bars_missing_or_different_are_counted_within_the_common_span() -> None:
    a = {"XYZ": {1: 10.0, 2: 11.0, 3: 12.0, 9: 1.0}}
    b = {"XYZ": {0: 9.0, 1: 10.0, 3: 12.5, 4: 13.0}}
    (gap,) = compare_bars(a, b)
    # The span both cover is 1..4: a misses 4, b misses 2; bar 3 closes differently.
    assert (gap.missing_in_a, gap.missing_in_b, gap.different_closes, gap.common) == (1, 1, 1, 2)
    found = diverge([], [], bars_a=a, bars_b=b)
    assert found.explanations("a", "b")[:2] == [
        "data differs: XYZ has 1 bars missing in a and 1 missing in b",
        "data differs: 1 of 2 XYZ bars close at a different price",
    ]


trade = st.tuples(
    st.sampled_from(["buy", "sell"]), st.integers(1, 50), st.integers(1, 500),
    st.integers(0, 10_000), st.sampled_from(["XYZ", "ABC"]),
)  # fmt: skip


@given(st.lists(trade, max_size=12), st.lists(trade, max_size=12))
def test_every_order_is_matched_once_or_listed_apart(a: list, b: list) -> None:  # type: ignore[type-arg]
    fills_a = sorted((fill(s, q, str(p), t, symbol=y) for s, q, p, t, y in a), key=lambda f: f.ts)
    fills_b = sorted((fill(s, q, str(p), t, symbol=y) for s, q, p, t, y in b), key=lambda f: f.ts)
    found = diverge(fills_a, fills_b)
    assert len(found.matched) + len(found.only_in_a) == len(fills_a)
    assert len(found.matched) + len(found.only_in_b) == len(fills_b)
    for m in found.matched:
        assert (m.a.symbol, m.a.side) == (m.b.symbol, m.b.side)
    itself = diverge(fills_a, fills_a)
    assert len(itself.matched) == len(fills_a)
    assert all(m.a == m.b for m in itself.matched)
