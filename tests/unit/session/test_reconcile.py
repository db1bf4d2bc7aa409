"""Reconciliation's classification, over hand-made books: each kind of difference, the
clean case, and what adopting each one takes."""

from __future__ import annotations

from decimal import Decimal

from paperbroker.broker.adapter import BrokerAccount, BrokerFill, BrokerOrder, BrokerPosition
from paperbroker.model.events import BrokerReported
from paperbroker.session.reconcile import (
    BrokerBooks,
    DifferenceKind,
    LocalBooks,
    LocalOrder,
    LocalPosition,
    cash_tolerance,
    differences_json,
    read_differences,
    reconcile,
)
from paperbroker.session.reconcile_adjust import (
    Adjustments,
    PositionAdjustment,
    adjustments,
    outcome,
)

D = Decimal
K = DifferenceKind
SYMBOLS = frozenset({"AAPL", "MSFT"})
T0 = 1_700_000_000_000_000_000
HELD = {"AAPL": ("10", "100")}


def local_books(
    orders: tuple[LocalOrder, ...] = (),
    fill_ids: frozenset[str] = frozenset(),
    positions: dict[str, tuple[str, str]] | None = None,
    cash: str = "90000",
    known_outside: frozenset[str] = frozenset(),
) -> LocalBooks:
    held = {
        s: LocalPosition(s, D(q), D(p))
        for s, (q, p) in (HELD if positions is None else positions).items()
    }
    return LocalBooks(orders, fill_ids, held, D(cash), SYMBOLS, known_outside)


def broker_order(
    client: str,
    status: str = "filled",
    qty: str = "10",
    filled: str = "10",
    symbol: str = "AAPL",
    id: str = "",
) -> BrokerOrder:
    return BrokerOrder(
        id=id or f"b-{client}", client_order_id=client, symbol=symbol, side="buy",
        order_type="market", time_in_force="day", status=status, qty=D(qty),
        filled_qty=D(filled), filled_avg_price=D("100") if D(filled) else None, submitted_at=T0,
    )  # fmt: skip


def broker_fill(id: str, client: str, qty: str = "10", price: str = "100", side: str = "buy",
                symbol: str = "AAPL", fee: str = "0") -> BrokerFill:  # fmt: skip
    return BrokerFill(id, f"b-{client}", client, symbol, side, D(qty), D(price), T0 + 1, D(fee))


def broker_books(
    orders: tuple[BrokerOrder, ...] = (),
    fills: tuple[BrokerFill, ...] = (),
    positions: dict[str, tuple[str, str]] | None = None,
    cash: str = "90000",
) -> BrokerBooks:
    held = [
        BrokerPosition(s, D(q), D(p))
        for s, (q, p) in (HELD if positions is None else positions).items()
    ]
    return BrokerBooks(orders, fills, held, BrokerAccount("acct", D(cash), D("100000"), D(cash)))


FILLED = LocalOrder("o1", "AAPL", "filled", False, D(10), "b-o1")


def test_reconcile_same_books_are_clean() -> None:
    local = local_books((FILLED,), frozenset({"f1"}))
    broker = broker_books((broker_order("o1"),), (broker_fill("f1", "o1"),))
    assert reconcile(local, broker) == []
    assert outcome([], "halt") == "clean"


def test_reconcile_a_broker_fill_not_applied_is_a_missed_fill_that_explains_the_position() -> None:
    working = LocalOrder("o1", "AAPL", "accepted", True, D(0), "b-o1")
    local = local_books((working,), positions={}, cash="100000")
    broker = broker_books(
        (broker_order("o1"),), (broker_fill("f1", "o1", fee="0.5"),), cash="98999.5"
    )
    [difference] = reconcile(local, broker)
    assert difference.kind is K.MISSED_FILL
    assert (difference.symbol, difference.order_id, difference.broker_order_id) == (
        "AAPL",
        "o1",
        "b-o1",
    )
    assert difference.broker == {
        "fill_id": "f1", "side": "buy", "qty": "10", "price": "100", "fee": "0.5",
        "filled_at": str(T0 + 1),
    }  # fmt: skip
    adopt = adjustments([difference], ts=T0 + 5)
    assert adopt.reports == (
        BrokerReported(T0 + 5, "o1", "fill", broker_order_id="b-o1", fill_id="f1", qty=D(10),
                       price=D(100), fee=D("0.5"), filled_at=T0 + 1),
    )  # fmt: skip
    assert not adopt.books_change  # the fill brings position and cash in line


def test_reconcile_a_fill_matched_by_broker_order_id_only_is_still_ours() -> None:
    working = LocalOrder("o1", "AAPL", "accepted", True, D(0), "b-o1")
    fill = BrokerFill("f1", "b-o1", "", "AAPL", "buy", D(10), D(100), T0, D(0))
    [difference] = reconcile(
        local_books((working,), positions={}, cash="91000"),
        broker_books((broker_order("o1"),), (fill,)),
    )
    assert (difference.kind, difference.order_id) == (K.MISSED_FILL, "o1")


