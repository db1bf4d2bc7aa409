"""The trade_updates stream through the unmodified alpaca-py TradingStream, live.

Each test runs the real ``TradingStream`` in a thread against the live
server, drives the session through the real ``TradingClient`` and the /v1
clock, and checks every update exactly. Prices come from the bundled daily
bars (AAPL opens 409.40 on 2012-01-03, 410.00 on the 4th, 414.95 on the 5th,
419.77 on the 6th; MSFT 26.8199 on the 4th); fills are stamped with their
bar's close, 21:00 UTC.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import OrderSide, OrderStatus, TimeInForce, TradeEvent
from alpaca.trading.models import Order, TradeUpdate
from alpaca.trading.requests import (
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLossRequest,
    TakeProfitRequest,
)
from alpaca.trading.stream import TradingStream
from tests.compat.conftest import Auth, Bot, LiveServer, make_bot
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from paperbroker.api.alpaca import stream as stream_module
from paperbroker.model.enums import OrderSide as Side
from paperbroker.session.runtime import SessionRuntime

FIRST_CLOSE = datetime(2012, 1, 3, 21, tzinfo=UTC)
SECOND_CLOSE = datetime(2012, 1, 4, 21, tzinfo=UTC)
THIRD_CLOSE = datetime(2012, 1, 5, 21, tzinfo=UTC)
FOURTH_CLOSE = datetime(2012, 1, 6, 21, tzinfo=UTC)
#: Ideal execution, except that a bar fills at most 0.001 % of its volume:
#: 92 AAPL shares on the 4th, 96 on the 5th, 113 on the 6th (107 on the 3rd).
PARTIAL = {
    "preset": "ideal",
    "fill_quantity": {"model": "volume_participation", "max_share": 0.00001},
}
WAIT_SECONDS = 10.0


def at(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class Updates:
    """``TradingStream`` in a thread, its updates collected in arrival order."""

    def __init__(self, key: Auth, url: str) -> None:
        self.stream = TradingStream(key[0], key[1], url_override=url)
        self._received: queue.Queue[TradeUpdate] = queue.Queue()

        async def on_update(update: TradeUpdate) -> None:
            self._received.put(update)

        self.stream.subscribe_trade_updates(on_update)
        self._thread = threading.Thread(target=self.stream.run, name="stream", daemon=True)
        self._thread.start()

    def take(self, count: int) -> list[TradeUpdate]:
        """The next ``count`` updates (each within the wait)."""
        return [self._received.get(timeout=WAIT_SECONDS) for _ in range(count)]

    def stop(self) -> None:
        self.stream.stop()
        self._thread.join(timeout=WAIT_SECONDS)
        assert not self._thread.is_alive()


def wait_for_subscribers(runtime: SessionRuntime, count: int) -> None:
    """Until the server has subscribed ``count`` streams to the session (the stream
    connects on its own thread, and updates before that are not its to hear)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while runtime.subscribers != count:
        assert time.monotonic() < deadline, "the stream did not subscribe"
        time.sleep(0.01)


def runtime_of(bot: Bot) -> SessionRuntime:
    return bot.server.service.runtime(bot.owner[0], bot.session_id)


@contextmanager
def streaming(bot: Bot, *, prefixed: bool = False) -> Iterator[Updates]:
    """The bound key's stream on ``/stream`` (or, ``prefixed``, the owner's on the
    session's prefix), subscribed before the block runs and stopped after it."""
    base = bot.server.url.replace("http://", "ws://")
    if prefixed:
        updates = Updates(bot.owner, f"{base}/sessions/{bot.session_id}/stream")
    else:
        updates = Updates(bot.key, f"{base}/stream")
    try:
        wait_for_subscribers(runtime_of(bot), 1)
        yield updates
    finally:
        updates.stop()


def order_of(update: TradeUpdate) -> Order:
    assert isinstance(update.order, Order)
    return update.order


