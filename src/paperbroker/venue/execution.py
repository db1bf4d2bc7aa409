"""One object for every execution assumption of a session, and the named presets.

An :class:`ExecutionConfig` bundles the intrabar path, slippage, fill-quantity,
fee and latency models with the seed that drives the random ones, so one
JSON document (:meth:`ExecutionConfig.to_json`, read by the schema's
:class:`~paperbroker.venue.schema.ExecutionSpec`) reproduces a run's fills.
Sessions start from a preset (:data:`PRESET_SPECS`, schema instances) and may
replace any model:

    {"preset": "equities_realistic", "seed": 7, "latency": {"model": "none"}}

``equities_realistic`` is the default for new sessions: a backtest that pays
no spread, no impact and no fees flatters every strategy, so the honest
default charges them; ``ideal`` is there to compare engines like for like.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from paperbroker.core.errors import InvalidRequest
from paperbroker.venue.commission import (
    FeeModel,
    FeeSchedule,
    FixedCommission,
    MakerTakerCommission,
    NoCommission,
    PercentCommission,
    PerShareCommission,
    RegulatoryFees,
)
from paperbroker.venue.fill_quantity import (
    CompositeQuantity,
    FillQuantityModel,
    FullFill,
    RandomPartialFill,
    VolumeParticipation,
)
from paperbroker.venue.latency import JitteredLatency, LatencyModel, ZeroLatency
from paperbroker.venue.matching import FillTiming, IntrabarPath
from paperbroker.venue.schema import (
    DEFAULT_PRESET,
    PRESETS,
    SLOTS,
    CompositeSlippageSpec,
    ExecutionSpec,
    FeeScheduleSpec,
    FullFillSpec,
    HalfSpreadSlippageSpec,
    JitteredLatencySpec,
    MakerTakerCommissionSpec,
    NoCommissionSpec,
    NoSlippageSpec,
    PerShareCommissionSpec,
    RandomPartialFillSpec,
    RegulatoryFeesSpec,
    SquareRootImpactSpec,
    VolumeParticipationSpec,
    ZeroLatencySpec,
    read_execution,
)
from paperbroker.venue.schema_base import ModelSpec, Specified, one_of
from paperbroker.venue.slippage import (
    CompositeSlippage,
    FixedBpsSlippage,
    HalfSpreadSlippage,
    NoSlippage,
    SlippageModel,
    SquareRootImpact,
    VolumeShareSlippage,
)

if TYPE_CHECKING:
    from paperbroker.venue.venue import VenueConfig

__all__ = [
    "DEFAULT_PRESET",
    "MODELS",
    "PRESETS",
    "PRESET_SPECS",
    "ExecutionConfig",
    "build",
    "preset",
]

#: The runtime models of each slot, in the order the docs list them.
MODELS: Mapping[str, tuple[type[Specified], ...]] = MappingProxyType(
    {
        "slippage": (
            NoSlippage,
            FixedBpsSlippage,
            HalfSpreadSlippage,
            VolumeShareSlippage,
            SquareRootImpact,
            CompositeSlippage,
        ),
        "fill_quantity": (FullFill, VolumeParticipation, RandomPartialFill, CompositeQuantity),
        "fees": (
            NoCommission,
            PercentCommission,
            PerShareCommission,
            FixedCommission,
            MakerTakerCommission,
            RegulatoryFees,
            FeeSchedule,
        ),
        "latency": (ZeroLatency, JitteredLatency),
    }
)
_RUNTIME: dict[type[ModelSpec], type[Specified]] = {
    model.spec_type: model for models in MODELS.values() for model in models
}


def build(spec: ModelSpec, seed: int = 0) -> Any:
    """The runtime model a spec specifies; a seeded model that sets no seed gets ``seed``.

    A spec's parameters are its runtime model's keyword arguments; the
    parts of a composite are built first.
    """
    arguments: dict[str, Any] = {}
    for name in spec.parameters():
        value = getattr(spec, name)
        if isinstance(value, ModelSpec):
            value = build(value, seed)
        elif isinstance(value, list):
            value = [build(part, seed) for part in value]
        elif name == "seed" and value is None:
            value = seed
        arguments[name] = value
    return _RUNTIME[type(spec)](**arguments)


@dataclass(frozen=True, eq=False)
class ExecutionConfig:
    """The execution models of a session and the seed of its random draws.

    Two configs are equal when their :meth:`to_json` documents are.

    Raises:
        InvalidRequest: if ``preset`` is not one of :data:`PRESETS` (or
            ``None``) or ``seed`` is negative.
    """

    #: The preset it started from (``None`` if built by hand).
    preset: str | None
    intrabar: IntrabarPath
    slippage: SlippageModel
    fill_quantity: FillQuantityModel
    fees: FeeModel
    latency: LatencyModel
    seed: int
    #: When a decision may first trade: the next bar (default) or, optimistic, the
    #: decision bar's close for market orders.
    fill_timing: FillTiming = FillTiming.NEXT_BAR

    def __post_init__(self) -> None:
        if self.preset is not None and self.preset not in PRESETS:
            raise InvalidRequest(f"preset: unknown preset {self.preset!r} ({one_of(PRESETS)})")
        _check_seed(self.seed, "seed")

    @classmethod
    def from_json(
        cls,
        spec: Mapping[str, Any] | ExecutionSpec | None,
        *,
        default_preset: str = DEFAULT_PRESET,
    ) -> ExecutionConfig:
        """Build a config from its JSON form (:class:`~paperbroker.venue.schema.ExecutionSpec`).

        ``spec`` may name a ``preset`` (``default_preset`` if absent), a
        ``seed`` (0 if absent), and replace any of the preset's models:
        ``intrabar`` (``"OHLC"``, ``"OLHC"`` or ``"adaptive"``), ``slippage``
        (a model, or a list of models whose costs add up), ``fill_quantity``,
        ``fees`` and ``latency``, each written ``{"model": NAME, ...params}``,
        and ``fill_timing`` (``"next_bar"``, the default, or ``"signal_close"``).
        With ``"preset": null`` every model must be given.  ``None`` means the
        default preset with seed 0.  :meth:`to_json` writes what this reads.

        Raises:
            InvalidRequest: for an unknown key, preset or model, or a bad
                parameter; the message names the path, e.g.
                ``execution.slippage.bps: must not be negative, got -1``.
        """
        document = ExecutionSpec() if spec is None else read_execution(spec)
        name = document.preset if "preset" in document.model_fields_set else default_preset
        base = None if name is None else _preset_spec(name, "execution.preset")
        chosen: dict[str, Any] = {}
        for slot in SLOTS:
            value = getattr(document, slot)
            if value is None and base is None:
                raise InvalidRequest(f"execution.{slot}: required when no preset is given")
            chosen[slot] = getattr(base, slot) if value is None else value
        if isinstance(chosen["slippage"], list):  # a list of models: their costs add up
            chosen["slippage"] = CompositeSlippageSpec(parts=chosen["slippage"])
        seed = document.seed
        return cls(
            preset=name,
            seed=seed,
            intrabar=chosen["intrabar"],
            slippage=build(chosen["slippage"], seed),
            fill_quantity=build(chosen["fill_quantity"], seed),
            fees=build(chosen["fees"], seed),
            latency=build(chosen["latency"], seed),
            fill_timing=document.fill_timing,
        )

    def to_json(self) -> dict[str, Any]:
        """The effective models as JSON; :meth:`from_json` turns it back into an equal config.

        ``fill_timing`` is written only when it is not the default ``next_bar``,
        so the documents stored before it existed read back to the byte.
        """
        document = {
            "preset": self.preset,
            "seed": self.seed,
            "intrabar": self.intrabar.value,
            "slippage": self.slippage.describe(),
            "fill_quantity": self.fill_quantity.describe(),
            "fees": self.fees.describe(),
            "latency": self.latency.describe(),
        }
        if self.fill_timing is not FillTiming.NEXT_BAR:
            document["fill_timing"] = self.fill_timing.value
        return document

    def venue_config(self) -> VenueConfig:
        """The simulated venue's configuration with these models."""
        from paperbroker.venue.venue import VenueConfig

        return VenueConfig(
            commission=self.fees,
            slippage=self.slippage,
            fill_quantity=self.fill_quantity,
            intrabar=self.intrabar,
            latency=self.latency,
            fill_timing=self.fill_timing,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ExecutionConfig):
            return NotImplemented
        return self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_json(), sort_keys=True))


