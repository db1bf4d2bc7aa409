"""Reconciliation invariants: for any broker fills and any part of them applied here,
adopting the differences brings the books to the broker's, and a second run is clean.

The session's books are a real :class:`Portfolio`; the broker's are what the same
fills make of positions (a real :class:`Position` each) and cash. Some fills belong
to orders the session never placed, some to orders it canceled meanwhile. The
missed fills that adopting reports are applied as the session's ordinary path
applies a ``BrokerReported`` fill (to the portfolio, once per fill id), then the
``ReconciliationApplied`` adjustments.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st
from tests.builders import make_fill

from paperbroker.broker.adapter import BrokerAccount, BrokerFill, BrokerOrder, BrokerPosition
from paperbroker.core.ids import AccountId
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType
from paperbroker.model.events import ReconciliationApplied
from paperbroker.model.instrument import Instrument
from paperbroker.model.position import Position
from paperbroker.portfolio import Portfolio
from paperbroker.session.reconcile import (
    BrokerBooks,
    LocalBooks,
    LocalOrder,
    LocalPosition,
    differences_json,
    reconcile,
)
from paperbroker.session.reconcile_adjust import Adjustments, adjustments
from paperbroker.session.reconcile_books import apply_reconciliation

SYMBOLS = ("AAA", "BBB")
INITIAL = Decimal("100000")
CENT = Decimal("0.01")
ORDERS = ("o0", "o1", "o2", "outside-0", "outside-1")

broker_fill = st.fixed_dictionaries(
    {
        "order": st.sampled_from(ORDERS),
        "symbol": st.sampled_from(SYMBOLS),
        "side": st.sampled_from(["buy", "sell"]),
        "qty": st.integers(1, 300),
        "cents": st.integers(100, 50_000),
        "fee_cents": st.integers(0, 300),
        "applied": st.booleans(),  # applied here already (our orders' only)
    }
)


def _fills(specs: list[dict[str, object]]) -> list[tuple[BrokerFill, bool]]:
    fills = []
    for n, spec in enumerate(specs):
        order = str(spec["order"])
        fill = BrokerFill(
            f"f{n}", f"b-{order}", order, str(spec["symbol"]), str(spec["side"]),
            Decimal(str(spec["qty"])), int(str(spec["cents"])) * CENT, n,
            int(str(spec["fee_cents"])) * CENT,
        )  # fmt: skip
        fills.append((fill, bool(spec["applied"]) and not order.startswith("outside")))
    return fills


def _apply(portfolio: Portfolio, fill: BrokerFill) -> None:
    price, fee = fill.price, fill.fee
    portfolio.apply_fill(make_fill(fill.side, fill.qty, price, fee=fee, symbol=fill.symbol))


def _broker(fills: list[BrokerFill]) -> BrokerBooks:
    positions = {s: Position(s) for s in SYMBOLS}
    cash = INITIAL
    for fill in fills:
        positions[fill.symbol].apply(make_fill(fill.side, fill.qty, fill.price, symbol=fill.symbol))
        cash -= (fill.qty if fill.side == "buy" else -fill.qty) * fill.price + fill.fee
    orders = [
        BrokerOrder(f"b-{o}", o, "AAA", "buy", "market", "gtc", "partially_filled", Decimal(1000),
                    Decimal(0), None, 0)
        for o in ORDERS
        if not o.startswith("outside") or any(f.client_order_id == o for f in fills)
    ]  # fmt: skip
    held = [BrokerPosition(s, p.qty, p.avg_price) for s, p in positions.items() if p.qty]
    return BrokerBooks(orders, fills, held, BrokerAccount("a", cash, cash, cash))


def _local(
    portfolio: Portfolio, fill_ids: set[str], known: Adjustments, done: frozenset[str]
) -> LocalBooks:
    orders = [
        LocalOrder(o, "AAA", "canceled" if o in done else "partially_filled", o not in done,
                   Decimal(0), f"b-{o}")
        for o in ORDERS
        if not o.startswith("outside")
    ]  # fmt: skip
    positions = {
        s: LocalPosition(s, p.qty, p.avg_price) for s, p in portfolio.positions.items() if p.qty
    }
    return LocalBooks(
        orders, frozenset(fill_ids), positions, portfolio.cash, frozenset(SYMBOLS),
        frozenset(known.outside_orders), frozenset(known.adopted_fills), known.noted_statuses,
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    specs=st.lists(broker_fill, max_size=25),
    done=st.frozensets(st.sampled_from(ORDERS[:3])),  # canceled here, working at the broker
)
def test_adopting_brings_the_books_to_the_brokers_and_a_second_run_is_clean(
    specs: list[dict[str, object]], done: frozenset[str]
) -> None:
    fills = _fills(specs)
    portfolio = Portfolio(
        Account(AccountId("p"), INITIAL, AccountConfig(AccountType.MARGIN)),
        [Instrument.equity(s) for s in SYMBOLS],
        lambda i: float(100 + i),
    )
    applied: set[str] = set()
    for fill, here in fills:
        if here:
            _apply(portfolio, fill)
            applied.add(fill.id)
    broker = _broker([f for f, _here in fills])

    differences = reconcile(_local(portfolio, applied, Adjustments(), done), broker)
    event("differences: " + ", ".join(sorted({d.kind.value for d in differences})))
    adopt = adjustments(differences, ts=100)
    for report in adopt.reports:
        assert report.update == "fill"
        assert report.order_id not in done  # a fill applies to a working order only
        assert report.fill_id not in applied  # each fill once
        [fill] = [f for f, _here in fills if f.id == report.fill_id]
        _apply(portfolio, fill)
        applied.add(fill.id)
    applied_event = ReconciliationApplied(
        100, "run", differences_json(differences), adopt.to_json()
    )
    apply_reconciliation(portfolio, applied_event)

    theirs = {p.symbol: p.qty for p in broker.positions}
    assert {s: p.qty for s, p in portfolio.positions.items() if p.qty} == theirs
    assert abs(portfolio.cash - broker.account.cash) <= Decimal("10")
    pnl = portfolio.realized_pnl + portfolio.unrealized_pnl - portfolio.fees
    assert pnl + portfolio.reconciled == portfolio.equity - INITIAL  # the books stay whole
    known = Adjustments.read(applied_event.adjustments)
    assert reconcile(_local(portfolio, applied, known, done), broker) == []
