"""Market Data v2 bars through the unmodified alpaca-py StockHistoricalDataClient.

Hand-checked from the bundled CSV (daily bars, each 09:30-16:00 New York):

- AAPL 2012-01-03 o 409.4 h 412.5 l 409.0 c 411.23 v 10,793,600;
  2012-01-04 o 410.0 h 414.68 l 409.28 c 413.44 v 9,286,500;
  2012-01-05 c 418.03; 2012-01-06 h 422.75 c 422.4 (week of 2 Jan: v 41,135,900);
- AAPL week of 2012-01-09: o 425.5001 h 427.75 l 418.66 c 419.81 v 46,639,800;
- MSFT week of 2012-01-09: o 28.05 h 28.25 l 27.37 c 28.25 v 294,870,500;
- AAPL February 2012: o 458.41 h 547.61 l 453.98 c 542.44 v 406,019,800;
- EURUSD hourly bars opening 2017-03-02 05:00 to 2017-03-03 04:00 UTC (the
  New York date 2017-03-02): o 1.05328 h 1.05457 l 1.0495 c 1.05202.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import numpy as np
import pytest
from alpaca.common.exceptions import APIError
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.models import Bar, BarSet
from alpaca.data.requests import StockBarsRequest, StockLatestBarRequest
from alpaca.data.timeframe import TimeFrame, TimeFrameUnit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.api.conftest import market as bundled_market
from tests.compat.conftest import Bot, LiveServer, make_bot
from tests.waiting import wait_for

from paperbroker.data.series import BarSeries

DAY = TimeFrame.Day
NOW_FAR = datetime(2013, 12, 31, tzinfo=UTC)  # later than any session time here


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def get_bars(bot: Bot, **request: Any) -> dict[str, list[Bar]]:
    bars = bot.data().get_stock_bars(StockBarsRequest(**request))
    assert isinstance(bars, BarSet)
    return bars.data


def ohlcv(bar: Bar) -> tuple[datetime, float, float, float, float, float]:
    return (bar.timestamp, bar.open, bar.high, bar.low, bar.close, bar.volume)


def raw(bot: Bot, path: str, **params: Any) -> httpx2.Response:
    """A GET with the bound key's APCA headers."""
    key_id, secret = bot.key
    return httpx2.get(
        bot.server.url + path,
        params=params,
        headers={"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret},
    )


def test_daily_bars_of_two_symbols(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-10T21:00:00Z")
    bars = get_bars(
        bot, symbol_or_symbols=["MSFT", "AAPL"], timeframe=DAY,
        start=at("2012-01-03T00:00:00"), end=at("2012-01-05T00:00:00"),
    )  # fmt: skip
    assert list(bars) == ["AAPL", "MSFT"]
    assert [ohlcv(bar) for bar in bars["AAPL"]] == [
        (at("2012-01-03T05:00:00"), 409.4, 412.5, 409.0, 411.23, 10_793_600),
        (at("2012-01-04T05:00:00"), 410.0, 414.68, 409.28, 413.44, 9_286_500),
    ]  # day bars are stamped at 00:00 New York; the 5 January bar starts after the end
    first = bars["AAPL"][0]
    assert (first.symbol, first.trade_count, first.vwap) == ("AAPL", None, None)
    assert [bar.close for bar in bars["MSFT"]] == [26.765, 27.4]


def test_the_client_joins_pages_of_ten_thousand_bars(bot: Bot) -> None:
    symbols = ["AAPL", "GOOG", "IBM", "MSFT"]
    request = {"symbol_or_symbols": symbols, "timeframe": DAY, "start": at("2000-01-01T00:00:00")}
    bars = get_bars(bot, end=NOW_FAR, **request)
    # Everything that closed before the session's start, 2012-01-03 09:30 New York.
    visible = {s: bundled_market().series(s) for s in symbols}
    counts = {s: int(np.searchsorted(series.ts, at("2011-12-31T00:00:00").timestamp() * 10**9))
              for s, series in visible.items() if series is not None}  # fmt: skip
    assert counts == {"AAPL": 2979, "GOOG": 1857, "IBM": 2979, "MSFT": 2979}
    assert {s: len(b) for s, b in bars.items()} == counts  # 10,794 bars: more than one page
    for symbol_bars in bars.values():
        stamps = [bar.timestamp for bar in symbol_bars]
        assert stamps == sorted(set(stamps))
        assert stamps[-1] == at("2011-12-30T05:00:00")
    assert bars["AAPL"][0].timestamp == at("2000-03-01T05:00:00")
    # The server did page: its first page stops inside MSFT.
    page = raw(bot, "/v2/stocks/bars", symbols=",".join(symbols), timeframe="1Day",
               start="2000-01-01", limit=10_000).json()  # fmt: skip
    assert page["next_page_token"] is not None
    assert {s: len(b) for s, b in page["bars"].items()} == {**counts, "MSFT": 2185}


def test_limit_counts_bars_across_symbols(bot: Bot) -> None:
    bot.advance(targetTime="2012-02-01T00:00:00Z")
    january = {"timeframe": DAY, "start": at("2012-01-01T00:00:00"), "end": NOW_FAR}
    bars = get_bars(bot, symbol_or_symbols=["AAPL", "MSFT"], limit=25, **january)
    assert {s: len(b) for s, b in bars.items()} == {"AAPL": 20, "MSFT": 5}
    assert bars["MSFT"][-1].timestamp == at("2012-01-09T05:00:00")


def walk(bot: Bot, **params: Any) -> Iterator[dict[str, Any]]:
    """Every page of a raw bars request, following next_page_token."""
    page: dict[str, Any] = raw(bot, "/v2/stocks/bars", **params).json()
    while True:
        yield page
        if page["next_page_token"] is None:
            return
        page = raw(bot, "/v2/stocks/bars", page_token=page["next_page_token"], **params).json()


@pytest.mark.parametrize("sort", ["asc", "desc"])
def test_small_pages_resume_across_symbols(bot: Bot, sort: str) -> None:
    bot.advance(targetTime="2012-02-01T00:00:00Z")
    query = {"symbols": "MSFT,AAPL", "timeframe": "1Day", "start": "2012-01-01", "sort": sort}
    whole = raw(bot, "/v2/stocks/bars", **query).json()
    assert whole["next_page_token"] is None
    assert [len(whole["bars"][s]) for s in ("AAPL", "MSFT")] == [20, 20]
    stamps = [bar["t"] for bar in whole["bars"]["AAPL"]]
    assert stamps == sorted(stamps, reverse=sort == "desc")
    for limit, shape in [
        (7, [{"AAPL": 7}, {"AAPL": 7}, {"AAPL": 6, "MSFT": 1}, {"MSFT": 7}, {"MSFT": 7},
             {"MSFT": 5}]),
        (10, [{"AAPL": 10}, {"AAPL": 10}, {"MSFT": 10}, {"MSFT": 10}]),  # pages end on symbols
        (40, [{"AAPL": 20, "MSFT": 20}]),
    ]:  # fmt: skip
        pages = list(walk(bot, limit=limit, **query))
        assert [{s: len(b) for s, b in p["bars"].items()} for p in pages] == shape
        joined: dict[str, list[Any]] = {}
        for page in pages:
            for symbol, bars in page["bars"].items():
                joined.setdefault(symbol, []).extend(bars)
        assert joined == whole["bars"]


def test_no_bar_later_than_the_session_time(bot: Bot) -> None:
    # At 09:30 on 3 January nothing of the day has closed: the last bar is 30 December's.
    bars = get_bars(bot, symbol_or_symbols="AAPL", timeframe=DAY,
                    start=at("2011-12-28T00:00:00"), end=NOW_FAR)  # fmt: skip
    assert [bar.timestamp for bar in bars["AAPL"]] == [
        at("2011-12-28T05:00:00"), at("2011-12-29T05:00:00"), at("2011-12-30T05:00:00"),
    ]  # fmt: skip
    week = TimeFrame(1, TimeFrameUnit.Week)
    wednesday = {"symbol_or_symbols": "AAPL", "timeframe": week,
                 "start": at("2012-01-02T00:00:00"), "end": NOW_FAR}  # fmt: skip
    assert get_bars(bot, **wednesday) == {}
    bot.advance(targetTime="2012-01-04T21:00:00Z")
    # The week in progress holds Tuesday and Wednesday only.
    assert [ohlcv(bar) for bar in get_bars(bot, **wednesday)["AAPL"]] == [
        (at("2012-01-02T05:00:00"), 409.4, 414.68, 409.0, 413.44, 20_080_100)
    ]
    bot.advance(targetTime="2012-01-06T21:00:00Z")
    assert [ohlcv(bar) for bar in get_bars(bot, **wednesday)["AAPL"]] == [
        (at("2012-01-02T05:00:00"), 409.4, 422.75, 409.0, 422.4, 41_135_900)
    ]


def test_defaults_are_today_until_now(bot: Bot) -> None:
    empty = raw(bot, "/v2/stocks/bars", symbols="AAPL", timeframe="1Day").json()
    assert empty == {"bars": {}, "next_page_token": None}  # today's bar has not closed
    bot.advance(targetTime="2012-01-04T21:00:00Z")
    today = raw(bot, "/v2/stocks/bars", symbols="AAPL", timeframe="1Day").json()
    assert today == {
        "bars": {"AAPL": [{"t": "2012-01-04T05:00:00Z", "o": 410.0, "h": 414.68, "l": 409.28,
                           "c": 413.44, "v": 9286500, "n": None, "vw": None}]},
        "next_page_token": None,
    }  # fmt: skip
    assert type(today["bars"]["AAPL"][0]["v"]) is int  # whole volumes are integers


def test_weeks_and_months_of_two_symbols(bot: Bot) -> None:
    bot.advance(targetTime="2012-03-01T00:00:00Z")
    weeks = get_bars(
        bot, symbol_or_symbols=["AAPL", "MSFT"], timeframe=TimeFrame(1, TimeFrameUnit.Week),
        start=at("2012-01-09T00:00:00"), end=at("2012-01-13T00:00:00"),
    )  # fmt: skip
    assert [ohlcv(bar) for bar in weeks["AAPL"]] == [
        (at("2012-01-09T05:00:00"), 425.5001, 427.75, 418.66, 419.81, 46_639_800)
    ]
    assert [ohlcv(bar) for bar in weeks["MSFT"]] == [
        (at("2012-01-09T05:00:00"), 28.05, 28.25, 27.37, 28.25, 294_870_500)
    ]
    months = get_bars(
        bot, symbol_or_symbols="AAPL", timeframe=TimeFrame(1, TimeFrameUnit.Month),
        start=at("2012-01-15T00:00:00"), end=NOW_FAR,
    )  # fmt: skip
    # January's bar starts before `start`; March has no closed bar yet.
    assert [ohlcv(bar) for bar in months["AAPL"]] == [
        (at("2012-02-01T05:00:00"), 458.41, 547.61, 453.98, 542.44, 406_019_800)
    ]


def test_a_timeframe_finer_than_the_data_is_a_422(bot: Bot) -> None:
    with pytest.raises(APIError) as error:
        get_bars(bot, symbol_or_symbols="AAPL", timeframe=TimeFrame.Hour, start=at("2011-12-01"))
    assert (error.value.status_code, error.value.code) == (422, 42210000)
    assert error.value.message == "timeframe 1Hour is finer than the stored 390Min bars of AAPL"


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "0001-01-02"), ("9999-01-01", None), ("0001-01-01", None)]
)
def test_dates_far_away_are_answered(bot: Bot, start: str, end: str | None) -> None:
    params = {"symbols": "AAPL", "timeframe": "1Month", "start": start}
    response = raw(bot, "/v2/stocks/bars", **params, **({"end": end} if end else {}))
    assert response.status_code == 200
    bars = response.json()["bars"]
    months = 0 if end or start > "2000" else 10 + 11 * 12  # March 2000 to December 2011
    assert len(bars.get("AAPL", [])) == months


