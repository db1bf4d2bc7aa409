"""The venue's bar gate is an optimisation only: skipping bars never changes what happens."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.model.enums import OrderSide
from paperbroker.venue import venue as venue_module
from paperbroker.venue.working import VISIT

prices = st.integers(min_value=9_000, max_value=11_000)  # cents
bars = st.lists(
    st.tuples(prices, prices, prices, prices).map(
        lambda p: (p[0] / 100, max(p) / 100, min(p) / 100, p[3] / 100)
    ),
    min_size=2,
    max_size=30,
)
orders = st.lists(
    st.tuples(
        st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
        st.sampled_from(["limit", "stop", "stop_limit"]),
        prices,
        prices,
        st.sampled_from(["gtc", "day"]),
        st.integers(min_value=0, max_value=5),  # submitted after this many bars
    ),
    min_size=1,
    max_size=8,
)


def run(build: Any, rows: list[tuple[float, ...]], plan: list[Any], gated: bool) -> list[Any]:
    # Ungated, the venue visits every bar: its gate never lets it skip one.
    visit_all = patch.object(venue_module, "gate_of", lambda queue, pending: VISIT)
    with nullcontext() if gated else visit_all:
        series = build.series(rows, freq="minute")
        kernel = build.kernel(series)
        for step in range(len(series)):
            for side, kind, first, second, tif, at in plan:
                if at == step:
                    limit = f"{first / 100:.2f}" if kind != "stop" else None
                    stop = f"{second / 100:.2f}" if kind != "limit" else None
                    kernel.submit_order("XYZ", side, 1, limit=limit, stop=stop, tif=tif)
            kernel.run_until(int(series.ts[step]))
        return kernel.events


@settings(max_examples=150, deadline=None)
@given(rows=bars, plan=orders)
def test_venue_gate_never_changes_fills_or_expiries(
    build: Any, rows: list[tuple[float, ...]], plan: list[Any]
) -> None:
    assert run(build, rows, plan, gated=True) == run(build, rows, plan, gated=False)
