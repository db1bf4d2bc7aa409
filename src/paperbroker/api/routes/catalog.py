"""``/v1/strategies`` and ``/v1/execution/presets``: what a session can be created with.

Both are ``owner`` routes: the keys that may create sessions are the ones
that need to know what to create them with. A key bound to a session
creates nothing, so it is refused (403) like on ``POST /v1/sessions``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from paperbroker.api.access import Owner
from paperbroker.api.errors import ApiError
from paperbroker.api.responses import ExecutionDocument, ResponseModel
from paperbroker.services import catalog
from paperbroker.services.catalog import InvalidStrategyParameter, PresetInfo, StrategyInfo

strategies_router = APIRouter(prefix="/v1/strategies", tags=["strategies"])
presets_router = APIRouter(prefix="/v1/execution", tags=["execution"])


class StrategyPublic(ResponseModel):
    """A strategy a session may run by name, or why it cannot be loaded."""

    name: str = Field(examples=["sma_crossover"], description="The name sessions run it by.")
    origin: str = Field(
        examples=["built-in"],
        description="`built-in`, or the installed distribution whose entry point provides it.",
    )
    description: str = Field(
        description="The first paragraph of the class's docstring, plain text (empty if broken)."
    )
    uses_sentiment: bool | None = Field(
        description="Whether it reads sentiment (its pipeline then has a sentiment agent); "
        "null when it cannot be loaded."
    )
    params_schema: dict[str, Any] | None = Field(
        description="The JSON Schema of its parameters (`Params`): each property's type, "
        "default, bounds (`minimum`, `exclusiveMinimum`, …) and description; null when it "
        "cannot be loaded."
    )
    error: str | None = Field(
        description="Why it cannot be loaded (a broken entry point: package, file, line); "
        "null when it can."
    )

    @classmethod
    def of(cls, info: StrategyInfo) -> StrategyPublic:
        return cls(
            name=info.name,
            origin=info.origin,
            description=info.description,
            uses_sentiment=info.uses_sentiment,
            params_schema=info.params_schema,
            error=info.error,
        )


class PresetPublic(ResponseModel):
    """An execution preset and what it means."""

    name: str = Field(examples=["equities_realistic"])
    description: str
    default: bool = Field(description="Whether a session that names no preset gets this one.")
    execution: ExecutionDocument = Field(
        description="The execution configuration it resolves to (seed 0), as a session "
        "reports its `execution`: intrabar path, fill timing, slippage, fill quantity, fees "
        "and latency."
    )

    @classmethod
    def of(cls, info: PresetInfo) -> PresetPublic:
        return cls(
            name=info.name, description=info.description, default=info.default,
            execution=info.execution,
        )  # fmt: skip


def check_strategy(name: str, params: dict[str, Any]) -> None:
    """Refuse a request's ``strategy`` whose ``params`` its strategy refuses: a 422 naming
    the parameter in its message and in ``field``.

    Raises:
        ApiError: 422 with ``field``.
    """
    try:
        catalog.check_strategy_params(name, params)
    except InvalidStrategyParameter as error:
        raise ApiError(422, str(error), details={"field": error.field}) from None


@strategies_router.get("", operation_id="listStrategies", summary="List the strategies")
def list_strategies(_caller: Owner) -> list[StrategyPublic]:
    """Built-ins first, then those installed packages provide (entry points in the group
    `paperbroker.strategies`), each by name; one that does not load carries its `error`."""
    return [StrategyPublic.of(info) for info in catalog.strategies()]


@strategies_router.get("/{name}", operation_id="getStrategy", summary="Read a strategy")
def get_strategy(
    name: Annotated[str, Path(max_length=300, description="The strategy's name.")],
    _caller: Owner,
) -> StrategyPublic:
    return StrategyPublic.of(catalog.strategy(name))


@presets_router.get(
    "/presets", operation_id="listExecutionPresets", summary="List the execution presets"
)
def list_presets(_caller: Owner) -> list[PresetPublic]:
    """Each preset with the configuration it resolves to; `default` marks the one a session
    gets when it names none."""
    return [PresetPublic.of(info) for info in catalog.presets()]
