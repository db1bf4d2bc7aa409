"""An account's rules (Alpaca's account configurations) as the kernel enforces them.

Every expectation is worked out by hand from a flat market: XYZ opens and
closes at 100.00 each day, so a share is worth 100.00 at every mark.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from paperbroker.core.clock import SimClock
from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.core.ids import AccountId
from paperbroker.engine.accounts import configured, rules_of
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig, AccountRules
from paperbroker.model.enums import (
    AccountType,
    CheckTiming,
    ConfirmEmail,
    OrderSide,
    OrderStatus,
    RejectReason,
)
from paperbroker.model.events import AccountConfigured, OrderRejected
from paperbroker.model.instrument import Instrument
from paperbroker.venue.venue import VenueConfig

BUY, SELL = OrderSide.BUY, OrderSide.SELL
FLAT = (100.00, 100.50, 99.50, 100.00)


@pytest.fixture
def kernel(build: Any) -> Kernel:
    """A Reg-T margin account (2x overnight, 4x intraday) with 10 000, after the first close."""
    series = build.series([FLAT] * 5, instrument=Instrument.equity("XYZ", fractionable=True))
    account = Account(AccountId("test"), Decimal(10_000), AccountConfig.reg_t())
    start = int(series.ts[0]) - series.duration_ns
    kernel = Kernel(HistoricalFeed([series]), account, VenueConfig(), SimClock(start))
    kernel.run_until(int(series.ts[0]))  # 16:00: the market is closed, XYZ is marked 100.00
    return kernel


def reason(kernel: Kernel, order_id: str) -> tuple[RejectReason, str]:
    event = next(
        e for e in kernel.events if isinstance(e, OrderRejected) and e.order_id == order_id
    )
    return event.reason, event.message


def test_a_new_account_has_a_fresh_alpaca_paper_accounts_rules(kernel: Kernel) -> None:
    rules = kernel.account_rules()
    assert rules == AccountRules()
    assert (rules.dtbp_check, rules.pdt_check) == (CheckTiming.ENTRY, CheckTiming.ENTRY)
    assert rules.trade_confirm_email is ConfirmEmail.ALL
    assert rules.max_margin_multiplier == Decimal(4)
    assert (rules.fractional_trading, rules.no_shorting, rules.suspend_trade) == (
        True,
        False,
        False,
    )
    assert (rules.ptp_no_exception_entry, rules.max_options_trading_level) == (False, None)


def test_configuring_publishes_every_rule_and_nothing_when_unchanged(kernel: Kernel) -> None:
    rules = kernel.account_rules().updated(no_shorting=True, pdt_check="both")
    assert kernel.configure_account("test", rules) == rules
    event = kernel.events[-1]
    assert event == AccountConfigured(
        kernel.clock.now_ns(), AccountId("test"), CheckTiming.ENTRY, True, Decimal(4), True,
        CheckTiming.BOTH, False, ConfirmEmail.ALL, False, None,
    )  # fmt: skip
    assert rules_of(event) == rules
    assert configured(event.ts, AccountId("test"), rules) == event
    count = len(kernel.events)
    kernel.configure_account("test", rules.updated(no_shorting=True))
    assert len(kernel.events) == count
    assert kernel.account_rules("test") is rules


def test_configuring_an_unknown_account_is_not_found(kernel: Kernel) -> None:
    with pytest.raises(NotFound, match="account nope not found"):
        kernel.configure_account("nope", AccountRules())
    with pytest.raises(NotFound):
        kernel.account_rules("nope")


def test_rules_refuse_unknown_names_and_values_naming_them() -> None:
    rules = AccountRules()
    with pytest.raises(InvalidRequest, match="'colour' is not an account configuration"):
        rules.updated(colour="red")
    with pytest.raises(InvalidRequest, match="max_margin_multiplier must be 1, 2 or 4"):
        rules.updated(max_margin_multiplier="3")
    with pytest.raises(InvalidRequest, match="dtbp_check must be one of entry, exit, both"):
        rules.updated(dtbp_check="never")
    with pytest.raises(InvalidRequest, match="no_shorting must be true or false"):
        rules.updated(no_shorting="yes")
    with pytest.raises(InvalidRequest, match="max_options_trading_level must be 0 to 3"):
        rules.updated(max_options_trading_level=4)
    assert rules.updated(max_margin_multiplier="2", suspend_trade=None).max_margin_multiplier == 2


def test_suspend_trade_rejects_every_new_order_and_replacement_but_not_cancels(
    kernel: Kernel,
) -> None:
    resting = kernel.submit_order("XYZ", BUY, 1, limit="90.00", tif="gtc")
    kernel.configure_account("test", AccountRules(suspend_trade=True))
    for order in (
        kernel.submit_order("XYZ", BUY, 1),
        kernel.submit_order("XYZ", SELL, 1, limit="120.00", tif="gtc"),
        kernel.replace_order(resting.id, limit="91.00"),
    ):
        assert order.status is OrderStatus.REJECTED
        assert reason(kernel, order.id) == (
            RejectReason.TRADING_SUSPENDED,
            "trading is suspended on this account (suspend_trade): no new orders are taken",
        )
    assert resting.status is OrderStatus.ACCEPTED  # a refused replacement leaves it working
    assert kernel.cancel_order(resting.id)
    kernel.configure_account("test", AccountRules())
    assert kernel.submit_order("XYZ", BUY, 1).status is OrderStatus.ACCEPTED


def test_suspend_trade_rejects_a_bracket_and_cancels_its_held_legs(kernel: Kernel) -> None:
    kernel.configure_account("test", AccountRules(suspend_trade=True))
    entry = kernel.submit_order(
        "XYZ", BUY, 1, limit="100.00", order_class="bracket", take_profit="110.00",
        stop_loss="90.00",
    )  # fmt: skip
    assert entry.status is OrderStatus.REJECTED
    assert [kernel.orders[leg].status for leg in entry.legs] == [OrderStatus.CANCELED] * 2


def test_no_shorting_refuses_opening_or_adding_to_a_short_only(kernel: Kernel) -> None:
    kernel.submit_order("XYZ", BUY, 10)
    kernel.run_until(int(kernel.feed.ts[1]))  # bought 10 at the next open, 100.00
    assert kernel.position("XYZ").qty == 10
    kernel.configure_account("test", AccountRules(no_shorting=True))
    closing = kernel.submit_order("XYZ", SELL, 10)
    assert closing.status is OrderStatus.ACCEPTED  # selling what is held is no short
    # The 10 are claimed by the first sell: a long position is never sold into a short.
    beyond = kernel.submit_order("XYZ", SELL, 1)
    assert reason(kernel, beyond.id) == (
        RejectReason.INSUFFICIENT_QTY,
        "insufficient qty available for order (requested: 1, available: 0)",
    )
    kernel.run_until(int(kernel.feed.ts[2]))
    assert kernel.position("XYZ").qty == 0
    assert kernel.submit_order("XYZ", BUY, 5).status is OrderStatus.ACCEPTED  # buys are free
    opening = kernel.submit_order("XYZ", SELL, 1)  # flat, and the buy has not filled yet
    assert reason(kernel, opening.id) == (
        RejectReason.SHORT_NOT_ALLOWED,
        "shorting is disabled on this account (no_shorting): this sell of XYZ would open "
        "or add to a short position",
    )


def test_fractional_trading_off_refuses_fractional_quantities_and_notional_orders(
    kernel: Kernel,
) -> None:
    assert kernel.submit_order("XYZ", BUY, "0.5").status is OrderStatus.ACCEPTED
    kernel.configure_account("test", AccountRules(fractional_trading=False))
    half = kernel.submit_order("XYZ", BUY, "1.5")
    notional = kernel.submit_order("XYZ", BUY, notional="250")
    whole = kernel.submit_order("XYZ", BUY, 2)
    assert reason(kernel, half.id) == (
        RejectReason.FRACTIONAL_NOT_ALLOWED,
        "fractional trading is disabled on this account (fractional_trading): "
        "qty 1.5 is not a whole number",
    )
    assert reason(kernel, notional.id) == (
        RejectReason.FRACTIONAL_NOT_ALLOWED,
        "fractional trading is disabled on this account (fractional_trading): "
        "notional orders are not taken",
    )
    assert whole.status is OrderStatus.ACCEPTED


def test_max_margin_multiplier_caps_leverage_overnight_and_intraday(kernel: Kernel) -> None:
    books = kernel.books()
    account = books.account
    # After the close: the overnight 2x of 10 000.
    assert (account.multiplier(), account.multiplier(intraday=True)) == (2, 4)
    assert books.buying_power == Decimal(20_000)
    kernel.run_until(int(kernel.feed.ts[1]) - 60 * 60 * 10**9)  # 15:00: the session is open
    assert books.buying_power == Decimal(40_000)
    kernel.configure_account("test", AccountRules(max_margin_multiplier=Decimal(2)))
    assert books.buying_power == Decimal(20_000)
    assert account.multiplier(intraday=True) == 2
    kernel.configure_account("test", AccountRules(max_margin_multiplier=Decimal(1)))
    assert books.buying_power == Decimal(10_000)  # the equity: no leverage left
    refused = kernel.submit_order("XYZ", BUY, 101)  # 10 100 at the 100.00 mark
    assert reason(kernel, refused.id) == (
        RejectReason.INSUFFICIENT_BUYING_POWER,
        "order needs 10100.00, buying power available is 10000.00",
    )
    assert kernel.submit_order("XYZ", BUY, 100).status is OrderStatus.ACCEPTED
    kernel.configure_account("test", AccountRules(max_margin_multiplier=Decimal(4)))
    assert books.buying_power == Decimal(40_000)
    kernel.run_until(int(kernel.feed.ts[1]))  # the close: overnight again
    assert account.multiplier() == 2  # a cap never raises the account's own leverage


def test_the_cap_does_not_touch_a_cash_account(build: Any) -> None:
    series = build.series([FLAT] * 2)
    kernel = build.kernel(series, cash=5_000, account_type=AccountType.CASH)
    kernel.configure_account("test", AccountRules(max_margin_multiplier=Decimal(1)))
    assert kernel.books().buying_power == Decimal(5_000)
    assert kernel.books().account.multiplier(intraday=True) == 1
    assert not kernel.books().account.shorting_enabled


def test_shorting_enabled_follows_the_account_type_and_no_shorting(kernel: Kernel) -> None:
    account = kernel.books().account
    assert account.shorting_enabled
    kernel.configure_account("test", AccountRules(no_shorting=True))
    assert not account.shorting_enabled
