"""The strategy base class and its typed parameters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from paperbroker.core.errors import InvalidRequest

if TYPE_CHECKING:
    from paperbroker.data.bar import Bar
    from paperbroker.engine.context import StrategyContext
    from paperbroker.model.fill import Fill
    from paperbroker.model.order import Order


class StrategyParams(BaseModel):
    """Base of every strategy's parameters: typed, validated, frozen, no unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Strategy:
    """Subclass this and override the callbacks you need.

    - ``on_start()``: once, before the first bar; precompute indicators here.
    - ``on_bar(bar)``: at every bar close, in time order across symbols.
    - ``on_fill(fill)``: when one of your orders (partly) executes, before the
      ``on_bar`` of the bar that filled it.
    - ``on_order(order)``: when an order is accepted, rejected, canceled or expires.
    - ``on_stop()``: once, after the last bar.
    - ``on_save()`` / ``on_load(state)``: the strategy's own state as JSON, for a
      session's checkpoint (default: none; see docs/recovery.md).

    ``self.ctx`` (a :class:`StrategyContext`) submits and cancels orders and
    reads positions, cash and history; ``self.params`` holds the validated
    parameters declared by the nested ``Params`` class.

    Raises:
        InvalidRequest: on construction, if a parameter is unknown or invalid;
            the message names the parameter.
    """

    Params: ClassVar[type[StrategyParams]] = StrategyParams
    #: Short name used by the CLI and the API (``sma_crossover``).
    name: ClassVar[str] = ""
    #: Whether it reads ``ctx.sentiment``: its standard pipeline then has a sentiment agent.
    uses_sentiment: ClassVar[bool] = False
    #: Whether it keeps nothing between bars beyond its parameters, its indicators
    #: and the books it reads, so a checkpoint restores it exactly without
    #: ``on_save`` (a strategy that overrides ``on_save`` saves the rest itself).
    #: A strategy that does neither is not written into checkpoints: its session
    #: restarts by replaying its journal.
    keeps_no_state: ClassVar[bool] = False

    ctx: StrategyContext

    def __init__(self, **params: Any) -> None:
        self.params = parse_params(type(self), params)

    def on_start(self) -> None:
        """Called once before the first bar."""

    def on_bar(self, bar: Bar) -> None:
        """Called at every bar close."""

    def on_fill(self, fill: Fill) -> None:
        """Called for each fill of this strategy's orders."""

    def on_order(self, order: Order) -> None:
        """Called when an order is accepted, rejected, canceled or expires."""

    def on_stop(self) -> None:
        """Called once after the last bar."""

    def on_save(self) -> dict[str, Any]:
        """The strategy's own state as a JSON object, written into a session's checkpoint.

        Return what ``on_bar`` and ``on_fill`` change and a restart must not lose
        (counters, the last signal); indicators registered in ``on_start`` are
        recomputed from the bars and need not be saved. Default: nothing.
        """
        return {}

    def on_load(self, state: dict[str, Any]) -> None:
        """Take back what :meth:`on_save` returned, after ``on_start`` ran on a restored
        session. Default: nothing."""

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self.params.model_dump().items())
        return f"{type(self).__name__}({values})"


def checkpoint_exact(strategy: Strategy) -> bool:
    """Whether a checkpoint restores ``strategy`` exactly: it keeps no state of its own
    (``keeps_no_state``) or saves it (overrides ``on_save``)."""
    cls = type(strategy)
    return cls.keeps_no_state or cls.on_save is not Strategy.on_save


def parse_params(strategy: type[Strategy], values: dict[str, Any]) -> StrategyParams:
    """Validate raw parameter values (from Python, the CLI or JSON) for ``strategy``.

    Raises:
        InvalidRequest: naming the first bad parameter and why it is bad.
    """
    try:
        return strategy.Params(**values)
    except ValidationError as error:
        raise invalid_fields(
            error,
            field="parameter",
            unknown=f"for {strategy.__name__}",
            known=strategy.Params.model_fields,
            rule=f"invalid parameters for {strategy.__name__}",
        ) from None


def invalid_fields(
    error: ValidationError, *, field: str, unknown: str, known: Iterable[str], rule: str
) -> InvalidRequest:
    """The :class:`InvalidRequest` for the first problem of a pydantic validation.

    ``field`` names what is wrong (``parameter``, ``config field``); an unknown
    one is ``unknown {field} 'x' {unknown} (known: ...)``, a rule across
    several fields ``{rule}: ...``.
    """
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        names = ", ".join(known) or "none"
        return InvalidRequest(f"unknown {field} {where!r} {unknown} (known: {names})")
    if not where:
        return InvalidRequest(f"{rule}: {message}")
    return InvalidRequest(f"{field} {where!r}: {message}")
