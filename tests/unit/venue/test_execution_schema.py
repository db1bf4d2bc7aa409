"""The execution schema: one pydantic model per execution model, the source of every description.

The runtime models check their parameters with their spec and describe and
show themselves by it; documents in the format sessions have always stored
read back into the same models; the JSON schema carries what a form needs.
"""

from __future__ import annotations

import json
import re
import typing
from decimal import Decimal
from typing import Any

import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.venue.cli_models import (
    commission_spec,
    parse_commission,
    parse_slippage,
    slippage_spec,
)
from paperbroker.venue.commission import FeeSchedule, PerShareCommission, RegulatoryFees
from paperbroker.venue.execution import MODELS, PRESET_SPECS, PRESETS, ExecutionConfig, build
from paperbroker.venue.fill_quantity import CompositeQuantity, FullFill, RandomPartialFill
from paperbroker.venue.latency import JitteredLatency
from paperbroker.venue.schema import (
    ExecutionSpec,
    FeeSpec,
    FillQuantitySpec,
    FixedBpsSlippageSpec,
    LatencySpec,
    NoCommissionSpec,
    NoSlippageSpec,
    PercentCommissionSpec,
    SlippageSpec,
)
from paperbroker.venue.schema_base import ModelSpec, Specified, read_model
from paperbroker.venue.slippage import CompositeSlippage, FixedBpsSlippage, NoSlippage

UNIONS = {
    "slippage": SlippageSpec,
    "fill_quantity": FillQuantitySpec,
    "fees": FeeSpec,
    "latency": LatencySpec,
}
RUNTIME = [model for models in MODELS.values() for model in models]

#: Documents as sessions stored them before the schema existed (``to_json()`` of that
#: time, byte for byte): every preset at seed 7, and one built by hand.
STORED = [
    '{"preset": "ideal", "seed": 7, "intrabar": "adaptive", "slippage": {"model": "none"}, '
    '"fill_quantity": {"model": "full"}, "fees": {"model": "none"}, "latency": {"model": "none"}}',
    '{"preset": "alpaca_paper", "seed": 7, "intrabar": "adaptive", "slippage": {"model": "none"}, '
    '"fill_quantity": {"model": "random_partial", "probability": "0.1", "min_fraction": "0.1", '
    '"max_fraction": "0.9", "seed": 7}, "fees": {"model": "none"}, "latency": {"model": "none"}}',
    '{"preset": "equities_realistic", "seed": 7, "intrabar": "adaptive", "slippage": {"model": '
    '"sum", "parts": [{"model": "half_spread", "spread_bps": "2"}, {"model": "sqrt_impact", "k": '
    '"1.0", "max_cost": "0.05"}]}, "fill_quantity": {"model": "volume_participation", '
    '"max_share": "0.05"}, "fees": {"model": "schedule", "base": {"model": "per_share", '
    '"per_share": "0.005", "minimum": "1.00", "maximum": null, "maximum_pct": "0.01", '
    '"round_to": "0.01"}, "regulatory": {"model": "regulatory", "sec_rate_per_million": "27.80", '
    '"taf_per_share": "0.000166", "taf_max": "8.30"}}, "latency": {"model": "jittered", '
    '"base_ms": "50", "jitter_ms": "20", "seed": 7}}',
    '{"preset": "crypto_taker", "seed": 7, "intrabar": "adaptive", "slippage": {"model": "sum", '
    '"parts": [{"model": "half_spread", "spread_bps": "5"}, {"model": "sqrt_impact", "k": "1.0", '
    '"max_cost": "0.05"}]}, "fill_quantity": {"model": "volume_participation", "max_share": '
    '"0.10"}, "fees": {"model": "maker_taker", "maker_rate": "0.001", "taker_rate": "0.001", '
    '"round_to": "0.01"}, "latency": {"model": "jittered", "base_ms": "100", "jitter_ms": "50", '
    '"seed": 7}}',
    '{"preset": null, "seed": 1, "intrabar": "OLHC", "slippage": {"model": "sum", "parts": '
    '[{"model": "fixed_bps", "bps": "1.5"}, {"model": "volume_share", "price_impact": "0.2", '
    '"volume_limit": "0.05"}]}, "fill_quantity": {"model": "min", "parts": [{"model": '
    '"volume_participation", "max_share": "0.2"}, {"model": "random_partial", "probability": '
    '"0.1", "min_fraction": "0.1", "max_fraction": "0.9", "seed": 3}]}, "fees": {"model": '
    '"schedule", "base": {"model": "per_share", "per_share": "0.0035", "minimum": "0", '
    '"maximum": "5", "maximum_pct": null, "round_to": null}, "regulatory": null}, "latency": '
    '{"model": "jittered", "base_ms": "0.5", "jitter_ms": "0.25", "seed": 11}}',
]


