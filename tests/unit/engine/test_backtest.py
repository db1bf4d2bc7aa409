"""The backtest runner: time filtering, fresh strategies per run, results."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.engine.backtest import Backtest
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.strategy.base import Strategy
from paperbroker.strategy.builtin import BuyAndHold

# Ten weekday sessions from Tue 2024-01-02 to Mon 2024-01-15, closing at 16:00 New York
# (21:00 UTC in January).
DAYS = [date(2024, 1, d) for d in (2, 3, 4, 5, 8, 9, 10, 11, 12, 15)]


class _Recorder(Strategy):
    seen: ClassVar[list[int]] = []
    starts: ClassVar[int] = 0

    def on_start(self) -> None:
        type(self).seen = []
        type(self).starts += 1

    def on_bar(self, bar: Bar) -> None:
        type(self).seen.append(bar.ts)


@pytest.fixture
def ten_days(build: Any) -> Any:
    rows = [(100.0 + i, 101.0 + i, 99.0 + i, 100.5 + i) for i in range(10)]
    return build.series(rows, ts=[build.ny_ns(d) for d in DAYS])


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2024-01-04", "2024-01-09"),  # bare dates: whole UTC days, end inclusive
        (datetime(2024, 1, 4, tzinfo=UTC), datetime(2024, 1, 9, 23, 59, tzinfo=UTC)),
        ("2024-01-04T00:00:00+00:00", "2024-01-09T21:00:00+00:00"),  # end == last close
        ("2024-01-03T21:00:00.000001", "2024-01-10T20:59:59"),  # naive text is UTC
    ],
)
def test_backtest_start_end_keep_only_bars_closing_in_range(
    build: Any, ten_days: Any, start: Any, end: Any
) -> None:
    result = Backtest(ten_days, _Recorder, start=start, end=end, execution="ideal").run()
    expected = [build.ny_ns(d) for d in DAYS[2:6]]  # Jan 4, 5, 8, 9
    assert _Recorder.seen == expected
    assert result.bars_processed == 4
    assert result.equity_curve.ts.tolist() == expected


def test_backtest_epoch_ns_bounds_are_inclusive(build: Any, ten_days: Any) -> None:
    first, last = build.ny_ns(DAYS[1]), build.ny_ns(DAYS[3])
    result = Backtest(ten_days, _Recorder, start=first, end=last, execution="ideal").run()
    assert _Recorder.seen == [first, build.ny_ns(DAYS[2]), last]
    assert result.bars_processed == 3


def test_backtest_indicators_see_only_filtered_bars(build: Any, ten_days: Any) -> None:
    # BuyAndHold buys on the first bar in range at its close: here Jan 8 (close 104.50),
    # filled at Jan 9's open 105.00.
    result = Backtest(
        ten_days, BuyAndHold, cash=10_000, start="2024-01-08", execution="ideal"
    ).run()
    first = result.fills[0]
    assert first.bar_ts == build.ny_ns(DAYS[5])
    assert first.price == Decimal("105.00")
    assert first.qty == 95  # floor(10 000 / 104.50)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2024-01-09", "end": "2024-01-04"}, "start is after end"),
        (
            {"start": "2025-01-01", "end": "2025-06-30T14:30"},
            "no bars in the requested range 2025-01-01 – 2025-06-30 14:30Z for XYZ; "
            "the data has XYZ: 2024-01-02 – 2024-01-15",
        ),
        ({"end": "yesterday"}, "end 'yesterday' is not an ISO-8601"),
        ({"cash": 0}, "cash must be positive"),
        ({"cash": "lots"}, "cash 'lots' is not a number"),
    ],
)
def test_backtest_bad_arguments_raise_invalid_request(
    ten_days: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        Backtest(ten_days, _Recorder, **kwargs, execution="ideal")


def test_backtest_runs_twice_with_fresh_strategy_and_same_result(ten_days: Any) -> None:
    backtest = Backtest(ten_days, BuyAndHold, cash=10_000, execution="ideal")
    first, second = backtest.run(), backtest.run()
    assert first.fills_digest() == second.fills_digest()
    assert first.final_equity == second.final_equity
    assert len(first.orders) == len(second.orders) == 1


def test_backtest_each_run_starts_the_strategy_once(ten_days: Any) -> None:
    _Recorder.starts = 0
    backtest = Backtest(ten_days, _Recorder, execution="ideal")
    backtest.run()
    backtest.run()
    assert _Recorder.starts == 2


def test_backtest_result_books_reconcile(ten_days: Any) -> None:
    result = Backtest(ten_days, BuyAndHold, cash=10_000, execution="ideal").run()
    # BuyAndHold: day 1 close 100.50 -> floor(10 000 / 100.50) = 99 shares, filled at
    # day 2's open 101.00: cash 10 000 - 9 999 = 1; last close 109.50: 99 * 109.50 = 10 840.50.
    assert result.final_cash == Decimal("1.00")
    assert result.final_equity == Decimal("10841.50")
    assert result.unrealized_pnl == Decimal("841.50")
    assert result.equity_curve.equity[-1] == 10841.5
    assert result.summary()["final_equity"] == "10841.50"
    assert result.summary()["open_positions"] == {"XYZ": "99"}


def test_feed_merges_by_close_time_ties_in_instrument_order(build: Any) -> None:
    t = build.daily_ts(2)
    aaa = build.series([(1, 1, 1, 1)] * 2, ts=t, symbol="AAA")
    bbb = build.series([(2, 2, 2, 2)] * 2, ts=t, symbol="BBB")
    feed = HistoricalFeed([bbb, aaa])
    bars, instruments, rows = feed.chunk(0, len(feed))
    assert [(b.symbol, b.ts) for b in bars] == [("BBB", t[0]), ("AAA", t[0]), ("BBB", t[1]),
                                                 ("AAA", t[1])]  # fmt: skip
    assert (instruments, rows) == ([0, 1, 0, 1], [0, 0, 1, 1])
    with pytest.raises(InvalidRequest, match="symbol given twice: AAA"):
        HistoricalFeed([aaa, aaa])
