"""Portfolio history through the unmodified alpaca-py TradingClient, checked by hand.

The session starts 2012-01-03 09:30 New York with 100 000 in cash, on the
ideal venue.  A market buy of 10 AAPL sent at the start fills at that day's
open, 409.40 (cash 95 906.00); after the close a sell of 4 fills at
2012-01-04's open, 410.00 (cash 97 546.00, 6 held).  AAPL closes at 411.23,
413.44 and 418.03 on 2012-01-03, 04 and 05, and opens at 414.95 on the 5th.
The clock stops at the 5th's close, 16:00.

Equity at each close: 95 906.00 + 10 x 411.23 = 100 018.30;
97 546.00 + 6 x 413.44 = 100 026.64; 97 546.00 + 6 x 418.03 = 100 054.18.
During the 5th's session only its open is known: 97 546.00 + 6 x 414.95 = 100 035.70.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx2
import pytest
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.models import PortfolioHistory
from alpaca.trading.requests import GetPortfolioHistoryRequest, MarketOrderRequest
from tests.compat.conftest import Bot

JAN_3, JAN_4, JAN_5 = 1325566800, 1325653200, 1325739600  # midnight New York, epoch s
JAN_5_OPEN = 1325773800  # 09:30 New York
HOUR = 3600


def market(qty: int, side: OrderSide) -> MarketOrderRequest:
    return MarketOrderRequest(symbol="AAPL", qty=qty, side=side, time_in_force=TimeInForce.DAY)


@pytest.fixture
def traded(bot: Bot) -> Bot:
    trading = bot.trading()
    trading.submit_order(market(10, OrderSide.BUY))
    bot.advance(targetTime="2012-01-03T21:00:00Z")
    trading.submit_order(market(4, OrderSide.SELL))
    bot.advance(targetTime="2012-01-05T21:00:00Z")
    return bot


def history(bot: Bot, **fields: Any) -> PortfolioHistory:
    result = bot.trading().get_portfolio_history(GetPortfolioHistoryRequest(**fields))
    assert isinstance(result, PortfolioHistory)
    return result


def raw(bot: Bot, **params: Any) -> httpx2.Response:
    key_id, secret = bot.key
    headers = {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}
    return httpx2.get(
        bot.server.url + "/v2/account/portfolio/history", params=params, headers=headers
    )


def test_daily_history_is_each_trading_days_close_from_the_accounts_opening(
    traded: Bot,
) -> None:
    daily = history(traded, period="1W", timeframe="1D")
    # The week back from the 5th starts on 2011-12-30, before the account opened;
    # 2012-01-02 was a holiday.
    assert daily.timestamp == [JAN_3, JAN_4, JAN_5]
    assert daily.equity == [100_018.30, 100_026.64, 100_054.18]
    assert daily.base_value == 100_000.0
    assert daily.profit_loss == [18.30, 26.64, 54.18]
    assert daily.profit_loss_pct == [0.000183, 0.0002664, 0.0005418]
    assert daily.timeframe == "1D"
    account = traded.v1(
        "GET",
        f"/v1/trading/accounts/{traded.account_id}/account",
        headers={"X-Session-Id": traded.session_id},
    ).json()
    assert daily.equity[-1] == float(account["equity"])  # the account's equity now
    default = history(traded)  # period 1M: daily, the same three days
    assert (default.timeframe, default.equity) == ("1D", daily.equity)


def test_intraday_history_knows_only_the_open_during_the_session(traded: Bot) -> None:
    hourly = history(traded, period="1D", timeframe="1H")
    assert hourly.timestamp == [JAN_5_OPEN + i * HOUR for i in range(7)]
    assert hourly.equity == [100_035.70] * 6 + [100_054.18]
    assert hourly.base_value == 100_026.64  # the 4th's close: P/L resets each day
    assert hourly.profit_loss == [9.06] * 6 + [27.54]
    assert hourly.profit_loss_pct[0] == pytest.approx(9.06 / 100_026.64, rel=1e-9)
    extended = history(traded, period="1D", timeframe="1H", intraday_reporting="extended_hours")
    assert extended.timestamp[0] == JAN_5 + 4 * HOUR  # 04:00 New York
    assert len(extended.timestamp) == 12  # 04:00 to 15:00: nothing after the clock
    assert extended.equity[:5] == [100_026.64] * 5  # before the open: the 4th's close
    legacy = history(traded, period="1D", timeframe="1H", extended_hours=True)
    assert legacy.timestamp == extended.timestamp


def test_start_end_and_date_end_choose_the_span(traded: Bot) -> None:
    start = datetime(2012, 1, 4, tzinfo=UTC)
    end = datetime(2012, 1, 4, 21, 0, tzinfo=UTC)
    window = history(traded, start=start, end=end, timeframe="1D")
    assert window.timestamp == [JAN_4]
    assert window.equity == [100_026.64]
    assert window.base_value == 100_018.30  # equity at 2012-01-04 00:00 New York
    first_day = history(traded, date_end=date(2012, 1, 3), period="1W", timeframe="1D")
    assert (first_day.timestamp, first_day.equity) == ([JAN_3], [100_018.30])
    nothing = history(traded, end=datetime(2012, 1, 3, 12, tzinfo=UTC), period="1D")
    assert nothing.timestamp == []  # the account opened at 09:30


def test_the_history_never_reads_past_the_clock(bot: Bot) -> None:
    bot.trading().submit_order(market(10, OrderSide.BUY))
    bot.advance(targetTime="2012-01-04T17:00:00Z")  # 12:00 New York on the 4th
    far = history(bot, end=datetime(2012, 3, 1, tzinfo=UTC), period="1W", timeframe="1D")
    assert far.timestamp == [JAN_3, JAN_4]
    # Now the 4th's bar has only opened, at 410.00 (its close, 413.44, is the future).
    assert far.equity == [100_018.30, 95_906.00 + 10 * 410.00]


def test_cash_flows_are_reported_when_asked(traded: Bot) -> None:
    response = raw(traded, period="1W", timeframe="1D", cashflow_types="ALL")
    assert response.status_code == 200, response.text
    assert response.json()["cashflow"] == {"CSD": [100_000.0, 0.0, 0.0], "FEE": [0.0, 0.0, 0.0]}
    PortfolioHistory(**response.json())
    assert raw(traded, period="1W", timeframe="1D").json()["cashflow"] == {}


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"period": "1X"}, "period"),
        ({"timeframe": "2H"}, "timeframe"),
        ({"intraday_reporting": "always"}, "intraday_reporting"),
        ({"pnl_reset": "weekly"}, "pnl_reset"),
        ({"date_end": "someday"}, "date_end"),
        ({"start": "2012-01-03", "end": "2012-01-04", "period": "1D"}, "at most two"),
        ({"end": "2012-01-04", "date_end": "2012-01-04"}, "date_end"),
        ({"period": "2M", "timeframe": "1H"}, "at most 30 days"),
        ({"start": "2012-01-05", "end": "2012-01-04"}, "start"),
        ({"cashflow_types": "FEE,BOGUS"}, "BOGUS"),
    ],
)
def test_bad_history_queries_are_422_naming_the_parameter(
    bot: Bot, params: dict[str, Any], says: str
) -> None:
    response = raw(bot, **params)
    assert response.status_code == 422, response.text
    assert says in response.json()["message"]