@pytest.mark.parametrize("slot", UNIONS)
def test_each_slot_holds_exactly_the_specs_of_its_runtime_models(slot: str) -> None:
    union = typing.get_args(UNIONS[slot])[0]
    assert typing.get_args(union) == tuple(model.spec_type for model in MODELS[slot])


@pytest.mark.parametrize("model", RUNTIME, ids=lambda model: model.__name__)
def test_no_runtime_model_writes_its_own_description(model: type[Specified]) -> None:
    # describe() and repr() have one implementation, from the spec.
    assert "describe" not in vars(model)
    assert "__repr__" not in vars(model)


@pytest.mark.parametrize(
    ("model", "shown"),
    [
        (NoSlippage(), "NoSlippage()"),
        (FixedBpsSlippage("2.5"), "FixedBpsSlippage(bps=2.5)"),
        (
            PerShareCommission("0.005", minimum="1", maximum_pct="0.01"),
            "PerShareCommission(per_share=0.005, minimum=1, maximum=None, maximum_pct=0.01, "
            "round_to=0.01)",
        ),
        (
            CompositeSlippage([FixedBpsSlippage(1), NoSlippage()]),
            "CompositeSlippage(parts=[FixedBpsSlippage(bps=1), NoSlippage()])",
        ),
        (
            FeeSchedule(PerShareCommission(1), RegulatoryFees(taf_max=5)),
            "FeeSchedule(base=PerShareCommission(per_share=1, minimum=0, maximum=None, "
            "maximum_pct=None, round_to=0.01), regulatory=RegulatoryFees("
            "sec_rate_per_million=27.80, taf_per_share=0.000166, taf_max=5))",
        ),
        (
            RandomPartialFill(seed=3),
            "RandomPartialFill(probability=0.1, min_fraction=0.1, max_fraction=0.9, seed=3)",
        ),
        (JitteredLatency(5, 1, seed=2), "JitteredLatency(base_ms=5, jitter_ms=1, seed=2)"),
    ],
)
def test_repr_shows_the_parameters_of_the_spec(model: Specified, shown: str) -> None:
    assert repr(model) == shown
    assert model.describe() == model.spec.describe()


@pytest.mark.parametrize("document", STORED, ids=[f"stored{i}" for i in range(len(STORED))])
def test_a_stored_document_reads_back_into_the_same_models(document: str) -> None:
    stored = json.loads(document)
    config = ExecutionConfig.from_json(stored)
    assert json.dumps(config.to_json()) == document  # to the byte, key order included
    for slot, union in UNIONS.items():
        spec = read_model(union, stored[slot])
        assert type(getattr(config, slot)).spec_type is type(spec)
        assert build(spec).describe() == stored[slot]


@pytest.mark.parametrize("name", PRESETS)
def test_presets_are_schema_instances(name: str) -> None:
    spec = PRESET_SPECS[name]
    assert isinstance(spec, ExecutionSpec)
    assert spec.preset == name
    assert ExecutionConfig.from_json(spec.model_dump(mode="json")).to_json() == (
        ExecutionConfig.from_json({"preset": name}).to_json()
    )


def test_a_model_seed_left_out_is_the_execution_seed() -> None:
    config = ExecutionConfig.from_json(
        {
            "preset": "ideal",
            "seed": 5,
            "fill_quantity": {"model": "min", "parts": [{"model": "random_partial"}, {
                "model": "random_partial", "seed": 9}]},
        }
    )  # fmt: skip
    quantity = config.fill_quantity
    assert isinstance(quantity, CompositeQuantity)
    assert [part.describe()["seed"] for part in quantity.parts] == [5, 9]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"fees": {"model": "per_share", "per_share": "1" + "0" * 30}},
            "execution.fees.per_share: must be below 1000000000, got 1" + "0" * 30,
        ),
        (
            {"slippage": {"model": "volume_share", "price_impact": 1e300}},
            "execution.slippage.price_impact: must be below 1000000000",
        ),
        (
            {"fees": {"model": "percent", "rate": "0.001", "round_to": 1e-13}},
            "execution.fees.round_to: must have at most 12 decimal places, got 1e-13",
        ),
    ],
)
def test_numbers_no_model_needs_are_refused_before_they_overflow(
    spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        ExecutionConfig.from_json(spec)


@pytest.mark.parametrize("text", [" 1 ", "\u0661", "1_0", "1.", "0x1", "+ 1", "", "1e", "nan"])
def test_a_number_as_text_is_ascii_digits_and_nothing_else(text: str) -> None:
    spec = {"fill_quantity": {"model": "random_partial", "probability": text}}
    message = f"execution.fill_quantity.probability: must be a number, got {text!r}"
    with pytest.raises(InvalidRequest, match=re.escape(message)):
        ExecutionConfig.from_json(spec)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.5", "0.5"), (".5", "0.5"), ("1", "1"), (0.25, "0.25"), ("1e-3", "0.001")],
)
def test_plain_decimals_and_json_numbers_are_read_exactly(text: object, value: str) -> None:
    spec = {"fill_quantity": {"model": "random_partial", "probability": text}}
    quantity = ExecutionConfig.from_json(spec).fill_quantity
    assert quantity.describe()["probability"] == value


