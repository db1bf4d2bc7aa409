"""Read models of an account's past: its activities and its portfolio history.

Both are computed on demand from what a session already holds (its events and
its bars), so they need no storage of their own and come back exactly when a
session is replayed from its journal.  The events and the clock are read
together under the session's command lock (a copy of the list, then the
lock is released), so a read never sees half of a command.

Activities are Alpaca's: a ``FILL`` per fill, a ``CSD`` (cash deposit) for the
account's starting cash when it opened, and a ``FEE`` per fill that paid a
fee.  Their ids are ``<New York time, yyyymmddHHMMSSmmm>::<uuid>``, stable
across replays.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Final, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np

from paperbroker.analytics.portfolio_history import (
    AccountTrack,
    HistoryQuery,
    PortfolioHistory,
    SessionDay,
    TradingDays,
    portfolio_history,
)
from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.calendar import xnys
from paperbroker.model.enums import OrderSide
from paperbroker.model.events import (
    AccountOpened,
    Event,
    OrderFilled,
    OrderReleased,
    OrderSized,
    OrderSubmitted,
)
from paperbroker.portfolio.marks import PriceTrack
from paperbroker.session.runtime import SessionRuntime

NEW_YORK: Final = ZoneInfo("America/New_York")
#: Namespace of the activity ids that are not fill ids (deposits, fees).
ACTIVITY_NAMESPACE: Final = uuid.UUID("0b9a4f55-2a47-4c1e-9a39-6d1c5f3e8b21")
#: Alpaca's activity types; paperbroker produces FILL, CSD and FEE.
ACTIVITY_TYPES: Final = frozenset({
    "FILL", "TRANS", "MISC", "ACATC", "ACATS", "CFEE", "CIL", "CSD", "CSW", "DIV", "DIVCGL",
    "DIVCGS", "DIVFEE", "DIVFT", "DIVNRA", "DIVROC", "DIVTW", "DIVTXEX", "EXTRD", "FEE",
    "FXTRD", "INT", "INTNRA", "INTPNL", "INTTW", "JNL", "JNLC", "JNLS", "MA", "MEM", "NC",
    "OCT", "OPASN", "OPCSH", "OPEXC", "OPEXP", "OPTRD", "OPXRC", "PTC", "PTR", "REORG", "SC",
    "SPIN", "SPLIT", "SSO", "SSP", "SWP", "VOF", "WH",
})  # fmt: skip
#: Alpaca's groups: TRANS is cash moves, MISC everything but TRANS, dividends and fills.
_GROUPS: Final = {
    "TRANS": frozenset({"CSD", "CSW"}),
    "MISC": frozenset(
        t for t in ACTIVITY_TYPES if t not in {"FILL", "TRANS", "CSD", "CSW"} and t[:3] != "DIV"
    ),
}
MAX_PAGE_SIZE: Final = 100


@dataclass(frozen=True, slots=True)
class FillActivity:
    """A fill (``FILL``): ``cum_qty`` and ``leaves_qty`` are its order's after it."""

    id: str
    ts: int
    account_id: str
    order_id: str
    symbol: str
    side: OrderSide
    price: Decimal
    qty: Decimal
    cum_qty: Decimal
    leaves_qty: Decimal
    activity_type: str = "FILL"

    @property
    def partial(self) -> bool:
        return bool(self.leaves_qty)


@dataclass(frozen=True, slots=True)
class CashActivity:
    """A cash movement that is not a trade: a deposit (``CSD``) or a fee (``FEE``)."""

    id: str
    ts: int
    account_id: str
    activity_type: str
    net_amount: Decimal
    description: str
    symbol: str | None = None


Activity = FillActivity | CashActivity


