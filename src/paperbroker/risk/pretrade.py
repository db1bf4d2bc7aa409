"""The pre-trade rules, compiled: one small check per rule that is set.

:func:`compile_rules` turns :class:`~paperbroker.risk.settings.RiskSettings`
into two tuples of checks, built once when the settings change: those every
order passes and those only an *entry* passes.  An order is an **exit** when
it only reduces its account's position in the symbol (the opposite side, at
most the position's size); the position, exposure, volume, trading-window
and short-sale rules never deny an exit (nor does a tripped breaker: see
:mod:`paperbroker.risk.guard`).  Every order, exits included, passes:

- ``symbols.enabled`` and ``symbols.disabled`` only for entries (an exit of a
  position in a symbol no longer traded is always let out);
- ``hours.regular_hours_only`` and ``hours.blackouts``;
- ``limits.max_order_qty``, ``limits.max_order_value``,
  ``limits.max_open_orders`` and ``limits.max_orders_per_minute``.

A check takes a :class:`Probe` (the order and what it would do to its
account's books) and answers with a :class:`Denial` or ``None``.  Exposure
rules value the account's portfolio *after* the order fills: the order's
symbol at the order's price, every other position at its mark.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from paperbroker.core.clock import datetime_to_ns, ns_to_datetime, ns_to_text
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.calendar import xnys
from paperbroker.model.enums import OrderSide, OrderType
from paperbroker.model.values import ZERO
from paperbroker.risk.sectors import sector_limits

if TYPE_CHECKING:
    from paperbroker.data.series import BarSeries
    from paperbroker.model.instrument import Instrument
    from paperbroker.model.order import Order
    from paperbroker.portfolio.portfolio import Portfolio
    from paperbroker.risk.settings import RiskSettings

_MINUTE_NS = 60_000_000_000
_HUNDRED = Decimal(100)

#: The sector of a symbol (asset metadata), or ``None`` when it has none.
SectorOf = Callable[[str], str | None]


class Denial(NamedTuple):
    """Why the risk layer refuses an order: ``rule`` allows ``limit``, the order makes it
    ``value`` (both as text); the order is rejected with an ``OrderDenied`` event."""

    rule: str
    limit: str
    value: str
    message: str


def text(value: Decimal | int | float) -> str:
    """A number as denials and events write it: plain, without trailing zeros."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return f"{value.quantize(Decimal(1)):f}"
        return f"{value.normalize():f}"
    return str(value)


class Probe:
    """One order as the checks see it: its size, its price, the position before and after.

    ``price`` is the order's limit price (a stop's stop price, else the last
    mark; ``None`` before the symbol's first bar), ``value`` ``qty × price``.
    """

    __slots__ = (
        "_exposure",
        "after",
        "books",
        "exit",
        "held",
        "index",
        "instrument",
        "now",
        "order",
        "price",
        "qty",
        "replacing",
        "seen",
        "series",
        "symbol",
        "value",
    )  # fmt: skip

    def __init__(
        self,
        order: Order,
        books: Portfolio,
        index: int,
        instrument: Instrument,
        series: BarSeries,
        seen: int,
        now: int,
        replacing: str | None,
    ) -> None:
        self.order = order
        self.books = books
        self.index = index
        self.instrument = instrument
        self.series = series
        self.seen = seen
        self.now = now
        self.replacing = replacing
        self.symbol = symbol = order.symbol
        kind = order.order_type
        if kind is OrderType.LIMIT or kind is OrderType.STOP_LIMIT:
            price = order.limit_price
        elif kind is OrderType.STOP:
            price = order.stop_price
        else:
            price = books.mark(symbol)
        self.price = price
        qty = order.qty
        if order.notional is not None:
            qty = order.notional / price if price else ZERO
        self.qty = qty
        self.value = None if price is None else qty * price
        self.held = held = books.positions[symbol].qty
        signed = qty if order.side is OrderSide.BUY else -qty
        self.after = held + signed
        self.exit = held != 0 and (held > 0) != (signed > 0) and qty <= abs(held)
        self._exposure: tuple[Decimal, Decimal, Decimal] | None = None

    def exposure(self) -> tuple[Decimal, Decimal, Decimal]:
        """The account's (gross, net) exposure once the order fills, and its equity now:
        the order's symbol at the order's price, every other position at its mark
        (worked out once per order, for every exposure rule)."""
        if self._exposure is None:
            books, symbol = self.books, self.symbol
            gross = net = value_now = ZERO
            for name, position in books.positions.items():
                qty = position.qty
                if not qty:
                    continue
                mark = books.mark(name) or ZERO
                value_now += qty * mark
                if name == symbol:
                    continue
                value = qty * mark
                gross += abs(value)
                net += value
            mine = self.after * (self.price or ZERO)
            equity = books.account.cash + value_now
            self._exposure = gross + abs(mine), net + mine, equity
        return self._exposure


