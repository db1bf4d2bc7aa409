"""Derived trades and quotes through the unmodified alpaca-py StockHistoricalDataClient.

Hand-checked from the bundled CSV (daily bars, 09:30-16:00 New York, i.e.
14:30-21:00 UTC in January): AAPL 2012-01-03 o 409.4 c 411.23 v 10,793,600;
2012-01-04 o 410.0 c 413.44 v 9,286,500; 2012-01-05 o 414.95 c 418.03.
A bar makes two derived trades: its open at 14:30 (size 0) and its close at
21:00 (its volume); the open is known strictly after 14:30.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx2
from alpaca.data.models import Quote, QuoteSet, Snapshot, Trade, TradeSet
from alpaca.data.requests import (
    StockLatestQuoteRequest,
    StockLatestTradeRequest,
    StockQuotesRequest,
    StockSnapshotRequest,
    StockTradesRequest,
)
from tests.compat.conftest import Bot, LiveServer, make_bot


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def raw(bot: Bot, path: str, **params: Any) -> httpx2.Response:
    key_id, secret = bot.key
    headers = {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}
    return httpx2.get(bot.server.url + path, params=params, headers=headers)


def printed(trade: Trade) -> tuple[datetime, float, float]:
    return trade.timestamp, trade.price, trade.size


def latest_trade(bot: Bot, symbol: str = "AAPL") -> Trade:
    found = bot.data().get_stock_latest_trade(StockLatestTradeRequest(symbol_or_symbols=symbol))
    assert isinstance(found, dict)
    trade = found[symbol]
    assert isinstance(trade, Trade)
    return trade


def latest_quote(bot: Bot, symbol: str = "AAPL") -> Quote:
    found = bot.data().get_stock_latest_quote(StockLatestQuoteRequest(symbol_or_symbols=symbol))
    assert isinstance(found, dict)
    quote = found[symbol]
    assert isinstance(quote, Quote)
    return quote


def test_the_latest_trade_is_the_last_close_then_the_open_strictly_after_it(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-04T14:30:00Z")  # the 4 January bar opens: not known yet
    trade = latest_trade(bot)
    assert printed(trade) == (at("2012-01-03T21:00:00"), 411.23, 10_793_600)
    assert trade.conditions == ["derived"]
    bot.advance(targetTime="2012-01-04T14:31:00Z")
    assert printed(latest_trade(bot)) == (at("2012-01-04T14:30:00"), 410.0, 0)
    bot.advance(targetTime="2012-01-04T21:00:00Z")
    assert printed(latest_trade(bot)) == (at("2012-01-04T21:00:00"), 413.44, 9_286_500)
    body = raw(bot, "/v2/stocks/trades/latest", symbols="AAPL,ZZZZ").json()
    assert list(body["trades"]) == ["AAPL"]  # a symbol without data has no trade
    assert body["trades"]["AAPL"]["derived"] is True


def test_quotes_are_the_trade_price_when_the_session_charges_no_spread(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-04T15:00:00Z")
    quote = latest_quote(bot)
    assert (quote.timestamp, quote.bid_price, quote.ask_price) == (
        at("2012-01-04T14:30:00"), 410.0, 410.0,
    )  # fmt: skip
    assert (quote.bid_size, quote.ask_size, quote.conditions) == (0, 0, ["derived"])


def test_quotes_straddle_the_trade_by_the_half_spread_the_session_charges(
    live_server: LiveServer,
) -> None:
    execution = {"preset": "ideal", "slippage": {"model": "half_spread", "spread_bps": "10"}}
    bot = make_bot(live_server, execution=execution)
    bot.advance(targetTime="2012-01-04T15:00:00Z")
    quote = latest_quote(bot)
    # 410.00 less and plus 5 bps on the 0.0001 tick, as a taker's fill is priced.
    assert (quote.bid_price, quote.ask_price) == (409.795, 410.205)
    assert latest_trade(bot).price == 410.0


def test_historical_trades_stop_at_the_session_time_and_page(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-05T15:00:00Z")
    client = bot.data()
    request = StockTradesRequest(
        symbol_or_symbols=["AAPL", "MSFT"], start=at("2012-01-03"), end=at("2012-01-31")
    )
    trades = client.get_stock_trades(request)
    assert isinstance(trades, TradeSet)
    assert [printed(t) for t in trades.data["AAPL"]] == [
        (at("2012-01-03T14:30:00"), 409.4, 0),
        (at("2012-01-03T21:00:00"), 411.23, 10_793_600),
        (at("2012-01-04T14:30:00"), 410.0, 0),
        (at("2012-01-04T21:00:00"), 413.44, 9_286_500),
        (at("2012-01-05T14:30:00"), 414.95, 0),  # the 5 January close is still to come
    ]
    assert len(trades.data["MSFT"]) == 5
    # Three a page, across both symbols: the client follows the tokens to the same list.
    first = raw(bot, "/v2/stocks/trades", symbols="AAPL,MSFT", start="2012-01-03", limit=3).json()
    assert [len(v) for v in first["trades"].values()] == [3]
    paged = client.get_stock_trades(
        StockTradesRequest(symbol_or_symbols=["AAPL", "MSFT"], start=at("2012-01-03"), limit=7)
    )
    assert isinstance(paged, TradeSet)
    assert [t.price for t in paged.data["AAPL"]] == [t.price for t in trades.data["AAPL"]]
    assert len(paged.data["MSFT"]) == 2
    rest = raw(bot, "/v2/stocks/trades", symbols="AAPL", start="2012-01-03",
               page_token=first["next_page_token"]).json()  # fmt: skip
    assert [t["p"] for t in rest["trades"]["AAPL"]] == [413.44, 414.95]
    newest = raw(bot, "/v2/stocks/trades", symbols="AAPL", start="2012-01-03", sort="desc",
                 limit=2).json()  # fmt: skip
    assert [t["p"] for t in newest["trades"]["AAPL"]] == [414.95, 413.44]


def test_historical_quotes_match_the_trades(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-04T21:00:00Z")
    quotes = bot.data().get_stock_quotes(
        StockQuotesRequest(symbol_or_symbols="AAPL", start=at("2012-01-04"))
    )
    assert isinstance(quotes, QuoteSet)
    assert [(q.timestamp, q.bid_price, q.ask_price) for q in quotes.data["AAPL"]] == [
        (at("2012-01-04T14:30:00"), 410.0, 410.0),
        (at("2012-01-04T21:00:00"), 413.44, 413.44),
    ]


def test_the_single_symbol_routes_of_older_clients(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-04T15:00:00Z")
    trade = raw(bot, "/v2/stocks/aapl/trades/latest").json()
    assert (trade["symbol"], trade["trade"]["p"], trade["trade"]["t"]) == (
        "AAPL", 410.0, "2012-01-04T14:30:00Z",
    )  # fmt: skip
    quote = raw(bot, "/v2/stocks/AAPL/quotes/latest").json()
    assert (quote["symbol"], quote["quote"]["bp"], quote["quote"]["as"]) == ("AAPL", 410.0, 0)
    history = raw(bot, "/v2/stocks/AAPL/trades", start="2012-01-04").json()
    assert history == {"trades": [trade["trade"]], "symbol": "AAPL", "next_page_token": None}
    quotes = raw(bot, "/v2/stocks/AAPL/quotes", start="2012-01-04").json()
    assert quotes == {"quotes": [quote["quote"]], "symbol": "AAPL", "next_page_token": None}
    assert raw(bot, "/v2/stocks/ZZZZ/trades/latest").status_code == 404


def test_nothing_before_the_first_bar_opened(live_server: LiveServer) -> None:
    # FB's first bar opens 2012-05-18 09:30 New York (13:30 UTC): at that instant, no trade.
    bot = make_bot(live_server, startTime="2012-05-18T13:30:00Z", endTime="2012-06-29T20:00:00Z")
    assert raw(bot, "/v2/stocks/trades/latest", symbols="FB").json() == {"trades": {}}
    assert raw(bot, "/v2/stocks/quotes/latest", symbols="FB").json() == {"quotes": {}}
    missing = raw(bot, "/v2/stocks/FB/trades/latest")
    assert (missing.status_code, missing.json()["code"]) == (404, 40410000)
    bot.advance(targetTime="2012-05-18T13:31:00Z")
    assert latest_trade(bot, "FB").timestamp == at("2012-05-18T13:30:00")


def test_bad_queries_are_422(bot: Bot) -> None:
    for path, params in (
        ("/v2/stocks/trades", {"symbols": ""}),
        ("/v2/stocks/quotes", {"symbols": "AAPL", "start": "yesterday"}),
        ("/v2/stocks/trades", {"symbols": "AAPL", "page_token": "nope"}),
        ("/v2/stocks/trades", {"symbols": "AAPL", "limit": 0}),
        ("/v2/stocks/quotes/latest", {"symbols": "BRK B"}),
    ):
        response = raw(bot, path, **params)
        assert response.status_code == 422, (path, params, response.text)
        assert set(response.json()) == {"code", "message"}


def test_a_snapshot_as_of_the_session_time(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-05T15:00:00Z")  # 10:00 on 5 January: its bar is open
    snapshots = bot.data().get_stock_snapshot(
        StockSnapshotRequest(symbol_or_symbols=["AAPL", "ZZZZ"])
    )
    assert isinstance(snapshots, dict)
    assert list(snapshots) == ["AAPL"]
    snapshot = snapshots["AAPL"]
    assert isinstance(snapshot, Snapshot)
    assert snapshot.latest_trade is not None
    assert snapshot.latest_quote is not None
    assert printed(snapshot.latest_trade) == (at("2012-01-05T14:30:00"), 414.95, 0)
    assert (snapshot.latest_quote.bid_price, snapshot.latest_quote.ask_price) == (414.95, 414.95)
    assert snapshot.minute_bar is not None
    assert snapshot.daily_bar is not None
    assert snapshot.previous_daily_bar is not None
    # The 5 January bar has not closed: the last day with a closed bar is the 4th.
    assert (snapshot.minute_bar.timestamp, snapshot.minute_bar.close) == (
        at("2012-01-04T05:00:00"), 413.44,
    )  # fmt: skip
    assert (snapshot.daily_bar.timestamp, snapshot.daily_bar.close) == (
        at("2012-01-04T05:00:00"), 413.44,
    )  # fmt: skip
    assert (snapshot.previous_daily_bar.timestamp, snapshot.previous_daily_bar.close) == (
        at("2012-01-03T05:00:00"), 411.23,
    )  # fmt: skip
    one = raw(bot, "/v2/stocks/aapl/snapshot").json()
    whole = raw(bot, "/v2/stocks/snapshots", symbols="AAPL").json()
    assert one == {"symbol": "AAPL", **whole["AAPL"]}
    assert raw(bot, "/v2/stocks/ZZZZ/snapshot").status_code == 404


def test_a_snapshot_of_hourly_bars_aggregates_the_day_so_far(live_server: LiveServer) -> None:
    bot = make_bot(live_server, startTime="2017-03-02T12:00:00Z", endTime="2017-03-10T00:00:00Z")
    bot.advance(targetTime="2017-03-02T14:00:00Z")
    query = {"symbols": "EURUSD", "timeframe": "1Day"}
    day = raw(bot, "/v2/stocks/bars", start="2017-03-02", **query).json()["bars"]["EURUSD"]
    previous = raw(bot, "/v2/stocks/bars", start="2017-03-01", end="2017-03-01T23:00:00Z",
                   **query).json()["bars"]["EURUSD"]  # fmt: skip
    snapshot = raw(bot, "/v2/stocks/EURUSD/snapshot").json()
    assert snapshot["dailyBar"] == day[-1]
    assert snapshot["prevDailyBar"] == previous[-1]
    assert snapshot["minuteBar"]["t"] == "2017-03-02T13:00:00Z"  # the hour that just closed
