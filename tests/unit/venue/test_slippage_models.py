"""Slippage models: each formula, its edge cases, and the price rounding against the taker."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from paperbroker.core.errors import InvalidRequest
from paperbroker.venue.slippage import (
    DEFAULT_VOLATILITY_WINDOW,
    CompositeSlippage,
    FixedBpsSlippage,
    HalfSpreadSlippage,
    NoSlippage,
    SlippageInput,
    SquareRootImpact,
    VolumeShareSlippage,
    apply_cost,
)

D = Decimal
TICK = D("0.01")
NAN = math.nan


def fill(
    qty: float = 100.0,
    bar_volume: float = 10_000.0,
    volatility: float = NAN,
    half_spread: float = NAN,
    is_buy: bool = True,
) -> SlippageInput:
    return SlippageInput(100.0, qty, is_buy, bar_volume, volatility, half_spread)


# ---- apply_cost --------------------------------------------------------------------------


def test_apply_cost_zero_or_negative_or_nan_leaves_the_reference_exact() -> None:
    reference = D("100.013")  # off the grid on purpose: must come back untouched
    for cost in (0.0, -0.01, NAN):
        assert apply_cost(reference, cost, True, TICK) is reference
        assert apply_cost(reference, cost, False, TICK) is reference


def test_apply_cost_rounds_buys_up_and_sells_down_to_the_tick() -> None:
    assert apply_cost(D("100.00"), 0.0001, True, TICK) == D("100.01")
    assert apply_cost(D("100.00"), 0.0001, False, TICK) == D("99.99")
    assert apply_cost(D("100.00"), 0.00015, True, D("0.05")) == D("100.05")


def test_apply_cost_ignores_float_noise_in_the_cost() -> None:
    # 3 bps as float arithmetic produces 0.00030000000000000003; 100 * 1.0003 = 100.03 exactly.
    noisy = 3 / 10_000 + 1e-20
    assert apply_cost(D("100.00"), 0.1 * 0.003, True, TICK) == D("100.03")
    assert apply_cost(D("100.00"), noisy, True, TICK) == D("100.03")


def test_apply_cost_sell_never_below_one_tick() -> None:
    assert apply_cost(D("0.05"), 1.5, False, TICK) == TICK


@given(
    cents=st.integers(min_value=1, max_value=10_000_000),
    cost=st.floats(min_value=0.0, max_value=0.5, allow_nan=False),
    is_buy=st.booleans(),
)
def test_apply_cost_never_flatters_the_taker_and_stays_on_grid(
    cents: int, cost: float, is_buy: bool
) -> None:
    reference = D(cents) * TICK
    price = apply_cost(reference, cost, is_buy, TICK)
    assert price % TICK == 0
    assert price >= reference if is_buy else price <= reference
    # At most one tick beyond the exact cost.
    exact = reference * (1 + D(repr(cost))) if is_buy else reference * (1 - D(repr(cost)))
    assert abs(price - exact) < TICK + D("1e-9")


# ---- the models --------------------------------------------------------------------------


def test_no_slippage_costs_nothing() -> None:
    assert NoSlippage().cost(fill()) == 0.0
    assert NoSlippage().describe() == {"model": "none"}
    assert NoSlippage().needs_volatility is False


def test_fixed_bps_cost_is_bps_over_ten_thousand() -> None:
    model = FixedBpsSlippage("5")
    assert model.cost(fill()) == pytest.approx(0.0005)
    assert model.describe() == {"model": "fixed_bps", "bps": "5"}


def test_half_spread_without_quotes_costs_half_the_spread() -> None:
    model = HalfSpreadSlippage(2)
    assert model.cost(fill()) == pytest.approx(0.0001)  # 2 bps spread: 1 bp each way
    assert model.cost(fill(is_buy=False)) == pytest.approx(0.0001)


def test_half_spread_with_quotes_costs_nothing() -> None:
    # The fill rule already priced the fill at the far side of the quote.
    assert HalfSpreadSlippage(2).cost(fill(half_spread=0.02)) == 0.0
    assert HalfSpreadSlippage(2).describe() == {"model": "half_spread", "spread_bps": "2"}


def test_volume_share_cost_is_quadratic_in_the_share_and_capped() -> None:
    model = VolumeShareSlippage()
    # 100 of 10,000 = 1 %: 0.1 * 0.01² = 1e-5
    assert model.cost(fill(qty=100.0)) == pytest.approx(1e-5)
    # 500 of 10,000 = 5 %, capped at 2.5 %: 0.1 * 0.025² = 6.25e-5
    assert model.cost(fill(qty=500.0)) == pytest.approx(6.25e-5)
    assert model.cost(fill(bar_volume=0.0)) == 0.0
    assert model.describe() == {
        "model": "volume_share",
        "price_impact": "0.1",
        "volume_limit": "0.025",
    }


def test_square_root_impact_follows_the_square_root_law() -> None:
    model = SquareRootImpact()
    assert model.needs_volatility is True
    # 2 % volatility, 100 of 10,000: 1.0 * 0.02 * sqrt(0.01) = 0.002 (20 bps)
    assert model.cost(fill(volatility=0.02)) == pytest.approx(0.002)
    # Four times the size costs twice as much.
    assert model.cost(fill(qty=400.0, volatility=0.02)) == pytest.approx(0.004)


def test_square_root_impact_is_zero_without_volatility_or_volume() -> None:
    model = SquareRootImpact()
    assert model.cost(fill(volatility=NAN)) == 0.0
    assert model.cost(fill(volatility=0.02, bar_volume=0.0)) == 0.0


def test_square_root_impact_is_capped_at_max_cost() -> None:
    model = SquareRootImpact(k="1", max_cost="0.01")
    assert model.cost(fill(qty=1e6, volatility=0.05)) == pytest.approx(0.01)


def test_square_root_impact_is_bar_length_invariant() -> None:
    # Daily sigma 2 %, daily volume 1,000,000; a minute bar of a 390-minute day has
    # sigma 2 % / sqrt(390) and volume 1,000,000 / 390: the same order costs the same.
    model = SquareRootImpact()
    day = model.cost(fill(qty=10_000.0, bar_volume=1e6, volatility=0.02))
    minute = model.cost(fill(qty=10_000.0, bar_volume=1e6 / 390, volatility=0.02 / math.sqrt(390)))
    assert minute == pytest.approx(day)


def test_composite_sums_the_parts_and_needs_volatility_if_any_part_does() -> None:
    model = CompositeSlippage([HalfSpreadSlippage(2), SquareRootImpact()])
    assert model.needs_volatility is True
    assert model.cost(fill(volatility=0.02)) == pytest.approx(0.0001 + 0.002)
    assert CompositeSlippage([FixedBpsSlippage(1)]).needs_volatility is False
    assert model.describe() == {
        "model": "sum",
        "parts": [
            {"model": "half_spread", "spread_bps": "2"},
            {"model": "sqrt_impact", "k": "1.0", "max_cost": "0.05"},
        ],
    }


def test_default_volatility_window_is_twenty_bars() -> None:
    assert DEFAULT_VOLATILITY_WINDOW == 20


@given(
    qty=st.floats(min_value=1e-6, max_value=1e9),
    volume=st.floats(min_value=0.0, max_value=1e12),
    sigma=st.one_of(st.just(NAN), st.floats(min_value=0.0, max_value=1.0)),
    half_spread=st.one_of(st.just(NAN), st.floats(min_value=0.0, max_value=1.0)),
)
# A huge fill against a tiny volume with zero volatility once gave 0 × ∞ = NaN.
@example(qty=39123567.0, volume=2.2e-301, sigma=0.0, half_spread=NAN)
def test_every_model_cost_is_finite_and_never_negative(
    qty: float, volume: float, sigma: float, half_spread: float
) -> None:
    models = [
        NoSlippage(),
        FixedBpsSlippage(3),
        HalfSpreadSlippage(4),
        VolumeShareSlippage(),
        SquareRootImpact(),
        CompositeSlippage([HalfSpreadSlippage(4), SquareRootImpact(), VolumeShareSlippage()]),
    ]
    for model in models:
        cost = model.cost(fill(qty, volume, sigma, half_spread))
        assert math.isfinite(cost)
        assert cost >= 0.0


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: FixedBpsSlippage(-1), "bps: must not be negative"),
        (lambda: FixedBpsSlippage(10_000), "bps: must be below 10000"),
        (lambda: HalfSpreadSlippage("-0.5"), "spread_bps: must not be negative"),
        (lambda: VolumeShareSlippage(price_impact=-1), "price_impact: must not be negative"),
        (lambda: VolumeShareSlippage(volume_limit="1.5"), "volume_limit: must be at most 1"),
        (lambda: VolumeShareSlippage(2000, 1), "price_impact: price_impact × volume_limit²"),
        (lambda: SquareRootImpact(k=-1), "k: must not be negative"),
        (lambda: SquareRootImpact(max_cost=1), "max_cost: must be below 1"),
        (lambda: CompositeSlippage([]), "parts: must name at least one model"),
    ],
)
def test_invalid_slippage_parameters_raise_naming_the_parameter(
    build: object, message: str
) -> None:
    assert callable(build)
    with pytest.raises(InvalidRequest, match=message):
        build()
