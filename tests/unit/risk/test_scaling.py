"""Position scaling: the multiplier steps at day closes and sizes strategy entries only.

A margin account with 100 000 buys 100 XYZ at 100.00 on day 2's open (cash 90 000):

    day     1       2       3       4       5       6       7
    close   100     100     101     102     103     50      50
    equity  100000  100000  100100  100200  100300  95000   95000

Each day is judged at its close (a daily bar closes with the session).  Days 1
and 2 return 0 %: a window of two days with a Sharpe ratio of 0 (under 1): no
step.  Days 3 and 4 return 0.1 % and 0.0999 %: Sharpe far above 1, no drawdown:
up 0.5 to 1.5 at day 4's close.  Day 6 returns 95 000 / 100 300 − 1 = −5.28 %,
beyond −5 %: down to 1.0 at day 6's close.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import OrderSide, RejectReason
from paperbroker.model.events import RiskAdjusted
from paperbroker.risk.settings import RiskSettings

BUY, SELL = OrderSide.BUY, OrderSide.SELL
SCALING = {
    "enabled": True, "initial": 1, "step": "0.5", "minimum": "0.5", "maximum": 2,
    "window_days": 2, "min_sharpe": 1, "max_drawdown_pct": 5,
}  # fmt: skip


def closes(*values: float) -> list[tuple[float, float, float, float]]:
    rows, last = [], 100.0
    for close in values:
        rows.append((last, max(last, close) + 0.5, min(last, close) - 0.5, close))
        last = close
    return rows


def scaled_kernel(build: Any) -> Any:
    series = build.series(closes(100, 100, 101, 102, 103, 50, 50, 50))
    kernel: Kernel = build.kernel(series, cash=100_000)
    kernel.risk.configure(RiskSettings.read({"scaling": SCALING}))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XYZ", BUY, 100)
    return kernel, series


def test_the_multiplier_steps_up_after_good_days_and_down_after_a_bad_one(build: Any) -> None:
    kernel, series = scaled_kernel(build)
    kernel.run_until(int(series.ts[6]))
    steps = [e for e in kernel.events if isinstance(e, RiskAdjusted)]
    assert [(e.ts, e.what, e.value) for e in steps] == [
        (int(series.ts[3]), "scale_up", "1.5"),
        (int(series.ts[5]), "scale_down", "1"),
    ]
    assert "-5.28 %" in steps[1].message
    assert kernel.risk.snapshot().multiplier == Decimal(1)


def test_strategy_entries_are_scaled_and_exits_and_manual_orders_are_not(build: Any) -> None:
    kernel, series = scaled_kernel(build)
    kernel.run_until(int(series.ts[4]))
    assert kernel.risk.scaler.multiplier == Decimal("1.5")
    assert kernel.ctx.buy("XYZ", 10).qty == 15
    assert kernel.ctx.sell("XYZ", 10).qty == 10  # reduces the long: an exit
    assert kernel.submit_order("XYZ", BUY, 10).qty == 10  # by hand: as asked


def test_a_scaled_order_stops_at_the_limits(build: Any) -> None:
    """max_order_qty 12: 10 × 1.5 = 15 is cut to 12; max_position_qty 108 with 100 held
    leaves room for 8, less than the 10 asked: the order keeps its 10 and is denied."""
    kernel, series = scaled_kernel(build)
    kernel.run_until(int(series.ts[4]))
    kernel.risk_command("configure", {"settings": {"limits": {"max_order_qty": 12}}})
    assert kernel.ctx.buy("XYZ", 10).qty == 12
    kernel.risk_command("configure", {"settings": {"limits": {"max_position_qty": 108}}})
    assert kernel.risk.scaled("XYZ", BUY, Decimal(10)) == 10
    order = kernel.ctx.buy("XYZ", 10)
    assert (order.qty, order.reject_reason) == (10, RejectReason.RISK_DENIED)
