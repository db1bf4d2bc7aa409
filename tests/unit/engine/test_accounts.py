"""Several accounts in one kernel: shared clock, data and venue; separate books and checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperbroker.core.errors import Conflict, InvalidRequest, NotFound
from paperbroker.core.ids import AccountId
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType, OrderSide, OrderStatus, RejectReason
from paperbroker.model.events import AccountOpened, OrderFilled

BUY, SELL = OrderSide.BUY, OrderSide.SELL
FLAT = (100.00, 100.50, 99.00, 100.00)


@pytest.fixture
def kernel(build: Any) -> Kernel:
    series = build.series([FLAT] * 4)
    kernel = build.kernel(series, cash=10_000)
    kernel.run_until(int(series.ts[0]))
    return kernel


def cash_account(account_id: str, cash: int) -> Account:
    return Account(AccountId(account_id), Decimal(cash), AccountConfig(AccountType.CASH))


def test_open_account_emits_account_opened_and_has_its_own_books(kernel: Kernel) -> None:
    books = kernel.open_account(cash_account("B", 500))
    assert kernel.events[-1] == AccountOpened(
        ts=kernel.clock.now_ns(),
        account_id=AccountId("B"),
        initial_cash=Decimal(500),
        account_type=AccountType.CASH,
        leverage=Decimal(1),
    )
    assert books.cash == 500
    assert kernel.books("B") is books
    assert kernel.books() is kernel.portfolio  # the default account
    assert kernel.portfolio.cash == 10_000


def test_open_account_twice_conflicts(kernel: Kernel) -> None:
    kernel.open_account(cash_account("B", 500))
    with pytest.raises(Conflict, match="account B already exists"):
        kernel.open_account(cash_account("B", 900))


def test_unknown_account_is_not_found(kernel: Kernel) -> None:
    with pytest.raises(NotFound, match="account nope not found"):
        kernel.submit_order("XYZ", BUY, 1, account_id="nope")
    with pytest.raises(NotFound):
        kernel.open_orders(account_id="nope")


def test_fills_move_only_the_ordering_accounts_books(kernel: Kernel) -> None:
    kernel.open_account(cash_account("B", 5_000))
    order = kernel.submit_order("XYZ", BUY, 10, account_id="B")
    kernel.run_until(int(kernel.feed.ts[1]))
    fill = next(e.fill for e in kernel.events if isinstance(e, OrderFilled))
    assert (order.account_id, fill.account_id) == ("B", "B")
    assert kernel.position("XYZ", account_id="B").qty == 10
    assert kernel.books("B").cash == Decimal(5_000) - 10 * fill.price
    assert kernel.position("XYZ").qty == 0  # the default account did not trade
    assert kernel.portfolio.cash == 10_000


def test_pretrade_checks_use_the_ordering_accounts_buying_power(kernel: Kernel) -> None:
    kernel.open_account(cash_account("poor", 50))
    refused = kernel.submit_order("XYZ", BUY, 1, account_id="poor")  # needs 100.00
    accepted = kernel.submit_order("XYZ", BUY, 1)  # the default account has 10 000
    assert refused.status is OrderStatus.REJECTED
    assert accepted.status is OrderStatus.ACCEPTED
    assert kernel.events[-3].reason is RejectReason.INSUFFICIENT_BUYING_POWER  # type: ignore[union-attr]


def test_working_orders_reserve_only_their_own_accounts_buying_power(kernel: Kernel) -> None:
    kernel.open_account(cash_account("B", 150))
    kernel.submit_order("XYZ", BUY, 99, limit="100.00", tif="gtc")  # default: 9 900 of 10 000
    second = kernel.submit_order("XYZ", BUY, 1, limit="100.00", tif="gtc", account_id="B")
    assert second.status is OrderStatus.ACCEPTED
    assert [o.id for o in kernel.open_orders(account_id="B")] == [second.id]
    assert len(kernel.open_orders()) == 1


def test_cash_account_short_refused_per_account(kernel: Kernel) -> None:
    kernel.open_account(cash_account("B", 1_000))
    refused = kernel.submit_order("XYZ", SELL, 1, account_id="B")
    allowed = kernel.submit_order("XYZ", SELL, 1)  # the default account is a margin account
    assert refused.status is OrderStatus.REJECTED
    assert allowed.status is OrderStatus.ACCEPTED


def test_the_id_of_an_order_sent_without_a_client_id_is_its_accounts_client_id(
    build: Any, kernel: Kernel
) -> None:
    """An order sent without a client order id takes its id as one: its account may not
    use that id again, another account may, and so after a checkpoint."""
    kernel.open_account(cash_account("B", 1_000))
    order = kernel.submit_order("XYZ", BUY, 1)
    assert order.client_order_id == order.id
    for books in (kernel, _restored(build, kernel)):
        with pytest.raises(InvalidRequest, match=f"client_order_id '{order.id}' is already"):
            books.submit_order("XYZ", BUY, 1, client_order_id=order.id)
        other = books.submit_order("XYZ", BUY, 1, client_order_id=order.id, account_id="B")
        assert other.client_order_id == order.id


def _restored(build: Any, kernel: Kernel) -> Kernel:
    """A kernel on the same bars that took ``kernel``'s checkpoint."""
    fresh: Kernel = build.kernel(kernel.feed.series[0], cash=10_000)
    fresh.from_state(kernel.to_state())
    return fresh


def test_client_order_id_is_unique_per_account_not_per_session(kernel: Kernel) -> None:
    kernel.open_account(cash_account("B", 1_000))
    kernel.submit_order("XYZ", BUY, 1, client_order_id="mine")
    kernel.submit_order("XYZ", BUY, 1, client_order_id="mine", account_id="B")
    with pytest.raises(InvalidRequest, match="client_order_id 'mine' is already in use"):
        kernel.submit_order("XYZ", BUY, 1, client_order_id="mine", account_id="B")
