"""Exact-number helpers, enums, accounts and instruments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

import pytest

from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.core.ids import AccountId
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType, OrderSide
from paperbroker.model.instrument import FX_HOURS, Instrument, TradingHours
from paperbroker.model.values import price_on_grid, quantize_to_step, to_decimal

D = Decimal
NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "0.1"),
        (100.01, "100.01"),
        (3, "3"),
        ("2.50", "2.50"),
        (D("1.25"), "1.25"),
        ("-1.5e3", "-1.5E+3"),
        (".5", "0.5"),
    ],
)
def test_to_decimal_converts_without_float_artefacts(value: object, expected: str) -> None:
    result = to_decimal(value)  # type: ignore[arg-type]
    assert result == D(expected)
    assert str(result) == expected.strip()


@pytest.mark.parametrize(
    "value", ["abc", "", "1,5", "  2.50 ", " 1", "1\n", "١", "1_000", "²", "1e", "--1"]
)
def test_to_decimal_text_not_a_number_names_field(value: str) -> None:
    """Only ASCII digits: Decimal itself would read " 1 ", "١" and "1_000" as numbers."""
    with pytest.raises(InvalidRequest, match=r"^qty "):
        to_decimal(value, field="qty")


@pytest.mark.parametrize("value", ["nan", "inf", float("inf"), float("nan"), D("-Infinity")])
def test_to_decimal_non_finite_raises(value: object) -> None:
    with pytest.raises(InvalidRequest, match="not a finite number"):
        to_decimal(value, field="price")  # type: ignore[arg-type]


def test_quantize_to_step_rounds_to_grid() -> None:
    assert quantize_to_step(D("10.074"), D("0.05")) == D("10.05")
    assert quantize_to_step(D("10.076"), D("0.05")) == D("10.10")
    assert quantize_to_step(D("10.001"), D("0.01"), ROUND_CEILING) == D("10.01")
    assert quantize_to_step(D("10.009"), D("0.01"), ROUND_FLOOR) == D("10.00")
    assert quantize_to_step(D("7.9"), D("1"), ROUND_FLOOR) == D("7")
    assert str(quantize_to_step(D("3"), D("0.01"))) == "3.00"  # carries the step's exponent


def test_price_on_grid_puts_float_prices_on_the_tick() -> None:
    assert price_on_grid(101.23000000000001, D("0.01")) == D("101.23")
    assert str(price_on_grid(100.0, D("0.01"))) == "100.00"
    assert str(price_on_grid(12.3457, D("0.0001"))) == "12.3457"
    assert price_on_grid(10.07, D("0.05")) == D("10.05")
    assert price_on_grid(10.08, D("0.05")) == D("10.10")


def test_order_side_sign_buy_plus_one_sell_minus_one() -> None:
    assert (OrderSide.BUY.sign, OrderSide.SELL.sign) == (1, -1)


def test_account_config_cash_account_cannot_short_or_lever() -> None:
    assert not AccountConfig().allows_short
    assert AccountConfig(AccountType.MARGIN, D(2)).allows_short
    with pytest.raises(InvalidRequest, match="leverage"):
        AccountConfig(AccountType.CASH, D(2))
    with pytest.raises(InvalidRequest, match="leverage"):
        AccountConfig(AccountType.MARGIN, D("0.5"))


def test_account_negative_initial_cash_raises() -> None:
    with pytest.raises(InvalidRequest, match="initial cash"):
        Account(AccountId("a"), D(-1))


def test_account_buying_power_cash_vs_margin() -> None:
    cash = Account(AccountId("a"), D(1000))
    assert cash.buying_power(equity=D(5000), gross_exposure=D(4000)) == D(1000)
    margin = Account(AccountId("m"), D(1000), AccountConfig(AccountType.MARGIN, D(2)))
    # 2 * 5000 - 4000 = 6000; never below zero.
    assert margin.buying_power(equity=D(5000), gross_exposure=D(4000)) == D(6000)
    assert margin.buying_power(equity=D(1000), gross_exposure=D(4000)) == D(0)


def test_instrument_factories_set_tick_lot_and_currency() -> None:
    xyz = Instrument.equity("XYZ")
    assert (xyz.tick_size, xyz.lot_size, xyz.price_decimals) == (D("0.01"), D(1), 2)
    assert Instrument.equity("ABC", tick_size="0.0001").price_decimals == 4
    assert Instrument.crypto("BTCUSD").lot_size == D("0.0001")
    assert Instrument.fx("EURUSD").currency == "USD"


def test_trading_hours_trading_date_rolls_at_close() -> None:
    hours = Instrument.equity("XYZ").hours
    before_close = datetime_to_ns(datetime(2024, 3, 8, 15, 59, tzinfo=NY))
    at_close = datetime_to_ns(datetime(2024, 3, 8, 16, 0, tzinfo=NY))
    assert hours.trading_date(before_close) == date(2024, 3, 8)
    # A Friday's close rolls to Monday, the next trading day on the exchange's calendar;
    # hours without a calendar roll to the next date.
    assert hours.trading_date(at_close) == date(2024, 3, 11)
    assert TradingHours().trading_date(at_close) == date(2024, 3, 9)
    assert hours.session_close_ns(date(2024, 3, 8)) == at_close
    # Across the DST change (2024-03-10) the close stays 16:00 New York: 20:00 UTC.
    assert hours.session_close_ns(date(2024, 3, 11)) == datetime_to_ns(
        datetime(2024, 3, 11, 16, 0, tzinfo=NY)
    )


def test_fx_hours_trading_day_rolls_at_17_new_york() -> None:
    before = datetime_to_ns(datetime(2024, 1, 2, 16, 59, tzinfo=NY))
    after = datetime_to_ns(datetime(2024, 1, 2, 17, 0, tzinfo=NY))
    assert FX_HOURS.is_24h
    assert FX_HOURS.trading_date(before) == date(2024, 1, 2)
    assert FX_HOURS.trading_date(after) == date(2024, 1, 3)
