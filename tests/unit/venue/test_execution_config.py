"""ExecutionConfig: presets, JSON round trips, overrides and path-naming errors."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbroker.core.errors import InvalidRequest
from paperbroker.venue.cli_models import parse_execution
from paperbroker.venue.commission import (
    FeeSchedule,
    MakerTakerCommission,
    NoCommission,
    PerShareCommission,
    RegulatoryFees,
)
from paperbroker.venue.execution import (
    DEFAULT_PRESET,
    PRESETS,
    ExecutionConfig,
    preset,
)
from paperbroker.venue.fill_quantity import (
    CompositeQuantity,
    FullFill,
    RandomPartialFill,
    VolumeParticipation,
)
from paperbroker.venue.latency import JitteredLatency, ZeroLatency
from paperbroker.venue.matching import IntrabarPath
from paperbroker.venue.slippage import (
    CompositeSlippage,
    FixedBpsSlippage,
    HalfSpreadSlippage,
    NoSlippage,
    SquareRootImpact,
    VolumeShareSlippage,
)


def test_default_preset_is_equities_realistic_and_listed() -> None:
    assert DEFAULT_PRESET == "equities_realistic"
    assert PRESETS == ("ideal", "alpaca_paper", "equities_realistic", "crypto_taker")
    assert ExecutionConfig.from_json(None) == preset("equities_realistic")
    assert ExecutionConfig.from_json({}).preset == "equities_realistic"
    assert ExecutionConfig.from_json(None, default_preset="ideal") == preset("ideal")


def test_ideal_preset_assumes_nothing() -> None:
    config = preset("ideal")
    assert config.to_json() == {
        "preset": "ideal",
        "seed": 0,
        "intrabar": "adaptive",
        "slippage": {"model": "none"},
        "fill_quantity": {"model": "full"},
        "fees": {"model": "none"},
        "latency": {"model": "none"},
    }


def test_alpaca_paper_preset_adds_only_random_partial_fills() -> None:
    config = preset("alpaca_paper", seed=4)
    assert isinstance(config.slippage, NoSlippage)
    assert isinstance(config.fees, NoCommission)
    assert isinstance(config.latency, ZeroLatency)
    assert isinstance(config.fill_quantity, RandomPartialFill)
    assert config.fill_quantity.probability == Decimal("0.1")
    assert config.fill_quantity.seed == 4


def test_equities_realistic_preset_models() -> None:
    config = preset("equities_realistic", seed=9)
    fees = config.fees
    assert isinstance(fees, FeeSchedule)
    assert isinstance(fees.base, PerShareCommission)
    assert (fees.base.per_share, fees.base.minimum, fees.base.maximum_pct) == (
        Decimal("0.005"),
        Decimal("1.00"),
        Decimal("0.01"),
    )
    assert isinstance(fees.regulatory, RegulatoryFees)
    slippage = config.slippage
    assert isinstance(slippage, CompositeSlippage)
    assert slippage.needs_volatility
    assert [type(part) for part in slippage.parts] == [HalfSpreadSlippage, SquareRootImpact]
    assert config.fill_quantity.describe() == {
        "model": "volume_participation",
        "max_share": "0.05",
    }
    assert config.latency.describe() == {
        "model": "jittered",
        "base_ms": "50",
        "jitter_ms": "20",
        "seed": 9,
    }


def test_crypto_taker_preset_models() -> None:
    config = preset("crypto_taker")
    assert isinstance(config.fees, MakerTakerCommission)
    assert config.fees.taker_rate == Decimal("0.001")
    assert config.fill_quantity.describe()["max_share"] == "0.10"
    assert config.latency.describe()["base_ms"] == "100"


@pytest.mark.parametrize("name", PRESETS)
@given(seed=st.integers(min_value=0, max_value=2**62))
def test_to_json_round_trips_through_from_json(name: str, seed: int) -> None:
    config = preset(name, seed)
    document = json.loads(json.dumps(config.to_json()))  # really JSON
    again = ExecutionConfig.from_json(document)
    assert again == config
    assert hash(again) == hash(config)
    assert again.to_json() == config.to_json()


def test_hand_built_config_round_trips_with_null_preset() -> None:
    config = ExecutionConfig(
        preset=None,
        intrabar=IntrabarPath.OLHC,
        slippage=CompositeSlippage([FixedBpsSlippage("1.5"), VolumeShareSlippage("0.2", "0.05")]),
        fill_quantity=CompositeQuantity([VolumeParticipation("0.2"), RandomPartialFill(seed=3)]),
        fees=FeeSchedule(PerShareCommission("0.0035", maximum="5", round_to=None), None),
        latency=JitteredLatency("0.5", "0.25", seed=11),
        seed=1,
    )
    document = json.loads(json.dumps(config.to_json()))
    assert document["preset"] is None
    assert ExecutionConfig.from_json(document) == config


def test_one_seed_drives_every_seeded_model() -> None:
    config = ExecutionConfig.from_json({"preset": "alpaca_paper", "seed": 42})
    assert config.seed == 42
    assert config.fill_quantity.describe()["seed"] == 42
    config = ExecutionConfig.from_json(
        {"preset": "ideal", "seed": 8, "latency": {"model": "jittered", "base_ms": 5}}
    )
    assert config.latency.describe() == {
        "model": "jittered",
        "base_ms": "5",
        "jitter_ms": "0",
        "seed": 8,
    }


def test_overrides_replace_only_their_slot() -> None:
    config = ExecutionConfig.from_json(
        {
            "preset": "equities_realistic",
            "intrabar": "OHLC",
            "slippage": [{"model": "fixed_bps", "bps": "3"}, {"model": "sqrt_impact", "k": 0.5}],
            "latency": {"model": "none"},
        }
    )
    base = preset("equities_realistic")
    assert config.preset == "equities_realistic"
    assert config.intrabar is IntrabarPath.OHLC
    assert config.slippage.describe() == {
        "model": "sum",
        "parts": [
            {"model": "fixed_bps", "bps": "3"},
            {"model": "sqrt_impact", "k": "0.5", "max_cost": "0.05"},
        ],
    }
    assert config.latency.describe() == {"model": "none"}
    assert config.fees.describe() == base.fees.describe()
    assert config.fill_quantity.describe() == base.fill_quantity.describe()


def test_fee_specs_cover_every_model() -> None:
    specs: list[dict[str, Any]] = [
        {"model": "none"},
        {"model": "percent", "rate": "0.001"},
        {"model": "percent", "rate": 0.001, "round_to": None},
        {"model": "per_share", "per_share": "0.005", "minimum": 1, "maximum_pct": "0.01"},
        {"model": "fixed", "amount": "4.95"},
        {"model": "maker_taker", "maker_rate": "0.0004", "taker_rate": "0.0006"},
        {"model": "regulatory"},
        {"model": "schedule", "base": {"model": "fixed", "amount": 1}, "regulatory": None},
        {"model": "schedule", "base": {"model": "none"}, "regulatory": {"model": "regulatory"}},
    ]
    for spec in specs:
        config = ExecutionConfig.from_json({"preset": "ideal", "fees": spec})
        again = ExecutionConfig.from_json(json.loads(json.dumps(config.to_json())))
        assert again == config
        assert config.fees.describe()["model"] == spec["model"]


def test_venue_config_carries_the_models() -> None:
    config = preset("equities_realistic", seed=2)
    venue = config.venue_config()
    assert venue.commission is config.fees
    assert venue.slippage is config.slippage
    assert venue.fill_quantity is config.fill_quantity
    assert venue.intrabar is config.intrabar
    assert venue.latency is config.latency


def test_configs_differ_when_a_model_differs() -> None:
    assert preset("ideal") != preset("alpaca_paper")
    assert preset("alpaca_paper", 1) != preset("alpaca_paper", 2)
    assert preset("ideal") != "ideal"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"preset": "fast"}, "execution.preset: unknown preset 'fast' .one of ideal, alpaca_paper"),
        ({"preset": 3}, "execution.preset: must be a string"),
        ({"speed": 1}, "execution.speed: unknown key .one of preset, seed, intrabar"),
        ({"seed": -1}, "execution.seed: must not be negative"),
        ({"seed": "7"}, "execution.seed: must be an integer, got str"),
        ({"seed": True}, "execution.seed: must be an integer, got bool"),
        ({"intrabar": "HLOC"}, "execution.intrabar: must be one of OHLC, OLHC, adaptive"),
        ({"slippage": {"model": "fixed_bps", "bps": -1}}, "execution.slippage.bps: must not be"),
        ({"slippage": {"model": "fixed_bps"}}, "execution.slippage.bps: required"),
        ({"slippage": {"model": "fixed_bps", "bps": "x"}}, "execution.slippage.bps: must be a nu"),
        ({"slippage": {"model": "fixed_bps", "bps": True}}, "execution.slippage.bps: must be a n"),
        ({"slippage": {"model": "fixed_bps", "bps": 1, "pct": 2}}, "execution.slippage.pct: unkn"),
        ({"slippage": {"model": "magic"}}, "execution.slippage: unknown model 'magic' .one of"),
        ({"slippage": {"bps": 1}}, "execution.slippage.model: required"),
        ({"slippage": "none"}, "execution.slippage: must be an object"),
        ({"slippage": []}, "execution.slippage: must name at least one model"),
        ({"slippage": [{"model": "sqrt_impact", "k": -1}]}, r"execution.slippage\[0\].k: must"),
        ({"slippage": {"model": "sum", "parts": {}}}, "execution.slippage.parts: must be a list"),
        ({"slippage": {"model": "sum", "parts": []}}, "execution.slippage.parts: must name"),
        (
            {"slippage": {"model": "sum", "parts": [{"model": "none"}, {"model": "x"}]}},
            r"execution.slippage.parts\[1\]: unknown model 'x'",
        ),
        ({"latency": {"model": "foo"}}, "execution.latency: unknown model 'foo' .one of none, j"),
        ({"latency": {"model": "jittered", "base_ms": -5}}, "execution.latency.base_ms: must not"),
        ({"latency": {"model": "jittered", "base_ms": 5, "seed": -1}}, "execution.latency.seed"),
        ({"latency": {"model": "none", "base_ms": 5}}, "execution.latency.base_ms: unknown para"),
        ({"fill_quantity": {"model": "volume_participation", "max_share": 2}}, "max_share: must"),
        ({"fill_quantity": {"model": "random_partial", "probability": 2}}, "quantity.probabil"),
        ({"fees": {"model": "percent", "rate": 1}}, r"execution.fees.rate: must be in \[0, 1\)"),
        ({"fees": {"model": "per_share", "per_share": None}}, "execution.fees.per_share: must be"),
        ({"fees": {"model": "schedule"}}, "execution.fees.base: required"),
        (
            {"fees": {"model": "schedule", "base": {"model": "percent", "rate": "-1"}}},
            r"execution.fees.base.rate: must be in",
        ),
        (
            {
                "fees": {
                    "model": "schedule",
                    "base": {"model": "none"},
                    "regulatory": {"model": "x"},
                }
            },
            "execution.fees.regulatory: unknown model 'x' .one of regulatory",
        ),
        ({"preset": None, "slippage": {"model": "none"}}, "execution.intrabar: required when no"),
    ],
)
def test_from_json_errors_name_the_path(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        ExecutionConfig.from_json(spec)


def test_from_json_refuses_a_non_object() -> None:
    with pytest.raises(InvalidRequest, match="execution: must be an object"):
        ExecutionConfig.from_json(["ideal"])  # type: ignore[arg-type]


def test_preset_unknown_name_lists_the_presets() -> None:
    with pytest.raises(InvalidRequest, match="one of ideal, alpaca_paper, equities_realistic"):
        preset("realistic")


def test_hand_built_config_refuses_an_unknown_preset_name_or_negative_seed() -> None:
    base = preset("ideal")
    fields = {
        "intrabar": base.intrabar,
        "slippage": base.slippage,
        "fill_quantity": base.fill_quantity,
        "fees": base.fees,
        "latency": base.latency,
    }
    with pytest.raises(InvalidRequest, match="preset: unknown preset"):
        ExecutionConfig(preset="custom", seed=0, **fields)
    with pytest.raises(InvalidRequest, match="seed: must not be negative"):
        ExecutionConfig(preset=None, seed=-1, **fields)


def test_parse_execution_reads_a_preset_name() -> None:
    assert parse_execution("ideal") == preset("ideal")
    assert parse_execution(" Alpaca_Paper ") == preset("alpaca_paper")
    with pytest.raises(InvalidRequest, match="is not one of ideal, alpaca_paper"):
        parse_execution("fast")


def test_full_fill_preset_slot_is_full() -> None:
    assert isinstance(preset("ideal").fill_quantity, FullFill)
