"""The JSON the /v1 API reads and writes, field for field as the API documents it.

Requests: numeric fields take a JSON number or a decimal string (``10``,
``10.5``, ``"10.5"``); times are RFC 3339 strings with an offset
(``2012-01-03T14:30:00Z``). Unknown fields, unknown enum values, non-finite
or out-of-range numbers are refused (422, naming the field).

Responses: every decimal quantity (money, prices, quantities) is a decimal
string, as Alpaca's are (``"100000"``, ``"10"``, ``"412.5"``); times are RFC
3339 in UTC with a ``Z`` and as many fractional digits as they need (none, on
a whole second).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, Self, TypedDict

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from paperbroker.analytics.execution_quality import ExecutionQuality
from paperbroker.core.clock import NANOS_PER_SECOND, datetime_to_ns
from paperbroker.model.account import AccountConfig
from paperbroker.model.enums import (
    AccountType,
    OrderClass,
    OrderSide,
    OrderStatus,
    OrderType,
    RejectReason,
    TimeInForce,
)
from paperbroker.model.events import (
    OrderCanceled,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)
from paperbroker.model.order import Order
from paperbroker.services.views import (
    AccountSettings,
    AccountView,
    AdvanceView,
    OrderRequest,
    OrderView,
    PositionView,
    ReplaceRequest,
    SessionView,
)
from paperbroker.session.market import Asset

#: Default cash of a new session's (and a new account's) account.
DEFAULT_INITIAL_CASH: Final = Decimal(100_000)
#: The range of times an int64 of epoch nanoseconds holds, as the engine stores them.
_FIRST_TIME: Final = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_TIME: Final = datetime(2262, 4, 11, tzinfo=UTC)
#: A symbol: letters, digits and . - _ (BRK.B, EURUSD).
SYMBOL_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
_MAX_CLIENT_ORDER_ID: Final = 48
_MAX_NAME: Final = 200
#: Decimal places an average price keeps (fills at different prices divide without end).
_AVERAGE_PLACES: Final = 9
_AVERAGE_STEP: Final = Decimal(1).scaleb(-_AVERAGE_PLACES)


# -- input types --------------------------------------------------------------
def _time_string(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("must be an RFC 3339 time string such as 2012-01-03T14:30:00Z")
    return value


def _representable(moment: datetime) -> datetime:
    if not _FIRST_TIME <= moment < _LAST_TIME:
        raise ValueError("must lie between 1970-01-01 and 2262-04-10")
    return moment


def _printable(text: str) -> str:
    if not text.isprintable():
        raise ValueError("must not contain control characters")
    return text


#: An RFC 3339 time with an offset (``Z`` or ``±hh:mm``), between 1970 and 2262.
Rfc3339Time = Annotated[
    AwareDatetime, BeforeValidator(_time_string), AfterValidator(_representable)
]
#: Cash: a number or decimal string, 0 to a trillion, at most 10 decimal places.
CashAmount = Annotated[Decimal, Field(ge=0, le=10**12, decimal_places=10, allow_inf_nan=False)]
#: An order quantity or price: positive, at most a billion, at most 9 decimal places.
OrderNumber = Annotated[Decimal, Field(gt=0, le=10**9, decimal_places=9, allow_inf_nan=False)]
#: A margin multiplier: 1 to 100, at most 4 decimal places.
Leverage = Annotated[Decimal, Field(ge=1, le=100, decimal_places=4, allow_inf_nan=False)]
PrintableText = Annotated[str, AfterValidator(_printable)]


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


class SessionCreate(RequestModel):
    """Body of ``POST /v1/sessions``."""

    startTime: Rfc3339Time = Field(description="First moment of the simulation (RFC 3339).")
    endTime: Rfc3339Time = Field(description="Last moment of the simulation (RFC 3339).")
    name: PrintableText | None = Field(
        default=None, min_length=1, max_length=_MAX_NAME, description="Defaults to an id."
    )
    initialCash: CashAmount = Field(
        default=DEFAULT_INITIAL_CASH, description="Cash of the session's default account."
    )
    execution: dict[str, Any] | None = Field(
        default=None,
        description=(
            "The execution models: a `preset` (`ideal`, `alpaca_paper`, "
            "`equities_realistic`, `crypto_taker`), a `seed`, and any model to replace "
            "(`intrabar`, `slippage`, `fill_quantity`, `fees`, `latency`). "
            "Default: `equities_realistic`, seed 0."
        ),
        examples=[{"preset": "ideal"}, {"preset": "equities_realistic", "seed": 7}],
    )
    account: AccountSettingsCreate | None = Field(
        default=None, description="How the session's accounts trade (default: cash)."
    )

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.endTime <= self.startTime:
            raise ValueError("endTime must be after startTime")
        return self

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

    duration: (
        Annotated[Decimal, Field(gt=0, le=10**8, decimal_places=9, allow_inf_nan=False)] | None
    ) = Field(default=None, description="Minutes to advance (fractions allowed).")
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

    symbol: str = Field(pattern=SYMBOL_PATTERN, examples=["AAPL"])
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
            qty=_text_or_none(self.qty),
            type=self.type.value,
            time_in_force=self.time_in_force.value,
            limit_price=_text_or_none(self.limit_price),
            stop_price=_text_or_none(self.stop_price),
            client_order_id=self.client_order_id,
            notional=_text_or_none(self.notional),
            trail_price=_text_or_none(self.trail_price),
            trail_percent=_text_or_none(self.trail_percent),
            order_class=str(self.order_class),
            take_profit=None if profit is None else decimal_text(profit.limit_price),
            stop_loss=None if loss is None else decimal_text(loss.stop_price),
            stop_loss_limit=None if loss is None else _text_or_none(loss.limit_price),
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
            qty=_text_or_none(self.qty),
            limit_price=_text_or_none(self.limit_price),
            stop_price=_text_or_none(self.stop_price),
            trail=_text_or_none(self.trail),
            time_in_force=None if self.time_in_force is None else self.time_in_force.value,
            client_order_id=self.client_order_id,
        )


OrderStatusFilter = Literal["open", "closed", "all"]


# -- output formats -----------------------------------------------------------
def decimal_text(value: Decimal) -> str:
    """A decimal as a plain string, without exponent or negative zero: ``1E+2`` → ``"100"``."""
    if not value:
        return "0"
    return format(value, "f")


def _text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def average_text(value: Decimal) -> str:
    """An average price: exact up to nine decimal places, rounded half-even beyond."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_AVERAGE_PLACES:
        value = value.quantize(_AVERAGE_STEP).normalize()
    return decimal_text(value)