def test_runtime_models_check_their_parameters_with_the_spec() -> None:
    with pytest.raises(InvalidRequest, match=r"^bps: must not be negative, got -1$"):
        FixedBpsSlippage(-1)
    with pytest.raises(InvalidRequest, match=r"^seed: must be an integer, got str$"):
        JitteredLatency(5, seed="1")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequest, match=r"^parts\[0\]: unknown model 'full' .one of none"):
        CompositeSlippage([FullFill()])  # type: ignore[list-item]


def every_spec() -> list[type[ModelSpec]]:
    return [model.spec_type for model in RUNTIME]


def test_the_json_schema_says_what_a_form_needs() -> None:
    schema = ExecutionSpec.model_json_schema()
    definitions = schema["$defs"]
    for spec in every_spec():
        shown = definitions[spec.__name__]
        assert shown["required"][0] == "model"
        assert shown["properties"]["model"]["const"] == spec.name()
        assert shown["description"]
        assert "\n" not in shown["description"]
        for name, field in shown["properties"].items():
            if name == "model":
                continue
            assert field["description"], f"{spec.__name__}.{name}"
            numeric = "anyOf" in field and any(
                choice.get("type") == "number" for choice in _choices(field)
            )
            assert not numeric or field.get("x-unit"), f"{spec.__name__}.{name} has no unit"
    for slot, models in MODELS.items():
        choice = next(c for c in schema["properties"][slot]["anyOf"] if c.get("type") != "null")
        if slot == "slippage":  # a model or a list of models
            choice = choice["oneOf"][0]
        mapping = choice["discriminator"]["mapping"]
        assert choice["discriminator"]["propertyName"] == "model"
        assert mapping == {
            model.spec_type.name(): f"#/$defs/{model.spec_type.__name__}" for model in models
        }
    bps = definitions["FixedBpsSlippageSpec"]["properties"]["bps"]
    assert (bps["minimum"], bps["exclusiveMaximum"], bps["x-unit"]) == (0, 10_000, "bps")
    rate = definitions["PercentCommissionSpec"]["properties"]["rate"]
    assert (rate["minimum"], rate["exclusiveMaximum"], rate["x-unit"]) == (0, 1, "fraction")
    assert definitions["JitteredLatencySpec"]["properties"]["base_ms"]["x-unit"] == "ms"
    assert schema["properties"]["preset"]["anyOf"][0]["enum"] == list(PRESETS)


def _choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for choice in field.get("anyOf", []):
        found += [choice, *_choices(choice)]
    return found


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("none", NoCommissionSpec()),
        ("percent:0.001", PercentCommissionSpec(rate=Decimal("0.001"))),
        (
            "PER_SHARE: 0.005 :1:10",
            {
                "model": "per_share",
                "per_share": "0.005",
                "minimum": "1",
                "maximum": "10",
                "maximum_pct": None,
                "round_to": "0.01",
            },
        ),
        ("fixed:1", {"model": "fixed", "amount": "1", "round_to": "0.01"}),
    ],
)
def test_commission_short_forms_read_into_the_schema(
    text: str, spec: ModelSpec | dict[str, Any]
) -> None:
    read = commission_spec(text)
    assert read.describe() == (spec if isinstance(spec, dict) else spec.describe())
    assert parse_commission(text).describe() == read.describe()


def test_slippage_short_form_reads_into_the_schema() -> None:
    assert slippage_spec("5") == FixedBpsSlippageSpec(bps=Decimal(5))
    assert slippage_spec("0") == NoSlippageSpec()
    assert parse_slippage("2.5").describe() == {"model": "fixed_bps", "bps": "2.5"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("percent:x", "commission.rate: must be a number, got 'x'"),
        ("percent:1", r"commission.rate: must be in \[0, 1\), got 1"),
        ("per_share:1:2:1", "commission.maximum: must not be below minimum 2, got 1"),
        ("fixed:-1", "commission.amount: must not be negative, got -1"),
        ("percent", "commission 'percent' is not one of none, percent:RATE"),
        ("none:1", "commission 'none:1' is not one of"),
        ("weird", "commission 'weird' is not one of"),
    ],
)
def test_bad_commission_short_forms_name_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        commission_spec(text)


@pytest.mark.parametrize(
    ("bps", "message"),
    [("x", "slippage.bps: must be a number, got 'x'"), ("-1", "slippage.bps: must not be neg")],
)
def test_bad_slippage_short_forms_name_what_is_wrong(bps: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        slippage_spec(bps)