@dataclass(frozen=True, slots=True)
class ActivityQuery:
    """Which activities to list (Alpaca's parameters, already checked for form).

    ``types`` (``None``: all) may name Alpaca's groups ``TRANS`` and ``MISC``;
    ``on_date`` keeps one New York date, ``after_ns``/``until_ns`` times
    strictly after / before; ``page_token`` is the id of the last activity of
    the previous page; ``page_size`` ``None`` is all (only with ``on_date``).
    """

    types: frozenset[str] | None = None
    on_date: date | None = None
    after_ns: int | None = None
    until_ns: int | None = None
    direction: str = "desc"
    page_size: int | None = MAX_PAGE_SIZE
    page_token: str | None = None

    def __post_init__(self) -> None:
        unknown = sorted((self.types or frozenset()) - ACTIVITY_TYPES)
        if unknown:
            raise InvalidRequest(f"activity_types: {unknown[0][:32]!r} is not an activity type")
        if self.on_date is not None and (self.after_ns is not None or self.until_ns is not None):
            raise InvalidRequest("date cannot be combined with after or until")
        if self.direction not in ("asc", "desc"):
            raise InvalidRequest("direction must be asc or desc")
        size = self.page_size
        if size is not None and size < 1:
            raise InvalidRequest("page_size must be at least 1")
        if self.on_date is None and (size is None or size > MAX_PAGE_SIZE):
            raise InvalidRequest(
                f"page_size must be at most {MAX_PAGE_SIZE} (unless date is given)"
            )


def activities(runtime: SessionRuntime, account_id: str, query: ActivityQuery) -> list[Activity]:
    """An account's activities that ``query`` selects, one page of them.

    Raises:
        NotFound: for an account the session does not have.
        InvalidRequest: for a ``page_token`` that is not an id of these activities.
    """
    account = runtime.books(account_id).account
    events, _ = _snapshot(runtime)
    opened = _opened_ns(runtime, events, account.id)
    found = _all_activities(events, account.id, account.initial_cash, opened)
    wanted = expand_types(query.types)
    selected = [
        a
        for a in found
        if (wanted is None or a.activity_type in wanted)
        and (query.on_date is None or _ny(a.ts).date() == query.on_date)
        and (query.after_ns is None or a.ts > query.after_ns)
        and (query.until_ns is None or a.ts < query.until_ns)
    ]
    if query.direction == "desc":
        selected.reverse()
    if query.page_token is not None:
        at = next((i for i, a in enumerate(selected) if a.id == query.page_token), None)
        if at is None:
            raise InvalidRequest(f"page_token {query.page_token[:64]!r} is not an activity id")
        selected = selected[at + 1 :]
    return selected if query.page_size is None else selected[: query.page_size]


def account_portfolio_history(
    runtime: SessionRuntime, account_id: str, query: HistoryQuery
) -> PortfolioHistory:
    """An account's portfolio history as of the session's current time.

    Raises:
        NotFound: for an account the session does not have.
        InvalidRequest: for a span the query cannot have (see the analytics).
    """
    account = runtime.books(account_id).account
    events, now = _snapshot(runtime)
    fills = [
        e.fill for e in events if isinstance(e, OrderFilled) and e.fill.account_id == account.id
    ]
    series = {s.symbol: s for s in runtime.kernel.feed.series}
    prices = {symbol: PriceTrack.of(series[symbol]) for symbol in {f.symbol for f in fills}}
    track = AccountTrack(
        account.initial_cash, _opened_ns(runtime, events, account.id), fills, prices
    )
    return portfolio_history(query, track, now, _trading_days(runtime))


def _snapshot(runtime: SessionRuntime) -> tuple[list[Event], int]:
    """The session's events and its current time, as of the last command that finished."""
    with runtime.locked():
        return list(runtime.kernel.events), runtime.now_ns


