"""What every fill must respect, whatever the bars, the orders and the execution models.

Random OHLCV bars (trade bars or bid/ask quote bars, minute or daily), random
orders of every type, side and time in force priced near the market, random
cancels and replacements, sent at a bar's close or inside a bar, through a
real :class:`Kernel` (a cash, margin or Reg-T account, small or large) whose
venue runs one of the execution presets with a random seed and, sometimes, a
random latency or intrabar path.  Then, for every fill:

- its reference price lies in the bar's range (the ask's for a buy and the
  bid's for a sell on quote bars), and a limit is never crossed;
- with ``VolumeParticipation`` the bar's fills add up to at most its share of
  the bar's volume;
- it happened after its order reached the venue, on a bar that opened no
  earlier than the decision, or else at that bar's open, the last price known
  at the decision (the closing auction excepted: it trades at the close of
  the bar the order reached the venue in);
- and the same run twice gives the same events.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any, NamedTuple

import numpy as np
from hypothesis import event, given, settings
from hypothesis import strategies as st

from paperbroker.core.clock import SimClock
from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.core.ids import AccountId
from paperbroker.data.series import BarSeries, QuoteArrays
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType, OrderSide, TimeInForce
from paperbroker.model.events import Event, OrderFilled, OrderReleased
from paperbroker.model.fill import Fill
from paperbroker.model.instrument import Instrument
from paperbroker.model.order import Order
from paperbroker.venue import PRESETS, JitteredLatency, VenueConfig, VolumeParticipation, preset
from paperbroker.venue.matching import IntrabarPath

BUY, SELL = OrderSide.BUY, OrderSide.SELL
INSTRUMENT = Instrument.equity("XYZ", fractionable=True)
MINUTE_NS = 60_000_000_000
# Minute bars from 09:31 (a session's first), from 15:52 (running past the close), over the
# night (the first half up to 16:00, the rest from 09:31 the next day), or daily bars.
LAYOUTS = ("open", "close", "overnight", "day")
MARGIN = AccountConfig(AccountType.MARGIN)
ACCOUNTS = (MARGIN, MARGIN, AccountConfig(), AccountConfig.reg_t())


class Plan(NamedTuple):
    """One random run: bars, models and what the client does when."""

    rows: list[tuple[int, int, int, int, int]]  # cents: open, high, low, close; volume
    spreads: list[int] | None  # quote bars: half-spread in ticks per bar
    layout: str
    preset: str
    seed: int
    latency: tuple[int, int] | None  # (base_ms, jitter_ms) replacing the preset's
    intrabar: IntrabarPath | None
    account: AccountConfig
    cash: int
    actions: list[tuple[Any, ...]]


@st.composite
def bar_rows(draw: st.DrawFn) -> list[tuple[int, int, int, int, int]]:
    n = draw(st.integers(3, 14))
    price = draw(st.integers(9_000, 11_000))
    rows = []
    for _ in range(n):
        open_ = max(price + draw(st.integers(-150, 150)), 5_000)
        close = max(open_ + draw(st.integers(-200, 200)), 5_000)
        high = max(open_, close) + draw(st.integers(0, 150))
        low = max(min(open_, close) - draw(st.integers(0, 150)), 4_900)
        volume = draw(st.sampled_from([0, 150, 1_234, 5_000, 20_000, 1_000_000, 1_000_000]))
        rows.append((open_, high, low, close, volume))
        price = close
    return rows


order_action = st.tuples(
    st.just("submit"),
    st.integers(0, 13),  # at bar
    st.sampled_from([0, 0, 0, 1, 2]),  # 0: at the close; 1: 1 ms later; 2: half a bar later
    st.sampled_from([BUY, SELL]),
    st.sampled_from(
        [
            "market",
            "limit",
            "stop",
            "stop_limit",
            "trail_price",
            "trail_percent",
            "bracket",
            "oto",
            "oco",
            "notional",
        ]
    ),
    st.integers(0, 11),  # time in force: one of those the order type allows
    st.integers(1, 400),  # qty
    st.integers(-300, 300),  # price offset from the last close, in cents
    st.integers(1, 300),  # a second distance, in cents
)
change_action = st.tuples(
    st.sampled_from(["cancel", "replace"]),
    st.integers(0, 13),
    st.sampled_from([0, 0, 1, 2]),
    st.integers(0, 20),  # which order
    st.integers(-200, 200),  # the replacement's price offset
)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    rows = draw(bar_rows())
    quoted = draw(st.booleans())
    spreads = [draw(st.integers(1, 4)) for _ in rows] if quoted else None
    latency = draw(
        st.one_of(
            st.none(),
            st.tuples(st.integers(0, 90_000), st.integers(0, 30_000)).map(
                lambda p: (p[0], min(p[0], p[1]))
            ),
        )
    )
    return Plan(
        rows=rows,
        spreads=spreads,
        layout=draw(st.sampled_from(LAYOUTS)),
        preset=draw(st.sampled_from(PRESETS)),
        seed=draw(st.integers(0, 1_000)),
        latency=latency,
        intrabar=draw(st.one_of(st.none(), st.sampled_from(list(IntrabarPath)))),
        account=draw(st.sampled_from(ACCOUNTS)),
        cash=draw(st.sampled_from([20_000, 10_000_000, 10_000_000])),
        actions=draw(st.lists(st.one_of(order_action, change_action), min_size=1, max_size=12)),
    )


# ---- running a plan ------------------------------------------------------------------------


def _times(plan: Plan, build: Any) -> tuple[list[int], int]:
    n = len(plan.rows)
    if plan.layout == "day":
        return build.daily_ts(n), build.DAY_BAR_NS
    if plan.layout == "overnight":
        close = datetime(2024, 1, 2, 16, 0, tzinfo=build.NEW_YORK)
        evening = build.minute_ts(n // 2, close - timedelta(minutes=n // 2 - 1))
        morning = build.minute_ts(n - n // 2, datetime(2024, 1, 3, 9, 31, tzinfo=build.NEW_YORK))
        return evening + morning, MINUTE_NS
    first = datetime(2024, 1, 2, 9, 31) if plan.layout == "open" else datetime(2024, 1, 2, 15, 52)
    return build.minute_ts(n, first.replace(tzinfo=build.NEW_YORK)), MINUTE_NS


def _series(plan: Plan, ts: list[int], duration: int) -> BarSeries:
    cents = np.array(plan.rows, dtype=np.float64)
    prices = [np.ascontiguousarray(cents[:, i] / 100) for i in range(4)]
    volume = np.ascontiguousarray(cents[:, 4])
    stamps = np.array(ts, dtype=np.int64)
    if plan.spreads is None:
        return BarSeries(INSTRUMENT, stamps, *prices, volume, duration_ns=duration)
    half = np.array(plan.spreads, dtype=np.float64) / 100
    bids = [np.round(p - half, 2) for p in prices]
    asks = [np.round(p + half, 2) for p in prices]
    return BarSeries.from_quotes(INSTRUMENT, stamps, QuoteArrays(*bids, *asks), duration, volume)


def _config(plan: Plan) -> VenueConfig:
    config = preset(plan.preset, plan.seed).venue_config()
    latency = config.latency
    if plan.latency is not None:
        latency = JitteredLatency(plan.latency[0], plan.latency[1], seed=plan.seed)
    return VenueConfig(
        commission=config.commission,
        slippage=config.slippage,
        fill_quantity=config.fill_quantity,
        intrabar=plan.intrabar or config.intrabar,
        latency=latency,
    )


def _cents(value: int) -> str:
    return f"{max(value, 1) / 100:.2f}"


ANY_TIF = ("gtc", "day", "ioc", "fok", "opg", "cls")


def _tif(kind: str, choice: int) -> str:
    if kind in ("market", "limit"):
        return ANY_TIF[choice % len(ANY_TIF)]
    return "day" if kind == "notional" else ANY_TIF[choice % 2]


def _order_kwargs(action: tuple[Any, ...], reference: int) -> dict[str, Any]:
    _, _, _, side, kind, tif, qty, offset, distance = action
    sign = 1 if side is BUY else -1
    kwargs: dict[str, Any] = {"side": side, "qty": qty, "tif": _tif(kind, tif)}
    price = reference + offset
    if kind == "limit":
        kwargs["limit"] = _cents(price)
    elif kind == "stop":
        kwargs["stop"] = _cents(price)
    elif kind == "stop_limit":
        kwargs["stop"] = _cents(price)
        kwargs["limit"] = _cents(price + sign * distance // 2)
    elif kind == "trail_price":
        kwargs["trail_price"] = _cents(distance)
    elif kind == "trail_percent":
        kwargs["trail_percent"] = str(1 + distance % 9)
    elif kind in ("bracket", "oto"):
        if offset % 2:
            kwargs["limit"] = _cents(price)
        kwargs["order_class"] = kind
        kwargs["take_profit"] = _cents(reference + sign * distance)
        if kind == "bracket" or offset % 3:
            kwargs["stop_loss"] = _cents(reference - sign * distance)
        if kind == "oto" and "stop_loss" in kwargs:
            del kwargs["take_profit"]
    elif kind == "oco":
        # Exits of a long (sell) or of a short (buy): the limit beyond the market.
        kwargs["limit"] = _cents(reference - sign * distance)
        kwargs["stop_loss"] = _cents(reference + sign * distance)
        kwargs["order_class"] = "oco"
    elif kind == "notional":
        del kwargs["qty"]
        kwargs["notional"] = f"{qty * 10}.00"
    return kwargs


def _act(kernel: Kernel, action: tuple[Any, ...], placed: list[Order]) -> None:
    mark = kernel.portfolio.mark("XYZ")
    reference = int(mark * 100) if mark is not None else int(kernel.feed.series[0].open[0] * 100)
    try:
        if action[0] == "submit":
            placed.append(kernel.submit_order("XYZ", **_order_kwargs(action, reference)))
            event(f"order {action[4]}: {placed[-1].status}")
        elif placed:
            order = placed[action[3] % len(placed)]
            if action[0] == "cancel":
                kernel.cancel_order(order.id)
            else:
                changes: dict[str, Any] = {}
                if order.limit_price is not None:
                    changes["limit"] = _cents(int(order.limit_price * 100) + action[4])
                elif order.stop_price is not None and not order.is_trailing:
                    changes["stop"] = _cents(int(order.stop_price * 100) + action[4])
                placed.append(kernel.replace_order(order.id, **changes))
    except (InvalidRequest, Conflict):
        event(f"refused {action[0]}")


def run(plan: Plan, build: Any) -> tuple[Kernel, BarSeries]:
    ts, duration = _times(plan, build)
    series = _series(plan, ts, duration)
    account = Account(AccountId("test"), Decimal(plan.cash), plan.account)
    clock = SimClock(ts[0] - duration)
    kernel = Kernel(HistoricalFeed([series]), account, _config(plan), clock)
    placed: list[Order] = []
    offsets = {0: 0, 1: 1_000_000, 2: duration // 2}
    # Never at the last bar's close: there is no data left to trade on.
    steps = sorted((a[1] % (len(ts) - 1), offsets[a[2]], i, a) for i, a in enumerate(plan.actions))
    for at, offset, _, action in steps:
        kernel.run_until(ts[at] + offset)
        _act(kernel, action, placed)
    kernel.run_until(ts[-1])
    return kernel, series


def _fills(events: list[Event]) -> list[Fill]:
    return [e.fill for e in events if isinstance(e, OrderFilled)]


def _on_grid(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _open(series: BarSeries, fill: Fill) -> Decimal:
    """The open of a fill's bar on the fill's side of the market."""
    row = int(np.searchsorted(series.ts, fill.bar_ts))
    quotes = series.quotes
    if quotes is None:
        return _on_grid(series.open[row])
    return _on_grid(quotes.ask_open[row] if fill.side is BUY else quotes.bid_open[row])


# ---- the properties ------------------------------------------------------------------------

plan_settings = settings(max_examples=250, deadline=None)


@plan_settings
@given(plan=plans())
def test_fill_reference_in_bar_range_and_limit_never_crossed(build: Any, plan: Plan) -> None:
    kernel, series = run(plan, build)
    rows = {int(t): i for i, t in enumerate(series.ts)}
    quotes = series.quotes
    for fill in _fills(kernel.events):
        r = rows[fill.bar_ts]
        if quotes is None:
            low, high = series.low[r], series.high[r]
        elif fill.side is BUY:
            low, high = quotes.ask_low[r], quotes.ask_high[r]
        else:
            low, high = quotes.bid_low[r], quotes.bid_high[r]
        assert _on_grid(low) <= fill.reference_price <= _on_grid(high), fill
        limit = kernel.orders[fill.order_id].limit_price
        if limit is not None:
            assert fill.price <= limit if fill.side is BUY else fill.price >= limit, fill
        assert fill.slippage >= 0


@plan_settings
@given(plan=plans())
def test_bar_fills_never_exceed_participation_share(build: Any, plan: Plan) -> None:
    kernel, series = run(plan, build)
    model = kernel.venue.config.fill_quantity
    if not isinstance(model, VolumeParticipation):
        return
    rows = {int(t): i for i, t in enumerate(series.ts)}
    per_bar: dict[int, Decimal] = defaultdict(Decimal)
    fractional: set[int] = set()
    for fill in _fills(kernel.events):
        per_bar[fill.bar_ts] += fill.qty
        order = kernel.orders[fill.order_id]
        if order.notional is not None or order.qty % 1:
            fractional.add(fill.bar_ts)  # its share is cut to 1e-9, not to whole lots
    for bar_ts, total in per_bar.items():
        # Orders that fit the bar's expected volume (the mean of the 20 before it) fill
        # where they enter it, before its own volume is known.
        row = rows[bar_ts]
        sums = np.concatenate(([0.0], np.cumsum(series.volume)))
        first = max(row - 20, 0)
        expected = float(sums[row] - sums[first]) / (row - first) if row else 0.0
        volume = max(float(series.volume[row]), expected)
        share = Decimal(repr(volume)) * model.max_share
        cap = share if bar_ts in fractional else share.to_integral_value(ROUND_FLOOR)
        assert total <= cap, (bar_ts, total, cap)


@plan_settings
@given(plan=plans())
def test_fill_never_before_its_order_reaches_the_venue(build: Any, plan: Plan) -> None:
    kernel, series = run(plan, build)
    released = {e.order_id: e.ts for e in kernel.events if isinstance(e, OrderReleased)}
    for fill in _fills(kernel.events):
        order = kernel.orders[fill.order_id]
        # The moment the order was decided: its submission (a replacement's: the replace
        # request), or, for a held exit leg, its release when the entry filled.
        decided = released.get(order.id, order.ts_created)
        arrival = decided + fill.latency_ns
        assert fill.bar_ts > arrival, fill  # it reached the venue before the bar closed
        assert fill.ts >= arrival, fill
        if (
            order.time_in_force is not TimeInForce.CLS
            and fill.bar_ts - series.duration_ns < decided
        ):
            # A bar that opened before the decision fills it only at the last price
            # known then, the bar's open: nothing later in the bar.
            assert fill.path.startswith("arrival@"), fill
            assert fill.reference_price == _open(series, fill), fill
        event(f"fill {fill.rule}")


@settings(max_examples=120, deadline=None)
@given(plan=plans())
def test_same_plan_twice_gives_same_events(build: Any, plan: Plan) -> None:
    first, _ = run(plan, build)
    second, _ = run(plan, build)
    assert first.events == second.events