Check = Callable[[Probe], Denial | None]


class Rules(NamedTuple):
    """The compiled checks: ``every`` order passes the first, entries also ``entries``."""

    every: tuple[Check, ...]
    entries: tuple[Check, ...]

    def __bool__(self) -> bool:
        return bool(self.every or self.entries)


class OrderCounter:
    """What the count-based limits need: each account's working orders (protective orders
    aside) and the times of its recent orders."""

    def __init__(self, open_orders: Callable[[str], int]) -> None:
        self.open_orders = open_orders
        self._recent: dict[str, deque[int]] = {}

    def to_state(self) -> dict[str, list[int]]:
        """The times of each account's recent orders, for a checkpoint."""
        return {account: list(times) for account, times in self._recent.items()}

    def from_state(self, state: Mapping[str, list[int]]) -> None:
        """Take the times :meth:`to_state` wrote."""
        self._recent = {account: deque(int(t) for t in times) for account, times in state.items()}

    def recent(self, account: str, now: int) -> int:
        """Orders the account submitted in the 60 s of session time up to ``now``."""
        times = self._recent.get(account)
        if not times:
            return 0
        while times and times[0] <= now - _MINUTE_NS:
            times.popleft()
        return len(times)

    def taken(self, account: str, now: int) -> None:
        """An order of ``account`` passed the risk checks at ``now``."""
        self._recent.setdefault(account, deque()).append(now)


def compile_rules(
    settings: RiskSettings, counter: OrderCounter, sector_of: SectorOf | None = None
) -> Rules:
    """The checks of the pre-trade rules ``settings`` sets, in the order they are asked:
    symbols, hours, then limits as the schema lists them."""
    every: list[Check] = []
    entries: list[Check] = []
    symbols, hours, limits = settings.symbols, settings.hours, settings.limits
    if symbols.enabled is not None:
        entries.append(_enabled(frozenset(symbols.enabled)))
    if symbols.disabled:
        entries.append(_disabled(frozenset(symbols.disabled)))
    if not symbols.allow_short:
        entries.append(_no_short)
    if hours.regular_hours_only:
        every.append(_regular_hours)
    if hours.start is not None or hours.end is not None:
        entries.append(_window(hours.start, hours.end))
    if hours.blackouts:
        spans = tuple(_span(b.start, b.end, b.reason) for b in hours.blackouts)
        every.append(_blackouts(spans))
    for name in ("max_position_qty", "max_position_value"):
        limit = getattr(limits, name)
        if limit is not None:
            entries.append(_POSITION[name](limit))
    for name in ("max_gross_exposure", "max_net_exposure"):
        limit = getattr(limits, name)
        if limit is not None:
            entries.append(_exposure(name, limit, gross=name == "max_gross_exposure", pct=False))
    for name in ("max_gross_exposure_pct", "max_net_exposure_pct"):
        limit = getattr(limits, name)
        if limit is not None:
            entries.append(_exposure(name, limit, gross=name.startswith("max_gross"), pct=True))
    if limits.max_order_qty is not None:
        every.append(_max_order_qty(limits.max_order_qty))
    if limits.max_order_value is not None:
        every.append(_max_order_value(limits.max_order_value))
    if limits.max_open_orders is not None:
        every.append(_max_open_orders(limits.max_open_orders, counter))
    if limits.max_orders_per_minute is not None:
        every.append(_per_minute(limits.max_orders_per_minute, counter))
    if limits.min_bar_volume is not None:
        entries.append(_min_bar_volume(limits.min_bar_volume))
    if limits.max_volume_share_pct is not None:
        entries.append(_volume_share(limits.max_volume_share_pct, limits.volume_lookback))
    if limits.sector_max_pct and sector_of is not None:
        entries.append(_sectors(sector_limits(limits.sector_max_pct), sector_of))
    return Rules(tuple(every), tuple(entries))


def _span(start: datetime, end: datetime, reason: str) -> tuple[int, int, str, str, str]:
    return datetime_to_ns(start), datetime_to_ns(end), reason, start.isoformat(), end.isoformat()


