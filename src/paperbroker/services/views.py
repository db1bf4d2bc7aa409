"""What the session service returns: plain, immutable views (times in epoch ns, money Decimal)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from paperbroker.analytics.execution_quality import ExecutionQuality
from paperbroker.broker.settings import BrokerSettings
from paperbroker.model.account import AccountConfig
from paperbroker.model.order import Order
from paperbroker.portfolio.portfolio import Portfolio
from paperbroker.services.session_facts import StrategyUse

if TYPE_CHECKING:
    from paperbroker.session.runtime import SessionRuntime


@dataclass(frozen=True)
class HeldView:
    """A position an account still held when its session ended."""

    account_id: str
    symbol: str
    qty: Decimal


@dataclass(frozen=True)
class LeftOpenView:
    """What an ended session left open: its working orders (``gtc`` ones, say: what
    ends with the trading session expired) and the positions still held."""

    orders: tuple[Order, ...]
    positions: tuple[HeldView, ...]

    @classmethod
    def of(cls, runtime: SessionRuntime) -> LeftOpenView:
        """What ``runtime``'s session holds open now."""
        kernel = runtime.kernel
        held = tuple(
            HeldView(account_id, symbol, position.qty)
            for account_id, books in kernel.portfolios.items()
            for symbol, position in sorted(books.positions.items())
            if position.qty
        )
        return cls(tuple(o for o in kernel.orders.values() if o.is_open), held)


@dataclass(frozen=True)
class SessionView:
    id: str
    name: str
    status: str  # "active" | "completed" (ended, whichever way: see ``state``)
    simulation_start: int
    simulation_end: int
    current_time: int
    playback_state: str  # "paused" | "playing"
    playback_speed: float
    initial_cash: Decimal
    total_realized_pnl: Decimal
    total_unrealized_pnl: Decimal
    created_at: int
    #: The effective execution models (:meth:`ExecutionConfig.to_json`).
    execution: dict[str, object]
    account: AccountConfig
    execution_quality: ExecutionQuality
    #: The account the session was created with (the one ``/v2`` trades by default).
    default_account_id: str = ""
    #: Where it is in its lifecycle (``session.lifecycle.SessionState``).
    state: str = "paused"
    #: ``backtest``, ``paper`` or ``live``.
    type: str = "backtest"
    #: The session this one is a new run of (``restart``), if any.
    restarted_from: str | None = None
    #: What to know about the data it trades: prices off their tick, one line each.
    data_notes: tuple[str, ...] = ()
    #: Why the session is in ``state`` ``error`` (a journal that no longer replays), if it is.
    state_reason: str | None = None
    #: What it left open when it ended (``None`` while it has not).
    left_open: LeftOpenView | None = None
    #: The strategy its pipeline runs (``services.session_facts.StrategyUse``), if one.
    strategy: StrategyUse | None = None
    #: The symbols it trades.
    symbols: tuple[str, ...] = ()
    #: The gross market value of its open positions, across its accounts.
    exposure: Decimal = Decimal(0)
    #: Wall-clock ns its current run started and ended (``services.session_facts``).
    started_at: int | None = None
    ended_at: int | None = None
    #: A live session's broker (``None`` for a backtest or paper session).
    broker: BrokerSettings | None = None

    @property
    def real_money(self) -> bool:
        """Whether the session trades real money (a live session on a live endpoint)."""
        return self.broker is not None and self.broker.real_money


@dataclass(frozen=True)
class AdvanceView:
    previous_time: int
    current_time: int
    simulation_end: int
    is_completed: bool


@dataclass(frozen=True)
class AccountView:
    id: str
    session_id: str
    initial_cash: Decimal
    cash: Decimal
    equity: Decimal
    buying_power: Decimal
    long_market_value: Decimal
    short_market_value: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    created_at: int
    #: What reconciliations with a broker moved into the account at cost, less what
    #: they moved out (a live session's; see docs/live.md, Reconciliation).
    reconciled: Decimal = Decimal(0)

    @classmethod
    def of(cls, session_id: str, books: Portfolio, created_at: int) -> AccountView:
        values = [
            position.market_value(books.mark(symbol) or position.avg_price)
            for symbol, position in books.positions.items()
            if position.qty
        ]
        return cls(
            id=books.account.id,
            session_id=session_id,
            initial_cash=books.account.initial_cash,
            cash=books.cash,
            equity=books.equity,
            buying_power=books.buying_power,
            long_market_value=sum((v for v in values if v > 0), Decimal(0)),
            short_market_value=sum((v for v in values if v < 0), Decimal(0)),
            realized_pnl=books.realized_pnl,
            unrealized_pnl=books.unrealized_pnl,
            created_at=created_at,
            reconciled=books.reconciled,
        )


@dataclass(frozen=True)
class PositionView:
    symbol: str
    qty: Decimal
    avg_entry_price: Decimal
    market_value: Decimal
    cost_basis: Decimal
    unrealized_pnl: Decimal
    current_price: Decimal
    side: str  # "long" | "short"

    @classmethod
    def of(cls, books: Portfolio, symbol: str) -> PositionView:
        position = books.positions[symbol]
        price = books.mark(symbol) or position.avg_price
        return cls(
            symbol=symbol,
            qty=position.qty,
            avg_entry_price=position.avg_price,
            market_value=position.market_value(price),
            cost_basis=position.cost_basis,
            unrealized_pnl=position.unrealized_pnl(price),
            current_price=price,
            side="long" if position.qty > 0 else "short",
        )


@dataclass(frozen=True)
class OrderView:
    """An order and, for a bracket, OTO or OCO order, its exit legs (``None`` otherwise)."""

    order: Order
    legs: tuple[Order, ...] | None = None


@dataclass(frozen=True)
class AccountSettings:
    """How a session's accounts trade, as a client asks for it (see ``SessionService.create``)."""

    type: str = "cash"
    leverage: Decimal | None = None
    intraday_leverage: Decimal | None = None


@dataclass(frozen=True)
class OrderRequest:
    """An order as a client asks for it (text fields, validated by the service).

    Exactly one of ``qty`` and ``notional``; ``type`` must agree with the
    prices given.  ``take_profit`` is the take-profit leg's limit price,
    ``stop_loss`` and ``stop_loss_limit`` the stop-loss leg's stop and limit.
    """

    symbol: str
    side: str
    qty: str | None
    type: str
    time_in_force: str = "day"
    limit_price: str | None = None
    stop_price: str | None = None
    client_order_id: str | None = None
    notional: str | None = None
    trail_price: str | None = None
    trail_percent: str | None = None
    order_class: str = "simple"
    take_profit: str | None = None
    stop_loss: str | None = None
    stop_loss_limit: str | None = None
    extended_hours: bool = False


@dataclass(frozen=True)
class ReplaceRequest:
    """The fields a replacement changes (``None``: keep the order's)."""

    qty: str | None = None
    limit_price: str | None = None
    stop_price: str | None = None
    trail: str | None = None
    time_in_force: str | None = None
    client_order_id: str | None = None
