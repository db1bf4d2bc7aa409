"""What one order's whole life costs in a backtest: submit, venue, fill, books.

A strategy sends a market order every ``--every`` bars (buy 100 shares when
flat, ``close_position`` when long), so each order is submitted by the
strategy's ``ctx``, checked (terms, account rules, market, buying power),
accepted, matched by the venue at the next bar's open, filled, and booked in
the portfolio (cash, position, events).  Its twin walks the same bars and asks
the same questions (``ctx.position``) but sends nothing.  The cost of an
order's life is the difference of the two runs over the orders sent:

    µs per order = (seconds with orders - seconds without) / orders

Both run the kernel alone (no result, no metrics), on seeded synthetic
one-minute bars, the ``ideal`` venue and a cash account, with the collector
tuned as ``Backtest.run`` tunes it.  Time is the process's CPU time, which
other work on a shared machine disturbs far less than the wall clock's; the
twins take turns and each keeps its fastest turn.

    python -m bench.order_path                   # 200,000 bars, 40,000 orders, best of 5
    python -m bench.order_path --bars 50000 --repeat 3
    python -m bench.order_path --base HEAD~1     # also an older commit's source, same turns
    python -m bench.order_path --uncompiled      # also this source with its hot path uncompiled

``--base REV`` extracts ``src`` of that commit (``git archive``) and times it
in fresh processes taking turns with this source's: the before and after of a
change, under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import NamedTuple

from paperbroker import Bar, Strategy, StrategyParams, _native
from paperbroker.core.clock import SimClock
from paperbroker.core.gc_tuning import relaxed_gc
from paperbroker.core.ids import AccountId
from paperbroker.data import synthetic_bars
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account
from paperbroker.model.position import Position
from paperbroker.venue.execution import preset

ROOT = Path(__file__).resolve().parent.parent
#: The order path's target: one order's whole life, in µs.
TARGET_US = 25.0


class RoundTripParams(StrategyParams):
    every: int = 5
    qty: int = 100
    orders: bool = True


class RoundTrips(Strategy):
    """Every ``every`` bars: buy ``qty`` when flat, close the position when long
    (with ``orders`` off, the same questions and no order)."""

    Params = RoundTripParams
    params: RoundTripParams

    def on_start(self) -> None:
        self.countdown = self.params.every
        self.sent = 0

    def on_bar(self, bar: Bar) -> None:
        self.countdown -= 1
        if self.countdown:
            return
        self.countdown = self.params.every
        position: Position = self.ctx.position(bar.symbol)
        if not self.params.orders:
            return
        if not position.qty:
            self.ctx.buy(bar.symbol, self.params.qty)
        else:
            self.ctx.close_position(bar.symbol)
        self.sent += 1


class Timing(NamedTuple):
    seconds: float
    orders: int
    fills: int
    bars: int


def run_once(bars: int, every: int, *, orders: bool) -> Timing:
    """One kernel run over ``bars`` bars, its CPU time from the first bar to the last."""
    series = synthetic_bars("S0", bars, seed=42)
    strategy = RoundTrips(every=every, orders=orders)
    account = Account(AccountId("bench"), Decimal(10**9))
    clock = SimClock(int(series.ts[0]) - series.duration_ns)
    venue = preset("ideal").venue_config()
    kernel = Kernel(HistoricalFeed([series]), account, venue, clock, strategy)
    # Built once per process on first use (tens of milliseconds): not an order's cost.
    series.instrument.hours.session_bounds_ns(int(series.ts[0]))
    with relaxed_gc():
        start = time.process_time()
        kernel.start()
        kernel.run_until(int(series.ts[-1]))
        seconds = time.process_time() - start
    fills = sum(1 for o in kernel.orders.values() if o.filled_qty)
    return Timing(seconds, strategy.sent, fills, kernel.bars_processed)


class Source(NamedTuple):
    """A ``src`` to time, and the environment it runs in (its hot path compiled or not)."""

    label: str
    path: Path
    env: dict[str, str]


def in_process(source: Source, bars: int, every: int, orders: bool) -> Timing:
    """:func:`run_once` in a fresh process on the ``paperbroker`` of ``source``."""
    env = {**os.environ, **source.env, "PYTHONPATH": f"{source.path}{os.pathsep}{ROOT}"}
    code = (
        "import json, bench.order_path as b, paperbroker;"
        f"assert paperbroker.__file__.startswith({str(source.path)!r});"
        f"print(json.dumps(b.run_once({bars}, {every}, orders={orders})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=env
    )
    return Timing(*json.loads(done.stdout.strip().splitlines()[-1]))


def measure(
    sources: list[Source], bars: int, every: int, repeat: int
) -> list[tuple[Timing, Timing]]:
    """Per source, its fastest run with orders and without, the runs taking turns."""
    best: list[list[Timing | None]] = [[None, None] for _ in sources]
    for _ in range(repeat):
        for which, source in enumerate(sources):
            for slot, orders in enumerate((True, False)):
                timing = in_process(source, bars, every, orders)
                kept = best[which][slot]
                if kept is None or timing.seconds < kept.seconds:
                    best[which][slot] = timing
    out = []
    for with_orders, without in best:
        assert with_orders is not None
        assert without is not None
        out.append((with_orders, without))
    return out


def report(label: str, with_orders: Timing, without: Timing) -> list[str]:
    per_order = (with_orders.seconds - without.seconds) / with_orders.orders * 1e6
    verdict = "meets" if per_order <= TARGET_US else "MISSES"
    return [
        f"{label}: {per_order:6.2f} µs per order lifecycle ({verdict} ≤ {TARGET_US:g} µs); "
        f"{with_orders.orders:,} orders, {with_orders.fills:,} filled, "
        f"{with_orders.bars / with_orders.seconds:,.0f} bars/s with them, "
        f"{without.bars / without.seconds:,.0f} bars/s without "
        f"({without.seconds / without.bars * 1e6:.2f} µs a bar)"
    ]


def extract(rev: str, workdir: str) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(workdir, filter="data")
    return Path(workdir) / "src"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.order_path", description=__doc__)
    parser.add_argument("--bars", type=int, default=200_000)
    parser.add_argument("--every", type=int, default=5, help="bars between two orders")
    parser.add_argument("--repeat", type=int, default=5, help="turns; each keeps its fastest")
    parser.add_argument("--base", help="also time this commit's source (git archive)")
    parser.add_argument(
        "--uncompiled", action="store_true",
        help=f"also time this source with its hot path uncompiled ({_native.SWITCH}=0)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.every < 2:
        parser.error("--every must be at least 2: an order fills at the next bar's open")
    with tempfile.TemporaryDirectory() as workdir:
        sources = [Source(f"this source, {_native.status()}", ROOT / "src", {})]
        if args.uncompiled:
            off = {_native.SWITCH: "0"}
            label = f"this source, from source ({_native.SWITCH}=0)"
            sources.append(Source(label, ROOT / "src", off))
        if args.base:
            sources.append(Source(args.base, extract(args.base, workdir), {}))
        results = measure(sources, args.bars, args.every, args.repeat)
    print(
        f"order path: {args.bars:,} one-minute bars, a market order every {args.every} bars "
        f"(ideal venue, cash account), fastest of {args.repeat} turns"
    )
    for source, (with_orders, without) in zip(sources, results, strict=True):
        print("\n".join(report(source.label, with_orders, without)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
