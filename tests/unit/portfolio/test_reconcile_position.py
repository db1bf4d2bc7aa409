"""A reconciliation sets a position and cash to a broker's: the books stay whole (hand numbers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.unit.portfolio.test_portfolio_books import make_portfolio

from paperbroker.model.events import ReconciliationApplied
from paperbroker.session.reconcile_books import apply_reconciliation

D = Decimal


def _whole(portfolio: Any) -> bool:
    """Equity minus the initial cash is the P&L less fees, plus what reconciliations moved."""
    pnl = portfolio.realized_pnl + portfolio.unrealized_pnl - portfolio.fees
    return bool(pnl + portfolio.reconciled == portfolio.equity - portfolio.account.initial_cash)


def test_a_position_sold_at_the_broker_by_hand_moves_its_proceeds_over_cost_not_pnl(
    build: Any,
) -> None:
    portfolio, _ = make_portfolio("10000", {0: 105.0})
    portfolio.apply_fill(build.fill("buy", 10, "100.00", symbol="AAA"))  # cash 9 000
    # At the broker someone sold the 10 at 110: cash 9 000 + 1 100 = 10 100.
    portfolio.reconcile_position("AAA", D(0), D(0), ts=5)
    portfolio.reconcile_cash(D("10100"), ts=5)
    assert portfolio.positions["AAA"].qty == 0
    assert portfolio.cash == D("10100")
    assert portfolio.realized_pnl == 0  # no fill of the session realized it
    assert portfolio.reconciled == D("100")  # -1 000 of basis gone, +1 100 of cash
    assert portfolio.equity == D("10100")
    assert _whole(portfolio)


def test_a_position_bought_at_the_broker_by_hand_moves_nothing_net(build: Any) -> None:
    portfolio, _ = make_portfolio("10000", {1: 52.0})
    # At the broker 20 BBB were bought at 50: cash 10 000 - 1 000 = 9 000.
    portfolio.reconcile_position("BBB", D(20), D(50), ts=5)
    portfolio.reconcile_cash(D("9000"), ts=5)
    position = portfolio.positions["BBB"]
    assert (position.qty, position.avg_price) == (D(20), D(50))
    assert (portfolio.realized_pnl, portfolio.reconciled) == (0, 0)  # 1 000 of shares for cash
    assert portfolio.unrealized_pnl == D("40")  # (52 - 50) * 20
    assert portfolio.equity == D("10040")
    assert _whole(portfolio)
    # and it trades on from there: selling 5 at 60 realizes (60 - 50) * 5 = 50
    portfolio.apply_fill(build.fill("sell", 5, "60.00", symbol="BBB"))
    assert portfolio.positions["BBB"].realized_pnl == D("50")
    assert _whole(portfolio)


def test_a_position_held_before_the_session_comes_in_at_cost_not_as_pnl() -> None:
    portfolio, _ = make_portfolio("10000", {0: 110.0})
    portfolio.reconcile_position("AAA", D(7), D(100), ts=5)  # cash: the account's already
    assert (portfolio.realized_pnl, portfolio.unrealized_pnl) == (0, D("70"))
    assert portfolio.reconciled == D("700")
    assert portfolio.equity == D("10770")
    assert _whole(portfolio)


def test_cash_drift_alone_counts_in_reconciled() -> None:
    portfolio, _ = make_portfolio("10000")
    portfolio.reconcile_cash(D("9999.10"), ts=5)  # a regulatory fee the broker charged
    assert portfolio.realized_pnl == 0
    assert portfolio.reconciled == D("-0.90")
    assert _whole(portfolio)


def test_a_reconciliation_event_sets_positions_then_cash_and_skips_unknown_symbols() -> None:
    portfolio, _ = make_portfolio("10000", {0: 100.0})
    adjustments = (
        '{"cash": "8000", "positions": {"AAA": {"avg_entry_price": "100", "qty": "20"},'
        ' "ZZZ": {"avg_entry_price": "1", "qty": "5"}}}'
    )
    apply_reconciliation(portfolio, ReconciliationApplied(5, "run", "[]", adjustments))
    assert portfolio.positions["AAA"].qty == 20
    assert "ZZZ" not in portfolio.positions
    assert portfolio.cash == D("8000")
    assert portfolio.equity == D("10000")
    assert _whole(portfolio)


def test_a_reconciliation_ends_the_realized_trail_fills_kept(build: Any) -> None:
    portfolio, _ = make_portfolio("10000", {0: 105.0})
    assert portfolio.realized_trail is None  # kept only on request (a backtest's books)
    portfolio.keep_realized_trail()
    portfolio.apply_fill(build.fill("buy", 10, "100.00", symbol="AAA"))
    portfolio.apply_fill(build.fill("sell", 4, "110.00", symbol="AAA"))
    assert portfolio.realized_trail == [D(0), D("40.00")]  # 4 x (110 - 100)
    # Shares that moved without a fill: the trail no longer tells the positions.
    portfolio.reconcile_position("AAA", D(0), D(0), ts=5)
    assert portfolio.realized_trail is None
