"""The execution schema: one pydantic model per execution model, and the document of a session's.

A session's execution is one JSON document (:class:`ExecutionSpec`)::

    {"preset": "equities_realistic", "seed": 7, "latency": {"model": "none"}}

Each slot holds a model written ``{"model": NAME, ...parameters}``; its
class here states every parameter's type, bounds, default, unit and
meaning.  The API reads requests with these classes, the command line's
short forms (:mod:`paperbroker.venue.cli_models`) are parsed into them, the
runtime models (:mod:`paperbroker.venue.slippage` and its siblings) keep
one as their ``spec`` and describe themselves with it, and the docs' tables
and the OpenAPI document are generated from them.

Numbers are JSON numbers or decimal strings (``5``, ``"0.005"``) and are
written back as decimal strings, exactly; a seed is an integer.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from paperbroker.core.errors import InvalidRequest
from paperbroker.venue.matching import FillTiming, IntrabarPath
from paperbroker.venue.schema_base import (
    ModelChoice,
    ModelSpec,
    OneOrList,
    PlainDecimalText,
    Range,
    StrictModel,
    field_error,
    invalid_request,
    kind_of,
    one_of,
    parameter,
    value_error,
)

#: The named presets, from the most optimistic to the most specific.
PresetName = Literal["ideal", "alpaca_paper", "equities_realistic", "crypto_taker"]
PRESETS: tuple[str, ...] = get_args(PresetName)
#: The preset of a new session when its request names none.
DEFAULT_PRESET: PresetName = "equities_realistic"

#: A decimal number: a JSON number or a decimal string, finite, less than a billion in size
#: and to at most 12 decimal places (no model needs more, and the arithmetic of fills
#: must not overflow on a number like 1e999999999); as text, ASCII digits and nothing
#: else, as a request's numbers (``" 1 "`` and ``"١"`` are refused).
Number = Annotated[
    Decimal,
    Field(allow_inf_nan=False, gt=-(10**9), lt=10**9, decimal_places=12),
    PlainDecimalText(),
]
NonNegative = Annotated[Number, Range(low=0)]
#: A share of something, 0 to 1 inclusive.
Fraction = Annotated[Number, Range(low=0, high=1, interval=True)]
#: A rate on a notional, at least 0 and below 1.
Rate = Annotated[Number, Range(low=0, high=1, high_open=True, interval=True)]
#: A seed of random draws: an integer (not a string, not a boolean), at least 0.
Seed = Annotated[int, Field(strict=True), Range(low=0)]
#: The step fees are rounded half-up to, or ``None`` to keep them exact.
RoundTo = Annotated[Number, Range(low=0, low_open=True)] | None

_CENT = Decimal("0.01")
_SEED_MEANING = "The seed of its random draws (null: the execution's seed)."
_ROUND_TO_MEANING = "Fees are rounded half-up to this step (null: exact)."


# ---- slippage ----------------------------------------------------------------------------------


class NoSlippageSpec(ModelSpec):
    """Fills at the reference price: cost 0 (an idealisation, to compare engines)."""

    model: Literal["none"] = "none"


class FixedBpsSlippageSpec(ModelSpec):
    """A fixed cost against the taker, whatever the size: cost = bps / 10⁴."""

    model: Literal["fixed_bps"] = "fixed_bps"
    bps: Annotated[Number, Range(low=0, high=10_000, high_open=True)] = parameter(
        "The cost, in basis points of the reference price.", unit="bps"
    )


class HalfSpreadSlippageSpec(ModelSpec):
    """A taker crosses half the bid-ask spread: cost = spread_bps / 2 / 10⁴ (0 when the data
    has quotes: fills are then already at the far side)."""

    model: Literal["half_spread"] = "half_spread"
    spread_bps: Annotated[Number, Range(low=0, high=20_000, high_open=True)] = parameter(
        "The whole quoted spread, in basis points of the price.", unit="bps"
    )


class VolumeShareSlippageSpec(ModelSpec):
    """Impact grows with the square of the fill's share of the bar's volume V:
    cost = price_impact × min(qty / V, volume_limit)²."""

    model: Literal["volume_share"] = "volume_share"
    price_impact: NonNegative = parameter(
        "The cost of a fill of the whole bar's volume.", unit="fraction", default=Decimal("0.1")
    )
    volume_limit: Annotated[Number, Range(low=0, high=1)] = parameter(
        "The share of the bar's volume beyond which the cost grows no more.",
        unit="fraction",
        default=Decimal("0.025"),
    )

    @model_validator(mode="after")
    def _bounded_cost(self) -> Self:
        largest = self.price_impact * self.volume_limit**2
        if largest >= 1:
            raise field_error(
                "price_impact", f"price_impact × volume_limit² must be below 1, got {largest}"
            )
        return self


class SquareRootImpactSpec(ModelSpec):
    """The square-root law of market impact: cost = min(k × σ × √(qty / V), max_cost), σ the
    per-bar volatility of the last 20 bars, V the bar's volume."""

    model: Literal["sqrt_impact"] = "sqrt_impact"
    k: NonNegative = parameter(
        "The impact coefficient (of order 1 in every study).",
        unit="coefficient",
        default=Decimal("1.0"),
    )
    max_cost: Annotated[Number, Range(low=0, high=1, high_open=True)] = parameter(
        "The largest cost a fill can pay.", unit="fraction", default=Decimal("0.05")
    )


