"""Trade statistics and MAE/MFE: golden numbers by hand, and invariants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import make_series

from paperbroker.analytics.excursions import excursion, with_excursions
from paperbroker.analytics.trade_stats import trade_stats, turnover
from paperbroker.analytics.trades import Direction, Trade
from paperbroker.core.ids import FillId

D = Decimal
DAY = 86_400 * 1_000_000_000


def trade(
    pnl: str,
    *,
    entry_ts: int = 0,
    exit_ts: int | None = DAY,
    direction: Direction = "long",
    entry_price: str = "100",
    exit_price: str | None = "100",
) -> Trade:
    """A trade of 10 units whose net P&L is ``pnl`` (fees 1)."""
    return Trade(
        symbol="XYZ", direction=direction, qty=D(10), entry_ts=entry_ts, exit_ts=exit_ts,
        entry_price=D(entry_price), exit_price=None if exit_price is None else D(exit_price),
        gross_pnl=D(pnl) + 1, fees=D(1), fill_ids=(FillId("F-1"),),
    )  # fmt: skip


def test_trade_statistics_by_hand() -> None:
    # Closed in this order: +50, +30, -20, -10, -40, +100, 0; and one still open.
    pnls = ["50", "30", "-20", "-10", "-40", "100", "0"]
    trades = [trade(p, entry_ts=i * DAY, exit_ts=i * DAY + DAY // 2) for i, p in enumerate(pnls)]
    trades.append(trade("5", entry_ts=8 * DAY, exit_ts=None, exit_price=None))
    s = trade_stats(trades, 10 * DAY)
    assert (s.num_trades, s.num_open_trades) == (7, 1)
    assert s.win_rate == pytest.approx(3 / 7)
    assert s.profit_factor == pytest.approx(180 / 70)
    assert s.avg_trade_pnl == D(110) / 7
    # Notional 100 × 10 = 1000 each: returns are pnl / 1000.
    assert s.expectancy == pytest.approx(0.110 / 7)
    assert s.avg_win == D(60)
    assert s.avg_loss == D(-70) / 3
    assert (s.largest_win, s.largest_loss) == (D(100), D(-40))
    assert (s.longest_win_streak, s.longest_loss_streak) == (2, 3)
    assert s.trades_per_day == pytest.approx(0.7)
    assert s.avg_holding_ns == DAY // 2


def test_without_closed_trades_the_averages_are_none() -> None:
    s = trade_stats([trade("5", exit_ts=None, exit_price=None)], 0)
    assert (s.num_trades, s.win_rate, s.profit_factor) == (0, 0.0, 0.0)
    assert (s.expectancy, s.avg_win, s.avg_loss, s.largest_win, s.largest_loss) == (None,) * 5
    assert (s.trades_per_day, s.avg_holding_ns) == (None, None)
    assert turnover(D(1000), 0.0) is None
    assert turnover(D(1000), 500.0) == 2.0


@given(st.lists(st.integers(-1000, 1000), max_size=40))
def test_win_rate_is_a_fraction_and_streaks_fit_the_count(pnls: list[int]) -> None:
    s = trade_stats([trade(str(p), exit_ts=i + 1) for i, p in enumerate(pnls)], DAY)
    assert 0.0 <= s.win_rate <= 1.0
    assert s.profit_factor >= 0.0
    assert s.longest_win_streak + s.longest_loss_streak <= len(pnls)
    wins = sum(1 for p in pnls if p > 0)
    assert s.longest_win_streak <= wins


# Daily bars (open, high, low, close) closing 16:00 New York from 2024-01-02 on.
BARS = make_series(
    [(100, 105, 98, 104), (104, 112, 101, 110), (110, 111, 90, 95), (95, 99, 94, 97)]
)


def test_mae_and_mfe_of_a_long_from_the_bars_while_it_was_open() -> None:
    # Entered at the first bar's open, left at the third bar's open (110).
    entry, exit_ = int(BARS.ts[0] - BARS.duration_ns), int(BARS.ts[2] - BARS.duration_ns)
    t = trade("0", entry_ts=entry, exit_ts=exit_, exit_price="110")
    mae, mfe = excursion(t, BARS)
    assert mae == pytest.approx(98 / 100 - 1)  # the first bar's low
    assert mfe == pytest.approx(112 / 100 - 1)  # the second bar's high; the third is after
    [with_both] = with_excursions([t], {"XYZ": BARS})
    assert (with_both.mae, with_both.mfe) == (mae, mfe)


def test_mae_and_mfe_of_an_open_short_run_to_the_last_bar() -> None:
    t = trade("0", entry_ts=int(BARS.ts[1]), exit_ts=None, direction="short",
              entry_price="110", exit_price=None)  # fmt: skip
    mae, mfe = excursion(t, BARS)
    assert mae == pytest.approx(1 - 111 / 110)  # bars 3 and 4: highest high 111
    assert mfe == pytest.approx(1 - 90 / 110)  # lowest low 90


def test_a_trade_without_bars_has_no_excursion() -> None:
    t = trade("0")
    assert excursion(t, None) == (None, None)
    assert with_excursions([t], {}) == [t]
    assert t.mae is None
