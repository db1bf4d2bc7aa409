"""One object for every execution assumption of a session, and the named presets.

An :class:`ExecutionConfig` bundles the intrabar path, slippage, fill-quantity,
fee and latency models with the seed that drives the random ones, so one
JSON document (:meth:`ExecutionConfig.to_json`) reproduces a run's fills.
Sessions start from a preset (:data:`PRESETS`) and may replace any model:

    {"preset": "equities_realistic", "seed": 7, "latency": {"model": "none"}}

``equities_realistic`` is the default for new sessions: a backtest that pays
no spread, no impact and no fees flatters every strategy, so the honest
default charges them; ``ideal`` is there to compare engines like for like.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.values import to_decimal
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
from paperbroker.venue.matching import IntrabarPath
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

#: The preset of a new session when its request names none.
DEFAULT_PRESET = "equities_realistic"
#: Every preset, from the most optimistic to the most specific.
PRESETS: tuple[str, ...] = ("ideal", "alpaca_paper", "equities_realistic", "crypto_taker")

_SLOTS = ("intrabar", "slippage", "fill_quantity", "fees", "latency")
_KEYS = ("preset", "seed", *_SLOTS)
_INTRABAR = ", ".join(path.value for path in IntrabarPath)


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

    def __post_init__(self) -> None:
        if self.preset is not None and self.preset not in PRESETS:
            raise InvalidRequest(f"preset: unknown preset {self.preset!r} ({_one_of(PRESETS)})")
        _check_seed(self.seed, "seed")

    @classmethod
    def from_json(
        cls, spec: Mapping[str, Any] | None, *, default_preset: str = DEFAULT_PRESET
    ) -> ExecutionConfig:
        """Build a config from its JSON form, as :meth:`to_json` writes it.

        ``spec`` may name a ``preset`` (``default_preset`` if absent), a
        ``seed`` (0 if absent), and replace any of the preset's models:
        ``intrabar`` (``"OHLC"``, ``"OLHC"`` or ``"adaptive"``), ``slippage``
        (a model, or a list of models whose costs add up), ``fill_quantity``,
        ``fees`` and ``latency``, each written ``{"model": NAME, ...params}``.
        With ``"preset": null`` every model must be given.  ``None`` means the
        default preset with seed 0.

        Raises:
            InvalidRequest: for an unknown key, preset or model, or a bad
                parameter; the message names the path, e.g.
                ``execution.slippage.bps: must not be negative, got -1``.
        """
        if spec is None:
            return _preset(default_preset, 0, "execution.preset")
        if not isinstance(spec, Mapping):
            raise InvalidRequest(f"execution: must be an object, got {_kind(spec)}")
        for key in spec:
            if key not in _KEYS:
                raise InvalidRequest(f"execution.{key}: unknown key ({_one_of(_KEYS)})")
        seed = _integer(spec.get("seed", 0), "execution.seed")
        name = spec.get("preset", default_preset)
        if name is not None and not isinstance(name, str):
            raise InvalidRequest(f"execution.preset: must be a string, got {_kind(name)}")
        base = None if name is None else _preset(name, seed, "execution.preset")
        models: dict[str, Any] = {}
        for slot in _SLOTS:
            path = f"execution.{slot}"
            if slot in spec:
                models[slot] = _PARSERS[slot](spec[slot], path, seed)
            elif base is None:
                raise InvalidRequest(f"{path}: required when no preset is given")
            else:
                models[slot] = getattr(base, slot)
        return cls(preset=name, seed=seed, **models)

    def to_json(self) -> dict[str, Any]:
        """The effective models as JSON; :meth:`from_json` turns it back into an equal config."""
        return {
            "preset": self.preset,
            "seed": self.seed,
            "intrabar": self.intrabar.value,
            "slippage": self.slippage.describe(),
            "fill_quantity": self.fill_quantity.describe(),
            "fees": self.fees.describe(),
            "latency": self.latency.describe(),
        }

    def venue_config(self) -> VenueConfig:
        """The simulated venue's configuration with these models."""
        from paperbroker.venue.venue import VenueConfig

        return VenueConfig(
            commission=self.fees,
            slippage=self.slippage,
            fill_quantity=self.fill_quantity,
            intrabar=self.intrabar,
            latency=self.latency,
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
    return _preset(name, seed, "preset")


# ---- presets -------------------------------------------------------------------------------


def _ideal(seed: int) -> ExecutionConfig:
    return ExecutionConfig(
        preset="ideal",
        intrabar=IntrabarPath.ADAPTIVE,
        slippage=NoSlippage(),
        fill_quantity=FullFill(),
        fees=NoCommission(),
        latency=ZeroLatency(),
        seed=seed,
    )


def _alpaca_paper(seed: int) -> ExecutionConfig:
    return ExecutionConfig(
        preset="alpaca_paper",
        intrabar=IntrabarPath.ADAPTIVE,
        slippage=NoSlippage(),
        fill_quantity=RandomPartialFill("0.1", seed=seed),
        fees=NoCommission(),
        latency=ZeroLatency(),
        seed=seed,
    )


def _equities_realistic(seed: int) -> ExecutionConfig:
    return ExecutionConfig(
        preset="equities_realistic",
        intrabar=IntrabarPath.ADAPTIVE,
        slippage=CompositeSlippage([HalfSpreadSlippage(2), SquareRootImpact("1.0")]),
        fill_quantity=VolumeParticipation("0.05"),
        fees=FeeSchedule(
            PerShareCommission("0.005", minimum="1.00", maximum_pct="0.01"), RegulatoryFees()
        ),
        latency=JitteredLatency(50, 20, seed=seed),
        seed=seed,
    )


def _crypto_taker(seed: int) -> ExecutionConfig:
    return ExecutionConfig(
        preset="crypto_taker",
        intrabar=IntrabarPath.ADAPTIVE,
        slippage=CompositeSlippage([HalfSpreadSlippage(5), SquareRootImpact("1.0")]),
        fill_quantity=VolumeParticipation("0.10"),
        fees=MakerTakerCommission("0.001", "0.001"),
        latency=JitteredLatency(100, 50, seed=seed),
        seed=seed,
    )


_PRESETS: dict[str, Callable[[int], ExecutionConfig]] = {
    "ideal": _ideal,
    "alpaca_paper": _alpaca_paper,
    "equities_realistic": _equities_realistic,
    "crypto_taker": _crypto_taker,
}


def _preset(name: str, seed: int, path: str) -> ExecutionConfig:
    build = _PRESETS.get(name)
    if build is None:
        raise InvalidRequest(f"{path}: unknown preset {name!r} ({_one_of(PRESETS)})")
    _check_seed(seed, "seed")
    return build(seed)


# ---- reading model specs -------------------------------------------------------------------

_Model = TypeVar("_Model")


def _one_of(names: tuple[str, ...] | list[str]) -> str:
    return "one of " + ", ".join(names)


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _check_seed(seed: int, path: str) -> None:
    if seed < 0:
        raise InvalidRequest(f"{path}: must not be negative, got {seed}")


def _integer(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"{path}: must be an integer, got {_kind(value)}")
    _check_seed(value, path)
    return value


class _Spec:
    """One ``{"model": NAME, ...params}`` object being read, with its path for errors."""

    def __init__(self, value: object, path: str, names: tuple[str, ...]) -> None:
        if not isinstance(value, Mapping):
            raise InvalidRequest(f'{path}: must be an object {{"model": NAME, ...}}')
        self.value: Mapping[str, Any] = value
        self.path = path
        self.read: set[str] = {"model"}
        name = value.get("model")
        if name is None:
            raise InvalidRequest(f"{path}.model: required ({_one_of(names)})")
        if name not in names:
            raise InvalidRequest(f"{path}: unknown model {name!r} ({_one_of(names)})")
        self.name: str = name

    def numbers(
        self,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
        nullable: tuple[str, ...] = (),
    ) -> dict[str, Decimal | None]:
        """The given parameters as decimals; absent optional ones are left out."""
        found: dict[str, Decimal | None] = {}
        for key in (*required, *optional, *nullable):
            self.read.add(key)
            if key not in self.value:
                if key in required:
                    raise InvalidRequest(f"{self.path}.{key}: required")
                continue
            raw = self.value[key]
            if raw is None and key in nullable:
                found[key] = None
            elif isinstance(raw, bool) or not isinstance(raw, int | float | str):
                raise InvalidRequest(f"{self.path}.{key}: must be a number, got {_kind(raw)}")
            else:
                try:
                    found[key] = to_decimal(raw, field=key)
                except InvalidRequest:
                    raise InvalidRequest(
                        f"{self.path}.{key}: must be a number, got {raw!r}"
                    ) from None
        return found

    def seed(self, default: int) -> int:
        self.read.add("seed")
        if "seed" not in self.value:
            return default
        return _integer(self.value["seed"], f"{self.path}.seed")

    def parts(self, parse: Callable[[object, str], _Model]) -> list[_Model]:
        self.read.add("parts")
        items = self.value.get("parts")
        if not isinstance(items, list):
            raise InvalidRequest(f"{self.path}.parts: must be a list of models")
        return [parse(item, f"{self.path}.parts[{i}]") for i, item in enumerate(items)]

    def spec(self, key: str, parse: Callable[[object, str], _Model]) -> _Model:
        self.read.add(key)
        if key not in self.value:
            raise InvalidRequest(f"{self.path}.{key}: required")
        return parse(self.value[key], f"{self.path}.{key}")

    def make(self, factory: Callable[..., _Model], *args: Any, **kwargs: Any) -> _Model:
        """Check no parameter is left unread, then build, naming the path in errors."""
        for key in self.value:
            if key not in self.read:
                known = sorted(self.read - {"model"})
                listed = f" ({_one_of(known)})" if known else ""
                raise InvalidRequest(
                    f"{self.path}.{key}: unknown parameter of model {self.name!r}{listed}"
                )
        try:
            return factory(*args, **kwargs)
        except InvalidRequest as error:
            raise InvalidRequest(f"{self.path}.{error}") from None


_SLIPPAGE = ("none", "fixed_bps", "half_spread", "volume_share", "sqrt_impact", "sum")
_QUANTITY = ("full", "volume_participation", "random_partial", "min")
_FEES = ("none", "percent", "per_share", "fixed", "maker_taker", "regulatory", "schedule")
_LATENCY = ("none", "jittered")


def _slippage(value: object, path: str, seed: int) -> SlippageModel:
    def part(item: object, where: str) -> SlippageModel:
        return _slippage(item, where, seed)

    if isinstance(value, list):  # a list of models: their costs add up
        parts = [part(item, f"{path}[{i}]") for i, item in enumerate(value)]
        if not parts:
            raise InvalidRequest(f"{path}: must name at least one model")
        return CompositeSlippage(parts)
    spec = _Spec(value, path, _SLIPPAGE)
    if spec.name == "fixed_bps":
        return spec.make(FixedBpsSlippage, **spec.numbers(required=("bps",)))
    if spec.name == "half_spread":
        return spec.make(HalfSpreadSlippage, **spec.numbers(required=("spread_bps",)))
    if spec.name == "volume_share":
        params = spec.numbers(optional=("price_impact", "volume_limit"))
        return spec.make(VolumeShareSlippage, **params)
    if spec.name == "sqrt_impact":
        return spec.make(SquareRootImpact, **spec.numbers(optional=("k", "max_cost")))
    if spec.name == "sum":
        return spec.make(CompositeSlippage, spec.parts(part))
    return spec.make(NoSlippage)


def _fill_quantity(value: object, path: str, seed: int) -> FillQuantityModel:
    def part(item: object, where: str) -> FillQuantityModel:
        return _fill_quantity(item, where, seed)

    spec = _Spec(value, path, _QUANTITY)
    if spec.name == "volume_participation":
        return spec.make(VolumeParticipation, **spec.numbers(required=("max_share",)))
    if spec.name == "random_partial":
        params = spec.numbers(optional=("probability", "min_fraction", "max_fraction"))
        return spec.make(RandomPartialFill, seed=spec.seed(seed), **params)
    if spec.name == "min":
        return spec.make(CompositeQuantity, spec.parts(part))
    return spec.make(FullFill)


def _fees(value: object, path: str, seed: int) -> FeeModel:
    spec = _Spec(value, path, _FEES)
    if spec.name == "percent":
        params = spec.numbers(required=("rate",), nullable=("round_to",))
        return spec.make(PercentCommission, **params)
    if spec.name == "per_share":
        params = spec.numbers(
            required=("per_share",),
            optional=("minimum",),
            nullable=("maximum", "maximum_pct", "round_to"),
        )
        return spec.make(PerShareCommission, **params)
    if spec.name == "fixed":
        params = spec.numbers(required=("amount",), nullable=("round_to",))
        return spec.make(FixedCommission, **params)
    if spec.name == "maker_taker":
        params = spec.numbers(required=("maker_rate", "taker_rate"), nullable=("round_to",))
        return spec.make(MakerTakerCommission, **params)
    if spec.name == "regulatory":
        return spec.make(RegulatoryFees, **_regulatory_params(spec))
    if spec.name == "schedule":
        base = spec.spec("base", lambda item, where: _fees(item, where, seed))
        spec.read.add("regulatory")
        raw = spec.value.get("regulatory")
        regulatory = None if raw is None else _regulatory(raw, f"{path}.regulatory")
        return spec.make(FeeSchedule, base, regulatory)
    return spec.make(NoCommission)


def _regulatory_params(spec: _Spec) -> dict[str, Decimal | None]:
    return spec.numbers(optional=("sec_rate_per_million", "taf_per_share", "taf_max"))


def _regulatory(value: object, path: str) -> RegulatoryFees:
    spec = _Spec(value, path, ("regulatory",))
    return spec.make(RegulatoryFees, **_regulatory_params(spec))


def _latency(value: object, path: str, seed: int) -> LatencyModel:
    spec = _Spec(value, path, _LATENCY)
    if spec.name == "jittered":
        params = spec.numbers(required=("base_ms",), optional=("jitter_ms",))
        return spec.make(JitteredLatency, seed=spec.seed(seed), **params)
    return spec.make(ZeroLatency)


def _intrabar(value: object, path: str, seed: int) -> IntrabarPath:
    if isinstance(value, str):
        for path_kind in IntrabarPath:
            if value == path_kind.value:
                return path_kind
    raise InvalidRequest(f"{path}: must be one of {_INTRABAR}, got {value!r}")


_PARSERS: dict[str, Callable[[object, str, int], Any]] = {
    "intrabar": _intrabar,
    "slippage": _slippage,
    "fill_quantity": _fill_quantity,
    "fees": _fees,
    "latency": _latency,
}
