"""The market-data stream through the unmodified alpaca-py StockDataStream, live.

StockDataStream runs in a thread against the live server; the session's clock
is moved through /v1, and every message the handlers hear is checked. The
bundled AAPL daily bars close 411.23 (2012-01-03), 413.44 (4th), 418.03
(5th) at 21:00 UTC and open 410.00 on the 4th at 14:30 UTC; SYN is 600
synthetic minute bars from 09:30 New York on 2012-01-03.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import msgpack
import pytest
from alpaca.data.live import StockDataStream
from alpaca.data.models import Bar, Quote, Trade
from alpaca.data.requests import StockLatestBarRequest
from tests.compat.conftest import Auth, Bot, LiveServer, make_bot
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from paperbroker.api.alpaca import data_stream
from paperbroker.data.series import BarSeries
from paperbroker.session.runtime import SessionRuntime

WAIT_SECONDS = 10.0


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Heard:
    """StockDataStream in a thread; what each handler hears, in arrival order."""

    def __init__(self, key: Auth, url: str) -> None:
        self.stream = StockDataStream(key[0], key[1], url_override=url)
        self.items: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._thread: threading.Thread | None = None

    def handler(self, name: str) -> Any:
        async def on_message(item: Any) -> None:
            self.items.put((name, item))

        return on_message

    def start(self) -> None:
        self._thread = threading.Thread(target=self.stream.run, name="data", daemon=True)
        self._thread.start()

    def take(self, count: int) -> list[tuple[str, Any]]:
        return [self.items.get(timeout=WAIT_SECONDS) for _ in range(count)]

    def nothing_more(self) -> None:
        with pytest.raises(queue.Empty):
            self.items.get(timeout=0.5)

    def stop(self) -> None:
        self.stream.stop()
        assert self._thread is not None
        self._thread.join(timeout=WAIT_SECONDS)


def runtime_of(bot: Bot) -> SessionRuntime:
    return bot.server.service.runtime(bot.owner[0], bot.session_id)


def wait_for_subscribers(runtime: SessionRuntime, count: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while runtime.subscribers != count:
        assert time.monotonic() < deadline, "the stream did not subscribe"
        time.sleep(0.01)


@contextmanager
def listening(bot: Bot, subscribe: Any, *, prefixed: bool = False) -> Iterator[Heard]:
    base = bot.server.url.replace("http://", "ws://")
    if prefixed:
        heard = Heard(bot.owner, f"{base}/sessions/{bot.session_id}/v2/sip")
    else:
        heard = Heard(bot.key, f"{base}/v2/iex")
    subscribe(heard)
    heard.start()
    try:
        wait_for_subscribers(runtime_of(bot), 1)
        yield heard
    finally:
        heard.stop()


def bar_of(item: Any) -> tuple[datetime, float, float, float, float, float]:
    assert isinstance(item, Bar)
    return (item.timestamp, item.open, item.high, item.low, item.close, item.volume)


def test_bars_and_daily_bars_arrive_as_the_clock_passes_their_close(bot: Bot) -> None:
    def subscribe(heard: Heard) -> None:
        heard.stream.subscribe_bars(heard.handler("bar"), "AAPL")
        heard.stream.subscribe_daily_bars(heard.handler("day"), "AAPL")
        heard.stream.subscribe_updated_bars(heard.handler("updated"), "AAPL")

    with listening(bot, subscribe) as heard:
        bot.advance(targetTime="2012-01-03T20:00:00Z")  # the 3 January bar is still open
        heard.nothing_more()
        bot.advance(targetTime="2012-01-04T21:00:00Z")  # two closes: the 3rd and the 4th
        items = heard.take(4)
        assert [(name, item.symbol) for name, item in items] == [
            (n, "AAPL") for n in ("bar", "day", "bar", "day")
        ]
        third = (at("2012-01-03T05:00:00"), 409.4, 412.5, 409.0, 411.23, 10_793_600)
        fourth = (at("2012-01-04T05:00:00"), 410.0, 414.68, 409.28, 413.44, 9_286_500)
        assert [bar_of(item) for _, item in items] == [third, third, fourth, fourth]
        heard.nothing_more()  # no updated bars: a session's bars never change
        bot.advance(targetTime="2012-01-05T21:00:00Z")
        assert [bar_of(item)[4] for _, item in heard.take(2)] == [418.03, 418.03]


def test_the_stream_serves_what_the_rest_api_serves(bot: Bot) -> None:
    def subscribe(heard: Heard) -> None:
        heard.stream.subscribe_bars(heard.handler("bar"), "*")

    with listening(bot, subscribe) as heard:
        bot.advance(targetTime="2012-01-03T21:00:00Z")
        items = heard.take(4)  # AAPL, GOOG, IBM, MSFT at the same close, in symbol order
        assert [item.symbol for _, item in items] == ["AAPL", "GOOG", "IBM", "MSFT"]
        latest = bot.data().get_stock_latest_bar(
            StockLatestBarRequest(symbol_or_symbols=["AAPL", "GOOG", "IBM", "MSFT"])
        )
        assert isinstance(latest, dict)
        assert [bar_of(item) for _, item in items] == [bar_of(latest[s]) for s in sorted(latest)]


def test_derived_trades_and_quotes_stream_as_they_become_known(bot: Bot) -> None:
    def subscribe(heard: Heard) -> None:
        heard.stream.subscribe_trades(heard.handler("trade"), "AAPL")
        heard.stream.subscribe_quotes(heard.handler("quote"), "AAPL")

    with listening(bot, subscribe) as heard:
        bot.advance(targetTime="2012-01-03T21:00:00Z")
        heard.take(4)  # the 3 January open and close
        bot.advance(targetTime="2012-01-04T14:30:00Z")  # the open itself: not known yet
        heard.nothing_more()
        bot.advance(targetTime="2012-01-04T21:00:00Z")  # the open, then the close
        items = heard.take(4)
        assert [name for name, _ in items] == ["trade", "quote", "trade", "quote"]
        trade, quote = items[0][1], items[1][1]
        assert isinstance(trade, Trade)
        assert isinstance(quote, Quote)
        assert (trade.timestamp, trade.price, trade.size, trade.conditions) == (
            at("2012-01-04T14:30:00"), 410.0, 0, ["derived"],
        )  # fmt: skip
        assert (quote.bid_price, quote.ask_price) == (410.0, 410.0)
        close = items[2][1]
        assert isinstance(close, Trade)
        assert (close.timestamp, close.price, close.size) == (
            at("2012-01-04T21:00:00"), 413.44, 9_286_500,
        )  # fmt: skip


def test_daily_bars_of_minute_data_are_the_day_so_far(
    minute_server: LiveServer, minutes: BarSeries
) -> None:
    bot = make_bot(minute_server)

    def subscribe(heard: Heard) -> None:
        heard.stream.subscribe_bars(heard.handler("bar"), "SYN")
        heard.stream.subscribe_daily_bars(heard.handler("day"), "SYN")

    with listening(bot, subscribe, prefixed=True) as heard:
        bot.advance(targetTime="2012-01-03T14:33:00Z")  # three minutes close
        items = heard.take(6)
        assert [name for name, _ in items] == ["bar", "day"] * 3
        for i in range(3):
            minute = bar_of(items[2 * i][1])
            assert minute == (
                at(f"2012-01-03T14:3{i}:00"), float(minutes.open[i]), float(minutes.high[i]),
                float(minutes.low[i]), float(minutes.close[i]), float(minutes.volume[i]),
            )  # fmt: skip
            day = bar_of(items[2 * i + 1][1])
            assert day == (
                at("2012-01-03T05:00:00"), float(minutes.open[0]),
                float(minutes.high[: i + 1].max()), float(minutes.low[: i + 1].min()),
                float(minutes.close[i]), pytest.approx(float(minutes.volume[: i + 1].sum())),
            )  # fmt: skip


# -- the protocol as JSON, through a plain websocket ----------------------------------


def frames_of(ws: ClientConnection) -> list[dict[str, Any]]:
    raw = ws.recv(timeout=WAIT_SECONDS)
    found: list[dict[str, Any]] = json.loads(raw)
    return found


@contextmanager
def plain(bot: Bot, path: str = "/v2/iex", **headers: str) -> Iterator[ClientConnection]:
    url = bot.server.url.replace("http://", "ws://") + path
    with connect(url, additional_headers=headers) as ws:
        assert frames_of(ws) == [{"T": "success", "msg": "connected"}]
        yield ws


def auth(ws: ClientConnection, key: Auth) -> list[dict[str, Any]]:
    ws.send(json.dumps({"action": "auth", "key": key[0], "secret": key[1]}))
    return frames_of(ws)


def test_json_clients_get_json_frames_with_rfc3339_times(bot: Bot) -> None:
    with plain(bot) as ws:
        ws.send(json.dumps({"action": "subscribe", "bars": ["AAPL"]}))
        assert frames_of(ws) == [{"T": "error", "code": 401, "msg": "not authenticated"}]
        assert auth(ws, bot.key) == [{"T": "success", "msg": "authenticated"}]
        assert auth(ws, bot.key) == [{"T": "error", "code": 403, "msg": "already authenticated"}]
        ws.send(json.dumps({"action": "subscribe", "bars": ["aapl", "MSFT"], "quotes": ["*"]}))
        [subscription] = frames_of(ws)
        assert subscription == {
            "T": "subscription", "trades": [], "quotes": ["*"], "bars": ["AAPL", "MSFT"],
            "dailyBars": [], "updatedBars": [], "statuses": [], "lulds": [], "corrections": [],
            "cancelErrors": [],
        }  # fmt: skip
        ws.send(json.dumps({"action": "unsubscribe", "bars": ["MSFT"], "quotes": ["*"]}))
        assert frames_of(ws)[0]["bars"] == ["AAPL"]
        wait_for_subscribers(runtime_of(bot), 1)
        bot.advance(targetTime="2012-01-03T21:00:00Z")
        assert frames_of(ws) == [{
            "T": "b", "S": "AAPL", "o": 409.4, "h": 412.5, "l": 409.0, "c": 411.23,
            "v": 10_793_600, "t": "2012-01-03T05:00:00Z", "n": None, "vw": None,
        }]  # fmt: skip
        bad_frames = (
            "nope",
            json.dumps({"action": 7}),
            json.dumps({"action": "subscribe", "bars": "AAPL"}),
            json.dumps({"action": "subscribe", "bars": ["BRK B"]}),
        )
        for bad in bad_frames:
            ws.send(bad)
            [error] = frames_of(ws)
            assert (error["T"], error["code"]) == ("error", 400), error


def test_msgpack_clients_get_msgpack_frames_with_timestamps(bot: Bot) -> None:
    url = bot.server.url.replace("http://", "ws://") + "/v2/sip"
    with connect(url, additional_headers={"Content-Type": "application/msgpack"}) as ws:
        assert msgpack.unpackb(ws.recv(timeout=WAIT_SECONDS)) == [
            {"T": "success", "msg": "connected"}
        ]
        ws.send(msgpack.packb({"action": "auth", "key": bot.key[0], "secret": bot.key[1]}))
        assert msgpack.unpackb(ws.recv(timeout=WAIT_SECONDS))[0]["msg"] == "authenticated"
        ws.send(msgpack.packb({"action": "subscribe", "dailyBars": ["AAPL"]}))
        msgpack.unpackb(ws.recv(timeout=WAIT_SECONDS))
        wait_for_subscribers(runtime_of(bot), 1)
        bot.advance(targetTime="2012-01-03T21:00:00Z")
        [day] = msgpack.unpackb(ws.recv(timeout=WAIT_SECONDS))
        assert day["T"] == "d"
        assert day["t"] == msgpack.Timestamp.from_unix_nano(1_325_566_800_000_000_000)


def test_a_key_that_does_not_verify_is_refused_and_closed(bot: Bot) -> None:
    with plain(bot) as ws:
        assert auth(ws, (bot.key[0], "wrong")) == [
            {"T": "error", "code": 402, "msg": "auth failed"}
        ]
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=WAIT_SECONDS)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1008


def test_another_session_on_the_prefix_is_refused(live_server: LiveServer, bot: Bot) -> None:
    other = make_bot(live_server)
    with plain(bot, f"/sessions/{other.session_id}/v2/iex") as ws:
        [refusal] = auth(ws, bot.key)
        assert (refusal["code"], refusal["msg"]) == (
            402,
            f"auth failed: session {other.session_id} not found",
        )


def test_a_client_that_does_not_authenticate_in_time_is_closed(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data_stream, "AUTH_TIMEOUT_SECONDS", 0.2)
    with plain(bot) as ws:
        assert frames_of(ws) == [{"T": "error", "code": 404, "msg": "auth timeout"}]
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=WAIT_SECONDS)


def test_an_unknown_feed_is_refused(bot: Bot) -> None:
    url = bot.server.url.replace("http://", "ws://") + "/v2/nasdaq"
    with pytest.raises(Exception):  # noqa: B017 - the handshake itself is refused
        connect(url).recv(timeout=WAIT_SECONDS)


@pytest.mark.parametrize("most", [1, 0])
def test_a_slow_client_is_told_and_closed(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, most: int
) -> None:
    # One frame may wait: the move's 24 frames overflow it. None may: the move is refused
    # before a message is built, so no bar arrives at all.
    monkeypatch.setattr(data_stream, "MAX_PENDING", most)
    monkeypatch.setattr("paperbroker.api.alpaca.data_messages.FRAME_MESSAGES", 1)
    with plain(bot) as ws:
        auth(ws, bot.key)
        ws.send(json.dumps({"action": "subscribe", "bars": ["*"]}))
        frames_of(ws)
        wait_for_subscribers(runtime_of(bot), 1)
        bot.advance(targetTime="2012-01-10T21:00:00Z")  # 4 symbols x 6 days: 24 frames at once
        seen: list[dict[str, Any]] = []
        with pytest.raises(ConnectionClosed):
            read_until_closed(ws, seen)
        assert {"T": "error", "code": 407, "msg": "slow client"} in seen
        if most == 0:
            assert seen == [{"T": "error", "code": 407, "msg": "slow client"}]


def read_until_closed(ws: ClientConnection, seen: list[dict[str, Any]]) -> None:
    while True:
        seen.extend(frames_of(ws))