def time_text(ts_ns: int) -> str:
    """Epoch nanoseconds as RFC 3339 UTC with ``Z``: ``2012-01-03T14:30:00Z``."""
    seconds, nanos = divmod(ts_ns, NANOS_PER_SECOND)
    text = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        text += "." + f"{nanos:09d}".rstrip("0")
    return text + "Z"


class OrderTimes(TypedDict):
    """The time fields of an order, as Alpaca names them (RFC 3339 or ``None``)."""

    created_at: str
    updated_at: str
    submitted_at: str
    filled_at: str | None
    canceled_at: str | None
    expired_at: str | None
    failed_at: str | None
    replaced_at: str | None


def order_times(order: Order) -> OrderTimes:
    """An order's Alpaca time fields: when it was created, last changed, and last
    filled (once filled), canceled, expired, rejected (``failed_at``) and replaced."""

    def last(kind: type) -> str | None:
        ts = next((e.ts for e in reversed(order.events) if isinstance(e, kind)), None)
        return None if ts is None else time_text(ts)

    return OrderTimes(
        created_at=time_text(order.ts_created),
        updated_at=time_text(order.ts_updated),
        submitted_at=time_text(order.ts_created),
        filled_at=last(OrderFilled) if order.status is OrderStatus.FILLED else None,
        canceled_at=last(OrderCanceled),
        expired_at=last(OrderExpired),
        failed_at=last(OrderRejected),
        replaced_at=last(OrderReplaced),
    )


def canonical_uuid(text: str) -> str | None:
    """``text`` as a canonical lower-case UUID, or ``None`` if it is not one."""
    if len(text) > 45:  # the longest form uuid.UUID reads: urn:uuid:{…}
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


# -- responses ----------------------------------------------------------------
class ResponseModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorBody(ResponseModel):
    """Every error: an Alpaca-style code (the status followed by 10000) and a message."""

    code: int = Field(examples=[40410000])
    message: str = Field(examples=["session 3b0c… not found"])


class OrderRefusedBody(ErrorBody):
    """An order the broker refused: the error, and the rejected order it left in the history."""

    order_id: str = Field(description="The rejected order (GET it for the details).")
    reject_reason: RejectReason


class AccountSettingsPublic(ResponseModel):
    """How a session's accounts trade: the type and the effective multipliers."""

    type: AccountType
    leverage: str = Field(description="Buying power per unit of equity, overnight.")
    intraday_leverage: str = Field(description="The same while the market is open.")

    @classmethod
    def of(cls, config: AccountConfig) -> AccountSettingsPublic:
        intraday = config.intraday_leverage
        return cls(
            type=config.account_type,
            leverage=decimal_text(config.leverage),
            intraday_leverage=decimal_text(config.leverage if intraday is None else intraday),
        )


