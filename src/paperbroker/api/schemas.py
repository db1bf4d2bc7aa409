"""The JSON the /v1 API reads, field for field as the API documents it.

Requests: money and quantities take a JSON number or a plain decimal string
(``10``, ``10.5``, ``"10.5"``; see :mod:`paperbroker.api.decimals`); times
are RFC 3339 strings with an offset (``2012-01-03T14:30:00Z``). Unknown
fields, unknown enum values, non-finite or out-of-range numbers are refused
(422, naming the field).

The answers are in :mod:`paperbroker.api.responses`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainValidator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from paperbroker.agents.arms import (
    MAX_ARMS,
    MIN_ARMS,
    Arm,
    ArmsPlan,
    arm_accounts,
    arm_labels,
    arm_weights,
    arms_pipeline,
)
from paperbroker.agents.decision import LABEL_PATTERN
from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.agents.sleeve import AllocationRule
from paperbroker.api.decimals import CashAmount, Leverage, Minutes, OrderNumber
from paperbroker.api.formats import decimal_text, text_or_none
from paperbroker.api.risk_fields import RiskChoice
from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.model.enums import (
    AccountType,
    OrderClass,
    OrderSide,
    OrderType,
    TimeInForce,
)
from paperbroker.services.views import (
    AccountSettings,
    OrderRequest,
    ReplaceRequest,
)
from paperbroker.venue.schema import ExecutionSpec, read_execution
from paperbroker.venue.schema_base import kind_of

#: Default cash of a new session's (and a new account's) account.
DEFAULT_INITIAL_CASH: Final = Decimal(100_000)
#: The range of times an int64 of epoch nanoseconds holds, as the engine stores them.
_FIRST_TIME: Final = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_TIME: Final = datetime(2262, 4, 11, tzinfo=UTC)
#: A symbol: letters, digits and . - _ (BRK.B, EURUSD), in any case.
SYMBOL_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
#: A symbol in a request: upper-cased, so ``aapl`` is ``AAPL`` (as in Alpaca's API).
Symbol = Annotated[str, Field(pattern=SYMBOL_PATTERN), AfterValidator(str.upper)]


def upper_symbols(agents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An explicit pipeline's agents with their ``symbols`` upper-cased, as :data:`Symbol`."""
    return [
        {**agent, "symbols": [s.upper() if isinstance(s, str) else s for s in agent["symbols"]]}
        if isinstance(agent.get("symbols"), list)
        else agent
        for agent in agents
    ]


_MAX_CLIENT_ORDER_ID: Final = 48
_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_NAME: Final = 200
#: Decimal places an average price keeps (fills at different prices divide without end).
_AVERAGE_PLACES: Final = 9
_AVERAGE_STEP: Final = Decimal(1).scaleb(-_AVERAGE_PLACES)


# -- input types --------------------------------------------------------------
class Documented:
    """Adds keywords to a type's JSON schema that its validator checks itself (with its
    own message): ``Annotated[str, AfterValidator(f), Documented(pattern=...)]``."""

    def __init__(self, **keywords: object) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


def _time_string(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 time string such as 2012-01-03T14:30:00Z")
    return value


def _representable(moment: datetime) -> datetime:
    if not _FIRST_TIME <= moment < _LAST_TIME:
        raise ValueError("must lie between 1970-01-01 and 2262-04-10")
    return moment


def _date_text(value: object) -> object:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value) is None:
        raise ValueError("must be a date such as 2012-01-03 (YYYY-MM-DD)")
    return value


def _printable(text: str) -> str:
    # What PRINTABLE_PATTERN says, and lone surrogates (no UTF-8 text carries one).
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
        raise ValueError("must not contain control characters")
    return text


#: A calendar date written YYYY-MM-DD, as the schema's ``format: date`` says (not ``"0"``).
IsoDate = Annotated[date, BeforeValidator(_date_text)]
#: An RFC 3339 time with an offset (``Z`` or ``±hh:mm``), between 1970 and 2262.
Rfc3339Time = Annotated[
    AwareDatetime, BeforeValidator(_time_string), AfterValidator(_representable)
]
#: Text without control characters (Unicode's Cc: U+0000-U+001F, U+007F-U+009F).
PRINTABLE_PATTERN: Final = r"^[^\u0000-\u001f\u007f-\u009f]*$"
PrintableText = Annotated[str, AfterValidator(_printable), Documented(pattern=PRINTABLE_PATTERN)]


