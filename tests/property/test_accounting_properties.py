"""Accounting identities that must hold, to the last digit, for any fills and any order flow.

Two drivers: random fills and marks applied straight to a real :class:`Portfolio`,
and random order flows pushed through a real :class:`Kernel` over seeded
synthetic bars (so fills come from the real venue, with partial fills, fees and
slippage).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from paperbroker.core.clock import SimClock
from paperbroker.core.errors import InvalidRequest
from paperbroker.core.ids import AccountId
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType, OrderSide, OrderStatus
from paperbroker.model.events import OrderFilled
from paperbroker.model.instrument import Instrument
from paperbroker.portfolio import Portfolio
from paperbroker.portfolio.marks import PriceTrack
from paperbroker.venue import (
    FixedBpsSlippage,
    FullFill,
    PercentCommission,
    PerShareCommission,
    VenueConfig,
    VolumeParticipation,
)

CENT = Decimal("0.01")
SYMBOLS = ("AAA", "BBB")
INITIAL = Decimal("100000")

# ---- a real Portfolio fed random fills and marks ---------------------------------------------

fill_step = st.tuples(
    st.just("fill"),
    st.sampled_from(SYMBOLS),
    st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
    st.integers(1, 500),  # qty
    st.integers(1, 50_000),  # price in cents
    st.integers(0, 500),  # fee in cents
)
mark_step = st.tuples(st.just("mark"), st.sampled_from(SYMBOLS), st.integers(1, 50_000))
steps = st.lists(st.one_of(fill_step, mark_step), min_size=1, max_size=40)


# The shrunk counterexample hypothesis finds: 6 held at a basis of 0.14, one sold.
REPEATING_BASIS = [
    ("fill", "AAA", OrderSide.BUY, 1, 1, 0),
    ("fill", "AAA", OrderSide.BUY, 1, 1, 0),
    ("fill", "AAA", OrderSide.BUY, 4, 3, 0),
    ("mark", "AAA", 1),
    ("fill", "AAA", OrderSide.SELL, 1, 1, 0),
]


@example(steps=REPEATING_BASIS)
@settings(max_examples=300, deadline=None)
@given(steps=steps)
def test_portfolio_books_identities_hold_exactly_for_any_fills_and_marks(
    steps: list[tuple[Any, ...]], build: Any
) -> None:
    marks: dict[int, float] = {}
    portfolio = Portfolio(
        Account(AccountId("p"), INITIAL, AccountConfig(AccountType.MARGIN)),
        [Instrument.equity(s) for s in SYMBOLS],
        marks.get,
    )
    qty = dict.fromkeys(SYMBOLS, Decimal(0))
    mark = dict.fromkeys(SYMBOLS, Decimal(0))  # our own exact marks (0 before the first)
    cash, fees = INITIAL, Decimal(0)
    for step in steps:
        if step[0] == "mark":
            _, symbol, cents = step
            marks[SYMBOLS.index(symbol)] = cents / 100  # a float, as bars deliver it
            mark[symbol] = cents * CENT
        else:
            _, symbol, side, units, cents, fee_cents = step
            fill = build.fill(side, units, cents * CENT, fee=fee_cents * CENT, symbol=symbol)
            portfolio.apply_fill(fill)
            qty[symbol] += side.sign * units
            cash -= side.sign * units * cents * CENT + fee_cents * CENT
            fees += fee_cents * CENT

        value = sum((qty[s] * mark[s] for s in SYMBOLS), Decimal(0))
        # position == sum of signed fills; cash moved by notional and fees only
        assert {s: portfolio.positions[s].qty for s in SYMBOLS} == qty
        assert portfolio.cash == cash
        assert portfolio.fees == fees
        # cash + sum(qty * mark) == equity, exactly
        assert portfolio.equity == cash + value
        # realized + unrealized - fees == equity - initial cash, to the last digit
        pnl = portfolio.realized_pnl + portfolio.unrealized_pnl - portfolio.fees
        assert pnl == portfolio.equity - INITIAL


# ---- a real Kernel fed random order flows ---------------------------------------------------

order_spec = st.fixed_dictionaries(
    {
        "bar": st.integers(0, 28),
        "symbol": st.sampled_from(SYMBOLS),
        "side": st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
        "qty": st.integers(1, 400),
        "kind": st.sampled_from(["market", "limit", "stop", "stop_limit"]),
        "offset": st.integers(-30, 30),  # ticks from the last close
        "gap": st.integers(-20, 20),  # stop-limit: limit minus stop, in ticks
        "tif": st.sampled_from(["day", "gtc", "ioc", "fok"]),
        "cancel_after": st.one_of(st.none(), st.integers(0, 5)),
    }
)
config_spec = st.fixed_dictionaries(
    {
        "commission": st.sampled_from(
            [None, PerShareCommission("0.005", minimum="1", maximum="5"),
             PercentCommission("0.001")]
        ),
        "slippage": st.sampled_from([None, FixedBpsSlippage(5)]),
        "fill_quantity": st.sampled_from([FullFill(), VolumeParticipation("0.02")]),
        "margin": st.booleans(),
        "seed": st.integers(0, 2**16),
    }
)  # fmt: skip


def _bars(seed: int) -> list[Any]:
    # Daily-volume scale 2 000 per minute bar: 2 % is ~40 shares, so large orders fill
    # in pieces.
    return [
        synthetic_bars(symbol, 30, seed=seed + i, base_volume=2_000, annual_volatility=0.8)
        for i, symbol in enumerate(SYMBOLS)
    ]


@settings(max_examples=150, deadline=None)
@given(orders=st.lists(order_spec, max_size=25), setup=config_spec)
def test_kernel_random_order_flow_keeps_orders_and_books_consistent(
    orders: list[dict[str, Any]], setup: dict[str, Any]
) -> None:
    series = _bars(setup["seed"])
    config = VenueConfig(
        commission=setup["commission"] or VenueConfig().commission,
        slippage=setup["slippage"] or VenueConfig().slippage,
        fill_quantity=setup["fill_quantity"],
    )
    account_type = AccountType.MARGIN if setup["margin"] else AccountType.CASH
    account = Account(AccountId("k"), INITIAL, AccountConfig(account_type, Decimal(2)
                      if setup["margin"] else Decimal(1)))  # fmt: skip
    clock = SimClock(int(series[0].ts[0]) - series[0].duration_ns)
    kernel = Kernel(HistoricalFeed(series), account, config, clock)

    submitted = []
    cancels: dict[int, list[str]] = {}
    for bar in range(30):
        kernel.run_until(int(series[0].ts[bar]))
        for order_id in cancels.pop(bar, []):
            kernel.cancel_order(order_id)
        for spec in (o for o in orders if o["bar"] == bar):
            order = _submit(kernel, spec)
            if order is None:
                continue
            submitted.append(order)
            if spec["cancel_after"] is not None:
                cancels.setdefault(bar + spec["cancel_after"], []).append(order.id)
    kernel.run_until(int(series[0].ts[-1]))

    fills = [e.fill for e in kernel.events if isinstance(e, OrderFilled)]
    event(f"fills: {min(len(fills), 10)}{'+' if len(fills) >= 10 else ''}")
    event(f"partial fills: {any(o.status is OrderStatus.PARTIALLY_FILLED for o in submitted)}")
    by_order: dict[str, Decimal] = {}
    for fill in fills:
        by_order[fill.order_id] = by_order.get(fill.order_id, Decimal(0)) + fill.qty
    for order in submitted:
        # 0 <= filled <= ordered, and the fills add up to it
        assert Decimal(0) <= order.filled_qty <= order.qty
        assert order.filled_qty == by_order.get(order.id, Decimal(0))
        assert order.leaves_qty == order.qty - order.filled_qty
        assert (order.status is OrderStatus.FILLED) == (order.filled_qty == order.qty)
        if order.status is OrderStatus.REJECTED:
            assert order.filled_qty == 0
        if order.time_in_force.value in ("ioc", "fok"):
            assert not order.is_open
        if order.time_in_force.value == "fok":
            assert order.filled_qty in (0, order.qty)

    portfolio = kernel.portfolio
    net = {s: sum((f.signed_qty for f in fills if f.symbol == s), Decimal(0)) for s in SYMBOLS}
    assert {s: portfolio.positions[s].qty for s in SYMBOLS} == net
    flows = sum((f.signed_qty * f.price + f.fee for f in fills), Decimal(0))
    assert portfolio.cash == INITIAL - flows
    assert portfolio.fees == sum((f.fee for f in fills), Decimal(0))
    marks = {s: portfolio.mark(s) or Decimal(0) for s in SYMBOLS}
    assert portfolio.equity == portfolio.cash + sum((net[s] * marks[s] for s in SYMBOLS),
                                                    Decimal(0))  # fmt: skip
    pnl = portfolio.realized_pnl + portfolio.unrealized_pnl - portfolio.fees
    assert pnl == portfolio.equity - INITIAL  # exact, to the last digit
    if account_type is AccountType.CASH:
        assert all(q >= 0 for q in net.values())  # a cash account never ends up short
    # The float equity curve ends where the exact books do (to float precision).
    curve = portfolio.ledger.equity_curve(
        kernel.feed.sample_times(kernel.bars_processed), [PriceTrack.of(s) for s in series]
    )
    assert abs(curve.equity[-1] - float(portfolio.equity)) < 1e-6 * float(INITIAL)


def _submit(kernel: Kernel, spec: dict[str, Any]) -> Any:
    symbol = spec["symbol"]
    last = kernel.portfolio.mark(symbol)
    assert last is not None
    price = last + spec["offset"] * CENT
    other = price + spec["gap"] * CENT
    kind = spec["kind"]
    limit = {"limit": price, "stop_limit": other}.get(kind)
    stop = price if kind in ("stop", "stop_limit") else None
    if (limit is not None and limit <= 0) or (stop is not None and stop <= 0):
        return None
    tif = spec["tif"]
    if tif in ("ioc", "fok") and kind in ("stop", "stop_limit"):
        tif = "gtc"
    try:
        return kernel.submit_order(symbol, spec["side"], spec["qty"], limit=limit, stop=stop,
                                   tif=tif)  # fmt: skip
    except InvalidRequest:  # pragma: no cover - every generated order is well formed
        raise
