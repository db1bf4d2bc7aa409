"""The fast path fills as the kernel does, trade by trade, on random signals and prices.

Prices are integer ticks, signals random -1/0/+1 at every bar; cash is small
enough that entries are trimmed at the fill or cannot be made at all, and the
bars have gaps. Both of the fast path's replays are checked: in integer units
(no fees or a flat fee, all the cash per entry) and in ``Decimal`` (every other
case), against the kernel's own fills, metrics and fills digest.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.sweep.fast_helpers import bars, both, kernel_fills, signal_strategy

from paperbroker.data.series import BarSeries
from paperbroker.data.ticks import grid_floats
from paperbroker.strategy.builtin import SmaCrossoverParams
from paperbroker.strategy.indicators import crossover, sma
from paperbroker.sweep.fast import simulate
from paperbroker.sweep.fast_units import grid_units, simulate_units, units_for
from paperbroker.sweep.fast_units_result import exact_ratios
from paperbroker.sweep.signals import ArrayCache, crossings
from paperbroker.venue.execution import ExecutionConfig

FEES = [
    {"model": "none"},
    {"model": "fixed", "amount": "1.00"},
    {"model": "per_share", "per_share": "0.01", "minimum": "1"},
    {"model": "percent", "rate": "0.001"},
]


@st.composite
def runs(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(min_value=1, max_value=40))
    lot = draw(st.sampled_from([Decimal(1), Decimal("0.001")]))
    prices = st.integers(min_value=50, max_value=5_000)
    return {
        "opens": draw(st.lists(prices, min_size=n, max_size=n)),
        "closes": draw(st.lists(prices, min_size=n, max_size=n)),
        "gaps": draw(st.lists(st.sampled_from([0, 0, 0, 5, 1440]), min_size=n, max_size=n)),
        "signals": draw(st.lists(st.sampled_from([-1.0, 0.0, 0.0, 1.0]), min_size=n, max_size=n)),
        "cash": Decimal(draw(st.integers(min_value=20, max_value=3_000))),
        "lot": lot,
        "fees": draw(st.sampled_from(FEES)),
        "allocation": draw(st.sampled_from([None, None, 0.5, 1.0])),
        "buffer": draw(st.sampled_from([0.0, 0.0, 0.01])),
    }


def _series(case: dict[str, Any]) -> BarSeries:
    return bars(case["opens"], case["closes"], lot=case["lot"], gaps=case["gaps"])


def _params(case: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"fast": 1, "slow": 2, "buffer": case["buffer"]}
    if case["allocation"] is not None:
        params["allocation"] = case["allocation"]
    return params


def _execution(case: dict[str, Any]) -> dict[str, Any]:
    return {"preset": "ideal", "fees": case["fees"]}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_the_fast_path_reports_the_kernels_metrics_and_digest(case: dict[str, Any]) -> None:
    series = _series(case)
    kernel, fast = both(series, case["signals"], _params(case), case["cash"], _execution(case))
    assert fast is not None
    metrics, digest = fast
    assert digest == kernel.fills_digest()
    assert metrics == kernel.metrics.as_dict()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(runs())
def test_both_replays_fill_trade_by_trade_as_the_kernel(case: dict[str, Any]) -> None:
    series = _series(case)
    strategy, form = signal_strategy(case["signals"])
    params = SmaCrossoverParams(**_params(case))
    fees = ExecutionConfig.from_json(_execution(case)).fees
    kernel, _ = both(series, case["signals"], _params(case), case["cash"], _execution(case))
    expected = kernel_fills(kernel)
    ts = series.ts.tolist()

    run = simulate(series, form, params, case["cash"], fees, ArrayCache(), "k")
    exact = [(f.is_buy, f.qty, f.price, f.fee, ts[f.row]) for f in run.fills]
    assert [tuple(map(str, f)) for f in exact] == [tuple(map(str, f)) for f in expected]
    assert run.cash == kernel.final_cash

    whole = params.allocation in (None, 1.0) and not params.buffer
    units = units_for(series.instrument.tick_size, case["lot"], fees, case["cash"], whole)
    if units is None:
        return
    closes = np.asarray(series.close)
    opens = grid_units(grid_floats(np.asarray(series.open), series.instrument.tick_size), 2)
    ticks = grid_units(closes, 2)
    done = simulate_units(form.signals(params, closes, ArrayCache(), "k"), opens, ticks, units)
    assert done is not None
    lot = units.lot_decimals
    fills = []
    for i, (row, q, at) in enumerate(zip(done.entry_rows, done.qty, done.price_in, strict=True)):
        fills.append((True, q, at, ts[row]))
        if i < len(done.exit_rows):
            fills.append((False, q, done.price_out[i], ts[done.exit_rows[i]]))
    assert [
        (buy, Decimal(q).scaleb(-lot), Decimal(p).scaleb(-2), stamp) for buy, q, p, stamp in fills
    ] == [(buy, q, p, stamp) for buy, q, p, _, stamp in expected]
    assert Decimal(done.cash).scaleb(units.exponent) == kernel.final_cash
    assert strategy is not None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1),
            st.integers(min_value=0, max_value=2**53 - 1),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_exact_ratios_are_the_floats_of_the_decimal_quotients(
    pairs: list[tuple[int, int]],
) -> None:
    numerators = np.asarray([a for a, _ in pairs], dtype=np.int64)
    denominators = np.asarray([b for _, b in pairs], dtype=np.int64)
    expected = [float(Decimal(a) / Decimal(b)) if b else 0.0 for a, b in pairs]
    assert exact_ratios(numerators, denominators) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=80),
    st.integers(min_value=1, max_value=10),
    st.integers(min_value=2, max_value=30),
)
def test_sma_crossings_are_the_strategys_crossover(ticks: list[int], fast: int, slow: int) -> None:
    closes = np.asarray(ticks, dtype=np.float64) / 4  # flat stretches: equal averages
    if fast >= slow:
        fast, slow = slow - 1 or 1, max(slow, fast + 1)
    expected = crossover(sma(closes, fast), sma(closes, slow))
    got = crossings(sma(closes, fast), sma(closes, slow), slow - 1)
    assert got.tolist() == expected.tolist()