class CompositeSlippageSpec(ModelSpec):
    """The sum of several models' costs, e.g. half the spread plus market impact."""

    model: Literal["sum"] = "sum"
    parts: list[SlippageSpec] = Field(min_length=1, description="The models whose costs add up.")


SlippageSpec = Annotated[
    NoSlippageSpec
    | FixedBpsSlippageSpec
    | HalfSpreadSlippageSpec
    | VolumeShareSlippageSpec
    | SquareRootImpactSpec
    | CompositeSlippageSpec,
    ModelChoice(),
]


# ---- fill quantity -----------------------------------------------------------------------------


class FullFillSpec(ModelSpec):
    """Every matched order fills completely: no liquidity limit."""

    model: Literal["full"] = "full"


class VolumeParticipationSpec(ModelSpec):
    """At most max_share of each bar's volume fills, summed over the bar's orders, first come
    first served."""

    model: Literal["volume_participation"] = "volume_participation"
    max_share: Annotated[Number, Range(low=0, high=1, low_open=True, interval=True)] = parameter(
        "The share of each bar's volume the bar's orders may take.", unit="fraction"
    )


class RandomPartialFillSpec(ModelSpec):
    """Now and then a bar fills only part of an order, as Alpaca's paper venue does: with
    probability p a random fraction of what remains, at least one lot."""

    model: Literal["random_partial"] = "random_partial"
    probability: Fraction = parameter(
        "The chance that a bar fills only part of an order.",
        unit="fraction",
        default=Decimal("0.1"),
    )
    min_fraction: Fraction = parameter(
        "The smallest part of the remaining quantity a partial fill takes.",
        unit="fraction",
        default=Decimal("0.1"),
    )
    max_fraction: Fraction = parameter(
        "The largest part of the remaining quantity a partial fill takes.",
        unit="fraction",
        default=Decimal("0.9"),
    )
    seed: Seed | None = parameter(_SEED_MEANING, default=None)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min_fraction > self.max_fraction:
            raise field_error(
                "min_fraction",
                f"must not be above max_fraction {self.max_fraction}, got {self.min_fraction}",
            )
        return self


class CompositeQuantitySpec(ModelSpec):
    """The tightest of several limits: the smallest of the parts' quantities."""

    model: Literal["min"] = "min"
    parts: list[FillQuantitySpec] = Field(
        min_length=1, description="The models whose smallest limit applies."
    )


FillQuantitySpec = Annotated[
    FullFillSpec | VolumeParticipationSpec | RandomPartialFillSpec | CompositeQuantitySpec,
    ModelChoice(),
]