# -- symbols ----------------------------------------------------------------------------
def _enabled(allowed: frozenset[str]) -> Check:
    listed = ",".join(sorted(allowed))

    def check(p: Probe) -> Denial | None:
        if p.symbol in allowed:
            return None
        return Denial(
            "symbols.enabled", listed, p.symbol,
            f"{p.symbol} is not among the symbols enabled for trading ({listed})",
        )  # fmt: skip

    return check


def _disabled(barred: frozenset[str]) -> Check:
    listed = ",".join(sorted(barred))

    def check(p: Probe) -> Denial | None:
        if p.symbol not in barred:
            return None
        return Denial("symbols.disabled", listed, p.symbol, f"{p.symbol} is disabled for trading")

    return check


def _no_short(p: Probe) -> Denial | None:
    if p.after >= 0 or p.after >= p.held:
        return None
    return Denial(
        "symbols.allow_short", "false", text(p.after),
        f"the order would take the {p.symbol} position to {text(p.after)}: "
        "short selling is not allowed (symbols.allow_short)",
    )  # fmt: skip


# -- hours ------------------------------------------------------------------------------
def _regular_hours(p: Probe) -> Denial | None:
    hours = p.instrument.hours
    if hours.is_24h:
        return None
    try:
        is_open = xnys().is_open(p.now)
    except InvalidRequest:  # outside the calendar's years: the instrument's own hours
        is_open = hours.in_session(p.now)
    if is_open:
        return None
    moment = ns_to_datetime(p.now).astimezone(ZoneInfo(hours.timezone))
    return Denial(
        "hours.regular_hours_only", "regular session", moment.strftime("%Y-%m-%d %H:%M"),
        f"the exchange's regular session is closed at {moment:%Y-%m-%d %H:%M %Z}: "
        "orders are taken only while it is open (hours.regular_hours_only)",
    )  # fmt: skip


def _window(start: time | None, end: time | None) -> Check:
    low = start or time(0, 0)
    shown = f"{low:%H:%M}-{end:%H:%M}" if end is not None else f"from {low:%H:%M}"
    zones: dict[str, ZoneInfo] = {}

    def check(p: Probe) -> Denial | None:
        tz = p.instrument.hours.timezone
        zone = zones.get(tz)
        if zone is None:
            zone = zones[tz] = ZoneInfo(tz)
        local = ns_to_datetime(p.now).astimezone(zone).time()
        if low <= local and (end is None or local < end):
            return None
        return Denial(
            "hours.window", shown, f"{local:%H:%M}",
            f"orders are taken {shown} exchange time; it is {local:%H:%M} (hours.window)",
        )  # fmt: skip

    return check


def _blackouts(spans: tuple[tuple[int, int, str, str, str], ...]) -> Check:
    def check(p: Probe) -> Denial | None:
        now = p.now
        for start, end, reason, shown_start, shown_end in spans:
            if start <= now < end:
                why = f": {reason}" if reason else ""
                return Denial(
                    "hours.blackouts", f"{shown_start}/{shown_end}",
                    ns_to_text(now),
                    f"no orders are taken from {shown_start} to {shown_end}{why}",
                )  # fmt: skip
        return None

    return check


# -- limits -----------------------------------------------------------------------------
def _position_qty(limit: Decimal) -> Check:
    def check(p: Probe) -> Denial | None:
        size = abs(p.after)
        if size <= limit:
            return None
        return Denial(
            "limits.max_position_qty", text(limit), text(size),
            f"the {p.symbol} position would be {text(p.after)}, over the largest "
            f"allowed {text(limit)} (limits.max_position_qty)",
        )  # fmt: skip

    return check


def _position_value(limit: Decimal) -> Check:
    def check(p: Probe) -> Denial | None:
        if p.price is None:
            return None
        value = abs(p.after) * p.price
        if value <= limit:
            return None
        return Denial(
            "limits.max_position_value", text(limit), text(value),
            f"the {p.symbol} position would be worth {text(value)}, over the largest "
            f"allowed {text(limit)} (limits.max_position_value)",
        )  # fmt: skip

    return check


_POSITION: Mapping[str, Callable[[Decimal], Check]] = {
    "max_position_qty": _position_qty,
    "max_position_value": _position_value,
}


def _exposure(name: str, limit: Decimal, *, gross: bool, pct: bool) -> Check:
    rule = f"limits.{name}"
    what = "gross" if gross else "net"

    def check(p: Probe) -> Denial | None:
        if p.price is None:
            return None
        total, net, equity = p.exposure()
        value = total if gross else abs(net)
        if pct:
            if equity <= 0:
                return Denial(rule, text(limit), "inf", f"equity is {text(equity)}: ({rule})")
            value = value / equity * _HUNDRED
            if value <= limit:
                return None
            shown = f"{value:.2f}"
            return Denial(
                rule, text(limit), shown,
                f"{what} exposure would be {shown} % of equity, over {text(limit)} % ({rule})",
            )  # fmt: skip
        if value <= limit:
            return None
        return Denial(
            rule, text(limit), text(value),
            f"{what} exposure would be {text(value)}, over {text(limit)} ({rule})",
        )  # fmt: skip

    return check