def test_partial_fills_then_the_fill_each_with_the_order_and_position_after_it(
    live_server: LiveServer,
) -> None:
    bot = make_bot(live_server, execution=PARTIAL)
    trading = bot.trading()
    trading.submit_order(MarketOrderRequest(symbol="AAPL", qty=10, side="buy", time_in_force="day"))
    bot.advance(targetTime=at(FIRST_CLOSE))  # 10 AAPL held before the stream begins

    with streaming(bot) as updates:
        order = trading.submit_order(
            MarketOrderRequest(
                symbol="AAPL", qty=200, side=OrderSide.BUY, time_in_force=TimeInForce.GTC
            )
        )
        assert isinstance(order, Order)
        new = updates.take(1)
        bot.advance(targetTime=at(FOURTH_CLOSE))  # one commit, three fills
        fills = updates.take(3)

    assert [u.event for u in new + fills] == [
        TradeEvent.NEW,
        TradeEvent.PARTIAL_FILL,
        TradeEvent.PARTIAL_FILL,
        TradeEvent.FILL,
    ]
    assert {order_of(u).id for u in new + fills} == {order.id}
    (accepted,) = new
    assert accepted.timestamp == FIRST_CLOSE
    assert (accepted.price, accepted.qty, accepted.position_qty) == (None, None, None)
    assert order_of(accepted).status is OrderStatus.NEW
    assert order_of(accepted).filled_qty == "0"
    assert order_of(accepted).qty == "200"

    # Each fill: its own price and quantity, the position just after it, and the
    # order as it stood then (not as it stands after the commit).
    assert [(u.price, u.qty, u.position_qty) for u in fills] == [
        (410.0, 92.0, 102.0),
        (414.95, 96.0, 198.0),
        (419.77, 12.0, 210.0),
    ]
    assert [u.timestamp for u in fills] == [SECOND_CLOSE, THIRD_CLOSE, FOURTH_CLOSE]
    assert [order_of(u).status for u in fills] == [
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.FILLED,
    ]
    assert [order_of(u).filled_qty for u in fills] == ["92", "188", "200"]
    assert [Decimal(str(order_of(u).filled_avg_price)) for u in fills] == [
        Decimal("410"),
        Decimal("412.527659574"),  # (92 x 410 + 96 x 414.95) / 188, to nine places
        Decimal("412.9622"),
    ]
    assert [order_of(u).filled_at for u in fills] == [None, None, FOURTH_CLOSE]
    executions = [u.execution_id for u in new + fills]
    assert all(isinstance(e, UUID) for e in executions)
    assert len(set(executions)) == 4
    position = trading.get_open_position("AAPL")
    assert position.qty == "210"  # type: ignore[union-attr]


def test_a_cancel_is_pending_cancel_then_canceled(bot: Bot) -> None:
    trading = bot.trading()
    bot.advance(targetTime=at(FIRST_CLOSE))
    with streaming(bot) as updates:
        order = trading.submit_order(
            LimitOrderRequest(
                symbol="MSFT", qty=10, side="buy", time_in_force="gtc", limit_price=20
            )
        )
        assert isinstance(order, Order)
        trading.cancel_order_by_id(order.id)
        got = updates.take(3)

    assert [u.event for u in got] == [
        TradeEvent.NEW,
        TradeEvent.PENDING_CANCEL,
        TradeEvent.CANCELED,
    ]
    # The cancel request and the cancel are one commit; each shows its own state.
    assert [order_of(u).status for u in got] == [
        OrderStatus.NEW,
        OrderStatus.PENDING_CANCEL,
        OrderStatus.CANCELED,
    ]
    assert [order_of(u).canceled_at for u in got] == [None, None, FIRST_CLOSE]
    assert {order_of(u).id for u in got} == {order.id}
    assert all(u.timestamp == FIRST_CLOSE for u in got)
    assert all(u.price is None and u.position_qty is None for u in got)


