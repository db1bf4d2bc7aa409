"""What a client may choose from when it creates a session: the strategies and the
execution presets, each described well enough to build a form from.

A strategy is described by its class: the first paragraph of its docstring,
whether it reads sentiment, and the JSON Schema of its ``Params`` (types,
defaults, bounds and descriptions, as pydantic writes them). An entry point
that does not load is listed with the reason instead.

A preset is described by a sentence and by the execution configuration it
resolves to (:meth:`~paperbroker.venue.execution.ExecutionConfig.to_json`,
the document a session reports as its ``execution``), seed 0.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError

from paperbroker.cli_help import summary_line
from paperbroker.core.errors import InvalidRequest, NotFound
from paperbroker.strategy.base import invalid_fields
from paperbroker.strategy.registry import (
    StrategyListing,
    available_strategies,
    resolve_strategy,
)
from paperbroker.venue.execution import DEFAULT_PRESET, PRESETS, preset

#: One sentence per preset (docs/execution.md says more).
PRESET_DESCRIPTIONS: Final[dict[str, str]] = {
    "ideal": (
        "Assumes nothing: every order fills in full at the rule's price, for free, at once; "
        "the setting to compare with engines run without costs."
    ),
    "alpaca_paper": (
        "What Alpaca's paper venue does: no slippage, commission or latency, and random "
        "partial fills (probability 0.1)."
    ),
    "equities_realistic": (
        "A US retail account at a direct-access broker: per-share commission with SEC and "
        "FINRA fees on sales, half of a 2 bps spread plus square-root impact, at most 5 % "
        "of a bar's volume, 50 ± 20 ms latency."
    ),
    "crypto_taker": (
        "A taker on a spot crypto exchange: 0.10 % per fill, half of a 5 bps spread plus "
        "square-root impact, at most 10 % of a bar's volume, 100 ± 50 ms latency."
    ),
}


@dataclass(frozen=True)
class StrategyInfo:
    """A strategy available by name, or why it cannot be loaded (``error``)."""

    name: str
    origin: str
    description: str
    uses_sentiment: bool | None
    params_schema: dict[str, Any] | None
    error: str | None


@dataclass(frozen=True)
class PresetInfo:
    """An execution preset: its name, a sentence, and the configuration it resolves to."""

    name: str
    description: str
    default: bool
    execution: dict[str, Any]


class InvalidStrategyParameter(InvalidRequest):
    """A strategy parameter of a request is invalid: ``field`` is its path in the request
    (``strategy.params.fast``; ``strategy.params`` for a rule across parameters)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def strategies() -> list[StrategyInfo]:
    """Every strategy available by name: built-ins, then entry points, each by name."""
    return [_info(listing) for listing in available_strategies()]


def strategy(name: str) -> StrategyInfo:
    """The strategy ``name``.

    Raises:
        NotFound: if no strategy of that name is available.
    """
    for listing in available_strategies():
        if listing.name == name:
            return _info(listing)
    raise NotFound(f"strategy {name[:128]!r} not found")


def presets() -> list[PresetInfo]:
    """Every execution preset, from the most optimistic to the most specific."""
    return [
        PresetInfo(
            name=name,
            description=PRESET_DESCRIPTIONS[name],
            default=name == DEFAULT_PRESET,
            execution=preset(name).to_json(),
        )
        for name in PRESETS
    ]


def check_strategy_params(name: str, params: dict[str, Any], where: str = "strategy") -> None:
    """Refuse ``params`` that ``name``'s ``Params`` refuses, naming the parameter.

    An unknown strategy is left to the session's creation, which names the ones there are.

    Raises:
        InvalidStrategyParameter: with the message a session's creation gives and the
            parameter's path in the request (``{where}.params.{parameter}``).
    """
    try:
        cls = resolve_strategy(name, files=False)
    except InvalidRequest:
        return
    try:
        cls.Params(**params)
    except ValidationError as error:
        first = error.errors()[0]
        loc = [str(part) for part in first["loc"]]
        problem = invalid_fields(
            error,
            field="parameter",
            unknown=f"for {cls.__name__}",
            known=cls.Params.model_fields,
            rule=f"invalid parameters for {cls.__name__}",
        )
        field = ".".join([where, "params", *loc[:1]])
        raise InvalidStrategyParameter(str(problem), field) from None


def _info(listing: StrategyListing) -> StrategyInfo:
    cls = listing.strategy
    if cls is None:
        return StrategyInfo(listing.name, listing.origin, "", None, None, listing.error)
    return StrategyInfo(
        name=listing.name,
        origin=listing.origin,
        description=summary_line(inspect.getdoc(cls)),
        uses_sentiment=cls.uses_sentiment,
        params_schema=cls.Params.model_json_schema(),
        error=None,
    )