def _max_order_qty(limit: Decimal) -> Check:
    def check(p: Probe) -> Denial | None:
        if p.qty <= limit:
            return None
        return Denial(
            "limits.max_order_qty", text(limit), text(p.qty),
            f"qty {text(p.qty)} is over the largest order allowed, {text(limit)} "
            "(limits.max_order_qty)",
        )  # fmt: skip

    return check


def _max_order_value(limit: Decimal) -> Check:
    def check(p: Probe) -> Denial | None:
        value = p.value
        if value is None or value <= limit:
            return None
        return Denial(
            "limits.max_order_value", text(limit), text(value),
            f"the order is worth {text(value)}, over the largest allowed {text(limit)} "
            "(limits.max_order_value)",
        )  # fmt: skip

    return check


def _max_open_orders(limit: int, counter: OrderCounter) -> Check:
    def check(p: Probe) -> Denial | None:
        working = counter.open_orders(p.order.account_id) - (p.replacing is not None)
        if working < limit:
            return None
        return Denial(
            "limits.max_open_orders", str(limit), str(working + 1),
            f"{working} orders already work, and at most {limit} may (limits.max_open_orders)",
        )  # fmt: skip

    return check


def _per_minute(limit: int, counter: OrderCounter) -> Check:
    def check(p: Probe) -> Denial | None:
        recent = counter.recent(p.order.account_id, p.now)
        if recent < limit:
            return None
        return Denial(
            "limits.max_orders_per_minute", str(limit), str(recent + 1),
            f"{recent} orders were taken in the last 60 s, and at most {limit} may be "
            "(limits.max_orders_per_minute)",
        )  # fmt: skip

    return check


def _min_bar_volume(limit: Decimal) -> Check:
    least = float(limit)

    def check(p: Probe) -> Denial | None:
        last = float(p.series.volume[p.seen - 1]) if p.seen else 0.0
        if last >= least:
            return None
        volume = Decimal(repr(last))
        return Denial(
            "limits.min_bar_volume", text(limit), text(volume),
            f"{p.symbol}'s last bar traded {text(volume)}, under the least allowed "
            f"{text(limit)} (limits.min_bar_volume)",
        )  # fmt: skip

    return check


def _volume_share(limit: Decimal, lookback: int) -> Check:
    def check(p: Probe) -> Denial | None:
        start = max(0, p.seen - lookback)
        volumes = p.series.volume[start : p.seen]
        average = Decimal(repr(float(volumes.mean()))) if len(volumes) else ZERO
        share = p.qty / average * _HUNDRED if average else None
        if share is not None and share <= limit:
            return None
        shown = "inf" if share is None else f"{share:.2f}"
        return Denial(
            "limits.max_volume_share_pct", text(limit), shown,
            f"qty {text(p.qty)} is {shown} % of {p.symbol}'s average volume over "
            f"{len(volumes)} bars, over {text(limit)} % (limits.max_volume_share_pct)",
        )  # fmt: skip

    return check


def _sectors(limits: dict[str, Decimal], sector_of: SectorOf) -> Check:
    def check(p: Probe) -> Denial | None:
        sector = sector_of(p.symbol)
        limit = limits.get(sector) if sector is not None else None
        if limit is None or p.price is None:
            return None
        books = p.books
        total = abs(p.after * p.price)
        for symbol, position in books.positions.items():
            if symbol != p.symbol and position.qty and sector_of(symbol) == sector:
                total += abs(position.qty * (books.mark(symbol) or ZERO))
        equity = books.equity
        value = total / equity * _HUNDRED if equity > 0 else None
        if value is not None and value <= limit:
            return None
        shown = "inf" if value is None else f"{value:.2f}"
        return Denial(
            "limits.sector_max_pct", text(limit), shown,
            f"{sector} exposure would be {shown} % of equity, over {text(limit)} % "
            "(limits.sector_max_pct)",
        )  # fmt: skip

    return check


__all__ = [
    "Check",
    "Denial",
    "OrderCounter",
    "Probe",
    "Rules",
    "SectorOf",
    "compile_rules",
    "text",
]