def test_a_replace_is_the_new_order_then_the_old_one_pending_replace_then_replaced(
    bot: Bot,
) -> None:
    trading = bot.trading()
    bot.advance(targetTime=at(FIRST_CLOSE))
    with streaming(bot) as updates:
        old = trading.submit_order(
            LimitOrderRequest(
                symbol="MSFT", qty=10, side="buy", time_in_force="gtc", limit_price=20
            )
        )
        assert isinstance(old, Order)
        first = updates.take(1)
        new = trading.replace_order_by_id(old.id, ReplaceOrderRequest(limit_price=30))
        assert isinstance(new, Order)
        replacing = updates.take(3)
        bot.advance(targetTime=at(SECOND_CLOSE))
        (fill,) = updates.take(1)

    assert [u.event for u in first + replacing] == [
        TradeEvent.NEW,
        TradeEvent.NEW,
        TradeEvent.PENDING_REPLACE,
        TradeEvent.REPLACED,
    ]
    accepted, pending, replaced = replacing
    assert order_of(accepted).id == new.id
    assert order_of(accepted).replaces == old.id
    assert Decimal(str(order_of(accepted).limit_price)) == 30
    assert order_of(accepted).status is OrderStatus.NEW
    assert order_of(pending).id == old.id
    assert order_of(pending).status is OrderStatus.PENDING_REPLACE
    assert order_of(pending).replaced_by is None
    # ``replaced`` carries the old order, as Alpaca's does: replaced, pointing at the new one.
    assert order_of(replaced).id == old.id
    assert order_of(replaced).status is OrderStatus.REPLACED
    assert order_of(replaced).replaced_by == new.id
    assert order_of(replaced).replaced_at == FIRST_CLOSE
    assert Decimal(str(order_of(replaced).limit_price)) == 20

    assert fill.event == TradeEvent.FILL
    assert order_of(fill).id == new.id
    assert (fill.price, fill.qty, fill.position_qty) == (26.8199, 10.0, 10.0)
    assert fill.timestamp == SECOND_CLOSE


def test_the_session_prefix_streams_the_owners_default_account_only(bot: Bot) -> None:
    service, owner = bot.server.service, bot.owner[0]
    other = service.open_account(owner, bot.session_id, Decimal(100_000)).id
    runtime = runtime_of(bot)
    trading = bot.trading(prefixed=True)
    bot.advance(targetTime=at(FIRST_CLOSE))
    with streaming(bot, prefixed=True) as updates:
        runtime.submit_order(other, "AAPL", Side.BUY, 3)  # another account: not this stream's
        mine = trading.submit_order(
            MarketOrderRequest(symbol="AAPL", qty=5, side="buy", time_in_force="day")
        )
        assert isinstance(mine, Order)
        bot.advance(targetTime=at(SECOND_CLOSE))  # both orders fill
        got = updates.take(2)

    assert [u.event for u in got] == [TradeEvent.NEW, TradeEvent.FILL]
    assert {order_of(u).id for u in got} == {mine.id}
    assert (got[1].price, got[1].qty, got[1].position_qty) == (410.0, 5.0, 5.0)
    assert runtime.books(other).positions["AAPL"].qty == 3


# -- the protocol, with a raw websocket client -------------------------------------------


@contextmanager
def raw(bot: Bot, path: str = "/stream") -> Iterator[ClientConnection]:
    url = bot.server.url.replace("http://", "ws://") + path
    with connect(url, proxy=None, open_timeout=WAIT_SECONDS) as websocket:
        yield websocket


def send(websocket: ClientConnection, message: object, *, binary: bool = False) -> None:
    text = json.dumps(message)
    websocket.send(text.encode() if binary else text)


def receive(websocket: ClientConnection) -> Any:
    return json.loads(websocket.recv(timeout=WAIT_SECONDS))


def authenticate(key: Auth) -> dict[str, Any]:
    return {"action": "authenticate", "data": {"key_id": key[0], "secret_key": key[1]}}


def listen(*streams: str) -> dict[str, Any]:
    return {"action": "listen", "data": {"streams": list(streams)}}


def closed_with(websocket: ClientConnection) -> tuple[int, str]:
    """The close code and reason, once the server has closed (no message may come first)."""
    with pytest.raises(ConnectionClosed) as closed:
        websocket.recv(timeout=WAIT_SECONDS)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


AUTHORIZED = {"stream": "authorization", "data": {"status": "authorized", "action": "authenticate"}}
UNAUTHORIZED = {
    "stream": "authorization",
    "data": {"status": "unauthorized", "action": "authenticate"},
}
LISTENING = {"stream": "listening", "data": {"streams": ["trade_updates"]}}