def _execution(value: object) -> ExecutionSpec | None:
    # An object is read by the execution schema itself, whose errors name the path inside
    # it (execution.slippage.bps: ...): its InvalidRequest is answered as a 422.
    if value is not None and not isinstance(value, dict):
        raise ValueError(f"must be an object, got {kind_of(value)}")
    return None if value is None else read_execution(value)


#: A session's execution models (:class:`~paperbroker.venue.schema.ExecutionSpec`).
ExecutionChoice = Annotated[
    ExecutionSpec | None,
    PlainValidator(_execution, json_schema_input_type=ExecutionSpec | None),
]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountSettingsCreate(RequestModel):
    """How the session's accounts trade: ``cash`` (no leverage, no shorts) or ``margin``.

    ``{"type": "margin"}`` is a Reg-T account: 2x buying power overnight, 4x
    while the market is open. ``leverage`` alone is one multiplier day and
    night; ``intradayLeverage`` alone keeps 2 overnight.
    """

    type: AccountType = Field(default=AccountType.CASH, examples=["margin"])
    leverage: Leverage | None = Field(default=None, examples=["2"])
    intradayLeverage: Leverage | None = Field(default=None, examples=["4"])

    def to_settings(self) -> AccountSettings:
        return AccountSettings(self.type.value, self.leverage, self.intradayLeverage)


class StrategyChoice(RequestModel):
    """A strategy for a session's standard pipeline."""

    name: str = Field(min_length=1, max_length=300, examples=["sma_crossover"])
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"fast": 10, "slow": 30}])
    symbols: list[Symbol] = Field(
        default_factory=list, description="The symbols it trades (default: every one)."
    )
    news: str | None = Field(
        default=None,
        max_length=128,
        description=(
            "News for the data agent to publish as the clock reaches each headline: "
            "`sample` or a file name in the server's news directory."
        ),
        examples=["sample"],
    )


class ArmChoice(RequestModel):
    """One strategy of a multi-strategy session (``strategies``; docs/ab-tests.md)."""

    name: str = Field(min_length=1, max_length=300, examples=["sma_crossover"])
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"fast": 5, "slow": 20}])
    symbols: list[Symbol] = Field(
        default_factory=list, description="The symbols it trades (default: every one)."
    )
    weight: Decimal | None = Field(
        default=None,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="Its share of the initial cash (`ab`) or of the equity (`shared`); "
        "default: an equal share of what the given weights leave. Weights sum to at most 1.",
    )
    label: str | None = Field(
        default=None,
        pattern=LABEL_PATTERN,
        description="Names it in reports and tags its orders' client ids (`<label>:<n>`); "
        "default `a`, `b`, `c`…",
    )

    def arm(self) -> Arm:
        return Arm(self.name, self.params, self.symbols, self.weight, self.label)


class MultiStrategyFields(RequestModel):
    """The fields of a multi-strategy session (docs/ab-tests.md), mixed into create bodies."""

    strategies: list[ArmChoice] | None = Field(
        default=None,
        min_length=MIN_ARMS,
        max_length=MAX_ARMS,
        description="2 to 8 strategies over the same data and clock, instead of `strategy`: "
        "an A/B test (`mode` `ab`) or strategies sharing the account (`shared`).",
    )
    mode: Literal["ab", "shared"] = Field(
        default="ab",
        description="`ab`: each strategy trades its own account, opened with initial cash × "
        "its weight; `shared`: all trade the default account, sized by `allocation`.",
    )
    allocation: AllocationRule = Field(
        default="fixed",
        description="`shared` sizing: `fixed` (weight × equity) or `equal_risk` (weights ∝ "
        "1 / volatility of each strategy's symbols over the last 20 bars).",
    )

    def arms_plan(
        self, initial_cash: Decimal, symbols: list[str] | tuple[str, ...] = ()
    ) -> ArmsPlan | None:
        """The multi-strategy pipeline and the default account's cash, or ``None``."""
        if self.strategies is None:
            return None
        return arms_pipeline(
            [s.arm() for s in self.strategies], mode=self.mode, allocation=self.allocation,
            initial_cash=initial_cash, symbols=symbols,
        )  # fmt: skip

    def check_arms(self, single: object, agents: object) -> None:
        """``strategies`` alone, with valid weights and labels.

        Raises:
            ValueError: naming what is wrong (a 422).
        """
        if isinstance(agents, list):  # the accounts an explicit pipeline asks to open
            try:
                arm_accounts(agents)
            except InvalidRequest as error:
                raise ValueError(str(error)) from None
        if self.strategies is None:
            return
        if single is not None or agents is not None:
            raise ValueError("give strategies, strategy or agents: only one of them")
        try:
            arm_weights([s.weight for s in self.strategies])
            arm_labels([s.arm() for s in self.strategies])
        except InvalidRequest as error:
            raise ValueError(str(error)) from None


