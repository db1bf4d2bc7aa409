"""Alpaca's account, positions and portfolio history over prices off their tick, via alpaca-py.

ADJ has dividend-adjusted daily prices on an equity's 0.01 tick, so every
price is marked at the nearest cent, the same way everywhere.  A market buy
of 10 sent at 2012-01-03 09:35 New York (the day's bar in progress) fills at
the last price known then, that day's open 100.004: 100.00 (cash 99 000.00),
without waiting for the day's close.  On the 5th at 10:00 that day's bar is
in progress: its open 101.4449 is the mark, 101.44; the last close before the
day, 101.2371, is marked 101.24.  So the position is worth 1 014.40 (14.40
over its cost), its intraday P/L is 10 x (101.44 - 101.24) = 2.00, the equity
is 100 014.40 and ``last_equity`` (the 4th's close) 99 000.00 + 1 012.40 =
100 012.40.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.models import PortfolioHistory, Position, TradeAccount
from alpaca.trading.requests import GetPortfolioHistoryRequest, MarketOrderRequest
from tests.compat.conftest import Bot, LiveServer, make_bot

from paperbroker.data.series import BarSeries
from paperbroker.model.instrument import Instrument
from paperbroker.session import MarketData

NEW_YORK_CLOSES = [1325624400, 1325710800, 1325797200]  # 2012-01-03..05 16:00, epoch s
ROWS = [  # open, high, low, close
    (100.004, 101.0, 99.0, 100.126),
    (100.503, 102.0, 100.0, 101.2371),
    (101.4449, 103.0, 101.0, 102.5),
]


def adjusted_days() -> BarSeries:
    columns = np.array(ROWS, dtype=np.float64)
    return BarSeries(
        Instrument.equity("ADJ"),
        np.array(NEW_YORK_CLOSES, dtype=np.int64) * 1_000_000_000,
        *(np.ascontiguousarray(columns[:, i]) for i in range(4)),
        np.full(len(ROWS), 1e6),
        390 * 60 * 1_000_000_000,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    path: Path = tmp_path_factory.mktemp("alpaca") / "server.db"
    live = LiveServer(f"sqlite:///{path}", market=MarketData({"ADJ": adjusted_days()}))
    try:
        yield live
    finally:
        live.close()


@pytest.fixture
def held(server: LiveServer) -> Bot:
    bot = make_bot(server, startTime="2012-01-03T14:35:00Z", endTime="2012-01-06T21:00:00Z")
    order = MarketOrderRequest(
        symbol="ADJ", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
    )
    bot.trading().submit_order(order)
    bot.advance(targetTime="2012-01-05T15:00:00Z")  # 10:00 New York, the 5th's bar in progress
    return bot


def test_positions_account_and_history_value_at_the_same_marks(held: Bot) -> None:
    trading = held.trading()
    position = trading.get_open_position("ADJ")
    assert isinstance(position, Position)
    assert Decimal(position.avg_entry_price) == Decimal("100.00")
    assert Decimal(position.current_price) == Decimal("101.44")
    assert Decimal(position.lastday_price) == Decimal("101.24")
    assert Decimal(position.market_value) == Decimal("1014.40")
    assert Decimal(str(position.unrealized_intraday_pl)) == Decimal("2.00")
    account = trading.get_account()
    assert isinstance(account, TradeAccount)
    assert Decimal(account.equity) == Decimal("100014.40")
    assert Decimal(account.last_equity) == Decimal("100012.40")
    history = trading.get_portfolio_history(
        GetPortfolioHistoryRequest(timeframe="1Min", period="1D")
    )
    assert isinstance(history, PortfolioHistory)
    assert history.equity[-1] == 100_014.40
    session = held.v1("GET", f"/v1/sessions/{held.session_id}").json()
    assert session["total_unrealized_pnl"] == "14.40"
    assert session["data_notes"] == [
        "ADJ: 3 of 3 bars have prices off its 0.01 tick (e.g. open 100.004); "
        "fills and marks use the nearest tick (100.00)"
    ]
