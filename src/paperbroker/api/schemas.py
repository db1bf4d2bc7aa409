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
from typing import Annotated, Final, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from paperbroker.core.clock import NANOS_PER_SECOND, datetime_to_ns
from paperbroker.model.enums import OrderSide, OrderStatus, OrderType, TimeInForce
from paperbroker.model.events import OrderCanceled, OrderExpired, OrderFilled, OrderRejected
from paperbroker.model.order import Order
from paperbroker.services.views import (
    AccountView,
    AdvanceView,
    OrderRequest,
    PositionView,
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
PrintableText = Annotated[str, AfterValidator(_printable)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SessionCreate(_Request):
    """Body of ``POST /v1/sessions``."""

    startTime: Rfc3339Time = Field(description="First moment of the simulation (RFC 3339).")
    endTime: Rfc3339Time = Field(description="Last moment of the simulation (RFC 3339).")
    name: PrintableText | None = Field(
        default=None, min_length=1, max_length=_MAX_NAME, description="Defaults to an id."
    )
    initialCash: CashAmount = Field(
        default=DEFAULT_INITIAL_CASH, description="Cash of the session's default account."
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


class AdvanceRequest(_Request):
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


class SpeedRequest(_Request):
    """Body of ``PUT /v1/sessions/{sessionId}/time/speed``."""

    speed: float = Field(
        gt=0,
        le=1_000_000,
        allow_inf_nan=False,
        description="Simulated time per real time: 1 is real time, 100 is 100 minutes a minute.",
    )


class AccountCreate(_Request):
    """Body of ``POST /v1/accounts`` (optional)."""

    initialCash: CashAmount | None = Field(
        default=None, description="Defaults to the session's initial cash."
    )


class OrderCreate(_Request):
    """Body of ``POST /v1/trading/accounts/{accountId}/orders``.

    ``limit_price`` is needed by ``limit`` and ``stop_limit`` orders,
    ``stop_price`` by ``stop`` and ``stop_limit`` orders; neither by ``market``.
    """

    symbol: str = Field(pattern=SYMBOL_PATTERN, examples=["AAPL"])
    side: OrderSide
    qty: OrderNumber = Field(examples=["10"])
    type: OrderType
    time_in_force: TimeInForce = TimeInForce.DAY
    limit_price: OrderNumber | None = None
    stop_price: OrderNumber | None = None
    client_order_id: PrintableText | None = Field(
        default=None, min_length=1, max_length=_MAX_CLIENT_ORDER_ID
    )

    def to_request(self) -> OrderRequest:
        """The service's request; numbers travel as exact decimal strings."""
        return OrderRequest(
            symbol=self.symbol,
            side=self.side.value,
            qty=decimal_text(self.qty),
            type=self.type.value,
            time_in_force=self.time_in_force.value,
            limit_price=None if self.limit_price is None else decimal_text(self.limit_price),
            stop_price=None if self.stop_price is None else decimal_text(self.stop_price),
            client_order_id=self.client_order_id,
        )


OrderStatusFilter = Literal["open", "closed", "all"]


# -- output formats -----------------------------------------------------------
def decimal_text(value: Decimal) -> str:
    """A decimal as a plain string, without exponent or negative zero: ``1E+2`` → ``"100"``."""
    if not value:
        return "0"
    return format(value, "f")


def time_text(ts_ns: int) -> str:
    """Epoch nanoseconds as RFC 3339 UTC with ``Z``: ``2012-01-03T14:30:00Z``."""
    seconds, nanos = divmod(ts_ns, NANOS_PER_SECOND)
    text = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if nanos:
        text += "." + f"{nanos:09d}".rstrip("0")
    return text + "Z"


def canonical_uuid(text: str) -> str | None:
    """``text`` as a canonical lower-case UUID, or ``None`` if it is not one."""
    if len(text) > 45:  # the longest form uuid.UUID reads: urn:uuid:{…}
        return None
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


# -- responses ----------------------------------------------------------------
class _Response(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorBody(_Response):
    """Every error: an Alpaca-style code (the status followed by 10000) and a message."""

    code: int = Field(examples=[40410000])
    message: str = Field(examples=["session 3b0c… not found"])


class SessionPublic(_Response):
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
        )


class AdvancePublic(_Response):
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


class AccountPublic(_Response):
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


class OrderPublic(_Response):
    """An order and what has happened to it (times of the last fill, cancel, expiry, reject)."""

    id: str
    client_order_id: str
    account_id: str
    symbol: str
    side: OrderSide
    type: OrderType
    qty: str
    filled_qty: str
    filled_avg_price: str | None
    limit_price: str | None
    stop_price: str | None
    time_in_force: TimeInForce
    status: OrderStatus
    created_at: str
    updated_at: str
    submitted_at: str
    filled_at: str | None
    canceled_at: str | None
    expired_at: str | None
    failed_at: str | None

    @classmethod
    def of(cls, order: Order) -> OrderPublic:
        def last(kind: type) -> str | None:
            ts = next((e.ts for e in reversed(order.events) if isinstance(e, kind)), None)
            return None if ts is None else time_text(ts)

        avg = order.avg_fill_price
        return cls(
            id=order.id,
            client_order_id=order.client_order_id,
            account_id=order.account_id,
            symbol=order.symbol,
            side=order.side,
            type=order.order_type,
            qty=decimal_text(order.qty),
            filled_qty=decimal_text(order.filled_qty),
            filled_avg_price=None if avg is None else decimal_text(avg),
            limit_price=None if order.limit_price is None else decimal_text(order.limit_price),
            stop_price=None if order.stop_price is None else decimal_text(order.stop_price),
            time_in_force=order.time_in_force,
            status=order.status,
            created_at=time_text(order.ts_created),
            updated_at=time_text(order.ts_updated),
            submitted_at=time_text(order.ts_created),
            filled_at=last(OrderFilled) if order.status is OrderStatus.FILLED else None,
            canceled_at=last(OrderCanceled),
            expired_at=last(OrderExpired),
            failed_at=last(OrderRejected),
        )


class PositionPublic(_Response):
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
            avg_entry_price=decimal_text(view.avg_entry_price),
            cost_basis=decimal_text(view.cost_basis),
            market_value=decimal_text(view.market_value),
            current_price=decimal_text(view.current_price),
            unrealized_pnl=decimal_text(view.unrealized_pnl),
        )


class AssetPublic(_Response):
    """A symbol with data: its class and the span its bars cover."""

    symbol: str
    asset_class: str
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
            data_start=time_text(asset.first_ts - asset.bar_duration_ns),
            data_end=time_text(asset.last_ts),
            bar_duration_seconds=asset.bar_duration_ns // NANOS_PER_SECOND,
        )