def test_unknown_symbols_have_no_bars(bot: Bot) -> None:
    bars = get_bars(bot, symbol_or_symbols=["AAPL", "ZZZZ"], timeframe=DAY,
                    start=at("2011-12-30T00:00:00"))  # fmt: skip
    assert list(bars) == ["AAPL"]
    assert get_bars(bot, symbol_or_symbols="ZZZZ", timeframe=DAY) == {}


def forged(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"timeframe": "7Sec"}, "timeframe '7Sec' is not one of"),
        ({"timeframe": "60Min"}, "timeframe '60Min' is not one of"),
        ({"timeframe": "7Hour"}, "a bar would straddle two buckets"),
        ({"symbols": "AA$PL"}, "symbols: 'AA$PL' is not a symbol"),
        ({"symbols": " , "}, "symbols: ' ' is not a symbol"),
        ({"symbols": ""}, "symbols: give at least one symbol"),
        ({"symbols": "AAPL,,MSFT"}, "symbols: '' is not a symbol"),
        ({"limit": 0}, "query parameter limit"),
        ({"limit": 10_001}, "query parameter limit"),
        ({"sort": "sideways"}, "query parameter sort"),
        ({"start": "yesterday"}, "start: 'yesterday' is not a date (YYYY-MM-DD) or an RFC 3339"),
        ({"start": "2012-01-05T10:00:00"}, "start: '2012-01-05T10:00:00' is not a date"),
        ({"start": "2012-01-05", "end": "2012-01-04"}, "end: is before start"),
        ({"page_token": "not base64!"}, "page_token"),
        ({"page_token": forged(b"not json")}, "page_token"),
        ({"page_token": forged(b'{"s": "AAPL"}')}, "page_token"),
        ({"page_token": forged(b'{"s": "AAPL", "t": "soon"}')}, "page_token"),
        ({"page_token": forged(b'{"s": 1, "t": 2}')}, "page_token"),
        ({"page_token": forged(b"[1, 2]")}, "page_token"),
    ],
)
def test_bad_bar_requests_are_422(bot: Bot, params: dict[str, Any], message: str) -> None:
    query = {"symbols": "AAPL", "timeframe": "1Day", **params}
    response = raw(bot, "/v2/stocks/bars", **query)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == 42210000
    assert message in response.json()["message"]