class ExecutionQualityPublic(ResponseModel):
    """What the session's trading cost beyond the reference prices, and how much got done."""

    fills: int
    orders: int = Field(description="Ended orders that count (replaced and rejected ones do not).")
    ordered_qty: str
    filled_qty: str
    fill_ratio: str | None = Field(description="filled_qty / ordered_qty; null before any.")
    slippage_cost: str = Field(description="Money paid to slippage.")
    slippage_bps: str | None = Field(description="Slippage in basis points of the traded value.")
    average_latency_ms: str | None = Field(description="Mean time fills' orders took to arrive.")
    fees: str

    @classmethod
    def of(cls, quality: ExecutionQuality) -> ExecutionQualityPublic:
        latency = quality.average_latency_ms
        return cls(
            fills=quality.fills,
            orders=quality.orders,
            ordered_qty=decimal_text(quality.ordered_qty),
            filled_qty=decimal_text(quality.filled_qty),
            fill_ratio=_text_or_none(quality.fill_ratio),
            slippage_cost=decimal_text(quality.slippage_cost),
            slippage_bps=_text_or_none(quality.slippage_bps),
            # Whole nanoseconds are 6 decimal places of a millisecond.
            average_latency_ms=None
            if latency is None
            else decimal_text(Decimal(f"{latency:.6f}").normalize()),
            fees=decimal_text(quality.fees),
        )


class SessionPublic(ResponseModel):
    """A session."""

    id: str
    name: str
    status: str = Field(json_schema_extra={"enum": ["active", "completed"]})
    simulation_start: str
    simulation_end: str
    current_time: str
    playback_state: str = Field(json_schema_extra={"enum": ["paused", "playing"]})
    playback_speed: float
    initial_cash: str
    total_realized_pnl: str
    total_unrealized_pnl: str
    created_at: str
    execution: dict[str, Any] = Field(
        description="The effective execution models and seed (see docs/execution.md)."
    )
    account: AccountSettingsPublic
    execution_quality: ExecutionQualityPublic
    default_account_id: str = Field(
        description="The account created with the session, holding `initial_cash`."
    )

    @classmethod
    def of(cls, view: SessionView) -> SessionPublic:
        return cls(
            id=view.id,
            name=view.name,
            status=view.status,
            simulation_start=time_text(view.simulation_start),
            simulation_end=time_text(view.simulation_end),
            current_time=time_text(view.current_time),
            playback_state=view.playback_state,
            playback_speed=view.playback_speed,
            initial_cash=decimal_text(view.initial_cash),
            total_realized_pnl=decimal_text(view.total_realized_pnl),
            total_unrealized_pnl=decimal_text(view.total_unrealized_pnl),
            created_at=time_text(view.created_at),
            execution=view.execution,
            account=AccountSettingsPublic.of(view.account),
            execution_quality=ExecutionQualityPublic.of(view.execution_quality),
            default_account_id=view.default_account_id,
        )


class AdvancePublic(ResponseModel):
    """The clock before and after an advance."""

    previousTime: str
    currentTime: str
    simulationEnd: str
    isCompleted: bool

    @classmethod
    def of(cls, view: AdvanceView) -> AdvancePublic:
        return cls(
            previousTime=time_text(view.previous_time),
            currentTime=time_text(view.current_time),
            simulationEnd=time_text(view.simulation_end),
            isCompleted=view.is_completed,
        )


class AccountPublic(ResponseModel):
    """An account's books: cash, equity, buying power, P&L."""

    id: str
    session_id: str
    initial_cash: str
    cash: str
    equity: str
    buying_power: str
    long_market_value: str
    short_market_value: str
    realized_pnl: str
    unrealized_pnl: str
    created_at: str

    @classmethod
    def of(cls, view: AccountView) -> AccountPublic:
        return cls(
            id=view.id,
            session_id=view.session_id,
            initial_cash=decimal_text(view.initial_cash),
            cash=decimal_text(view.cash),
            equity=decimal_text(view.equity),
            buying_power=decimal_text(view.buying_power),
            long_market_value=decimal_text(view.long_market_value),
            short_market_value=decimal_text(view.short_market_value),
            realized_pnl=decimal_text(view.realized_pnl),
            unrealized_pnl=decimal_text(view.unrealized_pnl),
            created_at=time_text(view.created_at),
        )


