"""Cached reservations decide every pre-trade check exactly as a fresh count would."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.model.enums import AccountType, OrderSide

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
            st.integers(min_value=1, max_value=60),
            st.none() | st.integers(min_value=9_500, max_value=10_500),  # limit in cents
        ),
        st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("advance")),
    ),
    min_size=1,
    max_size=40,
)
BAR = (100.00, 100.40, 99.60, 100.00)


def run(build: Any, plan: list[Any], account_type: AccountType, fresh: bool) -> list[Any]:
    series = build.series([BAR] * 12, freq="minute")
    kernel = build.kernel(series, cash=5_000, account_type=account_type, leverage=2 if
                          account_type is AccountType.MARGIN else 1)  # fmt: skip
    kernel.run_until(int(series.ts[0]))
    bar = 0
    for step in plan:
        if step[0] == "order":
            _, side, qty, cents = step
            if fresh:
                kernel.portfolio.forget_reservations()
            limit = None if cents is None else f"{cents / 100:.2f}"
            kernel.submit_order("XYZ", side, qty, limit=limit, tif="gtc")
        elif step[0] == "cancel":
            working = kernel.open_orders()
            if working:
                kernel.cancel_order(working[step[1] % len(working)].id)
        elif bar + 1 < len(series):
            bar += 1
            kernel.run_until(int(series.ts[bar]))
    return kernel.events


@settings(max_examples=200, deadline=None)
@given(plan=steps, account_type=st.sampled_from([AccountType.CASH, AccountType.MARGIN]))
def test_cached_reservations_give_the_same_decisions_as_fresh_ones(
    build: Any, plan: list[Any], account_type: AccountType
) -> None:
    assert run(build, plan, account_type, fresh=False) == run(build, plan, account_type, fresh=True)