def preset(name: str, seed: int = 0) -> ExecutionConfig:
    """The named preset (one of :data:`PRESETS`), its random models seeded with ``seed``.

    Raises:
        InvalidRequest: for an unknown name (the message lists the presets)
            or a negative seed.
    """
    _preset_spec(name, "preset")
    _check_seed(seed, "seed")
    return ExecutionConfig.from_json({"preset": name, "seed": seed})


# ---- presets -------------------------------------------------------------------------------

#: Every preset's models; a seeded model's seed is the session's.  See docs/execution.md.
PRESET_SPECS: Mapping[str, ExecutionSpec] = MappingProxyType(
    {
        "ideal": ExecutionSpec(
            preset="ideal",
            intrabar=IntrabarPath.ADAPTIVE,
            slippage=NoSlippageSpec(),
            fill_quantity=FullFillSpec(),
            fees=NoCommissionSpec(),
            latency=ZeroLatencySpec(),
        ),
        "alpaca_paper": ExecutionSpec(
            preset="alpaca_paper",
            intrabar=IntrabarPath.ADAPTIVE,
            slippage=NoSlippageSpec(),
            fill_quantity=RandomPartialFillSpec(probability=Decimal("0.1")),
            fees=NoCommissionSpec(),
            latency=ZeroLatencySpec(),
        ),
        "equities_realistic": ExecutionSpec(
            preset="equities_realistic",
            intrabar=IntrabarPath.ADAPTIVE,
            slippage=CompositeSlippageSpec(
                parts=[
                    HalfSpreadSlippageSpec(spread_bps=Decimal(2)),
                    SquareRootImpactSpec(k=Decimal("1.0")),
                ]
            ),
            fill_quantity=VolumeParticipationSpec(max_share=Decimal("0.05")),
            fees=FeeScheduleSpec(
                base=PerShareCommissionSpec(
                    per_share=Decimal("0.005"),
                    minimum=Decimal("1.00"),
                    maximum_pct=Decimal("0.01"),
                ),
                regulatory=RegulatoryFeesSpec(),
            ),
            latency=JitteredLatencySpec(base_ms=Decimal(50), jitter_ms=Decimal(20)),
        ),
        "crypto_taker": ExecutionSpec(
            preset="crypto_taker",
            intrabar=IntrabarPath.ADAPTIVE,
            slippage=CompositeSlippageSpec(
                parts=[
                    HalfSpreadSlippageSpec(spread_bps=Decimal(5)),
                    SquareRootImpactSpec(k=Decimal("1.0")),
                ]
            ),
            fill_quantity=VolumeParticipationSpec(max_share=Decimal("0.10")),
            fees=MakerTakerCommissionSpec(maker_rate=Decimal("0.001"), taker_rate=Decimal("0.001")),
            latency=JitteredLatencySpec(base_ms=Decimal(100), jitter_ms=Decimal(50)),
        ),
    }
)


def _preset_spec(name: str, path: str) -> ExecutionSpec:
    found = PRESET_SPECS.get(name)
    if found is None:
        raise InvalidRequest(f"{path}: unknown preset {name!r} ({one_of(PRESETS)})")
    return found


def _check_seed(seed: int, path: str) -> None:
    if seed < 0:
        raise InvalidRequest(f"{path}: must not be negative, got {seed}")