def subscribed(bot: Bot, websocket: ClientConnection, *, binary: bool = False) -> None:
    send(websocket, authenticate(bot.key), binary=binary)
    assert receive(websocket) == AUTHORIZED
    send(websocket, listen("trade_updates"), binary=binary)
    assert receive(websocket) == LISTENING


def limit_buy(qty: float = 10, limit: float = 20) -> LimitOrderRequest:
    return LimitOrderRequest(
        symbol="MSFT", qty=qty, side="buy", time_in_force="gtc", limit_price=limit
    )


@pytest.mark.parametrize("path", ["/stream", "/stream/"])
def test_the_first_message_answers_authenticate_then_listen_is_acknowledged(
    bot: Bot, path: str
) -> None:
    bot.advance(targetTime=at(FIRST_CLOSE))
    with raw(bot, path) as websocket:
        send(websocket, authenticate(bot.key))
        first = websocket.recv(timeout=WAIT_SECONDS)
        assert isinstance(first, str)  # text answers text
        assert json.loads(first) == AUTHORIZED
        send(websocket, listen("account_updates", "trade_updates"))
        assert receive(websocket) == LISTENING  # only the streams there are
        order = bot.trading().submit_order(limit_buy())
        assert isinstance(order, Order)
        update = receive(websocket)
    assert update["stream"] == "trade_updates"
    data = update["data"]
    assert set(data) == {"event", "execution_id", "order", "timestamp"}
    assert data["event"] == "new"
    assert data["timestamp"] == "2012-01-03T21:00:00Z"
    assert UUID(data["execution_id"])
    assert data["order"]["id"] == str(order.id)
    assert data["order"]["status"] == "new"
    assert data["order"]["qty"] == "10"


def test_binary_frames_are_answered_with_binary_frames(bot: Bot) -> None:
    with raw(bot) as websocket:
        send(websocket, authenticate(bot.key), binary=True)
        reply = websocket.recv(timeout=WAIT_SECONDS)
        assert isinstance(reply, bytes)
        assert json.loads(reply) == AUTHORIZED
        send(websocket, listen("trade_updates"), binary=True)
        ack = websocket.recv(timeout=WAIT_SECONDS)
        assert isinstance(ack, bytes)
        assert json.loads(ack) == LISTENING
        bot.trading().submit_order(limit_buy())
        update = websocket.recv(timeout=WAIT_SECONDS)
    assert isinstance(update, bytes)
    assert json.loads(update)["data"]["event"] == "new"


@pytest.mark.parametrize(
    "data",
    [
        {"key_id": "PKAAAAAAAAAAAAAAAAAA", "secret_key": "x" * 40},  # unknown key
        {"key_id": "not a key", "secret_key": "x"},
        {"key_id": "PKAAAAAAAAAAAAAAAAAA"},  # no secret
        "PKAAAAAAAAAAAAAAAAAA",
    ],
)
def test_a_key_that_does_not_verify_is_unauthorized_and_closed_before_any_data(
    bot: Bot, data: object
) -> None:
    with raw(bot) as websocket:
        send(websocket, {"action": "authenticate", "data": data})
        assert receive(websocket) == UNAUTHORIZED
        assert closed_with(websocket) == (1008, "unauthorized")


def test_a_real_key_with_a_wrong_secret_is_unauthorized(bot: Bot) -> None:
    with raw(bot) as websocket:
        send(websocket, authenticate((bot.key[0], bot.key[1][::-1])))
        assert receive(websocket) == UNAUTHORIZED
        assert closed_with(websocket) == (1008, "unauthorized")


def test_a_key_that_may_not_use_the_path_is_unauthorized_and_told_why(
    bot: Bot, live_server: LiveServer
) -> None:
    with raw(bot) as websocket:  # the owner's key is bound to no session
        send(websocket, authenticate(bot.owner))
        refused = receive(websocket)
        assert closed_with(websocket) == (1008, "unauthorized")
    assert refused["data"]["status"] == "unauthorized"
    assert "not bound to a session" in refused["data"]["message"]
    stranger = make_bot(live_server)
    with raw(bot, f"/sessions/{bot.session_id}/stream") as websocket:
        send(websocket, authenticate(stranger.owner))
        refused = receive(websocket)
        assert closed_with(websocket) == (1008, "unauthorized")
    assert refused["data"]["message"] == f"session {bot.session_id} not found"