class SessionCreate(MultiStrategyFields):
    """Body of ``POST /v1/sessions``."""

    startTime: Rfc3339Time = Field(description="First moment of the simulation (RFC 3339).")
    endTime: Rfc3339Time = Field(description="Last moment of the simulation (RFC 3339).")
    name: PrintableText | None = Field(
        default=None, min_length=1, max_length=_MAX_NAME, description="Defaults to an id."
    )
    initialCash: CashAmount = Field(
        default=DEFAULT_INITIAL_CASH, description="Cash of the session's default account."
    )
    execution: ExecutionChoice = Field(
        default=None,
        description=(
            "The execution models: a `preset` (`ideal`, `alpaca_paper`, "
            "`equities_realistic`, `crypto_taker`), a `seed`, and any model to replace "
            "(`intrabar`, `slippage`, `fill_quantity`, `fees`, `latency`). "
            "Default: `equities_realistic`, seed 0 (docs/execution.md)."
        ),
        examples=[{"preset": "ideal"}, {"preset": "equities_realistic", "seed": 7}],
    )
    account: AccountSettingsCreate | None = Field(
        default=None, description="How the session's accounts trade (default: cash)."
    )
    strategy: StrategyChoice | None = Field(
        default=None,
        description=(
            "Run this strategy in the standard pipeline (data → strategy → risk → "
            "execution) on the default account as the clock moves."
        ),
    )
    agents: list[dict[str, Any]] | None = Field(
        default=None,
        description=(
            "An explicit pipeline: agents `{type, name, symbols?, config?, status?}` "
            "(types data, strategy, risk, execution)."
        ),
    )
    risk: RiskChoice = Field(
        default=None,
        description="The session's risk rules: limits, hours, symbols, safeguards, breakers, "
        "scaling; every rule off unless set (docs/risk.md).",
        examples=[{"limits": {"max_position_qty": "100"}, "breakers": {"daily_loss": "2000"}}],
    )

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.endTime <= self.startTime:
            raise ValueError("endTime must be after startTime")
        if self.strategy is not None and self.agents is not None:
            raise ValueError("give strategy or agents, not both")
        self.check_arms(self.strategy, self.agents)
        return self

    @property
    def default_cash(self) -> Decimal:
        """The cash of the default account (an A/B's arms take their shares of ``initialCash``)."""
        plan = self.arms_plan(self.initialCash)
        return self.initialCash if plan is None else plan.default_cash

    @property
    def pipeline(self) -> list[dict[str, Any]] | None:
        """The agents of the session's pipeline, or ``None`` for a session traded by hand."""
        plan = self.arms_plan(self.initialCash)
        if plan is not None:
            return plan.agents
        if self.strategy is not None:
            choice = self.strategy
            return standard_pipeline(
                choice.name, choice.params, choice.symbols, news=choice.news, strategy_files=False
            )
        return None if self.agents is None else upper_symbols(self.agents)

    @property
    def start_ns(self) -> int:
        return datetime_to_ns(self.startTime)

    @property
    def end_ns(self) -> int:
        return datetime_to_ns(self.endTime)


class AdvanceRequest(RequestModel):
    """Body of ``POST /v1/sessions/{sessionId}/time/advance``: one of the two, or neither.

    Neither (or no body at all) advances the clock by one minute.
    """

    duration: Minutes | None = Field(
        default=None, description="Minutes to advance (fractions allowed)."
    )
    targetTime: Rfc3339Time | None = Field(
        default=None, description="Time to advance to (RFC 3339); stops at the session's end."
    )

    @model_validator(mode="after")
    def _one_at_most(self) -> Self:
        if self.duration is not None and self.targetTime is not None:
            raise ValueError("give duration or targetTime, not both")
        return self

    @property
    def minutes(self) -> Decimal | None:
        """Minutes to advance, or ``None`` when a target time is given."""
        if self.targetTime is not None:
            return None
        return Decimal(1) if self.duration is None else self.duration

    @property
    def target_ns(self) -> int | None:
        return None if self.targetTime is None else datetime_to_ns(self.targetTime)


