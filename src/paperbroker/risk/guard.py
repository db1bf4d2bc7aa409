"""The risk guard: a kernel's risk state, what it enforces now, and its commands.

Every kernel has one (``kernel.risk``).  The kernel asks it about each order
(:meth:`RiskGuard.check`, after the account's rules and the market, before
buying power), tells it of each fill when it wants them (safeguards, loss
counts) and of each bar close when it has work there (breakers, the
longest holding time, scaling, an override's expiry).  With no rule set it
costs one attribute read per order and nothing per bar.

Its settings change only by command (:meth:`RiskGuard.command`, journaled
as ``RiskCommanded``) or by the expiry of an override; everything else it
does follows from bars and fills, so a session's replay rebuilds it exactly,
breaker trips included.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from paperbroker.core.clock import ns_to_text
from paperbroker.core.errors import InvalidRequest
from paperbroker.core.snapshot import NotSnapshottable
from paperbroker.model.enums import OrderSide
from paperbroker.model.events import (
    BreakerTripped,
    OrderDenied,
    RiskAdjusted,
    RiskCommanded,
)
from paperbroker.model.values import ZERO
from paperbroker.risk.breakers import BREAKER_NAMES, BreakerBoard, BreakerState
from paperbroker.risk.emergency import Emergency
from paperbroker.risk.params import partial_settings, percent_param
from paperbroker.risk.pretrade import (
    Denial,
    OrderCounter,
    Probe,
    Rules,
    SectorOf,
    compile_rules,
    text,
)
from paperbroker.risk.safeguards import Key, Protection
from paperbroker.risk.scaling import Scaler
from paperbroker.risk.sectors import sector_of as default_sector_of
from paperbroker.risk.settings import NO_RULES, RiskSettings
from paperbroker.risk.usage import Usage, usage

if TYPE_CHECKING:
    from paperbroker.data.bar import Bar
    from paperbroker.engine.kernel import Kernel
    from paperbroker.model.fill import Fill
    from paperbroker.model.order import Order
    from paperbroker.portfolio.portfolio import Portfolio

_HUNDRED = Decimal(100)
#: The actions of :meth:`RiskGuard.command`, with the parameters each takes.
ACTIONS: Mapping[str, frozenset[str]] = {
    "configure": frozenset({"settings"}),
    "override": frozenset({"settings", "until"}),
    "clear_override": frozenset(),
    "reset_breaker": frozenset({"breaker"}),
    "cancel_all": frozenset(),
    "close_all": frozenset(),
    "kill": frozenset(),
    "reduce": frozenset({"percent"}),
    "tighten_stops": frozenset({"percent"}),
}


class RiskOutcome(NamedTuple):
    """What a risk command did: the orders it canceled and submitted, and a summary."""

    action: str
    canceled: tuple[str, ...]
    submitted: tuple[str, ...]
    message: str


class DenialRecord(NamedTuple):
    """An ``OrderDenied`` with its order's symbol, as the snapshot lists it."""

    ts: int
    order_id: str
    symbol: str
    rule: str
    limit: str
    value: str
    message: str


class RiskSnapshot(NamedTuple):
    """The risk layer's state at one moment (what the API's risk view is built from).

    ``denials`` are the latest (at most 50, newest last); ``peak_equity`` and
    ``day_start_equity`` the breakers' references (``None`` before the first bar
    close they watched); ``protective`` the working protective order ids and
    ``opened_at`` when each position opened (session ns), by symbol, written
    ``account/symbol`` for an account other than the default one.
    """

    breakers: tuple[BreakerState, ...]
    halted: bool
    denials: tuple[DenialRecord, ...]
    multiplier: Decimal
    peak_equity: Decimal | None
    day_start_equity: Decimal | None
    consecutive_losses: int
    protective: Mapping[str, tuple[str, ...]]
    opened_at: Mapping[str, int]