QUERY_TEXT = st.text(max_size=24) | st.sampled_from([
    "1Day", "5Min", "1W", "3M", "2012-01-03", "2012-01-03T14:30:00Z", "9999-12-31T23:59:59Z",
    "0001-01-01", "AAPL,MSFT", "EURUSD", "asc", "desc", "0", "10000", "-1", forged(b"{}"),
    forged(b'{"s": "AAPL", "t": 1325566800000000000}'), "2012-01-03T14:30:00+99:00",
])  # fmt: skip


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(["/v2/stocks/bars", "/v2/stocks/AAPL/bars", "/v2/stocks/bars/latest",
                          "/v2/calendar", "/v2/clock", "/v2/stocks/trades", "/v2/stocks/quotes",
                          "/v2/stocks/trades/latest", "/v2/stocks/quotes/latest",
                          "/v2/stocks/snapshots", "/v2/stocks/AAPL/trades",
                          "/v2/stocks/AAPL/quotes", "/v2/stocks/AAPL/snapshot",
                          "/v2/stocks/AAPL/bars/latest", "/v2/stocks/AAPL/trades/latest"]),
    params=st.dictionaries(
        st.sampled_from(["symbols", "timeframe", "start", "end", "limit", "page_token", "sort",
                         "feed", "date_type"]),
        QUERY_TEXT,
    ),
)  # fmt: skip
def test_generated_queries_never_get_a_5xx(bot: Bot, path: str, params: dict[str, str]) -> None:
    response = raw(bot, path, **params)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert set(response.json()) == {"code", "message"}
        assert response.json()["code"] == 42210000