# ---- fees --------------------------------------------------------------------------------------


class NoCommissionSpec(ModelSpec):
    """No fees."""

    model: Literal["none"] = "none"


class PercentCommissionSpec(ModelSpec):
    """rate × the order's notional, rounded once per order."""

    model: Literal["percent"] = "percent"
    rate: Rate = parameter("The fee per unit of notional (0.001 = 0.1 %).", unit="fraction")
    round_to: RoundTo = parameter(_ROUND_TO_MEANING, unit="money", default=_CENT)


class PerShareCommissionSpec(ModelSpec):
    """per_share × the order's quantity, at least minimum, at most maximum and maximum_pct ×
    the notional, per order."""

    model: Literal["per_share"] = "per_share"
    per_share: NonNegative = parameter("The fee per share (or unit).", unit="money/share")
    minimum: NonNegative = parameter(
        "The least an order pays once it fills.", unit="money", default=Decimal(0)
    )
    maximum: NonNegative | None = parameter(
        "The most an order pays (null: no cap).", unit="money", default=None
    )
    maximum_pct: NonNegative | None = parameter(
        "The most an order pays, as a share of its notional (null: no cap).",
        unit="fraction",
        default=None,
    )
    round_to: RoundTo = parameter(_ROUND_TO_MEANING, unit="money", default=_CENT)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.maximum is not None and self.maximum < self.minimum:
            raise field_error(
                "maximum", f"must not be below minimum {self.minimum}, got {self.maximum}"
            )
        return self


class FixedCommissionSpec(ModelSpec):
    """A flat amount per order, charged with its first fill."""

    model: Literal["fixed"] = "fixed"
    amount: NonNegative = parameter("The fee of an order.", unit="money")
    round_to: RoundTo = parameter(_ROUND_TO_MEANING, unit="money", default=_CENT)


class MakerTakerCommissionSpec(ModelSpec):
    """rate × each fill's notional, at the maker or the taker rate, rounded per fill (crypto
    exchanges' schedules)."""

    model: Literal["maker_taker"] = "maker_taker"
    maker_rate: Rate = parameter(
        "The fee per unit of notional of a fill that added liquidity.", unit="fraction"
    )
    taker_rate: Rate = parameter(
        "The fee per unit of notional of a fill that took liquidity.", unit="fraction"
    )
    round_to: RoundTo = parameter(_ROUND_TO_MEANING, unit="money", default=_CENT)


class RegulatoryFeesSpec(ModelSpec):
    """US equity sales' SEC fee and FINRA Trading Activity Fee, each rounded up to the cent per
    order; buys pay neither (defaults: the FY2024 rates)."""

    model: Literal["regulatory"] = "regulatory"
    sec_rate_per_million: NonNegative = parameter(
        "The SEC fee per million of notional sold.",
        unit="money/million",
        default=Decimal("27.80"),
    )
    taf_per_share: NonNegative = parameter(
        "FINRA's fee per share sold.", unit="money/share", default=Decimal("0.000166")
    )
    taf_max: NonNegative = parameter(
        "The most FINRA's fee takes from one order.", unit="money", default=Decimal("8.30")
    )


class FeeScheduleSpec(ModelSpec):
    """A broker's commission plus, on sales, the regulatory fees."""

    model: Literal["schedule"] = "schedule"
    base: FeeSpec = Field(description="The broker's commission.")
    regulatory: Annotated[RegulatoryFeesSpec, ModelChoice()] | None = Field(
        default=None, description="The regulatory fees on sales (null: none)."
    )


FeeSpec = Annotated[
    NoCommissionSpec
    | PercentCommissionSpec
    | PerShareCommissionSpec
    | FixedCommissionSpec
    | MakerTakerCommissionSpec
    | RegulatoryFeesSpec
    | FeeScheduleSpec,
    ModelChoice(),
]


# ---- latency -----------------------------------------------------------------------------------


class ZeroLatencySpec(ModelSpec):
    """Requests reach the venue at once (an idealisation)."""

    model: Literal["none"] = "none"