def test_frames_before_authentication_are_answered_and_the_connection_stays_open(
    bot: Bot,
) -> None:
    def error(message: str) -> dict[str, Any]:
        return {"stream": "error", "data": {"code": 40010000, "message": message}}

    with raw(bot) as websocket:
        send(websocket, listen("trade_updates"))
        assert receive(websocket) == {
            "stream": "authorization",
            "data": {"status": "unauthorized", "action": "listen"},
        }
        websocket.send("{not json")
        assert receive(websocket) == error("frame is not JSON")
        websocket.send(b"\xff\xfe\x00")
        assert receive(websocket) == error("frame is not JSON")
        send(websocket, [1, 2])
        assert receive(websocket) == error('expected a JSON object {"action": ..., "data": ...}')
        send(websocket, {"action": "dance"})
        assert receive(websocket) == error("unknown action 'dance': authenticate or listen")
        websocket.send("x" * (64 * 1024 + 1))
        assert receive(websocket) == error("frame longer than 65536 characters")
        send(websocket, authenticate(bot.key))
        assert receive(websocket) == AUTHORIZED
        send(websocket, authenticate(bot.key))
        assert receive(websocket) == error("already authenticated")
        send(websocket, {"action": "listen", "data": {"streams": "trade_updates"}})
        assert receive(websocket) == error("listen: data.streams must be a list of stream names")
        send(websocket, listen("trade_updates"))
        assert receive(websocket) == LISTENING


def test_listening_to_no_stream_stops_the_updates(bot: Bot) -> None:
    runtime = runtime_of(bot)
    trading = bot.trading()
    with raw(bot) as websocket:
        subscribed(bot, websocket)
        send(websocket, listen())
        assert receive(websocket) == {"stream": "listening", "data": {"streams": []}}
        assert runtime.subscribers == 0
        trading.submit_order(limit_buy(1))  # not heard
        send(websocket, listen("trade_updates"))
        assert receive(websocket) == LISTENING
        heard = trading.submit_order(limit_buy(2))
        assert isinstance(heard, Order)
        assert receive(websocket)["data"]["order"]["id"] == str(heard.id)
    wait_for_subscribers(runtime, 0)  # a client that goes away is unsubscribed


def test_a_bracket_entry_fill_shows_its_legs_held_then_each_leg_is_new(bot: Bot) -> None:
    bot.advance(targetTime=at(FIRST_CLOSE))
    with raw(bot) as websocket:
        subscribed(bot, websocket)
        entry = bot.trading().submit_order(
            MarketOrderRequest(
                symbol="AAPL", qty=10, side="buy", time_in_force="gtc", order_class="bracket",
                take_profit=TakeProfitRequest(limit_price=500),
                stop_loss=StopLossRequest(stop_price=300),
            )
        )  # fmt: skip
        assert isinstance(entry, Order)
        new = receive(websocket)["data"]
        bot.advance(targetTime=at(SECOND_CLOSE))
        got = [receive(websocket)["data"] for _ in range(3)]
    assert new["event"] == "new"
    assert [leg["status"] for leg in new["order"]["legs"]] == ["held", "held"]
    fill, *released = got
    assert fill["event"] == "fill"
    assert fill["order"]["id"] == str(entry.id)
    assert (fill["price"], fill["qty"], fill["position_qty"]) == ("410.0000", "10", "10")
    # As of the fill, the legs had not started yet: they start right after it.
    assert [leg["status"] for leg in fill["order"]["legs"]] == ["held", "held"]
    leg_ids = [leg["id"] for leg in fill["order"]["legs"]]
    assert [(u["event"], u["order"]["id"], u["order"]["status"]) for u in released] == [
        ("new", leg_ids[0], "new"),
        ("new", leg_ids[1], "new"),
    ]
    assert [u["order"]["type"] for u in released] == ["limit", "stop"]


