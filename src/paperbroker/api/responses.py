"""The JSON the /v1 API answers, field for field as the API documents it.

Every decimal quantity is a decimal string and every time RFC 3339 UTC (see
:mod:`paperbroker.api.formats`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from paperbroker.agents.pipeline import Pipeline
from paperbroker.analytics.execution_quality import ExecutionQuality
from paperbroker.api.formats import decimal_text, text_or_none, time_text
from paperbroker.api.shared_fields import order_fields, position_fields
from paperbroker.broker.settings import BrokerSettings
from paperbroker.core.clock import NANOS_PER_SECOND
from paperbroker.model.account import AccountConfig
from paperbroker.model.enums import (
    AccountType,
    LiquiditySide,
    OrderClass,
    OrderSide,
    OrderStatus,
    OrderType,
    RejectReason,
    TimeInForce,
)
from paperbroker.model.events import OrderDenied
from paperbroker.model.fill import Fill, FillRule
from paperbroker.services.views import (
    AccountView,
    AdvanceView,
    LeftOpenView,
    OrderView,
    PositionView,
    SessionView,
)
from paperbroker.session.lifecycle import SessionState
from paperbroker.session.market import Asset


class ResponseModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorBody(ResponseModel):
    """Every error: an Alpaca-style code (the status followed by 10000) and a message."""

    code: int = Field(examples=[40410000])
    message: str = Field(examples=["session 3b0c… not found"])


class OrderRefusedBody(ErrorBody):
    """An error of a route that submits orders: when the broker refused the order, the
    body also names the rejected order it left in the history."""

    order_id: str | None = Field(
        default=None, description="The rejected order (GET it for the details), if one was."
    )
    reject_reason: RejectReason | None = Field(
        default=None, description="Why the order was rejected, if one was."
    )
    rule: str | None = Field(
        default=None, description="For a `risk_denied` order: the risk rule that denied it."
    )
    limit: str | None = Field(default=None, description="What the rule allows.")
    value: str | None = Field(default=None, description="What the order would have made it.")


class DenialFields(ResponseModel):
    """The rule of the session's risk layer that denied an order: ``rule`` allows
    ``limit``, and the order would have made it ``value``."""

    rule: str = Field(examples=["limits.max_position_qty"])
    limit: str = Field(examples=["100"])
    value: str = Field(examples=["150"])

    @classmethod
    def of(cls, denial: OrderDenied) -> DenialFields:
        return cls(rule=denial.rule, limit=denial.limit, value=denial.value)


class InvalidFieldBody(ErrorBody):
    """A 422 that may name the field at fault, for a form to show the error beside it."""

    field: str | None = Field(
        default=None,
        examples=["strategy.params.fast"],
        description="The path of the invalid field in the request, when known (a strategy "
        "parameter: `strategy.params.<name>`, or `strategy.params` for a rule across them).",
    )


#: An execution configuration as
#: :meth:`~paperbroker.venue.execution.ExecutionConfig.to_json` writes it: what a
#: session's ``execution`` request field (``ExecutionSpec``) reads back to the same models.
ExecutionDocument = dict[str, Any]


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
            fill_ratio=text_or_none(quality.fill_ratio),
            slippage_cost=decimal_text(quality.slippage_cost),
            slippage_bps=text_or_none(quality.slippage_bps),
            # Whole nanoseconds are 6 decimal places of a millisecond.
            average_latency_ms=None
            if latency is None
            else decimal_text(Decimal(f"{latency:.6f}").normalize()),
            fees=decimal_text(quality.fees),
        )


class StrategyUsePublic(ResponseModel):
    """The strategy a session runs, with its effective parameters."""

    name: str = Field(examples=["sma_crossover"])
    params: dict[str, Any] = Field(
        examples=[{"fast": 10, "slow": 30, "allocation": None, "buffer": 0.0}],
        description="Every parameter, the defaults filled in (see `GET /v1/strategies/{name}`).",
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
    execution: ExecutionDocument = Field(
        description="The effective execution models and seed (see docs/execution.md)."
    )
    account: AccountSettingsPublic
    execution_quality: ExecutionQualityPublic
    default_account_id: str = Field(
        description="The account created with the session, holding `initial_cash`."
    )
    state: str = Field(
        description="Where the session is in its lifecycle (see docs/operations.md).",
        json_schema_extra={"enum": [s.value for s in SessionState]},
    )
    type: str = Field(json_schema_extra={"enum": ["backtest", "paper", "live"]})
    restarted_from: str | None = Field(
        default=None, description="The session this one is a new run of (`restart`)."
    )
    state_reason: str | None = Field(
        default=None,
        description=(
            "Why the session is in state `error`: a journal this version does not replay "
            "to its end is shown up to the last command it reproduces, read-only "
            "(see docs/operations.md)."
        ),
    )
    data_notes: list[str] = Field(
        default_factory=list,
        description=(
            "What to know about the data the session trades, one line each: a symbol "
            "whose prices are off its tick, the tick and an example (fills and marks "
            "use the nearest tick)."
        ),
    )
    strategy: StrategyUsePublic | None = Field(
        description="The strategy its pipeline runs; null for a session traded by hand or "
        "one whose pipeline runs several strategy agents (see its `pipeline`)."
    )
    symbols: list[str] = Field(
        description="The symbols it trades: a paper session's, its strategy's, or every "
        "symbol of the server's data."
    )
    exposure: str = Field(
        examples=["15234.5"],
        description="Gross market value of the open positions across its accounts "
        "(longs plus the absolute value of shorts, at their marks); `0` when flat.",
    )
    started_at: str | None = Field(
        description="When (wall clock) its current run started: the last time it entered "
        "`running`; null if it never ran (a backtest moved by hand)."
    )
    ended_at: str | None = Field(
        description="When (wall clock) its current run ended: it left `running` (paused, "
        "stopped, completed, killed, failed); null while running or if it never ran."
    )
    broker: BrokerSettings | None = Field(
        description="A live session's broker: its endpoint, the id of the credential it "
        "trades with (never a secret) and its reconciliation (see docs/live.md); null for "
        "a backtest or paper session."
    )
    real_money: bool = Field(
        description="Whether it trades real money: a live session on the `live` endpoint. "
        "False for every backtest and paper session."
    )
    left_open: LeftOpenPublic | None = Field(
        default=None,
        description=(
            "What the session left open when it ended (null while it has not): the "
            "orders still working (`gtc` ones: `day`, `opg` and `cls` orders expire when "
            "it completes) and the positions still held."
        ),
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
            state=view.state,
            type=view.type,
            restarted_from=view.restarted_from,
            state_reason=view.state_reason,
            account=AccountSettingsPublic.of(view.account),
            execution_quality=ExecutionQualityPublic.of(view.execution_quality),
            default_account_id=view.default_account_id,
            data_notes=list(view.data_notes),
            left_open=None if view.left_open is None else LeftOpenPublic.of(view.left_open),
            strategy=None
            if view.strategy is None
            else StrategyUsePublic(name=view.strategy.name, params=view.strategy.params),
            symbols=list(view.symbols),
            exposure=decimal_text(view.exposure),
            started_at=None if view.started_at is None else time_text(view.started_at),
            ended_at=None if view.ended_at is None else time_text(view.ended_at),
            broker=view.broker,
            real_money=view.real_money,
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
    reconciled: str = Field(
        description="What reconciliations with the broker moved into the account at cost, "
        "less what they moved out (a live session's; 0 otherwise): equity minus initial_cash "
        "is realized_pnl + unrealized_pnl - fees + reconciled."
    )
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
            reconciled=decimal_text(view.reconciled),
            created_at=time_text(view.created_at),
        )


class OrderPublic(ResponseModel):
    """An order and what has happened to it (times of the last fill, cancel, replace, expiry,
    reject), with Alpaca's field names.

    Its fields are Alpaca's order's (:mod:`paperbroker.api.shared_fields` writes
    them for both APIs), with paperbroker's own statuses, plus ``account_id``
    and ``reject_message``."""

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
    denial: DenialFields | None = Field(
        default=None,
        description="The risk rule that denied it (`reject_reason` `risk_denied`), if one did.",
    )

    @classmethod
    def of(cls, view: OrderView) -> OrderPublic:
        order = view.order
        legs = None if view.legs is None else [cls.of(OrderView(leg)) for leg in view.legs]
        denial = order.denial
        return cls(
            **order_fields(order),
            account_id=order.account_id,
            status=order.status,
            legs=legs,
            reject_message=order.reject_message if order.reject_reason is not None else None,
            denial=None if denial is None else DenialFields.of(denial),
        )


class FillPublic(ResponseModel):
    """One execution of (part of) an order, with what the venue recorded of how it was priced.

    ``price`` = ``reference_price`` ± ``slippage`` (adverse: higher for a buy, lower for a
    sell); docs/fill-models.md explains each ``rule``."""

    id: str
    order_id: str
    account_id: str
    symbol: str
    side: OrderSide
    qty: str
    price: str = Field(description="Paid or received per unit, after slippage.")
    time: str = Field(description="When it filled, session time.")
    bar_time: str = Field(description="The close of the bar that filled it.")
    reference_price: str = Field(description="The price the matching rule gave, before slippage.")
    slippage: str = Field(description="Adverse difference per unit (≥ 0).")
    slippage_cost: str = Field(description="slippage × qty.")
    slippage_model: str = Field(
        examples=["half_spread+sqrt_impact"], description="The model that priced it."
    )
    fee: str
    liquidity: LiquiditySide
    rule: FillRule = Field(description="The matching rule that produced `reference_price`.")
    intrabar_path: str = Field(
        examples=["OHLC", "arrival@0.0008"],
        description="The part of the bar's path the fill saw: the order of its extremes "
        "assumed (`OHLC`, `OLHC`), `close` (rule `signal_close`), or `arrival@<fraction>` "
        "for an order that arrived inside the bar (docs/fill-models.md).",
    )
    latency_ms: str = Field(description="How long its order took to reach the venue.")

    @classmethod
    def of(cls, fill: Fill) -> FillPublic:
        return cls(
            id=fill.id, order_id=fill.order_id, account_id=fill.account_id, symbol=fill.symbol,
            side=fill.side, qty=decimal_text(fill.qty), price=decimal_text(fill.price),
            time=time_text(fill.ts), bar_time=time_text(fill.bar_ts),
            reference_price=decimal_text(fill.reference_price),
            slippage=decimal_text(fill.slippage),
            slippage_cost=decimal_text(fill.slippage * fill.qty),
            slippage_model=fill.model, fee=decimal_text(fill.fee), liquidity=fill.liquidity,
            rule=fill.rule, intrabar_path=fill.path,
            latency_ms=decimal_text((Decimal(fill.latency_ns) / 1_000_000).normalize()),
        )  # fmt: skip


class HeldPositionPublic(ResponseModel):
    """A position an account still held when its session ended."""

    account_id: str
    symbol: str
    qty: str = Field(description="Signed: negative when short.")


class LeftOpenPublic(ResponseModel):
    """The orders still working and the positions still held when a session ended."""

    orders: list[OrderPublic]
    positions: list[HeldPositionPublic]

    @classmethod
    def of(cls, view: LeftOpenView) -> LeftOpenPublic:
        return cls(
            orders=[OrderPublic.of(OrderView(order)) for order in view.orders],
            positions=[
                HeldPositionPublic(
                    account_id=held.account_id, symbol=held.symbol, qty=decimal_text(held.qty)
                )
                for held in view.positions
            ],
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
        return cls(**position_fields(view), unrealized_pnl=decimal_text(view.unrealized_pnl))


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


class PipelineNode(ResponseModel):
    id: str
    name: str
    type: str
    status: str


class PipelineEdge(ResponseModel):
    source: str = Field(description="The publishing agent's name.")
    target: str = Field(description="The subscribing agent's name.")
    topic: str


class PipelinePublic(ResponseModel):
    """A session's agents and the bus wiring between them."""

    nodes: list[PipelineNode]
    edges: list[PipelineEdge]

    @classmethod
    def of(cls, pipeline: Pipeline | None) -> PipelinePublic:
        if pipeline is None:
            return cls(nodes=[], edges=[])
        nodes, edges = pipeline.graph()
        return cls(
            nodes=[PipelineNode(**node) for node in nodes],
            edges=[PipelineEdge(source=e.source, target=e.target, topic=e.topic) for e in edges],
        )


SessionPublic.model_rebuild()
