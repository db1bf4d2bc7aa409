"""What the risk layer costs: per order, and per bar.

- **Per order**: microseconds per ``kernel.submit`` of a limit order far below
  the market (accepted, never filled; canceled again, untimed), with no rule
  set and with 10 pre-trade rules set that the order passes (so every check
  runs to the end).  Target: at most 10 µs more per order.  The two kernels
  take turns and each figure is its fastest turn, so that other work on the
  machine does not decide the difference; garbage is collected between turns,
  not during them (as ``timeit`` does).
- **Per bar**: bars per second of a backtest (``SmaCrossover(10, 30)`` on
  seeded synthetic one-minute bars, the ``ideal`` venue) with no risk
  settings, against the same backtest on the source of the commit before the
  risk layer (``--base``, default ``7820a5a``, extracted with ``git archive``
  and run in a fresh process).  Target: within 5 %.  For reference, the same
  run with a breaker set (the layer then looks at every bar close).  Every run
  is a fresh process; the variants take turns and each keeps its best run.

Run with ``python -m bench.risk [--orders 20000] [--bars 300000] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from paperbroker.core.clock import SimClock
from paperbroker.core.ids import AccountId
from paperbroker.data import synthetic_bars
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.engine.order_entry import OrderTerms
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType, OrderSide, OrderStatus
from paperbroker.strategy.builtin import SmaCrossover
from paperbroker.venue import VenueConfig

ROOT = Path(__file__).resolve().parent.parent
TARGET_ORDER_US = 10.0
TARGET_BARS_RATIO = 0.95
#: Ten pre-trade rules an order of 1 share at 50.00 passes.
TEN_RULES: dict[str, Any] = {
    "limits": {
        "max_order_qty": 1000,
        "max_order_value": 1_000_000,
        "max_position_qty": 100_000,
        "max_position_value": 10_000_000,
        "max_gross_exposure": 10_000_000,
        "max_net_exposure_pct": 1000,
        "max_open_orders": 1000,
        "max_orders_per_minute": 10_000_000,
        "min_bar_volume": 1,
    },
    "symbols": {"enabled": ["SYN"]},
}


def order_kernel(risk: dict[str, Any] | None) -> Kernel:
    series = synthetic_bars("SYN", 1_000, seed=7)
    account = Account(
        AccountId("bench"), Decimal(10**9), AccountConfig(AccountType.MARGIN, Decimal(1))
    )
    clock = SimClock(int(series.ts[0]) - series.duration_ns)
    kernel = Kernel(HistoricalFeed([series]), account, VenueConfig(), clock)
    if risk is not None:
        from paperbroker.risk.settings import RiskSettings

        kernel.risk.configure(RiskSettings.read(risk))
    kernel.run_until(int(series.ts[10]))
    return kernel


def per_order_us(orders: int) -> tuple[float, float]:
    """Microseconds per ``kernel.submit`` of an accepted limit order, with no rule and
    with :data:`TEN_RULES`: the two kernels take turns, 500 orders each, and each
    figure is the fastest turn's mean (the least disturbed by other work)."""
    kernels = (order_kernel(None), order_kernel(TEN_RULES))
    terms = OrderTerms("SYN", OrderSide.BUY, 1, limit="50.00")
    clock = time.perf_counter_ns
    best = [float("inf"), float("inf")]
    for _ in range(max(1, orders // 500)):
        for which, kernel in enumerate(kernels):
            submit, cancel = kernel.submit, kernel.venue.cancel
            gc.collect()
            gc.disable()  # as timeit does: a collection is no order's own cost
            elapsed = 0
            for _ in range(500):
                start = clock()
                order = submit(terms)
                elapsed += clock() - start
                assert order.status is OrderStatus.ACCEPTED, order.reject_message
                cancel(order.id)
            gc.enable()
            best[which] = min(best[which], elapsed / 500 / 1000)
    return best[0], best[1]


def bars_per_second(bars: int, repeat: int, risk: dict[str, Any] | None = None) -> float:
    """The best of ``repeat`` runs of the SMA backtest over ``bars`` bars, in bars/s."""
    series = synthetic_bars("SYN", bars, seed=42)
    options: dict[str, Any] = {} if risk is None else {"risk": risk}
    best = 0.0
    for _ in range(repeat):
        backtest = Backtest(
            series, SmaCrossover, params={"fast": 10, "slow": 30}, execution="ideal", **options
        )
        start = time.perf_counter()
        backtest.run()
        best = max(best, bars / (time.perf_counter() - start))
    return best


def bars_in_process(source: Path, bars: int, risk: dict[str, Any] | None = None) -> float:
    """:func:`bars_per_second` (one run) in a fresh process on the ``paperbroker`` of
    ``source`` (a ``src`` directory)."""
    env = {**os.environ, "PYTHONPATH": f"{source}{os.pathsep}{ROOT}"}
    code = (
        "import bench.risk as b, paperbroker;"
        f"assert paperbroker.__file__.startswith({str(source)!r});"
        f"print(b.bars_per_second({bars}, 1, {risk!r}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    ).stdout
    return float(out.strip().splitlines()[-1])


def compare_bars(base: str, bars: int, repeat: int) -> tuple[float, float, float]:
    """Bars/s of the base commit, of this source with no rules and with a breaker: runs
    taking turns, the best of ``repeat`` each."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", base, "src"], check=True, capture_output=True
    ).stdout
    best = [0.0, 0.0, 0.0]
    breaker = {"breakers": {"max_drawdown_pct": 50}}
    with tempfile.TemporaryDirectory() as workdir:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(workdir, filter="data")
        old, new = Path(workdir) / "src", ROOT / "src"
        for _ in range(repeat):
            for which, (source, risk) in enumerate(((old, None), (new, None), (new, breaker))):
                best[which] = max(best[which], bars_in_process(source, bars, risk))
    return best[0], best[1], best[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--bars", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--base", default="7820a5a")
    args = parser.parse_args()

    none, ten = per_order_us(args.orders)
    extra = ten - none
    verdict = "meets" if extra <= TARGET_ORDER_US else "MISSES"
    print(f"submit, no rules:  {none:7.2f} µs/order")
    print(f"submit, 10 rules:  {ten:7.2f} µs/order  (+{extra:.2f} µs, {verdict} ≤ 10 µs)")

    base, ours, guarded = compare_bars(args.base, args.bars, args.repeat)
    ratio = ours / base
    verdict = "meets" if ratio >= TARGET_BARS_RATIO else "MISSES"
    print(f"backtest, {args.base}:       {base:12,.0f} bars/s")
    print(f"backtest, no rules:    {ours:12,.0f} bars/s  ({ratio:.3f}x, {verdict} ≥ 0.95x)")
    print(f"backtest, a breaker:   {guarded:12,.0f} bars/s  ({guarded / base:.3f}x)")


if __name__ == "__main__":
    main()