class OrderPublic(ResponseModel):
    """An order and what has happened to it (times of the last fill, cancel, replace, expiry,
    reject), with Alpaca's field names."""

    id: str
    client_order_id: str
    account_id: str
    symbol: str
    side: OrderSide
    type: OrderType
    order_type: OrderType = Field(description="The same as `type`.")
    order_class: OrderClass
    qty: str | None = Field(description="null for a notional order until it is sized.")
    notional: str | None
    filled_qty: str
    filled_avg_price: str | None
    limit_price: str | None
    stop_price: str | None = Field(description="A trailing stop's current stop price.")
    trail_price: str | None
    trail_percent: str | None
    hwm: str | None = Field(
        description="A trailing stop's best price since it started (lowest, for a buy)."
    )
    time_in_force: TimeInForce
    extended_hours: bool
    status: OrderStatus
    created_at: str
    updated_at: str
    submitted_at: str
    filled_at: str | None
    canceled_at: str | None
    expired_at: str | None
    failed_at: str | None
    replaced_at: str | None
    replaced_by: str | None = Field(description="The id of the order that replaced this one.")
    replaces: str | None = Field(description="The id of the order this one replaced.")
    legs: list[OrderPublic] | None = Field(
        description="The exit legs of a bracket, OTO or OCO order; null for other orders."
    )
    reject_reason: RejectReason | None = Field(description="Why it was rejected, if it was.")
    reject_message: str | None

    @classmethod
    def of(cls, view: OrderView) -> OrderPublic:
        order = view.order

        avg = order.avg_fill_price
        legs = None if view.legs is None else [cls.of(OrderView(leg)) for leg in view.legs]
        rejected = order.reject_reason is not None
        return cls(
            id=order.id,
            client_order_id=order.client_order_id,
            account_id=order.account_id,
            symbol=order.symbol,
            side=order.side,
            type=order.order_type,
            order_type=order.order_type,
            order_class=order.order_class,
            qty=decimal_text(order.qty) if order.is_sized else None,
            notional=_text_or_none(order.notional),
            filled_qty=decimal_text(order.filled_qty),
            filled_avg_price=None if avg is None else average_text(avg),
            limit_price=_text_or_none(order.limit_price),
            stop_price=_text_or_none(order.stop_price),
            trail_price=_text_or_none(order.trail_price),
            trail_percent=_text_or_none(order.trail_percent),
            hwm=_text_or_none(order.hwm),
            time_in_force=order.time_in_force,
            extended_hours=False,
            status=order.status,
            **order_times(order),
            replaced_by=order.replaced_by,
            replaces=order.replaces,
            legs=legs,
            reject_reason=order.reject_reason,
            reject_message=order.reject_message if rejected else None,
        )


class PositionPublic(ResponseModel):
    """A position: signed quantity (negative when short), cost and value at the last price."""

    symbol: str
    qty: str
    side: str = Field(json_schema_extra={"enum": ["long", "short"]})
    avg_entry_price: str
    cost_basis: str
    market_value: str
    current_price: str
    unrealized_pnl: str

    @classmethod
    def of(cls, view: PositionView) -> PositionPublic:
        return cls(
            symbol=view.symbol,
            qty=decimal_text(view.qty),
            side=view.side,
            avg_entry_price=average_text(view.avg_entry_price),
            cost_basis=decimal_text(view.cost_basis),
            market_value=decimal_text(view.market_value),
            current_price=decimal_text(view.current_price),
            unrealized_pnl=decimal_text(view.unrealized_pnl),
        )


class AssetPublic(ResponseModel):
    """A symbol with data: its class, how it trades, and the span its bars cover."""

    symbol: str
    asset_class: str
    tradable: bool = Field(description="Always true: every symbol with data can be traded.")
    shortable: bool = Field(description="Whether a margin account may sell it short.")
    easy_to_borrow: bool = Field(description="The same as `shortable` (no borrow is simulated).")
    fractionable: bool = Field(
        description="Whether day market and limit orders may trade fractions."
    )
    data_start: str = Field(description="Open of the first bar (RFC 3339).")
    data_end: str = Field(description="Close of the last bar (RFC 3339).")
    bar_duration_seconds: int = Field(
        description="Length of one bar; a daily bar of a 09:30-16:00 market lasts 23400 s."
    )

    @classmethod
    def of(cls, asset: Asset) -> AssetPublic:
        return cls(
            symbol=asset.symbol,
            asset_class=asset.asset_class.value,
            tradable=True,
            shortable=asset.shortable,
            easy_to_borrow=asset.shortable,
            fractionable=asset.fractionable,
            data_start=time_text(asset.first_ts - asset.bar_duration_ns),
            data_end=time_text(asset.last_ts),
            bar_duration_seconds=asset.bar_duration_ns // NANOS_PER_SECOND,
        )