def test_a_symbol_list_alpaca_py_sends_malformed_is_an_api_error(bot: Bot) -> None:
    with pytest.raises(APIError) as error:
        get_bars(bot, symbol_or_symbols="BRK B", timeframe=DAY)
    assert (error.value.status_code, error.value.code) == (422, 42210000)


def test_latest_bars(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-05T20:00:00Z")  # before the 5 January close
    client = bot.data()
    latest = client.get_stock_latest_bar(
        StockLatestBarRequest(symbol_or_symbols=["AAPL", "MSFT", "ZZZZ"])
    )
    assert isinstance(latest, dict)
    assert sorted(latest) == ["AAPL", "MSFT"]
    aapl = latest["AAPL"]
    assert isinstance(aapl, Bar)
    # Stamped as /bars?timeframe=1Day stamps the same day: 00:00 New York.
    assert ohlcv(aapl) == (at("2012-01-04T05:00:00"), 410.0, 414.68, 409.28, 413.44, 9_286_500)
    [day_bar] = get_bars(bot, symbol_or_symbols="AAPL", timeframe=DAY, start=at("2012-01-04"))[
        "AAPL"
    ]
    assert ohlcv(day_bar) == ohlcv(aapl)
    bot.advance(targetTime="2012-01-05T21:00:00Z")
    latest = client.get_stock_latest_bar(StockLatestBarRequest(symbol_or_symbols="AAPL"))
    assert isinstance(latest, dict)
    assert latest["AAPL"].close == 418.03
    one = raw(bot, "/v2/stocks/AAPL/bars/latest").json()  # the older clients' route
    assert one == {"symbol": "AAPL", "bar": raw(bot, "/v2/stocks/bars/latest", symbols="AAPL")
                   .json()["bars"]["AAPL"]}  # fmt: skip
    assert raw(bot, "/v2/stocks/ZZZZ/bars/latest").status_code == 404


def test_the_latest_hourly_bar_is_stamped_at_its_hour(live_server: LiveServer) -> None:
    bot = make_bot(live_server, startTime="2017-03-02T12:00:00Z", endTime="2017-03-10T00:00:00Z")
    bot.advance(targetTime="2017-03-02T12:30:00Z")
    latest = raw(bot, "/v2/stocks/bars/latest", symbols="EURUSD").json()["bars"]["EURUSD"]
    hourly = raw(bot, "/v2/stocks/bars", symbols="EURUSD", timeframe="1Hour",
                 start="2017-03-02T11:00:00Z").json()["bars"]["EURUSD"]  # fmt: skip
    assert latest == hourly[0]
    assert latest["t"] == "2017-03-02T11:00:00Z"


def test_the_single_symbol_route(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-06T21:00:00Z")
    query = {"timeframe": "1D", "start": "2012-01-03", "end": "2012-01-06"}
    whole = raw(bot, "/v2/stocks/aapl/bars", **query).json()
    assert whole["symbol"] == "AAPL"
    assert whole["next_page_token"] is None
    assert [bar["c"] for bar in whole["bars"]] == [411.23, 413.44, 418.03, 422.4]
    first = raw(bot, "/v2/stocks/AAPL/bars", limit=3, **query).json()
    assert [bar["c"] for bar in first["bars"]] == [411.23, 413.44, 418.03]
    rest = raw(bot, "/v2/stocks/AAPL/bars", page_token=first["next_page_token"], **query).json()
    assert rest == {"bars": [whole["bars"][3]], "symbol": "AAPL", "next_page_token": None}
    none = raw(bot, "/v2/stocks/ZZZZ/bars", **query).json()
    assert none == {"bars": [], "symbol": "ZZZZ", "next_page_token": None}
    bad = raw(bot, "/v2/stocks/AAPL/bars", timeframe="2Week")
    assert (bad.status_code, bad.json()["code"]) == (422, 42210000)


def test_the_session_prefix_with_the_owners_key(bot: Bot) -> None:
    bot.advance(targetTime="2012-01-04T21:00:00Z")
    owner_id, owner_secret = bot.owner
    client = StockHistoricalDataClient(
        owner_id, owner_secret, url_override=f"{bot.server.url}/sessions/{bot.session_id}"
    )
    bars = client.get_stock_bars(
        StockBarsRequest(symbol_or_symbols="AAPL", timeframe=DAY, start=at("2012-01-03"))
    )
    assert isinstance(bars, BarSet)
    assert [bar.close for bar in bars.data["AAPL"]] == [411.23, 413.44]


def test_fx_pairs_are_served(live_server: LiveServer) -> None:
    bot = make_bot(live_server, startTime="2017-03-01T00:00:00Z", endTime="2017-03-31T00:00:00Z")
    bot.advance(targetTime="2017-03-04T00:00:00Z")
    bars = get_bars(bot, symbol_or_symbols="EURUSD", timeframe=DAY,
                    start=at("2017-03-02T00:00:00"), end=at("2017-03-02T12:00:00"))  # fmt: skip
    (day,) = bars["EURUSD"]
    assert (day.timestamp, day.open, day.high, day.low, day.close) == (
        at("2017-03-02T05:00:00"), 1.05328, 1.05457, 1.0495, 1.05202,
    )  # fmt: skip
    assert day.volume == pytest.approx(245_365_200_194.0, rel=1e-12)


# -- imported minute data ------------------------------------------------------------------


def expected(series: BarSeries, lo: int, hi: int) -> tuple[float, float, float, float, float]:
    """The aggregate of bars ``lo:hi`` of ``series``."""
    return (
        float(series.open[lo]), float(series.high[lo:hi].max()), float(series.low[lo:hi].min()),
        float(series.close[hi - 1]), float(series.volume[lo:hi].sum()),
    )  # fmt: skip


def test_minute_bars_aggregate_up_to_the_session_time(
    minute_server: LiveServer, minutes: BarSeries
) -> None:
    bot = make_bot(minute_server)
    bot.advance(targetTime="2012-01-03T15:02:00Z")  # 32 minutes have closed
    start = {"symbol_or_symbols": "SYN", "start": at("2012-01-03T14:30:00"), "end": NOW_FAR}
    five = get_bars(bot, timeframe=TimeFrame(5, TimeFrameUnit.Minute), **start)["SYN"]
    assert [bar.timestamp.minute for bar in five] == [30, 35, 40, 45, 50, 55, 0]
    assert [ohlcv(bar)[1:] for bar in five] == [
        expected(minutes, lo, min(lo + 5, 32)) for lo in range(0, 32, 5)
    ]  # the 10:00 bucket holds its two closed minutes only
    hour = get_bars(bot, timeframe=TimeFrame.Hour, **start)["SYN"]
    # `start` selects buckets by their stamp: 09:00-10:00 New York starts before it.
    assert [(bar.timestamp, *ohlcv(bar)[1:]) for bar in hour] == [
        (at("2012-01-03T15:00:00"), *expected(minutes, 30, 32))
    ]
    midnight = {**start, "start": at("2012-01-03T05:00:00")}  # 00:00 New York
    hours = get_bars(bot, timeframe=TimeFrame.Hour, **midnight)
    assert [(bar.timestamp, *ohlcv(bar)[1:]) for bar in hours["SYN"]] == [
        (at("2012-01-03T14:00:00"), *expected(minutes, 0, 30)),
        (at("2012-01-03T15:00:00"), *expected(minutes, 30, 32)),
    ]
    day = get_bars(bot, timeframe=DAY, **midnight)["SYN"]
    assert [(bar.timestamp, *ohlcv(bar)[1:]) for bar in day] == [
        (at("2012-01-03T05:00:00"), *expected(minutes, 0, 32))
    ]
    raw_minutes = get_bars(bot, timeframe=TimeFrame.Minute, limit=3, **start)["SYN"]
    assert [ohlcv(bar) for bar in raw_minutes] == [
        (at(f"2012-01-03T14:3{i}:00"), *expected(minutes, i, i + 1)) for i in range(3)
    ]


def test_a_paper_sessions_market_data_is_what_its_feed_brought(live_server: LiveServer) -> None:
    owner = live_server.keys.create("paper owner")
    body = {"symbols": ["AAA"], "execution": {"preset": "ideal"},
            "feed": {"type": "synthetic", "seed": 3, "interval_seconds": 0.05}}  # fmt: skip
    response = httpx2.post(f"{live_server.url}/api/paper-trading/sessions", json=body, auth=owner)
    assert response.status_code == 201, response.text
    prefix = f"{live_server.url}/sessions/{response.json()['id']}/v2/stocks"
    try:
        latest = wait_for(
            lambda: httpx2.get(f"{prefix}/bars/latest", params={"symbols": "AAA"}, auth=owner)
            .json()["bars"].get("AAA"),
            "the feed's first bar",
        )  # fmt: skip
        trade = httpx2.get(f"{prefix}/AAA/trades/latest", auth=owner).json()["trade"]
        assert trade["t"] >= latest["t"]
    finally:
        deleted = httpx2.delete(f"{live_server.url}/v1/sessions/{response.json()['id']}",
                                auth=owner)  # fmt: skip
        assert deleted.status_code == 204, deleted.text
