"""The benchmark's user-style strategy trades as the built-in one does, and the
order-path benchmark sends and fills the orders it counts."""

from __future__ import annotations

from bench.order_path import run_once
from bench.paper import pb_prepare, pb_trades
from bench.user_style import run_user

from paperbroker.data import synthetic_bars


def test_user_style_trades_are_the_built_in_strategys_on_one_and_several_symbols() -> None:
    for series in (
        [synthetic_bars("S0", 20_000, seed=42)],
        [synthetic_bars(f"S{i}", 5_000, seed=42 + i) for i in range(3)],
    ):
        for fee in (0.0, 0.001):
            built_in = pb_prepare(series, fee).run()
            user = run_user(series, fee)
            assert user.closed_trades == built_in.metrics.num_trades > 10
            assert user.trades == pb_trades(built_in, series)
            assert user.final_equity == built_in.final_equity


def test_the_order_path_benchmark_fills_every_order_it_sends() -> None:
    with_orders = run_once(2_000, 5, orders=True)
    without = run_once(2_000, 5, orders=False)
    assert with_orders.orders == 400
    assert with_orders.fills == 399  # the last one is sent at the last bar: nothing is left
    assert without.orders == without.fills == 0
    assert with_orders.bars == without.bars == 2_000
