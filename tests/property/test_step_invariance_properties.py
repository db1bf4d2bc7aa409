"""Running through bars in one step or in many small ones gives the same fills.

Random daily bars (with volumes), random orders sent at random moments (at
bar closes, before opens and inside bars), every execution preset with a
random seed: one kernel runs straight from one order's moment to the next,
another in random small steps, many of them inside bars.  Both make the same
fills (order, price, quantity, rule, path and bar) and leave every order in
the same state: what an order meets where it enters a bar is decided once,
with what is known there, however the clock moved.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from paperbroker.engine.kernel import Kernel
from paperbroker.model.enums import OrderSide
from paperbroker.model.events import OrderFilled
from paperbroker.venue import PRESETS, preset

MINUTE = 60_000_000_000
DAYS = 6

bar = st.tuples(
    st.integers(9_500, 10_500),  # open, in cents
    st.integers(0, 300),  # high above the open
    st.integers(0, 300),  # low below the open
    st.integers(0, 100),  # where the close lies between them, in percent
    st.integers(0, 3_000),  # volume
).map(
    lambda b: (
        b[0] / 100,
        (b[0] + b[1]) / 100,
        (b[0] - b[2]) / 100,
        round(b[0] - b[2] + (b[1] + b[2]) * b[3] / 100) / 100,
        float(b[4]),
    )
)
order = st.tuples(
    st.integers(0, (DAYS - 1) * 24 * 60),  # minutes after the first bar's close
    st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(1, 60),
    st.sampled_from(["market", "limit", "stop"]),
    st.integers(-150, 150),  # the price's distance from the last close, in cents
    st.sampled_from(["day", "gtc", "ioc"]),
)


def _place(kernel: Kernel, spec: tuple[int, OrderSide, int, str, int, str]) -> None:
    _, side, qty, kind, offset, tif = spec
    last = kernel.portfolio.mark("XYZ")
    assert last is not None
    price = str(max(last + Decimal(offset) / 100, Decimal(1)))
    if kind == "market":
        kernel.submit_order("XYZ", side, qty, tif=tif)
    elif kind == "limit":
        kernel.submit_order("XYZ", side, qty, limit=price, tif=tif)
    elif tif != "ioc":
        kernel.submit_order("XYZ", side, qty, stop=price, tif=tif)


def _run(build: Any, series: Any, name: str, seed: int, orders: Any, steps: Any) -> Kernel:
    kernel: Kernel = build.kernel(series, config=preset(name, seed).venue_config())
    kernel.run_until(int(series.ts[0]))
    first = int(series.ts[0])
    end = int(series.ts[-1])
    moves = itertools.cycle(steps) if steps else None
    for spec in sorted(orders, key=lambda o: o[0]):
        moment = first + spec[0] * MINUTE
        while moves is not None and kernel.clock.now_ns() < moment:
            kernel.run_until(min(kernel.clock.now_ns() + next(moves) * MINUTE, moment))
        kernel.run_until(moment)
        _place(kernel, spec)
    while moves is not None and kernel.clock.now_ns() < end:
        kernel.run_until(min(kernel.clock.now_ns() + next(moves) * MINUTE, end))
    kernel.run_until(end)
    return kernel


@settings(max_examples=150, deadline=None)
@given(
    bars=st.lists(bar, min_size=DAYS, max_size=DAYS),
    name=st.sampled_from(PRESETS),
    seed=st.integers(0, 1_000),
    orders=st.lists(order, min_size=1, max_size=8),
    steps=st.lists(st.integers(7, 400), min_size=1, max_size=6),
)
def test_stepping_through_bars_gives_the_same_fills_and_states(
    build: Any, bars: Any, name: str, seed: int, orders: Any, steps: Any
) -> None:
    series = build.series(bars)
    straight = _run(build, series, name, seed, orders, None)
    stepped = _run(build, series, name, seed, orders, steps)

    def fills(kernel: Kernel) -> list[tuple[Any, ...]]:
        return [
            (f.order_id, f.price, f.qty, f.rule, f.path, f.bar_ts)
            for e in kernel.events
            if isinstance(e, OrderFilled)
            for f in (e.fill,)
        ]

    assert fills(stepped) == fills(straight)
    event(f"{min(len(fills(straight)), 3)}+ fills")
    assert {i: o.status for i, o in stepped.orders.items()} == {
        i: o.status for i, o in straight.orders.items()
    }