def test_a_client_too_slow_for_the_updates_is_told_and_closed(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream_module, "MAX_PENDING", 2)
    bot = make_bot(live_server, execution=PARTIAL)
    bot.advance(targetTime=at(FIRST_CLOSE))
    with raw(bot) as websocket:
        subscribed(bot, websocket)
        bot.trading().submit_order(
            MarketOrderRequest(symbol="AAPL", qty=200, side="buy", time_in_force="gtc")
        )
        assert receive(websocket)["data"]["event"] == "new"
        bot.advance(targetTime=at(FOURTH_CLOSE))  # three updates at once: one too many
        assert receive(websocket) == {
            "stream": "error",
            "data": {
                "code": 40010000,
                "message": "more than 2 updates waiting: the client is too slow",
            },
        }
        assert closed_with(websocket) == (1008, "too slow: updates overflowed")
    assert runtime_of(bot).subscribers == 0


def test_a_client_that_does_not_authenticate_in_time_is_closed(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream_module, "AUTH_TIMEOUT_SECONDS", 0.2)
    with raw(bot) as websocket:
        assert closed_with(websocket) == (1008, "authentication timed out")


def test_a_revoked_key_is_closed(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream_module, "WATCH_SECONDS", 0.05)
    with raw(bot) as websocket:
        subscribed(bot, websocket)
        bot.server.keys.revoke(bot.key[0])
        assert closed_with(websocket) == (1008, "the API key was revoked")
    assert runtime_of(bot).subscribers == 0


def test_an_expiry_and_a_refusal_are_streamed(bot: Bot) -> None:
    trading = bot.trading()
    with raw(bot) as websocket:
        subscribed(bot, websocket)
        day = trading.submit_order(
            LimitOrderRequest(symbol="MSFT", qty=1, side="buy", time_in_force="day", limit_price=20)
        )
        assert isinstance(day, Order)
        assert receive(websocket)["data"]["event"] == "new"
        bot.advance(targetTime=at(FIRST_CLOSE))
        expired = receive(websocket)["data"]
        with pytest.raises(APIError):  # 410,000 is more than the account can pay
            trading.submit_order(
                LimitOrderRequest(
                    symbol="AAPL", qty=1000, side="buy", time_in_force="gtc", limit_price=410
                )
            )
        rejected = receive(websocket)["data"]
    assert (expired["event"], expired["order"]["id"]) == ("expired", str(day.id))
    assert expired["order"]["status"] == "expired"
    assert expired["timestamp"] == expired["order"]["expired_at"] == "2012-01-03T21:00:00Z"
    assert rejected["event"] == "rejected"
    assert rejected["order"]["status"] == "rejected"
    assert rejected["order"]["qty"] == "1000"
    assert rejected["timestamp"] == rejected["order"]["failed_at"] == "2012-01-03T21:00:00Z"


@pytest.mark.parametrize("prefixed", [False, True])
def test_a_deleted_session_closes_its_streams(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, prefixed: bool
) -> None:
    monkeypatch.setattr(stream_module, "WATCH_SECONDS", 0.05)
    path = f"/sessions/{bot.session_id}/stream" if prefixed else "/stream"
    with raw(bot, path) as websocket:
        send(websocket, authenticate(bot.owner if prefixed else bot.key))
        assert receive(websocket) == AUTHORIZED
        assert bot.v1("DELETE", f"/v1/sessions/{bot.session_id}").status_code == 204
        assert closed_with(websocket) == (1008, "the API key or the session no longer exists")


def test_a_server_fault_closes_with_1011_and_no_traceback(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("server bug")

    monkeypatch.setattr(stream_module, "event_name", broken)
    with raw(bot) as websocket:
        subscribed(bot, websocket)
        bot.trading().submit_order(limit_buy())
        assert receive(websocket) == {
            "stream": "error",
            "data": {"code": 40010000, "message": "internal error: the updates stopped; reconnect"},
        }
        assert closed_with(websocket) == (1011, "internal error")
    monkeypatch.setattr(stream_module, "verify_in", broken)
    with raw(bot) as websocket:
        send(websocket, authenticate(bot.key))
        assert closed_with(websocket) == (1011, "internal error")
    assert runtime_of(bot).subscribers == 0
