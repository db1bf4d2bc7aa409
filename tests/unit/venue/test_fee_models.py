"""Fee models per fill: order-level totals, per-fill exchange fees and regulatory fees."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.enums import LiquiditySide
from paperbroker.venue.commission import (
    NO_FILLS,
    CommissionModel,
    FeeModel,
    FeeSchedule,
    FixedCommission,
    MakerTakerCommission,
    NoCommission,
    OrderFees,
    PercentCommission,
    PerShareCommission,
    RegulatoryFees,
)

D = Decimal
MAKER, TAKER = LiquiditySide.MAKER, LiquiditySide.TAKER
CENT = D("0.01")

#: A fill: (quantity, price in cents).
fills_strategy = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=5_000), st.integers(min_value=1, max_value=50_000)
    ),
    min_size=1,
    max_size=8,
)

PER_ORDER: list[FeeModel] = [
    NoCommission(),
    PercentCommission("0.001"),
    PercentCommission("0.0025", round_to=None),
    PerShareCommission("0.005", minimum="1", maximum="10"),
    PerShareCommission("0.005", minimum="1.00", maximum_pct="0.01"),
    FixedCommission("4.95"),
]


def run_fills(
    model: FeeModel,
    fills: list[tuple[int, int]],
    is_buy: bool,
    liquidity: LiquiditySide = TAKER,
) -> tuple[list[Decimal], Decimal, Decimal]:
    """Feed ``fills`` to ``model`` one by one; the fees, total quantity and notional."""
    before = NO_FILLS
    fees = []
    for qty, cents in fills:
        price = D(cents) * CENT
        fee = model.fill_fee(before, D(qty), price, liquidity, is_buy)
        fees.append(fee)
        before = OrderFees(
            before.filled_qty + qty, before.filled_notional + qty * price, before.fee_paid + fee
        )
    return fees, before.filled_qty, before.filled_notional


def test_commission_model_is_the_old_name_of_fee_model() -> None:
    assert CommissionModel is FeeModel


@pytest.mark.parametrize("model", PER_ORDER, ids=repr)
@given(fills=fills_strategy, is_buy=st.booleans())
def test_per_order_models_charge_the_order_fee_however_the_order_is_split(
    model: FeeModel, fills: list[tuple[int, int]], is_buy: bool
) -> None:
    fees, qty, notional = run_fills(model, fills, is_buy)
    assert all(fee >= 0 for fee in fees)
    assert sum(fees) == model.order_fee(qty, notional)


def test_per_share_minimum_is_paid_once_per_order() -> None:
    model = PerShareCommission("0.005", minimum="1")
    fees, _, _ = run_fills(model, [(100, 10_000), (100, 10_000), (100, 10_000)], True)
    assert fees == [D("1.00"), D("0.00"), D("0.50")]  # 0.50 -> 1.00, 1.00, then 1.50


def test_fixed_commission_is_charged_with_the_first_fill() -> None:
    fees, _, _ = run_fills(FixedCommission("5"), [(10, 100), (10, 100)], False)
    assert fees == [D("5.00"), D("0.00")]


# ---- maker/taker -------------------------------------------------------------------------


def test_maker_taker_charges_each_fill_at_its_liquidity_rate_rounded_per_fill() -> None:
    model = MakerTakerCommission("0.0002", "0.0005")
    before = NO_FILLS
    # 3 × 100.00 = 300.00: taker 0.15, maker 0.06
    assert model.fill_fee(before, D(3), D("100.00"), TAKER, True) == D("0.15")
    assert model.fill_fee(before, D(3), D("100.00"), MAKER, False) == D("0.06")
    # 25.00 at taker 0.05 % = 0.0125 -> 0.01; two such fills pay 0.02, one fill of 50.00 pays 0.03
    assert model.fill_fee(before, D(1), D("25.00"), TAKER, True) == D("0.01")
    assert model.fill_fee(before, D(2), D("25.00"), TAKER, True) == D("0.03")


def test_maker_taker_pre_trade_uses_the_taker_rate() -> None:
    model = MakerTakerCommission("0", "0.001")
    assert model.order_fee(D(10), D("10000")) == D("10.00")
    assert model.max_qty(D("1001"), D("100"), D(1)) == 10  # 1000 + 1.00 fits


@given(fills=fills_strategy, maker=st.booleans())
def test_maker_taker_fee_is_the_rounded_fill_notional_times_the_rate(
    fills: list[tuple[int, int]], maker: bool
) -> None:
    model = MakerTakerCommission("0.001", "0.002")
    liquidity = MAKER if maker else TAKER
    rate = D("0.001") if maker else D("0.002")
    fees, _, _ = run_fills(model, fills, True, liquidity)
    expected = [
        (qty * D(cents) * CENT * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        for qty, cents in fills
    ]
    assert fees == expected


# ---- regulatory fees ---------------------------------------------------------------------


def test_regulatory_fees_on_a_sale_round_each_fee_up_to_the_cent() -> None:
    model = RegulatoryFees()
    # SEC: 100,000 × 27.80 / 1,000,000 = 2.78; TAF: 1,000 × 0.000166 = 0.166 -> 0.17
    assert model.fill_fee(NO_FILLS, D(1000), D("100.00"), TAKER, False) == D("2.95")
    # TAF capped at 8.30: 100,000 shares; SEC on 1,000,000 = 27.80
    assert model.fill_fee(NO_FILLS, D(100_000), D("10.00"), TAKER, False) == D("36.10")


def test_regulatory_fees_buys_pay_nothing() -> None:
    model = RegulatoryFees()
    assert model.fill_fee(NO_FILLS, D(1000), D("100.00"), TAKER, True) == 0
    assert model.order_fee(D(1000), D(100_000)) == 0


def test_regulatory_fees_are_rounded_per_order_not_per_fill() -> None:
    fees, _, _ = run_fills(RegulatoryFees(), [(500, 10_000), (500, 10_000)], False)
    assert fees == [D("1.48"), D("1.47")]  # 1.39 + 0.09, then up to 2.95 in all


@given(fills=fills_strategy)
def test_regulatory_fees_sum_to_the_order_total_however_split(
    fills: list[tuple[int, int]],
) -> None:
    model = RegulatoryFees()
    fees, qty, notional = run_fills(model, fills, False)
    assert all(fee >= 0 for fee in fees)
    assert sum(fees) == model.sell_fee(qty, notional)


# ---- schedules ---------------------------------------------------------------------------


def test_fee_schedule_adds_regulatory_fees_to_sales_only() -> None:
    model = FeeSchedule(
        PerShareCommission("0.005", minimum="1.00", maximum_pct="0.01"), RegulatoryFees()
    )
    assert model.fill_fee(NO_FILLS, D(1000), D("100.00"), TAKER, True) == D("5.00")
    assert model.fill_fee(NO_FILLS, D(1000), D("100.00"), TAKER, False) == D("7.95")
    assert model.order_fee(D(1000), D(100_000)) == D("5.00")


@pytest.mark.parametrize("base", PER_ORDER, ids=repr)
@given(fills=fills_strategy, is_buy=st.booleans())
def test_fee_schedule_totals_base_plus_regulatory_however_split(
    base: FeeModel, fills: list[tuple[int, int]], is_buy: bool
) -> None:
    regulatory = RegulatoryFees()
    model = FeeSchedule(base, regulatory)
    fees, qty, notional = run_fills(model, fills, is_buy)
    assert all(fee >= 0 for fee in fees)
    expected = base.order_fee(qty, notional)
    if not is_buy:
        expected += regulatory.sell_fee(qty, notional)
    assert sum(fees) == expected


def test_fee_schedule_over_maker_taker_keeps_per_fill_rounding() -> None:
    model = FeeSchedule(MakerTakerCommission("0.001", "0.002"), RegulatoryFees())
    fees, _, _ = run_fills(model, [(1, 2_500), (1, 2_500)], False, TAKER)
    # each fill: taker 0.05 -> 0.05; regulatory: first fill SEC 0.01 + TAF 0.01, then 0.00
    assert fees == [D("0.07"), D("0.05")]


def test_fee_schedule_without_regulatory_is_its_base() -> None:
    model = FeeSchedule(PercentCommission("0.001"))
    assert model.fill_fee(NO_FILLS, D(10), D("100"), TAKER, False) == D("1.00")
    assert model.describe() == {
        "model": "schedule",
        "base": {"model": "percent", "rate": "0.001", "round_to": "0.01"},
        "regulatory": None,
    }


# ---- budgets -----------------------------------------------------------------------------

ALL_MODELS: list[FeeModel] = [
    *PER_ORDER,
    MakerTakerCommission("0.001", "0.002"),
    RegulatoryFees(),
    FeeSchedule(PerShareCommission("0.005", minimum="1.00", maximum_pct="0.01"), RegulatoryFees()),
]


@pytest.mark.parametrize("model", ALL_MODELS, ids=repr)
@given(
    budget_cents=st.integers(min_value=0, max_value=10_000_000),
    price_cents=st.integers(min_value=1, max_value=100_000),
    lot=st.sampled_from([D(1), D(100), D("0.001")]),
)
def test_max_qty_fits_the_budget_with_its_fee(
    model: FeeModel, budget_cents: int, price_cents: int, lot: Decimal
) -> None:
    budget, price = D(budget_cents) * CENT, D(price_cents) * CENT
    qty = model.max_qty(budget, price, lot)
    assert qty >= 0
    assert qty % lot == 0
    if qty:
        assert qty * price + model.order_fee(qty, qty * price) <= budget


@pytest.mark.parametrize("model", [NoCommission(), FixedCommission("5")], ids=repr)
@given(
    budget_cents=st.integers(min_value=0, max_value=10_000_000),
    price_cents=st.integers(min_value=1, max_value=100_000),
)
def test_max_qty_is_the_largest_that_fits(
    model: FeeModel, budget_cents: int, price_cents: int
) -> None:
    budget, price = D(budget_cents) * CENT, D(price_cents) * CENT
    bigger = model.max_qty(budget, price, D(1)) + 1
    assert bigger * price + model.order_fee(bigger, bigger * price) > budget


# ---- descriptions and validation -------------------------------------------------------


def test_fee_models_describe_themselves_with_numbers_as_text() -> None:
    assert NoCommission().describe() == {"model": "none"}
    assert FixedCommission("5", round_to=None).describe() == {
        "model": "fixed",
        "amount": "5",
        "round_to": None,
    }
    assert PerShareCommission("0.005", minimum="1").describe() == {
        "model": "per_share",
        "per_share": "0.005",
        "minimum": "1",
        "maximum": None,
        "maximum_pct": None,
        "round_to": "0.01",
    }
    assert MakerTakerCommission("0.0004", "0.0006").describe() == {
        "model": "maker_taker",
        "maker_rate": "0.0004",
        "taker_rate": "0.0006",
        "round_to": "0.01",
    }
    assert RegulatoryFees().describe() == {
        "model": "regulatory",
        "sec_rate_per_million": "27.80",
        "taf_per_share": "0.000166",
        "taf_max": "8.30",
    }


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: PercentCommission("1"), r"rate: must be in \[0, 1\)"),
        (lambda: PerShareCommission("-0.01"), "per_share: must not be negative"),
        (lambda: PerShareCommission("0.01", minimum="-1"), "minimum: must not be negative"),
        (lambda: PerShareCommission("0.01", "2", maximum="1"), "maximum: must not be below"),
        (lambda: FixedCommission("-1"), "amount: must not be negative"),
        (lambda: MakerTakerCommission("-0.001", "0.001"), "maker_rate: must be in"),
        (lambda: MakerTakerCommission("0.001", "1.2"), "taker_rate: must be in"),
        (lambda: RegulatoryFees(taf_max="-1"), "taf_max: must not be negative"),
        (lambda: PercentCommission("0.001", round_to="0"), "round_to: must be positive"),
    ],
)
def test_invalid_fee_parameters_raise_naming_the_parameter(build: object, message: str) -> None:
    assert callable(build)
    with pytest.raises(InvalidRequest, match=message):
        build()
