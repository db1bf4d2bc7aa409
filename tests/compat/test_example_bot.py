"""The example bot, written only against alpaca-py, runs a whole backtest session.

The expected trades and equity are computed here independently, from the
bundled CSV: each trading day at 09:35 New York the bot compares the 5- and
20-day averages of the closes of the previous 60 calendar days; its market
orders fill at once at that day's open, the last price known at 09:35 (the
ideal preset: no slippage, no fees).
"""

from __future__ import annotations

import csv
import gzip
import sys
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from tests.compat.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[2]
START, END = "2012-01-03", "2012-06-29"
FAST, SLOW, QTY = 5, 20, 10


@pytest.fixture
def driver() -> object:
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import backtest_driver

        yield backtest_driver
    finally:
        sys.path.remove(str(ROOT / "examples"))


def aapl_bars() -> list[tuple[date, Decimal, Decimal]]:
    """(day, open, close) of every bundled AAPL bar of 2011 and 2012, from the raw file."""
    source = resources.files("paperbroker.data") / "files" / "stocks.csv.gz"
    with gzip.open(str(source), "rt") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Ticker"] == "AAPL"]
    return [
        (date.fromisoformat(r["Date"]), Decimal(r["Open"]), Decimal(r["Close"]))
        for r in rows
        if r["Date"].startswith(("2011", "2012"))
    ]


def expected_run() -> tuple[list[tuple[str, str]], Decimal]:
    bars = aapl_bars()
    days = [day for day, _, _ in bars if START <= day.isoformat() <= END]
    cash, held = Decimal(100_000), 0
    actions: list[tuple[str, str]] = []
    for day in days:
        open_price = next(o for d, o, _ in bars if d == day)
        # Day bars are stamped at 00:00 New York: 09:35 sixty days back leaves that day out.
        window = [c for d, _, c in bars if day - timedelta(days=3 * SLOW) < d < day]
        if len(window) < SLOW:
            continue
        fast = sum(window[-FAST:]) / FAST
        slow = sum(window[-SLOW:]) / SLOW
        if fast > slow and held == 0:
            cash, held = cash - QTY * open_price, QTY
            actions.append((day.isoformat(), "buy"))
        elif fast < slow and held > 0:
            cash, held = cash + held * open_price, 0
            actions.append((day.isoformat(), "sell"))
    last_close = next(c for d, _, c in bars if d.isoformat() == END)
    return actions, cash + held * last_close


def test_the_sma_bot_trades_a_backtest_end_to_end(live_server: LiveServer, driver: object) -> None:
    owner = live_server.keys.create("owner")
    result = driver.run_backtest(  # type: ignore[attr-defined]
        live_server.url, owner, start=START, end=END, execution="ideal",
        symbol="AAPL", fast=FAST, slow=SLOW, qty=QTY,
    )  # fmt: skip
    actions, equity = expected_run()
    assert len(actions) >= 4  # the run means something: it trades in and out
    assert result.actions == actions
    assert result.account is not None
    assert Decimal(result.account.equity) == equity
    # Every order it sent filled, on the day the bot acted, and the driver says so.
    lines = [driver.outcome(order) for order in result.orders]  # type: ignore[attr-defined]
    assert [line.split(" filled at ")[0] for line in lines] == [
        f"{day} {action} {QTY}" for day, action in actions
    ]