class SpeedRequest(RequestModel):
    """Body of ``PUT /v1/sessions/{sessionId}/time/speed``."""

    speed: float = Field(
        gt=0,
        le=1_000_000,
        allow_inf_nan=False,
        description="Simulated time per real time: 1 is real time, 100 is 100 minutes a minute.",
    )


class AccountCreate(RequestModel):
    """Body of ``POST /v1/accounts`` (optional)."""

    initialCash: CashAmount | None = Field(
        default=None, description="Defaults to the session's initial cash."
    )


class TakeProfit(RequestModel):
    """The take-profit leg of a bracket, OTO or OCO order: a limit order."""

    limit_price: OrderNumber


class StopLoss(RequestModel):
    """The stop-loss leg of a bracket, OTO or OCO order: a stop (a stop-limit with a limit)."""

    stop_price: OrderNumber
    limit_price: OrderNumber | None = None


class OrderCreate(RequestModel):
    """Body of ``POST /v1/trading/accounts/{accountId}/orders``.

    ``type`` must agree with the prices: ``limit_price`` for ``limit`` and
    ``stop_limit``, ``stop_price`` for ``stop`` and ``stop_limit``, one of
    ``trail_price`` and ``trail_percent`` for ``trailing_stop``, none for
    ``market``. Exactly one of ``qty`` and ``notional``.
    """

    symbol: Symbol = Field(examples=["AAPL"])
    side: OrderSide
    qty: OrderNumber | None = Field(default=None, examples=["10"])
    notional: OrderNumber | None = Field(
        default=None,
        description="Money to trade instead of a qty (day market orders).",
        examples=["1000"],
    )
    type: OrderType
    time_in_force: TimeInForce = TimeInForce.DAY
    limit_price: OrderNumber | None = None
    stop_price: OrderNumber | None = None
    trail_price: OrderNumber | None = None
    trail_percent: OrderNumber | None = None
    order_class: OrderClass | Literal[""] = Field(
        default=OrderClass.SIMPLE, description='`""` is `simple`.'
    )
    take_profit: TakeProfit | None = None
    stop_loss: StopLoss | None = None
    extended_hours: bool = Field(default=False, description="Only `false`: not simulated.")
    client_order_id: PrintableText | None = Field(
        default=None, min_length=1, max_length=_MAX_CLIENT_ORDER_ID
    )

    def to_request(self) -> OrderRequest:
        """The service's request; numbers travel as exact decimal strings."""
        profit, loss = self.take_profit, self.stop_loss
        return OrderRequest(
            symbol=self.symbol,
            side=self.side.value,
            qty=text_or_none(self.qty),
            type=self.type.value,
            time_in_force=self.time_in_force.value,
            limit_price=text_or_none(self.limit_price),
            stop_price=text_or_none(self.stop_price),
            client_order_id=self.client_order_id,
            notional=text_or_none(self.notional),
            trail_price=text_or_none(self.trail_price),
            trail_percent=text_or_none(self.trail_percent),
            order_class=str(self.order_class),
            take_profit=None if profit is None else decimal_text(profit.limit_price),
            stop_loss=None if loss is None else decimal_text(loss.stop_price),
            stop_loss_limit=None if loss is None else text_or_none(loss.limit_price),
            extended_hours=self.extended_hours,
        )


class OrderReplace(RequestModel):
    """Body of ``PATCH /v1/trading/accounts/{accountId}/orders/{orderId}``: what changes.

    Prices must belong to the order's type (``trail`` is a trailing stop's
    ``trail_price`` or ``trail_percent``, whichever it has). ``qty`` defaults
    to what is still unfilled.
    """

    qty: OrderNumber | None = None
    limit_price: OrderNumber | None = None
    stop_price: OrderNumber | None = None
    trail: OrderNumber | None = None
    time_in_force: TimeInForce | None = None
    client_order_id: PrintableText | None = Field(
        default=None, min_length=1, max_length=_MAX_CLIENT_ORDER_ID
    )

    def to_request(self) -> ReplaceRequest:
        return ReplaceRequest(
            qty=text_or_none(self.qty),
            limit_price=text_or_none(self.limit_price),
            stop_price=text_or_none(self.stop_price),
            trail=text_or_none(self.trail),
            time_in_force=None if self.time_in_force is None else self.time_in_force.value,
            client_order_id=self.client_order_id,
        )


OrderStatusFilter = Literal["open", "closed", "all"]
