"""The result's parts computed in fewer passes equal their definitions, digit for digit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.analytics.drawdowns import drawdown, drawdown_stats
from paperbroker.analytics.execution_quality import execution_quality, fill_totals
from paperbroker.analytics.trade_stats import trade_stats
from paperbroker.analytics.trades import Trade
from paperbroker.core.ids import AccountId, FillId, OrderId
from paperbroker.model.enums import LiquiditySide, OrderSide
from paperbroker.model.fill import Fill, FillRule
from paperbroker.model.values import ZERO
from paperbroker.portfolio.equity import _fills_by

amounts = st.sampled_from(
    ["0", "0.00", "1", "1.0", "2.50", "1E+1", "3E+2", "99.58", "0.015", "-4.25", "-1E+1", "7"]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 50), max_size=30),
    st.lists(st.integers(0, 50), min_size=1, max_size=40, unique=True),
)
def test_fills_by_sample_is_a_search_per_sample(fill_ts: list[int], sample_ts: list[int]) -> None:
    fills = np.array(sorted(fill_ts), dtype=np.int64)
    samples = np.array(sorted(sample_ts), dtype=np.int64)
    expected = np.searchsorted(fills, samples, side="right")
    assert _fills_by(fills, samples).tolist() == expected.tolist()


def defined_drawdown(equity: np.ndarray) -> np.ndarray:
    """``equity / running peak - 1``, 0 where the peak is not positive."""
    peak = np.maximum.accumulate(equity)
    out = np.zeros_like(equity)
    np.divide(equity, peak, out=out, where=peak > 0)
    out -= 1.0
    out[peak <= 0] = 0.0
    return out


equities = st.lists(
    st.one_of(
        st.floats(-1e6, 1e6, allow_nan=False),
        st.sampled_from([0.0, -0.0, 1.0, 100.0, math.nan]),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(equities)
def test_drawdowns_equal_their_definition(values: list[float]) -> None:
    equity = np.array(values, dtype=np.float64)
    with np.errstate(over="ignore"):  # a loss over a tiny peak is -inf, both ways
        expected = defined_drawdown(equity)
        assert drawdown(equity).tobytes() == expected.tobytes()
        if equity.size and not np.isnan(equity).any():
            ts = np.arange(equity.size, dtype=np.int64) * 60
            stats = drawdown_stats(ts, equity)
            assert repr(stats.max_drawdown) == repr(float(np.min(expected)))


def fill(n: int, qty: str, price: str, fee: str, slippage: str, latency: int) -> Fill:
    return Fill(
        id=FillId(f"F-{n}"), order_id=OrderId(f"O-{n}"), symbol="XYZ", side=OrderSide.BUY,
        qty=abs(Decimal(qty)) or Decimal(1), price=Decimal(price), fee=Decimal(fee), ts=n,
        liquidity=LiquiditySide.TAKER, rule=FillRule.MARKET_AT_OPEN,
        reference_price=Decimal(price) + Decimal(slippage), slippage=Decimal(slippage),
        path="OHLC", bar_ts=n, account_id=AccountId("A-1"), latency_ns=latency,
    )  # fmt: skip


fill_specs = st.tuples(amounts, amounts, amounts, amounts, st.integers(0, 10**9))


@settings(max_examples=200, deadline=None)
@given(st.lists(fill_specs, max_size=25))
def test_fill_totals_equal_each_sum_on_its_own(
    specs: list[tuple[str, str, str, str, int]],
) -> None:
    fills = [fill(n, *spec) for n, spec in enumerate(specs)]
    totals = fill_totals(fills)
    assert totals.fills == len(fills)
    assert repr(totals.slippage_cost) == repr(sum((f.slippage * f.qty for f in fills), ZERO))
    assert repr(totals.reference_value) == repr(
        sum((f.reference_price * f.qty for f in fills), ZERO)
    )
    assert repr(totals.notional) == repr(sum((f.price * f.qty for f in fills), ZERO))
    assert repr(totals.fees) == repr(sum((f.fee for f in fills), ZERO))
    assert totals.latency_ns == sum(f.latency_ns for f in fills)
    assert repr(execution_quality([], fills).fees) == repr(totals.fees)


def defined_stats(trades: Sequence[Trade], span_ns: int) -> tuple[object, ...]:
    """:class:`TradeStats` by the module notes, a statistic at a time."""
    closed = sorted((t for t in trades if t.exit_ts is not None), key=lambda t: t.exit_ts or 0)
    pnls = [t.pnl for t in closed]
    returns = [t.return_pct for t in closed]
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p < 0]
    gross_win = sum((p for p in pnls if p > 0), ZERO)
    gross_loss = -sum((p for p in pnls if p < 0), ZERO)
    factor = float(gross_win / gross_loss) if gross_loss else (float("inf") if gross_win else 0.0)

    def longest(flags: list[bool]) -> int:
        best = run = 0
        for flag in flags:
            run = run + 1 if flag else 0
            best = max(best, run)
        return best

    n = len(closed)
    return (
        n,
        len(trades) - n,
        len(wins) / n if n else 0.0,
        factor,
        sum(pnls, ZERO) / n if n else ZERO,
        max(returns, default=0.0),
        min(returns, default=0.0),
        sum(returns) / n if n else None,
        sum(wins, ZERO) / len(wins) if wins else None,
        sum(losses, ZERO) / len(losses) if losses else None,
        max(wins, default=None),
        min(losses, default=None),
        longest([p > 0 for p in pnls]),
        longest([p < 0 for p in pnls]),
        n * 86_400_000_000_000 / span_ns if span_ns > 0 else None,
        sum(t.exit_ts - t.entry_ts for t in closed if t.exit_ts is not None) // n if n else None,
    )


trade_specs = st.tuples(
    st.integers(0, 20), st.one_of(st.none(), st.integers(0, 20)), amounts, amounts, amounts,
    st.sampled_from(["1", "10", "2.5", "1E+1"]), st.sampled_from(["1", "99.58", "0", "1E+2"]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(trade_specs, max_size=25), st.integers(0, 10**12))
def test_trade_stats_equal_their_definitions(
    specs: list[tuple[int, int | None, str, str, str, str, str]], span_ns: int
) -> None:
    trades = [
        Trade(
            symbol="XYZ",
            direction="long",
            qty=Decimal(qty),
            entry_ts=entry,
            exit_ts=None if held is None else entry + held,
            entry_price=Decimal(price),
            exit_price=None if held is None else Decimal(exit_price),
            gross_pnl=Decimal(gross),
            fees=abs(Decimal(fees)),
            fill_ids=(FillId(f"F-{k}"),),
        )
        for k, (entry, held, gross, fees, exit_price, qty, price) in enumerate(specs)
    ]
    stats = trade_stats(trades, span_ns)
    assert [repr(v) for v in stats] == [repr(v) for v in defined_stats(trades, span_ns)]
