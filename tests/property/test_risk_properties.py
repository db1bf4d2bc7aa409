"""Invariants of the risk layer, for any settings and any order flow through a real kernel.

- No order the layer lets through breaks a limit in force when it was taken:
  checked here by plain arithmetic on the books before the order, not by
  the layer's own code.
- While a breaker is tripped no entry gets through, until it is reset.
- The same inputs give the same events.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from paperbroker.core.clock import SimClock
from paperbroker.core.ids import AccountId
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType, OrderSide, OrderStatus, RejectReason
from paperbroker.model.events import BreakerTripped, OrderDenied
from paperbroker.risk.settings import RiskSettings
from paperbroker.venue import VenueConfig

SYMBOL = "AAA"
BARS = 120

order_step = st.tuples(
    st.just("order"),
    st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(1, 60),  # qty: near the limits below, so that flows reach them
    st.one_of(st.none(), st.integers(-300, 300)),  # limit offset from the mark, in cents
)
advance_step = st.tuples(st.just("advance"), st.integers(1, 15))
reset_step = st.tuples(st.just("reset"))
steps = st.lists(st.one_of(order_step, advance_step, reset_step), min_size=1, max_size=40)

limits = st.fixed_dictionaries(
    {},
    optional={
        "max_order_qty": st.integers(1, 50),
        "max_position_qty": st.integers(1, 100),
        "max_order_value": st.integers(100, 6_000),
        "max_gross_exposure": st.integers(1_000, 10_000),
        "max_net_exposure": st.integers(1_000, 10_000),
        "max_open_orders": st.integers(1, 5),
    },
)
breakers = st.fixed_dictionaries(
    {},
    optional={
        "max_drawdown_pct": st.sampled_from(["0.05", "0.1", "0.5"]),
        "daily_loss": st.integers(10, 2_000),
        "volatility_multiple": st.sampled_from(["1.5", "2", "3"]),
        "consecutive_losses": st.integers(1, 3),
    },
)
safeguards = st.fixed_dictionaries(
    {},
    optional={
        "stop_loss_pct": st.sampled_from(["0.5", "1", "2"]),
        "take_profit_pct": st.sampled_from(["0.5", "1", "2"]),
        "max_holding_minutes": st.integers(1, 30),
    },
)


def make_kernel(seed: int, risk: dict[str, Any]) -> Kernel:
    series = synthetic_bars(SYMBOL, BARS, seed=seed, base_volume=5_000, annual_volatility=0.9)
    account = Account(
        AccountId("p"), Decimal(100_000), AccountConfig(AccountType.MARGIN, Decimal(2))
    )
    clock = SimClock(int(series.ts[0]) - series.duration_ns)
    kernel = Kernel(
        HistoricalFeed([series]), account, VenueConfig(), clock, risk=RiskSettings.read(risk)
    )
    kernel.run_until(int(series.ts[0]))
    return kernel


def limit_price(kernel: Kernel, offset: int | None) -> Decimal | None:
    mark = kernel.portfolio.mark(SYMBOL)
    if offset is None or mark is None:
        return None
    price = mark + Decimal(offset) / 100
    return price if price > 0 else None


def run(kernel: Kernel, flow: list[tuple[Any, ...]], check: Any = None) -> None:
    series = kernel.feed.series[0]
    for step in flow:
        if step[0] == "advance":
            row = min(kernel.bars_processed - 1 + step[1], BARS - 2)
            kernel.run_until(int(series.ts[row]))
        elif step[0] == "reset":
            kernel.risk_command("reset_breaker", {"breaker": "all"})
        else:
            _, side, qty, offset = step
            price = limit_price(kernel, offset)
            before = _state(kernel)
            order = kernel.submit_order(SYMBOL, side, qty, limit=price)
            if check is not None:
                check(kernel, order, before)


def _state(kernel: Kernel) -> dict[str, Any]:
    books = kernel.portfolio
    return {
        "held": books.positions[SYMBOL].qty,
        "mark": books.mark(SYMBOL),
        "working": len([o for o in kernel.open_orders() if o.id not in kernel.risk.protection.ids]),
        "effective": kernel.risk.effective,
        "halted": kernel.risk.halted,
    }


def _denied(kernel: Kernel, order_id: str) -> OrderDenied | None:
    denials = (e for e in reversed(kernel.events) if isinstance(e, OrderDenied))
    return next((e for e in denials if e.order_id == order_id), None)


BUY_11 = [("order", OrderSide.BUY, 11, None)]


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10_000), limits, steps)
# One past each limit, as the search may not land there exactly.
@example(1, {"max_position_qty": 10}, BUY_11)
@example(1, {"max_order_qty": 10}, BUY_11)
@example(1, {"max_order_value": 1_090}, BUY_11)  # 11 × 100.10, seed 1's first mark
@example(1, {"max_gross_exposure": 1_000}, BUY_11)
@example(1, {"max_net_exposure": 1_000}, BUY_11)
@example(1, {"max_open_orders": 1}, [("order", OrderSide.BUY, 1, -300)] * 2)
def test_no_order_taken_breaks_a_limit_in_force(
    seed: int, chosen: dict[str, int], flow: list[tuple[Any, ...]]
) -> None:
    kernel = make_kernel(seed, {"limits": chosen})

    def check(kernel: Kernel, order: Any, before: dict[str, Any]) -> None:
        denial = _denied(kernel, order.id)
        event("denied" if denial is not None else "taken")
        if denial is not None:
            return
        rules = before["effective"].limits
        held: Decimal = before["held"]
        price = order.limit_price if order.limit_price is not None else before["mark"]
        signed = order.qty if order.side is OrderSide.BUY else -order.qty
        after = held + signed
        exit_ = held != 0 and (held > 0) != (signed > 0) and order.qty <= abs(held)
        if rules.max_order_qty is not None:
            assert order.qty <= rules.max_order_qty
        if rules.max_order_value is not None and price is not None:
            assert order.qty * price <= rules.max_order_value
        if rules.max_open_orders is not None:
            assert before["working"] < rules.max_open_orders
        if exit_:
            return
        if rules.max_position_qty is not None:
            assert abs(after) <= rules.max_position_qty
        if price is not None:
            if rules.max_gross_exposure is not None:
                assert abs(after) * price <= rules.max_gross_exposure
            if rules.max_net_exposure is not None:
                assert abs(after * price) <= rules.max_net_exposure

    run(kernel, flow, check)


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10_000), breakers, steps)
def test_a_tripped_breaker_lets_no_entry_through_until_reset(
    seed: int, chosen: dict[str, Any], flow: list[tuple[Any, ...]]
) -> None:
    kernel = make_kernel(seed, {"breakers": chosen})
    opening = [("order", OrderSide.BUY, 60, None), ("advance", 5)]

    def check(kernel: Kernel, order: Any, before: dict[str, Any]) -> None:
        held: Decimal = before["held"]
        signed = order.qty if order.side is OrderSide.BUY else -order.qty
        exit_ = held != 0 and (held > 0) != (signed > 0) and order.qty <= abs(held)
        if before["halted"] and not exit_:
            assert order.status is OrderStatus.REJECTED
            assert order.reject_reason is RejectReason.RISK_DENIED
            denial = _denied(kernel, order.id)
            assert denial is not None
            assert denial.rule.startswith("breakers.")

    run(kernel, opening + flow, check)
    tripped = {e.breaker for e in kernel.events if isinstance(e, BreakerTripped)}
    event(f"tripped: {bool(tripped)}")
    assert tripped <= set(chosen) | {"kill_switch"}


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), limits, breakers, safeguards, steps)
def test_the_same_inputs_give_the_same_events(
    seed: int,
    chosen_limits: dict[str, int],
    chosen_breakers: dict[str, Any],
    chosen_safeguards: dict[str, Any],
    flow: list[tuple[Any, ...]],
) -> None:
    risk = {"limits": chosen_limits, "breakers": chosen_breakers, "safeguards": chosen_safeguards}
    first, second = make_kernel(seed, risk), make_kernel(seed, risk)
    run(first, flow)
    run(second, flow)
    assert first.events == second.events
    assert first.risk.snapshot() == second.risk.snapshot()
    assert first.portfolio.account.cash == second.portfolio.account.cash
    assert first.portfolio.positions[SYMBOL].qty == second.portfolio.positions[SYMBOL].qty
    event(f"risk events: {bool([e for e in first.events if type(e).__name__.startswith('R')])}")