class JitteredLatencySpec(ModelSpec):
    """Each request (submit, cancel, replace) reaches the venue after a delay uniform on
    [base_ms − jitter_ms, base_ms + jitter_ms], clipped at 0."""

    model: Literal["jittered"] = "jittered"
    base_ms: NonNegative = parameter("The mean delay.", unit="ms")
    jitter_ms: NonNegative = parameter(
        "How far a delay may be from the mean.", unit="ms", default=Decimal(0)
    )
    seed: Seed | None = parameter(_SEED_MEANING, default=None)


LatencySpec = Annotated[ZeroLatencySpec | JitteredLatencySpec, ModelChoice()]

CompositeSlippageSpec.model_rebuild()
CompositeQuantitySpec.model_rebuild()
FeeScheduleSpec.model_rebuild()


# ---- the document ------------------------------------------------------------------------------

#: A slippage slot: a model, or a list of models whose costs add up (a ``sum``).
SlippageSlot = Annotated[
    SlippageSpec | Annotated[list[SlippageSpec], Field(min_length=1)], OneOrList()
]

#: Every slot of an execution, in the document's order.
SLOTS = ("intrabar", "slippage", "fill_quantity", "fees", "latency")


def _preset_name(value: Any) -> Any:
    if value is not None and not isinstance(value, str):
        raise value_error(f"must be a string, got {kind_of(value)}")
    if value is not None and value not in PRESETS:
        raise value_error(f"unknown preset {value!r} ({one_of(PRESETS)})")
    return value


class ExecutionSpec(StrictModel):
    """A session's execution models and the seed of their random draws.

    Start from a preset and replace what differs: a slot left out is the
    preset's.  With ``"preset": null`` every slot must be given.
    """

    preset: Annotated[PresetName | None, BeforeValidator(_preset_name)] = Field(
        default=DEFAULT_PRESET,
        description="The preset the models start from (null: none, give every slot).",
    )
    seed: Seed = Field(
        default=0,
        description=(
            "Seeds every random model (latency jitter, random partial fills) that sets no "
            "seed of its own."
        ),
    )
    intrabar: IntrabarPath | None = Field(
        default=None,
        description=(
            "The path a bar's price takes between its open and close: OHLC, OLHC or "
            "adaptive (nearest extreme first). Default: the preset's."
        ),
    )
    fill_timing: FillTiming = Field(
        default=FillTiming.NEXT_BAR,
        description=(
            "When an order decided at a bar's close may first trade: next_bar (no earlier "
            "than the next bar's open) or signal_close (a market order fills at the close of "
            "the bar it was decided on: optimistic, to reproduce engines that trade on close)."
        ),
    )
    slippage: SlippageSlot | None = Field(
        default=None,
        description=(
            "What a taker fill pays beyond the reference price: a model, or a list of models "
            "whose costs add up. Default: the preset's."
        ),
    )
    fill_quantity: FillQuantitySpec | None = Field(
        default=None, description="How much of an order a bar can fill. Default: the preset's."
    )
    fees: FeeSpec | None = Field(
        default=None,
        description="What an order pays its broker and regulators. Default: the preset's.",
    )
    latency: LatencySpec | None = Field(
        default=None,
        description="How long a request takes to reach the venue. Default: the preset's.",
    )


def read_execution(value: object, root: str = "execution") -> ExecutionSpec:
    """An execution document from its JSON form (an :class:`ExecutionSpec` is taken as it is).

    Raises:
        InvalidRequest: for anything the schema refuses; the message names
            the path under ``root``, e.g. ``execution.slippage.bps: must not
            be negative, got -1``.
    """
    if isinstance(value, ExecutionSpec):
        return value
    if not isinstance(value, Mapping):
        raise InvalidRequest(f"{root}: must be an object, got {kind_of(value)}")
    try:
        return ExecutionSpec.model_validate(value)
    except ValidationError as error:
        raise invalid_request(error, root) from None