def test_reconcile_an_order_the_session_did_not_place_is_unknown_and_known_once_adopted() -> None:
    local = local_books((FILLED,), frozenset({"f1"}))
    outside = broker_order("manual-1", status="new", qty="5", filled="0", id="b-x")
    broker = broker_books((broker_order("o1"), outside), (broker_fill("f1", "o1"),))
    [difference] = reconcile(local, broker)
    assert difference.kind is K.UNKNOWN_ORDER
    assert (difference.broker_order_id, difference.order_id) == ("b-x", None)
    assert (difference.broker or {})["status"] == "new"
    adopt = adjustments([difference], ts=T0)
    assert adopt.outside_orders == ("b-x",)
    assert adopt.books_change
    known = local_books((FILLED,), frozenset({"f1"}), known_outside=frozenset({"b-x"}))
    assert reconcile(known, broker) == []


def test_reconcile_orders_in_symbols_the_session_does_not_trade_are_not_its_business() -> None:
    outside = broker_order("manual-1", symbol="TSLA", id="b-t")
    broker = broker_books((outside,), positions={"AAPL": ("10", "100"), "TSLA": ("10", "200")})
    assert reconcile(local_books(), broker) == []


def test_reconcile_an_order_canceled_at_the_broker_is_an_order_status_reported_as_canceled() -> (
    None
):
    working = LocalOrder("o2", "MSFT", "accepted", True, D(0), "b-o2")
    broker = broker_books((broker_order("o2", status="canceled", filled="0", symbol="MSFT"),))
    [difference] = reconcile(local_books((working,)), broker)
    assert difference.kind is K.ORDER_STATUS
    assert difference.local == {"status": "accepted", "filled_qty": "0", "working": "true"}
    assert difference.broker == {"status": "canceled", "filled_qty": "0"}
    [report] = adjustments([difference], ts=T0).reports
    assert (report.order_id, report.update, report.broker_order_id) == ("o2", "canceled", "b-o2")


def test_reconcile_an_order_done_here_but_working_at_the_broker_is_reported_not_adopted() -> None:
    canceled = LocalOrder("o2", "MSFT", "canceled", False, D(0), "b-o2")
    broker = broker_books((broker_order("o2", status="new", filled="0", symbol="MSFT"),))
    [difference] = reconcile(local_books((canceled,)), broker)
    assert difference.kind is K.ORDER_STATUS
    assert "still new at the broker" in difference.message
    noted = adjustments([difference], ts=T0)
    assert noted == Adjustments(noted_statuses={"b-o2": "new"})
    known = LocalBooks(
        (canceled,),
        frozenset(),
        {"AAPL": LocalPosition("AAPL", D(10), D(100))},
        D(90000),
        SYMBOLS,
        noted_statuses={"b-o2": "new"},
    )
    assert reconcile(known, broker) == []
    # ... until the broker's status changes
    filled = broker_books((broker_order("o2", status="filled", filled="1", symbol="MSFT"),))
    assert [d.kind for d in reconcile(known, filled)] == [K.ORDER_STATUS]


def test_reconcile_a_working_order_the_broker_no_longer_has_is_an_order_status() -> None:
    working = LocalOrder("o2", "MSFT", "accepted", True, D(0), "b-o2")
    never_sent = LocalOrder("o3", "MSFT", "new", True, D(0), "")
    [difference] = reconcile(local_books((working, never_sent)), broker_books())
    assert (difference.kind, difference.order_id) == (K.ORDER_STATUS, "o2")
    assert difference.broker == {"status": "missing"}


def test_reconcile_a_filled_order_completed_by_its_missed_fills_has_no_status_difference() -> None:
    partial = LocalOrder("o1", "AAPL", "partially_filled", True, D(4), "b-o1")
    local = local_books(
        (partial,), frozenset({"f1"}), positions={"AAPL": ("4", "100")}, cash="99600"
    )
    fills = (broker_fill("f1", "o1", qty="4"), broker_fill("f2", "o1", qty="6"))
    kinds = [d.kind for d in reconcile(local, broker_books((broker_order("o1"),), fills))]
    assert kinds == [K.MISSED_FILL, K.CASH_DRIFT]  # cash: 99 600 - 600 = 99 000, not 90 000


