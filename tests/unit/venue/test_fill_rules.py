"""The fill rules, as one table of hand-computed scenarios driven through the real kernel.

Every row builds a bar series by hand, runs a real :class:`Kernel` to the close
of bar 0, submits one order there (so bar 1 is the first bar it may meet) and
runs to the end.  The row states the order's final status and every fill as
``(bar index, qty, price, FillRule)``; the comment above each row is the hand
calculation.  Unless a row says otherwise: daily bars closing at 16:00 New
York, a margin account with ample cash (so sells need no position), no
costs, the ADAPTIVE intrabar path and ``gtc``.

Bar 0, the bar at whose close the order is decided, is ``SETUP`` unless given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from paperbroker.data.bar import Bar
from paperbroker.model.enums import LiquiditySide, OrderSide, OrderStatus, TimeInForce
from paperbroker.model.events import OrderCanceled, OrderExpired, OrderFilled
from paperbroker.model.fill import FillRule
from paperbroker.strategy.base import Strategy
from paperbroker.venue import (
    FixedBpsSlippage,
    FixedCommission,
    IntrabarPath,
    PercentCommission,
    PerShareCommission,
    VenueConfig,
    VolumeParticipation,
)

BUY, SELL = OrderSide.BUY, OrderSide.SELL
DAY, GTC, IOC, FOK = TimeInForce.DAY, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK
R = FillRule
S = OrderStatus

# The history bar trades nothing, so where an order enters bar 1 its expected volume
# is 0: volume-limited fills are decided with the bar's own volume, as worked out here.
SETUP = (100.00, 101.00, 99.00, 100.00, 0.0)
OHLC = VenueConfig(intrabar=IntrabarPath.OHLC)
OLHC = VenueConfig(intrabar=IntrabarPath.OLHC)
VP10 = VolumeParticipation("0.1")
SLIP10 = FixedBpsSlippage(10)
DEFAULT = VenueConfig()  # no costs, full fills, adaptive path

# Minute bars straddling a session close: 15:58 (decision), 15:59, 16:00, then 09:31 next day.
ACROSS_CLOSE = (
    (date(2024, 1, 2), 15, 58),
    (date(2024, 1, 2), 15, 59),
    (date(2024, 1, 2), 16, 0),
    (date(2024, 1, 3), 9, 31),
)
ACROSS_CLOSE_BARS = (
    SETUP,
    (100.00, 100.50, 99.50, 100.00),
    (100.00, 100.50, 99.50, 100.00),
    (99.00, 99.20, 97.50, 98.00),  # next morning: touches 98.00
)
# The stop-limit path bar: open 100, high 102, low 99.50, close 101.
PATH_BAR = (100.00, 102.00, 99.50, 101.00)


@dataclass(frozen=True)
class Case:
    """One scenario: the bars, the order and what must happen to it."""

    bars: tuple[tuple[float, ...], ...]
    side: OrderSide
    qty: int
    status: OrderStatus
    fills: tuple[tuple[int, int, str, FillRule], ...] = ()  # (bar, qty, price, rule)
    limit: str | None = None
    stop: str | None = None
    tif: TimeInForce = GTC
    config: VenueConfig = DEFAULT
    freq: str = "day"
    times: tuple[tuple[date, int, int], ...] | None = None  # New York close times
    submit_delay_ns: int = 0  # submit this long after bar 0's close
    fees: tuple[str, ...] | None = None
    references: tuple[str, ...] | None = None
    paths: tuple[str, ...] | None = None
    closed_at: int | None = None  # bar whose processing cancels/expires the order


def case(case_id: str, *bars: tuple[float, ...], **kwargs: Any) -> Any:
    return pytest.param(Case(bars=(SETUP, *bars), **kwargs), id=case_id)


CASES = [
    # ---- market ---------------------------------------------------------------------------
    # Decided at bar 0's close (100.00); the first price after it is bar 1's open: 100.50.
    case(
        "market_day_fills_at_next_open",
        (100.50, 102.00, 99.00, 101.00),
        side=BUY, qty=10, tif=DAY, status=S.FILLED,
        fills=((1, 10, "100.50", R.MARKET_AT_OPEN),),
    ),
    # A sell is the mirror image: also bar 1's open.
    case(
        "market_sell_fills_at_next_open",
        (100.50, 102.00, 99.00, 101.00),
        side=SELL, qty=10, tif=DAY, status=S.FILLED,
        fills=((1, 10, "100.50", R.MARKET_AT_OPEN),),
    ),
    # ---- limit ----------------------------------------------------------------------------
    # Buy limit 99.00, bar 1 opens at 98.00 <= 99.00: gapped through, fills at the better open.
    case(
        "buy_limit_gap_through_fills_at_open",
        (98.00, 99.50, 97.50, 99.00),
        side=BUY, qty=10, limit="99.00", status=S.FILLED,
        fills=((1, 10, "98.00", R.LIMIT_AT_OPEN),),
    ),
    # Sell limit 101.00, bar 1 opens at 102.00 >= 101.00: fills at the better open 102.00.
    case(
        "sell_limit_gap_through_fills_at_open",
        (102.00, 102.50, 101.50, 102.00),
        side=SELL, qty=10, limit="101.00", status=S.FILLED,
        fills=((1, 10, "102.00", R.LIMIT_AT_OPEN),),
    ),
    # Buy limit 99.00, open 100.00 > 99.00, low == 99.00 exactly: a touch fills at the limit.
    case(
        "buy_limit_touched_exactly_fills_at_limit",
        (100.00, 101.00, 99.00, 100.50),
        side=BUY, qty=10, limit="99.00", status=S.FILLED,
        fills=((1, 10, "99.00", R.LIMIT_TOUCHED),),
    ),
    # Sell limit 101.00, open 100.00 < 101.00, high == 101.00 exactly: fills at 101.00.
    case(
        "sell_limit_touched_exactly_fills_at_limit",
        (100.00, 101.00, 99.00, 100.50),
        side=SELL, qty=10, limit="101.00", status=S.FILLED,
        fills=((1, 10, "101.00", R.LIMIT_TOUCHED),),
    ),
    # Buy limit 98.99, low 99.00 > 98.99: never reached, a gtc order keeps working.
    case(
        "buy_limit_not_reached_stays_open",
        (100.00, 101.00, 99.00, 100.50),
        side=BUY, qty=10, limit="98.99", status=S.ACCEPTED,
    ),
    # ---- stop -----------------------------------------------------------------------------
    # Buy stop 101.00, bar 1 opens at 101.50 >= 101.00: a market order at the open, 0.50
    # worse than the stop.
    case(
        "buy_stop_gap_up_fills_at_open_worse_than_stop",
        (101.50, 102.00, 101.20, 101.80),
        side=BUY, qty=10, stop="101.00", status=S.FILLED,
        fills=((1, 10, "101.50", R.STOP_GAP_AT_OPEN),),
    ),
    # Buy stop 101.00, open 100.20 < 101.00, high 101.50 >= 101.00: triggered at the stop.
    case(
        "buy_stop_triggered_intrabar_fills_at_stop",
        (100.20, 101.50, 100.00, 101.20),
        side=BUY, qty=10, stop="101.00", status=S.FILLED,
        fills=((1, 10, "101.00", R.STOP_TRIGGERED),),
    ),
    # Sell stop 99.00, bar 1 opens at 98.50 <= 99.00: fills at the (worse) open 98.50.
    case(
        "sell_stop_gap_down_fills_at_open_worse_than_stop",
        (98.50, 99.20, 98.00, 98.80),
        side=SELL, qty=10, stop="99.00", status=S.FILLED,
        fills=((1, 10, "98.50", R.STOP_GAP_AT_OPEN),),
    ),
    # Sell stop 99.00, open 100.00, low 98.50 <= 99.00: triggered at 99.00.
    case(
        "sell_stop_triggered_intrabar_fills_at_stop",
        (100.00, 100.50, 98.50, 99.50),
        side=SELL, qty=10, stop="99.00", status=S.FILLED,
        fills=((1, 10, "99.00", R.STOP_TRIGGERED),),
    ),
    # Buy stop 101.00, high 100.99 < 101.00: never triggered.
    case(
        "buy_stop_not_reached_stays_open",
        (100.00, 100.99, 99.50, 100.50),
        side=BUY, qty=10, stop="101.00", status=S.ACCEPTED,
    ),
    # ---- stop-limit ------------------------------------------------------------------------
    # Buy stop 101 / limit 101.50.  Adaptive: to_high 2.00 > to_low 0.20, so OLHC:
    # 100 -> 99.80 -> 102 crosses 101 (trigger at 101.00 <= 101.50): fills at the trigger.
    case(
        "stop_limit_triggered_limit_marketable_fills_at_trigger",
        (100.00, 102.00, 99.80, 101.80),
        side=BUY, qty=10, stop="101.00", limit="101.50", status=S.FILLED,
        fills=((1, 10, "101.00", R.STOP_LIMIT_AT_TRIGGER),), paths=("OLHC",),
    ),
    # Buy stop 101 / limit 101.50, open 101.20 >= 101: triggered at the open, 101.20 <= 101.50.
    case(
        "stop_limit_gap_within_limit_fills_at_open",
        (101.20, 102.00, 101.00, 101.50),
        side=BUY, qty=10, stop="101.00", limit="101.50", status=S.FILLED,
        fills=((1, 10, "101.20", R.STOP_LIMIT_AT_TRIGGER),),
    ),
    # Buy stop 101 / limit 101.50, open 102.00: triggered at 102.00 > 101.50, so it rests as
    # a limit; the rest of the path reaches the low 101.40 <= 101.50: fills at 101.50.
    case(
        "stop_limit_gap_beyond_limit_then_touched_fills_at_limit",
        (102.00, 103.00, 101.40, 102.50),
        side=BUY, qty=10, stop="101.00", limit="101.50", status=S.FILLED,
        fills=((1, 10, "101.50", R.STOP_LIMIT_TOUCHED),),
    ),
    # Buy stop 101 / limit 100.50 on PATH_BAR (100, 102, 99.50, 101).
    # OHLC: 100 -> 102 (trigger at 101 > 100.50, rests) -> 99.50 passes 100.50: fills there.
    case(
        "stop_limit_ohlc_triggers_then_dips_to_limit_fills_at_limit",
        PATH_BAR,
        side=BUY, qty=10, stop="101.00", limit="100.50", config=OHLC, status=S.FILLED,
        fills=((1, 10, "100.50", R.STOP_LIMIT_TOUCHED),), paths=("OHLC",),
    ),
    # OLHC: 100 -> 99.50 (not triggered yet) -> 102 (trigger at 101) -> close 101 > 100.50.
    case(
        "stop_limit_olhc_dips_before_trigger_stays_open",
        PATH_BAR,
        side=BUY, qty=10, stop="101.00", limit="100.50", config=OLHC, status=S.ACCEPTED,
    ),
    # ADAPTIVE on PATH_BAR: to_high 2.00 > to_low 0.50, the nearer low comes first: OLHC.
    case(
        "stop_limit_adaptive_nearer_low_first_is_olhc_stays_open",
        PATH_BAR,
        side=BUY, qty=10, stop="101.00", limit="100.50", status=S.ACCEPTED,
    ),
    # ADAPTIVE, bar (100, 101.50, 98, 99): to_high 1.50 < to_low 2.00: OHLC, 100 -> 101.50
    # (trigger at 101) -> 98 passes 100.50: fills at 100.50.
    case(
        "stop_limit_adaptive_nearer_high_first_is_ohlc_fills_at_limit",
        (100.00, 101.50, 98.00, 99.00),
        side=BUY, qty=10, stop="101.00", limit="100.50", status=S.FILLED,
        fills=((1, 10, "100.50", R.STOP_LIMIT_TOUCHED),), paths=("OHLC",),
    ),
    # ADAPTIVE tie (to_high == to_low == 2.00) on a bar closing down (99.50 < 100): OHLC.
    case(
        "stop_limit_adaptive_tie_close_down_is_ohlc_fills_at_limit",
        (100.00, 102.00, 98.00, 99.50),
        side=BUY, qty=10, stop="101.00", limit="100.50", status=S.FILLED,
        fills=((1, 10, "100.50", R.STOP_LIMIT_TOUCHED),), paths=("OHLC",),
    ),
    # ADAPTIVE tie on a bar closing up (101 > 100): OLHC, 100 -> 98 -> 102 (trigger) -> 101.
    case(
        "stop_limit_adaptive_tie_close_up_is_olhc_stays_open",
        (100.00, 102.00, 98.00, 101.00),
        side=BUY, qty=10, stop="101.00", limit="100.50", status=S.ACCEPTED,
    ),
    # Sell stop 99 / limit 99.50, bar (100, 100.50, 98, 99), OLHC: 100 -> 98 (trigger at 99 <
    # 99.50, rests) -> 100.50 passes 99.50: fills at 99.50.
    case(
        "sell_stop_limit_olhc_triggers_then_rises_to_limit_fills_at_limit",
        (100.00, 100.50, 98.00, 99.00),
        side=SELL, qty=10, stop="99.00", limit="99.50", config=OLHC, status=S.FILLED,
        fills=((1, 10, "99.50", R.STOP_LIMIT_TOUCHED),), paths=("OLHC",),
    ),
    # Same bar, OHLC: 100 -> 100.50 (not triggered) -> 98 (trigger at 99) -> close 99 < 99.50.
    case(
        "sell_stop_limit_ohlc_never_back_to_limit_stays_open",
        (100.00, 100.50, 98.00, 99.00),
        side=SELL, qty=10, stop="99.00", limit="99.50", config=OHLC, status=S.ACCEPTED,
    ),
    # Buy stop 101 / limit 100.50, OHLC: 100.80 -> 102 (trigger) -> 100.80 -> 101.50; the
    # lowest point after the trigger, 100.80, stays above 100.50.
    case(
        "stop_limit_triggered_never_back_to_limit_stays_open",
        (100.80, 102.00, 100.80, 101.50),
        side=BUY, qty=10, stop="101.00", limit="100.50", config=OHLC, status=S.ACCEPTED,
    ),
    # ---- ioc / fok -------------------------------------------------------------------------
    # IOC market: the open 100.50 is the arrival price.
    case(
        "ioc_market_fills_at_open",
        (100.50, 102.00, 99.00, 101.00),
        side=BUY, qty=10, tif=IOC, status=S.FILLED,
        fills=((1, 10, "100.50", R.MARKET_AT_OPEN),),
    ),
    # IOC buy limit 99.00, open 100.00 > 99.00: not marketable at arrival, canceled on bar 1
    # although the bar's low 98.00 later passes 99.00 (the gtc row below fills there).
    case(
        "ioc_limit_not_marketable_at_open_canceled_despite_later_touch",
        (100.00, 101.00, 98.00, 100.50),
        side=BUY, qty=10, limit="99.00", tif=IOC, status=S.CANCELED, closed_at=1,
    ),
    case(
        "gtc_limit_same_bar_touched_fills_at_limit",
        (100.00, 101.00, 98.00, 100.50),
        side=BUY, qty=10, limit="99.00", tif=GTC, status=S.FILLED,
        fills=((1, 10, "99.00", R.LIMIT_TOUCHED),),
    ),
    # IOC buy limit 101.00, open 100.50 <= 101.00: fills at the open.
    case(
        "ioc_limit_marketable_at_open_fills_at_open",
        (100.50, 102.00, 99.00, 101.00),
        side=BUY, qty=10, limit="101.00", tif=IOC, status=S.FILLED,
        fills=((1, 10, "100.50", R.LIMIT_AT_OPEN),),
    ),
    # 10 % of bar 1's volume 500 = 50 available: IOC for 80 fills 50, the other 30 canceled.
    case(
        "ioc_partial_fill_remainder_canceled_with_volume_participation",
        (100.50, 102.00, 99.00, 101.00, 500),
        side=BUY, qty=80, tif=IOC, config=VenueConfig(fill_quantity=VP10),
        status=S.CANCELED, fills=((1, 50, "100.50", R.MARKET_AT_OPEN),), closed_at=1,
    ),
    # FOK for 80 with only 50 available: nothing fills, the order is canceled.
    case(
        "fok_not_fillable_in_full_canceled_without_fill",
        (100.50, 102.00, 99.00, 101.00, 500),
        side=BUY, qty=80, tif=FOK, config=VenueConfig(fill_quantity=VP10),
        status=S.CANCELED, closed_at=1,
    ),
    # FOK for 50 with exactly 50 available: fills in full.
    case(
        "fok_fillable_in_full_fills",
        (100.50, 102.00, 99.00, 101.00, 500),
        side=BUY, qty=50, tif=FOK, config=VenueConfig(fill_quantity=VP10),
        status=S.FILLED, fills=((1, 50, "100.50", R.MARKET_AT_OPEN),),
    ),
    # FOK buy limit 99.00, open 100.00: not marketable at arrival: canceled.
    case(
        "fok_limit_not_marketable_at_open_canceled",
        (100.00, 101.00, 98.00, 100.50),
        side=BUY, qty=10, limit="99.00", tif=FOK, status=S.CANCELED, closed_at=1,
    ),
    # ---- day / gtc -------------------------------------------------------------------------
    # Daily bars: a day order decided at bar 0's close belongs to bar 1's session; bar 1's low
    # 99.00 misses 98.00, so it expires at bar 1's close; bar 2 (low 97) would have filled it.
    case(
        "day_limit_daily_bars_expires_at_first_eligible_bar",
        (100.00, 101.00, 99.00, 100.50),
        (99.00, 99.50, 97.00, 98.00),
        side=BUY, qty=10, limit="98.00", tif=DAY, status=S.EXPIRED, closed_at=1,
    ),
    # The same order as gtc keeps working and fills on bar 2 (a later day) at the touch 98.00.
    case(
        "gtc_limit_daily_bars_works_across_days",
        (100.00, 101.00, 99.00, 100.50),
        (99.00, 99.50, 97.00, 98.00),
        side=BUY, qty=10, limit="98.00", tif=GTC, status=S.FILLED,
        fills=((2, 10, "98.00", R.LIMIT_TOUCHED),),
    ),
    # Minute bars: decided at 15:58; the 15:59 and 16:00 bars miss 98.00; the order expires
    # with the 16:00 bar (its session close); the 09:31 bar next day would have filled it.
    pytest.param(
        Case(
            bars=ACROSS_CLOSE_BARS, times=ACROSS_CLOSE, freq="minute",
            side=BUY, qty=10, limit="98.00", tif=DAY, status=S.EXPIRED, closed_at=2,
        ),
        id="day_limit_minute_bars_expires_after_16_00_bar",
    ),
    # ... and as gtc it fills next morning: open 99.00 > 98.00, low 97.50: touch at 98.00.
    pytest.param(
        Case(
            bars=ACROSS_CLOSE_BARS, times=ACROSS_CLOSE, freq="minute",
            side=BUY, qty=10, limit="98.00", tif=GTC, status=S.FILLED,
            fills=((3, 10, "98.00", R.LIMIT_TOUCHED),),
        ),
        id="gtc_limit_minute_bars_works_into_next_session",
    ),
    # ---- partial fills ---------------------------------------------------------------------
    # 10 % of volumes 500, 300, 1000 = 50, 30, 100 available: 120 fills as 50 + 30 + 40,
    # each at its bar's open.
    case(
        "gtc_partial_fills_carry_remainder_to_next_bars",
        (100.50, 101.00, 100.00, 100.80, 500),
        (101.00, 101.50, 100.50, 101.20, 300),
        (101.20, 101.80, 101.00, 101.50, 1000),
        side=BUY, qty=120, config=VenueConfig(fill_quantity=VP10), status=S.FILLED,
        fills=(
            (1, 50, "100.50", R.MARKET_AT_OPEN),
            (2, 30, "101.00", R.MARKET_AT_OPEN),
            (3, 40, "101.20", R.MARKET_AT_OPEN),
        ),
    ),
    # A day market order on daily bars gets one session: 50 fill on bar 1, 70 expire there.
    case(
        "day_partial_fill_remainder_expires_at_session_close",
        (100.50, 101.00, 100.00, 100.80, 500),
        (101.00, 101.50, 100.50, 101.20, 300),
        side=BUY, qty=120, tif=DAY, config=VenueConfig(fill_quantity=VP10),
        status=S.EXPIRED, fills=((1, 50, "100.50", R.MARKET_AT_OPEN),), closed_at=1,
    ),
    # ---- no look-ahead ---------------------------------------------------------------------
    # Bar 0 (the decision bar) reaches 97.00, which would fill a buy limit 98.00, but the
    # order only exists from bar 0's close: it fills on bar 1, which opens at 97.50 <= 98.00.
    pytest.param(
        Case(
            bars=((100.00, 100.50, 97.00, 99.00), (97.50, 99.00, 97.00, 98.50)),
            side=BUY, qty=10, limit="98.00", status=S.FILLED,
            fills=((1, 10, "97.50", R.LIMIT_AT_OPEN),),
        ),
        id="decision_on_bar_t_fills_on_bar_t_plus_1_not_t",
    ),
    # Minute bars: submitted 30 s after bar 0's close, i.e. after bar 1 opened: the last
    # price known then is bar 1's open 100.50, and the market order fills there.
    case(
        "market_order_arriving_after_bar_open_fills_at_that_open",
        (100.50, 101.00, 100.00, 100.80),
        (101.00, 101.50, 100.50, 101.20),
        side=BUY, qty=10, freq="minute", submit_delay_ns=30_000_000_000, status=S.FILLED,
        fills=((1, 10, "100.50", R.MARKET_AT_ARRIVAL),),
    ),
    # The same arrival for a buy limit 100.20 below bar 1's open: bar 1's path before the
    # order is unknown to it, so bar 1 does not count; bar 2 dips to 100.50 only.
    case(
        "limit_arriving_after_bar_open_skips_that_bar",
        (100.50, 101.00, 100.00, 100.80),
        (101.00, 101.50, 100.10, 101.20),
        side=BUY, qty=10, limit="100.20", freq="minute", submit_delay_ns=30_000_000_000,
        status=S.FILLED, fills=((2, 10, "100.20", R.LIMIT_TOUCHED),),
    ),
    # ---- slippage: FixedBpsSlippage(10) ------------------------------------------------------
    # Buy: 100.01 * 1.001 = 100.11001, rounded up to the tick: 100.12.
    case(
        "slippage_10bps_market_buy_rounds_up_to_tick",
        (100.01, 101.00, 99.50, 100.50),
        side=BUY, qty=10, config=VenueConfig(slippage=SLIP10), status=S.FILLED,
        fills=((1, 10, "100.12", R.MARKET_AT_OPEN),), references=("100.01",),
    ),
    # Sell: 100.01 * 0.999 = 99.90999, rounded down to the tick: 99.90.
    case(
        "slippage_10bps_market_sell_rounds_down_to_tick",
        (100.01, 101.00, 99.50, 100.50),
        side=SELL, qty=10, config=VenueConfig(slippage=SLIP10), status=S.FILLED,
        fills=((1, 10, "99.90", R.MARKET_AT_OPEN),), references=("100.01",),
    ),
    # Buy limit 100.05 filled at the open 100.00: slipped 100.10 would cross the limit -> 100.05.
    case(
        "slippage_never_crosses_buy_limit",
        (100.00, 101.00, 99.50, 100.50),
        side=BUY, qty=10, limit="100.05", config=VenueConfig(slippage=SLIP10), status=S.FILLED,
        fills=((1, 10, "100.05", R.LIMIT_AT_OPEN),), references=("100.00",),
    ),
    # Sell limit 99.95 filled at the open 100.00: slipped 99.90 would cross -> 99.95.
    case(
        "slippage_never_crosses_sell_limit",
        (100.00, 101.00, 99.50, 100.50),
        side=SELL, qty=10, limit="99.95", config=VenueConfig(slippage=SLIP10), status=S.FILLED,
        fills=((1, 10, "99.95", R.LIMIT_AT_OPEN),), references=("100.00",),
    ),
    # A touched limit rests on the book (maker): no slippage, 99.00 exactly.
    case(
        "slippage_not_applied_to_touched_limit",
        (100.00, 101.00, 98.00, 100.50),
        side=BUY, qty=10, limit="99.00", config=VenueConfig(slippage=SLIP10), status=S.FILLED,
        fills=((1, 10, "99.00", R.LIMIT_TOUCHED),), references=("99.00",),
    ),
    # Stop 101.00 triggered intrabar: 101 * 1.001 = 101.101, up to the tick: 101.11.
    case(
        "slippage_applies_to_triggered_stop",
        (100.20, 101.50, 100.00, 101.20),
        side=BUY, qty=10, stop="101.00", config=VenueConfig(slippage=SLIP10), status=S.FILLED,
        fills=((1, 10, "101.11", R.STOP_TRIGGERED),), references=("101.00",),
    ),
    # Stop-limit 101 / 101.05 at its trigger 101.00: slipped 101.11 capped at the limit 101.05.
    case(
        "slippage_stop_limit_at_trigger_capped_at_limit",
        (100.00, 102.00, 99.80, 101.80),
        side=BUY, qty=10, stop="101.00", limit="101.05", config=VenueConfig(slippage=SLIP10),
        status=S.FILLED, fills=((1, 10, "101.05", R.STOP_LIMIT_AT_TRIGGER),),
        references=("101.00",),
    ),
    # ---- commission ------------------------------------------------------------------------
    # PerShare 0.005, min 1, max 1.75; 100 shares per bar (10 % of 1000).  Cumulative order
    # fee after 100/200/300/400 shares: max(0.50,1)=1.00, max(1.00,1)=1.00, 1.50,
    # min(2.00,1.75)=1.75; the fills pay the increments 1.00, 0.00, 0.50, 0.25 = 1.75.
    case(
        "per_share_commission_min_max_per_order_across_partial_fills",
        *[(100.00, 100.50, 99.50, 100.00, 1000)] * 4,
        side=BUY, qty=400, status=S.FILLED,
        config=VenueConfig(
            commission=PerShareCommission("0.005", minimum="1", maximum="1.75"),
            fill_quantity=VP10,
        ),
        fills=tuple((i, 100, "100.00", R.MARKET_AT_OPEN) for i in (1, 2, 3, 4)),
        fees=("1.00", "0.00", "0.50", "0.25"),
    ),
    # The same order in one fill pays the same total: min(max(400*0.005, 1), 1.75) = 1.75.
    case(
        "per_share_commission_one_fill_pays_same_total",
        (100.00, 100.50, 99.50, 100.00),
        side=BUY, qty=400, status=S.FILLED,
        config=VenueConfig(commission=PerShareCommission("0.005", minimum="1", maximum="1.75")),
        fills=((1, 400, "100.00", R.MARKET_AT_OPEN),), fees=("1.75",),
    ),
    # 100 shares: 100 * 0.005 = 0.50 is below the minimum: 1.00.
    case(
        "per_share_commission_minimum_on_small_order",
        (100.00, 100.50, 99.50, 100.00),
        side=BUY, qty=100, status=S.FILLED,
        config=VenueConfig(commission=PerShareCommission("0.005", minimum="1", maximum="1.75")),
        fills=((1, 100, "100.00", R.MARKET_AT_OPEN),), fees=("1.00",),
    ),
    # Percent 0.1 % on 3 x 1 share at 33.33 (1 per bar: 10 % of volume 10).  Cumulative
    # notional 33.33/66.66/99.99 -> fee 0.03333->0.03, 0.06666->0.07, 0.09999->0.10:
    # increments 0.03, 0.04, 0.03 = 0.10, as one fill would pay (per-fill rounding: 0.09).
    case(
        "percent_commission_rounds_cumulative_order_fee",
        *[(33.33, 33.40, 33.30, 33.35, 10)] * 3,
        side=BUY, qty=3, status=S.FILLED,
        config=VenueConfig(commission=PercentCommission("0.001"), fill_quantity=VP10),
        fills=tuple((i, 1, "33.33", R.MARKET_AT_OPEN) for i in (1, 2, 3)),
        fees=("0.03", "0.04", "0.03"),
    ),
    # The same order in one fill: 3 * 33.33 = 99.99 -> 0.09999 -> 0.10, the same total.
    case(
        "percent_commission_one_fill_pays_same_total",
        (33.33, 33.40, 33.30, 33.35, 10),
        side=BUY, qty=3, status=S.FILLED,
        config=VenueConfig(commission=PercentCommission("0.001")),
        fills=((1, 3, "33.33", R.MARKET_AT_OPEN),), fees=("0.10",),
    ),
    # Fixed 5.00 per order, 300 shares in three fills of 100: 5.00 with the first, then 0.
    case(
        "fixed_commission_charged_once_per_order",
        *[(100.00, 100.50, 99.50, 100.00, 1000)] * 3,
        side=BUY, qty=300, status=S.FILLED,
        config=VenueConfig(commission=FixedCommission("5"), fill_quantity=VP10),
        fills=tuple((i, 100, "100.00", R.MARKET_AT_OPEN) for i in (1, 2, 3)),
        fees=("5.00", "0.00", "0.00"),
    ),
]  # fmt: skip


@pytest.mark.parametrize("row", CASES)
def test_fill_rules_table_row_matches_hand_calculation(row: Case, build: Any) -> None:
    if row.times is not None:
        ts = [build.ny_ns(day, hour, minute) for day, hour, minute in row.times]
    else:
        ts = build.daily_ts(len(row.bars)) if row.freq == "day" else build.minute_ts(len(row.bars))
    series = build.series(row.bars, ts=ts, freq=row.freq)
    kernel = build.kernel(series, config=row.config)
    cash_before = kernel.portfolio.cash

    kernel.run_until(ts[0] + row.submit_delay_ns)
    order = kernel.submit_order(
        "XYZ", row.side, row.qty, limit=row.limit, stop=row.stop, tif=row.tif
    )
    assert order.status is S.ACCEPTED
    kernel.run_until(ts[-1])

    fills = [e.fill for e in kernel.events if isinstance(e, OrderFilled)]
    got = [(ts.index(f.bar_ts), f.qty, f.price, f.rule) for f in fills]
    want = [(bar, Decimal(qty), Decimal(price), rule) for bar, qty, price, rule in row.fills]
    assert got == want
    assert order.status is row.status
    assert order.filled_qty == sum((Decimal(q) for _, q, _, _ in row.fills), Decimal(0))
    for fill in fills:
        touched = fill.rule in (R.LIMIT_TOUCHED, R.STOP_LIMIT_TOUCHED)
        assert fill.liquidity is (LiquiditySide.MAKER if touched else LiquiditySide.TAKER)
        assert fill.ts == fill.bar_ts  # booked while the bar that produced it was processed
    if row.fees is not None:
        assert [f.fee for f in fills] == [Decimal(fee) for fee in row.fees]
    if row.references is not None:
        assert [f.reference_price for f in fills] == [Decimal(r) for r in row.references]
        assert all(f.slippage >= 0 for f in fills)
    if row.paths is not None:
        assert [f.path for f in fills] == list(row.paths)
    closing = [e for e in kernel.events if isinstance(e, OrderCanceled | OrderExpired)]
    if row.closed_at is None:
        assert closing == []
    else:
        assert [e.ts for e in closing] == [ts[row.closed_at]]
    # The books follow the fills exactly: cash moved by notional and fees, position by qty.
    sign = row.side.sign
    spent = sum((sign * f.qty * f.price + f.fee for f in fills), Decimal(0))
    assert kernel.portfolio.cash == cash_before - spent
    assert kernel.position("XYZ").qty == sign * order.filled_qty


class _DecideOnBar(Strategy):
    """Buys with a limit at the close of bar ``at`` and records what it saw."""

    def __init__(self, at: int, limit: str) -> None:
        super().__init__()
        self.at = at
        self.limit = limit
        self.seen: list[int] = []
        self.fill_bar_ts: list[int] = []

    def on_bar(self, bar: Bar) -> None:
        self.seen.append(bar.ts)
        if len(self.seen) == self.at + 1:
            self.ctx.buy(bar.symbol, 10, limit=self.limit, tif="gtc")

    def on_fill(self, fill: Any) -> None:
        self.fill_bar_ts.append(fill.bar_ts)


def test_strategy_decision_on_bar_t_never_fills_at_bar_t_prices(build: Any) -> None:
    # Bar 1 (the decision bar) trades down to 97.00: a buy limit 98.00 would have filled
    # there.  The order exists only from bar 1's close, so it fills on bar 2, which opens
    # at 97.50 <= 98.00: LIMIT_AT_OPEN at 97.50, stamped with bar 2's time.
    bars = [SETUP, (100.00, 100.50, 97.00, 99.00), (97.50, 99.00, 97.00, 98.50)]
    series = build.series(bars)
    strategy = _DecideOnBar(at=1, limit="98.00")
    kernel = build.kernel(series, strategy=strategy)
    kernel.run_until(int(series.ts[-1]))

    fills = [e.fill for e in kernel.events if isinstance(e, OrderFilled)]
    assert [(f.bar_ts, f.price, f.rule) for f in fills] == [
        (int(series.ts[2]), Decimal("97.50"), R.LIMIT_AT_OPEN)
    ]
    assert strategy.fill_bar_ts == [int(series.ts[2])]


class _CrossSymbol(Strategy):
    """On AAA's first bar, buys BBB with a limit (BBB has no price yet: a market order
    would be rejected as unpriced)."""

    def on_bar(self, bar: Bar) -> None:
        if bar.symbol == "AAA" and self.ctx.history("AAA").ts.size == 1:
            self.ctx.buy("BBB", 10, limit="52.00", tif="gtc")


def test_decision_on_one_symbol_never_fills_on_other_symbols_bar_of_same_close(
    build: Any,
) -> None:
    # AAA and BBB both close at t0 and t1; the feed delivers AAA's t0 bar first.  A BBB buy
    # limit 52.00 decided at AAA's t0 close reaches the venue at t0, after BBB's t0 bar
    # opened: it must skip that bar (open 50.00 <= 52.00 would fill) and fill at BBB's t1
    # open, 51.00.
    t = build.minute_ts(2)
    aaa = build.series([SETUP, SETUP], ts=t, freq="minute", symbol="AAA")
    bbb = build.series(
        [(50.00, 50.50, 49.50, 50.00), (51.00, 51.50, 50.50, 51.00)],
        ts=t, freq="minute", symbol="BBB",
    )  # fmt: skip
    kernel = build.kernel([aaa, bbb], strategy=_CrossSymbol())
    kernel.run_until(t[-1])
    fills = [e.fill for e in kernel.events if isinstance(e, OrderFilled)]
    assert [(f.symbol, f.bar_ts, f.price, f.rule) for f in fills] == [
        ("BBB", t[1], Decimal("51.00"), R.LIMIT_AT_OPEN)
    ]