def _all_activities(
    events: Sequence[Event], account_id: str, initial_cash: Decimal, opened_ns: int
) -> list[Activity]:
    """Every activity of the account, oldest first (in the order they happened)."""
    found: list[Activity] = [
        CashActivity(
            _activity_id(opened_ns, _derived_uuid(f"deposit/{account_id}")),
            opened_ns, account_id, "CSD", initial_cash, "initial deposit: the account's cash",
        )
    ]  # fmt: skip
    qty: dict[str, Decimal] = {}  # what each of the account's orders is for, as it changes
    filled: dict[str, Decimal] = {}
    for event in events:
        if isinstance(event, OrderSubmitted):
            if event.account_id == account_id:
                qty[event.order_id] = event.qty
        elif isinstance(event, OrderSized | OrderReleased):
            if event.order_id in qty:
                qty[event.order_id] = event.qty
        elif isinstance(event, OrderFilled) and event.order_id in qty:
            fill = event.fill
            cum = filled[fill.order_id] = filled.get(fill.order_id, Decimal(0)) + fill.qty
            found.append(
                FillActivity(
                    _activity_id(fill.ts, _fill_uuid(fill.id)), fill.ts, account_id,
                    fill.order_id, fill.symbol, fill.side, fill.price, fill.qty, cum,
                    max(qty[fill.order_id] - cum, Decimal(0)),
                )
            )  # fmt: skip
            if fill.fee:
                found.append(
                    CashActivity(
                        _activity_id(fill.ts, _derived_uuid(f"fee/{fill.id}")), fill.ts,
                        account_id, "FEE", -fill.fee,
                        f"fees on the {fill.side} of {fill.qty} {fill.symbol} "
                        f"(order {fill.order_id})",
                        fill.symbol,
                    )
                )  # fmt: skip
    return found


def expand_types(types: frozenset[str] | None) -> frozenset[str] | None:
    """Activity types with Alpaca's groups (``TRANS``, ``MISC``) replaced by their members."""
    if types is None:
        return None
    return frozenset().union(*(_GROUPS.get(t, frozenset({t})) for t in types))


def _opened_ns(runtime: SessionRuntime, events: Sequence[Event], account_id: str) -> int:
    """When the account opened: its ``AccountOpened``, or the session's start (the default one)."""
    for event in events:
        if isinstance(event, AccountOpened) and event.account_id == account_id:
            return event.ts
    return runtime.spec.start_ns


class _Day(NamedTuple):
    date: date
    open_ns: int
    close_ns: int


def _trading_days(runtime: SessionRuntime) -> TradingDays:
    """The exchange's (XNYS) trading days; outside the calendar's years, the days the
    session's exchange-traded bars fall on."""

    def days(first: date, last: date) -> Sequence[SessionDay]:
        try:
            return xnys().trading_days(first, last)
        except InvalidRequest:
            return _bar_days(runtime, first, last)

    return days


def _bar_days(runtime: SessionRuntime, first: date, last: date) -> list[_Day]:
    """Days with bars of an instrument that has regular hours (any, if none has),
    from the first bar's open to the last bar's close of each."""
    series = runtime.kernel.feed.series
    regular = [s for s in series if not s.instrument.hours.is_24h] or list(series)
    lo = _midnight(first)
    hi = _midnight(last + timedelta(days=1))
    spans: dict[date, tuple[int, int]] = {}
    for bars in regular:
        ts = np.asarray(bars.ts, dtype=np.int64)
        for close in ts[(ts - bars.duration_ns >= lo) & (ts - bars.duration_ns < hi)].tolist():
            start = close - bars.duration_ns
            day = _ny(start).date()
            known = spans.get(day)
            spans[day] = (
                (start, close) if known is None else (min(known[0], start), max(known[1], close))
            )
    return [_Day(day, *spans[day]) for day in sorted(spans)]


def _ny(ts_ns: int) -> datetime:
    return datetime.fromtimestamp(ts_ns // 1000 / 1_000_000, tz=NEW_YORK)


def _midnight(day: date) -> int:
    return datetime_to_ns(datetime.combine(day, time(0), tzinfo=NEW_YORK))


def _activity_id(ts_ns: int, unique: str) -> str:
    """Alpaca's activity id: the New York time to the millisecond, ``::``, a UUID."""
    moment = _ny(ts_ns)
    return f"{moment:%Y%m%d%H%M%S}{moment.microsecond // 1000:03d}::{unique}"


def _fill_uuid(fill_id: str) -> str:
    try:
        return str(uuid.UUID(fill_id))
    except ValueError:  # a kernel without a namespace numbers its fills
        return _derived_uuid(f"fill/{fill_id}")


def _derived_uuid(name: str) -> str:
    return str(uuid.uuid5(ACTIVITY_NAMESPACE, name))