def test_reconcile_a_position_at_the_broker_only_was_opened_outside() -> None:
    broker = broker_books(positions={"AAPL": ("10", "100"), "MSFT": ("3", "300")}, cash="89100")
    differences = reconcile(local_books(), broker)
    assert [d.kind for d in differences] == [K.POSITION_OPENED_OUTSIDE, K.CASH_DRIFT]
    position, _cash = differences
    assert position.symbol == "MSFT"
    assert position.local == {"qty": "0", "avg_entry_price": "0"}
    assert position.broker == {"qty": "3", "avg_entry_price": "300"}
    adopt = adjustments(differences, ts=T0)
    assert adopt.positions == {"MSFT": PositionAdjustment(D(3), D(300))}
    assert adopt.cash == D(89100)


def test_reconcile_a_position_gone_at_the_broker_was_closed_outside() -> None:
    broker = broker_books(positions={}, cash="91100")
    position, cash = reconcile(local_books(), broker)
    assert (position.kind, position.symbol) == (K.POSITION_CLOSED_OUTSIDE, "AAPL")
    assert position.broker == {"qty": "0", "avg_entry_price": "0"}
    assert (cash.kind, cash.broker) == (K.CASH_DRIFT, {"cash": "91100"})


def test_reconcile_a_quantity_no_fill_explains_is_a_mismatch_and_cash_must_then_agree_exactly() -> (
    None
):
    # 12 at the broker, 10 here, and no fill says why; cash differs by 50 cents only.
    broker = broker_books(positions={"AAPL": ("12", "101")}, cash="89999.50")
    position, cash = reconcile(local_books(), broker)
    assert position.kind is K.QUANTITY_MISMATCH
    assert position.local == {"qty": "10", "avg_entry_price": "100"}
    assert cash.kind is K.CASH_DRIFT  # within the tolerance, but a position moved without a fill
    adopt = adjustments([position, cash], ts=T0)
    assert adopt.positions == {"AAPL": PositionAdjustment(D(12), D(101))}
    assert adopt.cash == D("89999.50")


def test_reconcile_cash_within_the_tolerance_is_no_drift_and_beyond_it_is() -> None:
    assert cash_tolerance(D("100000")) == D("10")  # 1 bp of the broker's equity
    assert cash_tolerance(D("5000")) == D("1.00")
    assert reconcile(local_books(), broker_books(cash="90009.99")) == []
    [drift] = reconcile(local_books(), broker_books(cash="89989.99"))
    assert drift.kind is K.CASH_DRIFT
    assert (drift.local, drift.broker) == ({"cash": "90000"}, {"cash": "89989.99"})
    assert adjustments([drift], ts=T0) == Adjustments(cash=D("89989.99"))


def test_outcome_follows_the_policy() -> None:
    [drift] = reconcile(local_books(), broker_books(cash="1"))
    assert outcome([drift], "adopt") == "adopted"
    assert outcome([drift], "halt") == "halted"


def test_differences_and_adjustments_read_back_as_they_were_written() -> None:
    broker = broker_books(
        (broker_order("x", id="b-x"),), positions={"AAPL": ("12", "101.5")}, cash="88000"
    )
    differences = reconcile(local_books(), broker)
    assert read_differences(differences_json(differences)) == differences
    adopt = adjustments(differences, ts=T0)
    assert Adjustments.read(adopt.to_json()) == Adjustments(
        positions=adopt.positions, cash=adopt.cash, outside_orders=adopt.outside_orders
    )
    assert adjustments(read_differences(differences_json(differences)), ts=T0) == adopt


def test_reconcile_a_fill_of_an_order_done_here_is_taken_in_by_the_position_and_known_after() -> (
    None
):
    # The session canceled o1 while the broker filled 10 of it: the fill cannot apply.
    canceled = LocalOrder("o1", "AAPL", "canceled", False, D(0), "b-o1")
    local = local_books((canceled,), positions={}, cash="100000")
    broker = broker_books((broker_order("o1"),), (broker_fill("f1", "o1"),), cash="99000")
    missed, status, position, cash = reconcile(local, broker)
    assert (missed.kind, missed.local) == (
        K.MISSED_FILL,
        {"status": "canceled", "working": "false"},
    )
    assert status.kind is K.ORDER_STATUS  # done here, but filled (not canceled) there
    assert (position.kind, cash.kind) == (K.POSITION_OPENED_OUTSIDE, K.CASH_DRIFT)
    adopt = adjustments([missed, status, position, cash], ts=T0)
    assert adopt.reports == ()
    assert adopt.adopted_fills == ("f1",)
    assert adopt.positions == {"AAPL": PositionAdjustment(D(10), D(100))}
    assert adopt.cash == D(99000)
    assert adopt.noted_statuses == {"b-o1": "filled"}  # nothing here can make it filled
    taken = Adjustments.read(adopt.to_json())
    after = LocalBooks(
        (canceled,), frozenset(), {"AAPL": LocalPosition("AAPL", D(10), D(100))}, D(99000),
        SYMBOLS, known_fills=frozenset(taken.adopted_fills), noted_statuses=taken.noted_statuses,
    )  # fmt: skip
    assert reconcile(after, broker) == []