class RiskGuard:
    """One kernel's risk layer (see the module's docstring)."""

    def __init__(
        self,
        kernel: Kernel,
        settings: RiskSettings | None = None,
        sector_of: SectorOf | None = None,
    ) -> None:
        self._kernel = kernel
        # Asset metadata's sectors unless the kernel was given its own.
        self._sector_of = sector_of if sector_of is not None else default_sector_of
        self.settings = settings or NO_RULES
        self._override: tuple[dict[str, Any], int] | None = None
        self.effective = self.settings
        self.counter = OrderCounter(self._working_count)
        self.board = BreakerBoard()
        self.protection = Protection(kernel)
        self.emergency = Emergency(kernel, self.protection)
        self.scaler = Scaler()
        self.denials: deque[DenialRecord] = deque(maxlen=50)
        self._realized: dict[Key, Decimal] = {}
        #: Per instrument, the session (previous close, close) last looked up.
        self._days = [(0, 0)] * len(kernel.instruments)
        self.rules = Rules((), ())
        #: Whether orders are checked at all (a rule is set, or entries are halted).
        self.active = False
        #: Whether the kernel reports fills / bar closes.
        self.on_fills = False
        self.bar_work = False
        self._breakers_on = False
        self._apply()

    # -- state --------------------------------------------------------------------------
    @property
    def override(self) -> tuple[RiskSettings, int] | None:
        """The settings an override enforces and when it ends (``None``: no override)."""
        if self._override is None:
            return None
        return self.effective, self._override[1]

    @property
    def until(self) -> int | None:
        """When the override ends (``None``: no override)."""
        return None if self._override is None else self._override[1]

    @property
    def sector_of(self) -> SectorOf:
        """The sector of a symbol (asset metadata), for ``limits.sector_max_pct``."""
        return self._sector_of

    @sector_of.setter
    def sector_of(self, sector_of: SectorOf | None) -> None:
        self._sector_of = sector_of if sector_of is not None else default_sector_of
        self.rules = compile_rules(self.effective, self.counter, self._sector_of)
        self.active = bool(self.rules) or self.halted

    @property
    def halted(self) -> bool:
        """Whether a tripped breaker halts new entries."""
        return bool(self.board.tripped)

    def configure(self, settings: RiskSettings) -> None:
        """Enforce ``settings`` from now on (under the override, if one is set)."""
        self.settings = settings
        self._apply()

    def snapshot(self) -> RiskSnapshot:
        """The risk layer's state now."""
        board, protection = self.board, self.protection
        return RiskSnapshot(
            board.states(),
            self.halted,
            tuple(self.denials),
            self.scaler.multiplier,
            board.peak,
            board.day_start,
            board.losses,
            {f"{a}/{s}" if a != self._default else s: tuple(ids)
             for (a, s), ids in protection.orders.items()},
            {f"{a}/{s}" if a != self._default else s: ts
             for (a, s), ts in protection.opened_at.items()},
        )  # fmt: skip

    def usage(self) -> tuple[Usage, ...]:
        """How much of each set limit and breaker the session uses now
        (:mod:`paperbroker.risk.usage`)."""
        return usage(self, self._kernel)

    @property
    def _default(self) -> str:
        return self._kernel.portfolio.account.id

    def equity(self) -> Decimal:
        """The equity of every account of the session, summed (each position at its mark)."""
        total = ZERO
        for books in self._kernel.portfolios.values():
            total += books.account.cash
            for symbol, position in books.positions.items():
                if position.qty:
                    total += position.qty * (books.mark(symbol) or ZERO)
        return total

    def _day(self, index: int, ts: int) -> int:
        """The trading day of a bar of instrument ``index`` that closed at ``ts``, as the
        close of that day's session (a bar closing at the close belongs to that day)."""
        low, high = self._days[index]
        moment = ts - 1
        if not low <= moment < high:
            low, high = self._kernel.instruments[index].hours.session_bounds_ns(moment)
            self._days[index] = (low, high)
        return high

    # -- checkpoints --------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """Settings, override, breakers, protective orders, scaling, counters and the
        latest denials, for a checkpoint (the compiled rules follow from them).

        Raises:
            NotSnapshottable: for an override whose settings are not JSON.
        """
        override = self._override
        if override is not None:
            try:
                json.dumps(override[0])
            except (TypeError, ValueError) as exc:
                raise NotSnapshottable(f"the risk override's settings: {exc}") from None
        return {
            "settings": self.settings.to_json(),
            "override": None if override is None else [override[0], override[1]],
            "counter": self.counter.to_state(),
            "board": self.board.to_state(),
            "protection": self.protection.to_state(),
            "closing": sorted(self.emergency.closing),
            "scaler": self.scaler.to_state(),
            "denials": [list(d) for d in self.denials],
            "realized": [[a, s, str(v)] for (a, s), v in self._realized.items()],
        }

    def from_state(self, state: dict[str, Any]) -> None:
        """Take the state :meth:`to_state` wrote; nothing is placed or canceled."""
        self.settings = RiskSettings.read(state["settings"])
        override = state["override"]
        self._override = None if override is None else (dict(override[0]), int(override[1]))
        self.counter.from_state(state["counter"])
        self.board.from_state(state["board"])
        self.protection.from_state(state["protection"])
        self.emergency.closing = set(state["closing"])
        self.scaler.from_state(state["scaler"])
        self.denials.clear()
        self.denials.extend(DenialRecord(int(d[0]), *d[1:]) for d in state["denials"])
        self._realized = {(a, s): Decimal(v) for a, s, v in state["realized"]}
        self._derive()

    def _derive(self) -> None:
        """What follows from the settings in force: the rules and what the kernel reports."""
        if self._override is None:
            self.effective = self.settings
        else:
            self.effective = self.settings.merged(self._override[0])
        effective = self.effective
        self.rules = compile_rules(effective, self.counter, self._sector_of)
        breakers, safeguards = effective.breakers, effective.safeguards
        self._breakers_on = any(
            getattr(breakers, name) is not None for name in BREAKER_NAMES if name != "kill_switch"
        )
        self.active = bool(self.rules) or self.halted
        self.on_fills = (
            safeguards != NO_RULES.safeguards
            or breakers.consecutive_losses is not None
            or bool(self.protection.orders)
        )
        self.bar_work = (
            self._breakers_on
            or safeguards.max_holding_minutes is not None
            or effective.scaling.enabled
            or self._override is not None
        )

    def _apply(self) -> tuple[list[str], list[str]]:
        """Recompute what the settings in force ask of the kernel; return the protective
        orders a change of safeguards canceled and placed."""
        before = self.effective
        self._derive()
        effective = self.effective
        safeguards = effective.safeguards
        kernel = self._kernel
        self._realized = {
            (account, symbol): position.realized_pnl
            for account, books in kernel.portfolios.items()
            for symbol, position in books.positions.items()
            if position.realized_pnl
        }
        if safeguards.max_holding_minutes is not None:
            for key, _qty in self.emergency.positions():
                self.protection.opened_at.setdefault(key, kernel.clock.now_ns())
        self.scaler.configure(effective.scaling)
        renewed: tuple[list[str], list[str]] = ([], [])
        if safeguards != before.safeguards:
            renewed = self._renew_all()
        if self._breakers_on and self.board.last_equity is None and kernel.bars_processed:
            self.board.start(self.equity())
        return renewed

    def _renew_all(self) -> tuple[list[str], list[str]]:
        keys = {key for key, _qty in self.emergency.positions()} | set(self.protection.orders)
        canceled: list[str] = []
        submitted: list[str] = []
        for key in sorted(keys):
            gone, placed = self.protection.renew(key, self.effective.safeguards)
            canceled += gone
            submitted += placed
        self.on_fills = self.on_fills or bool(self.protection.orders)
        return canceled, submitted

    def _working_count(self, account: str) -> int:
        """An account's working orders, its protective orders aside."""
        protective = self.protection.ids
        return sum(
            1 for o in self._kernel.open_orders(account_id=account) if o.id not in protective
        )

    # -- the order path -----------------------------------------------------------------
    def check(
        self, order: Order, books: Portfolio, index: int, replacing: str | None = None
    ) -> Denial | None:
        """The rule ``order`` would break (``None``: none); only asked while :attr:`active`."""
        kernel = self._kernel
        now = kernel.clock.now_ns()
        probe = Probe(
            order, books, index, kernel.instruments[index], kernel.feed.series[index],
            kernel._seen[index], now, replacing,
        )  # fmt: skip
        rules = self.rules
        if not probe.exit:
            tripped = self.board.tripped
            if tripped:
                name, trip = next(iter(tripped.items()))
                return Denial(
                    f"breakers.{name}", trip.limit, trip.value,
                    f"new entries are halted: breaker {name} tripped ({trip.message})",
                )  # fmt: skip
        for check in rules.every:
            denial = check(probe)
            if denial is not None:
                return denial
        if not probe.exit:
            for check in rules.entries:
                denial = check(probe)
                if denial is not None:
                    return denial
        self.counter.taken(order.account_id, now)
        return None

    def denied(self, order: Order, denial: Denial) -> OrderDenied:
        """The event that rejects ``order`` for ``denial`` (and remember it)."""
        rule, limit, value, message = denial
        self.denials.append(
            DenialRecord(order.ts_created, order.id, order.symbol, rule, limit, value, message)
        )
        return OrderDenied(order.ts_created, order.id, rule, limit, value, message)

    def after_fill(self, order: Order, fill: Fill) -> None:
        """A fill was booked: count a closing loss, renew the position's protection."""
        key = (order.account_id, order.symbol)
        position = self._kernel.books(order.account_id).positions[order.symbol]
        before = position.qty + (-fill.qty if fill.side is OrderSide.BUY else fill.qty)
        if before and (before > 0) != (fill.side is OrderSide.BUY):
            realized = position.realized_pnl - self._realized.get(key, ZERO)
            self.board.closing_fill(realized)
        self._realized[key] = position.realized_pnl
        self.protection.after_fill(order, fill, self.effective.safeguards)

    def scaled(
        self, symbol: str, side: OrderSide, qty: Decimal, account_id: str | None = None
    ) -> Decimal:
        """The quantity a strategy's order of ``qty`` is sent with under scaling: times the
        multiplier if it opens or grows a position (rounded down to the lot), but never
        past ``max_order_qty`` or the room ``max_position_qty`` leaves, when scaled up;
        ``qty`` itself for an exit, or when scaling is off."""
        scaler = self.scaler
        if not scaler.enabled or scaler.multiplier == 1 or qty <= 0:
            return qty
        kernel = self._kernel
        held = kernel.position(symbol, account_id).qty
        buys = side is OrderSide.BUY
        if held and (held > 0) != buys and qty <= abs(held):
            return qty
        lot = kernel.instruments[kernel._instrument_index(symbol)].lot_size
        scaled = scaler.scale(qty, lot)
        if scaled > qty:
            limits = self.effective.limits
            if limits.max_order_qty is not None:
                scaled = min(scaled, limits.max_order_qty)
            if limits.max_position_qty is not None:
                scaled = min(scaled, limits.max_position_qty - (held if buys else -held))
            scaled = max(qty, (scaled / lot).to_integral_value(ROUND_FLOOR) * lot)
        return scaled

    # -- bar closes ---------------------------------------------------------------------
    def expire_override(self, ts: int) -> None:
        """The override's time is up: the base settings apply again (``RiskAdjusted``)."""
        if self._override is None:
            return
        self._override = None
        self._apply()
        self._kernel._publish(
            RiskAdjusted(ts, "override_expired", "", "the override ended: the settings apply")
        )

    def on_close(self, bar: Bar, index: int, row: int) -> None:
        """Evaluate breakers, scaling and holding times at a bar close (``bar`` of
        instrument ``index``, row ``row`` of its series)."""
        kernel = self._kernel
        ts = bar[1]
        effective = self.effective
        if self._breakers_on or effective.scaling.enabled:
            equity = self.equity()
            day = self._day(index, ts)
            if self._breakers_on:
                series = kernel.feed.series[index]
                trips = self.board.on_close(effective.breakers, ts, day, equity, series, row)
                for trip in trips:
                    self._tripped(trip)
            if effective.scaling.enabled:
                closing = ts == day  # the bar closes with the exchange's session
                step = self.scaler.on_close(effective.scaling, ts, day, equity, closing)
                if step is not None:
                    kernel._publish(step)
        minutes = effective.safeguards.max_holding_minutes
        if minutes is not None:
            for key in self.protection.overdue(ts, minutes):
                self._close_overdue(key, ts, minutes)

    def _tripped(self, trip: BreakerTripped) -> None:
        kernel = self._kernel
        kernel._publish(trip)
        self.active = True
        if self.effective.breakers.cancel_entries:
            entries = [o for o in self.emergency.working() if not self._is_exit(o)]
            self.emergency.cancel(entries, f"risk: breaker {trip.breaker} tripped")

    def _is_exit(self, order: Order) -> bool:
        if self.emergency.own(order) or order.parent_id is not None:
            return True
        held = self._kernel.books(order.account_id).positions[order.symbol].qty
        sells = order.side is OrderSide.SELL
        return held != 0 and (held > 0) == sells and order.leaves_qty <= abs(held)

    def _close_overdue(self, key: Key, ts: int, minutes: int) -> None:
        account, symbol = key
        qty = self._kernel.books(account).positions[symbol].qty
        if not qty or self.emergency.closing_qty(key) >= abs(qty):
            return
        self.protection.drop(key, "risk: max holding time")
        order_id = self.emergency.close(key, -qty, "max holding time")
        if order_id is not None:
            self._kernel._publish(
                RiskAdjusted(
                    ts, "max_holding", symbol,
                    f"{symbol} was held {minutes} minutes: closed by order {order_id}",
                )
            )  # fmt: skip

    # -- commands -----------------------------------------------------------------------
    def command(
        self, action: str, params: Mapping[str, Any], by: str = "", reason: str = ""
    ) -> RiskOutcome:
        """Run one risk command (see :data:`ACTIONS`): publish ``RiskCommanded``, then act.

        Raises:
            InvalidRequest: for an unknown action or bad parameters, before anything
                is published.
        """
        allowed = ACTIONS.get(action)
        if allowed is None:
            raise InvalidRequest(f"action {action!r} is not one of {', '.join(ACTIONS)}")
        unknown = set(params) - allowed
        if unknown:
            raise InvalidRequest(f"{action} takes no {', '.join(sorted(unknown))}")
        run = self._prepare(action, params)
        kernel = self._kernel
        payload = json.dumps(dict(params), sort_keys=True, default=str)
        kernel._publish(RiskCommanded(kernel.clock.now_ns(), action, payload, by, reason))
        canceled, submitted, message = run()
        self.active = bool(self.rules) or self.halted
        return RiskOutcome(action, tuple(canceled), tuple(submitted), message)

    def _prepare(
        self, action: str, params: Mapping[str, Any]
    ) -> Callable[[], tuple[list[str], list[str], str]]:
        """Check ``params`` and return what running the command does.

        Raises:
            InvalidRequest: naming the parameter that is wrong.
        """
        now = self._kernel.clock.now_ns()
        why = "risk: " + action
        if action == "configure":
            settings = self.settings.merged(partial_settings(params), root="settings")
            return lambda: self._configure(settings)
        if action == "override":
            partial = partial_settings(params)
            self.settings.merged(partial, root="settings")  # raises for bad settings
            until = params.get("until")
            if type(until) is not int or until <= now:
                raise InvalidRequest(f"until must be a session time after {now} (epoch ns)")
            return lambda: self._set_override(partial, until)
        if action == "clear_override":
            return self._clear_override
        if action == "reset_breaker":
            name = params.get("breaker")
            if name != "all" and name not in BREAKER_NAMES:
                raise InvalidRequest(
                    f"breaker must be 'all' or one of {', '.join(BREAKER_NAMES)}, got {name!r}"
                )
            return lambda: self._reset(str(name))
        if action == "cancel_all":
            return lambda: (self.emergency.cancel_all(why), [], "canceled every working order")
        if action == "close_all":
            return lambda: (*self.emergency.close_all(why), "closing every position")
        if action == "kill":
            return self._kill
        percent = percent_param(params.get("percent"), high_open=action == "tighten_stops")
        if action == "reduce":
            shown = text(percent)
            return lambda: ([], self.emergency.reduce(percent, why), f"reducing by {shown} %")
        return lambda: (
            *self.emergency.tighten(percent, self.effective.safeguards),
            f"stops tightened by {text(percent)} %",
        )

    def _configure(self, settings: RiskSettings) -> tuple[list[str], list[str], str]:
        self.settings = settings
        canceled, submitted = self._apply()
        rules = ", ".join(self.effective.active_rules()) or "no rules"
        return canceled, submitted, f"in force: {rules}"

    def _set_override(
        self, partial: dict[str, Any], until: int
    ) -> tuple[list[str], list[str], str]:
        self._override = (partial, until)
        canceled, submitted = self._apply()
        return canceled, submitted, f"override in force until {ns_to_text(until)}"

    def _clear_override(self) -> tuple[list[str], list[str], str]:
        if self._override is None:
            return [], [], "there was no override"
        self._override = None
        canceled, submitted = self._apply()
        return canceled, submitted, "override cleared"

    def _reset(self, name: str) -> tuple[list[str], list[str], str]:
        names = [n for n in BREAKER_NAMES if n in self.board.tripped] if name == "all" else [name]
        equity = self.equity()
        done = [n for n in names if self.board.reset(n, equity)]
        if not done:
            return [], [], f"{'no breaker' if name == 'all' else name} was not tripped"
        return [], [], f"reset {', '.join(done)}"

    def _kill(self) -> tuple[list[str], list[str], str]:
        kernel = self._kernel
        canceled = self.emergency.cancel_all("risk: kill", protective=True)
        more, submitted = self.emergency.close_all("risk: kill")
        if "kill_switch" not in self.board.tripped:
            self._tripped_kill(kernel.clock.now_ns())
        return canceled + more, submitted, "killed: entries halted until kill_switch is reset"

    def _tripped_kill(self, ts: int) -> None:
        trip = BreakerTripped(ts, "kill_switch", "on", "off", "the kill switch was pulled")
        self.board.tripped["kill_switch"] = trip
        self._kernel._publish(trip)


__all__ = ["ACTIONS", "DenialRecord", "RiskGuard", "RiskOutcome", "RiskSnapshot"]
