"""The Alpaca bar feed against a local peer that speaks Alpaca's stream protocol.

Every test runs the real feed in a thread with a real sink and bounds its
waits itself (a few seconds at most), so a hang fails the test instead of
the run.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from tests.feeds.alpaca_peer import DROP, AlpacaPeer, Frame, bar, quote, trade

from paperbroker.core.clock import NANOS_PER_MINUTE, WallClock, datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.data.bar import Bar
from paperbroker.feeds.alpaca import AlpacaBarFeed
from paperbroker.feeds.alpaca_batches import MinuteBatcher
from paperbroker.feeds.alpaca_messages import AlpacaStreamRefused, DuplicateBar, LateBar
from paperbroker.model.instrument import US_EQUITY_HOURS

#: 09:30 New York: the first minute of a session.
OPEN = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
WAIT_SECONDS = 5.0


def minute(k: int) -> datetime:
    return OPEN + timedelta(minutes=k)


def close_ns(k: int) -> int:
    """The close time of the bar of minute ``k`` (its start plus one minute)."""
    return datetime_to_ns(minute(k + 1))


def bars_of(k: int, *symbols: str) -> list[dict[str, object]]:
    """One well-formed bar of minute ``k`` per symbol, prices telling them apart."""
    return [bar(s, minute(k), 100 + k, 101 + k, 99 + k, 100.5 + k, 10 * (k + 1)) for s in symbols]


def wait_until(condition: Callable[[], bool], seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


@dataclass
class Run:
    """A feed running in its thread, and what its sink received."""

    feed: AlpacaBarFeed
    stop: threading.Event = field(default_factory=threading.Event)
    batches: list[list[Bar]] = field(default_factory=list)
    error: BaseException | None = None
    thread: threading.Thread | None = None

    def sink(self, batch: Sequence[Bar]) -> None:
        self.batches.append(list(batch))

    def closes(self) -> list[int]:
        return [batch[0].ts for batch in self.batches]

    def stop_and_join(self) -> float:
        """Set ``stop``; return the seconds ``run`` took to return."""
        assert self.thread is not None
        began = time.monotonic()
        self.stop.set()
        self.thread.join(WAIT_SECONDS)
        assert not self.thread.is_alive(), "the feed did not stop"
        return time.monotonic() - began


@contextmanager
def running(
    feed: AlpacaBarFeed,
    after_ns: int | None = None,
    sink: Callable[[Sequence[Bar]], None] | None = None,
) -> Iterator[Run]:
    run = Run(feed)

    def target() -> None:
        try:
            feed.run(sink or run.sink, run.stop, after_ns)
        except BaseException as error:
            run.error = error

    run.thread = threading.Thread(target=target, daemon=True)
    run.thread.start()
    try:
        yield run
    finally:
        run.stop_and_join()


def feed_for(peer: AlpacaPeer | str, *symbols: str, **settings: float) -> AlpacaBarFeed:
    url = peer if isinstance(peer, str) else peer.url
    key = "PKPEERKEY" if isinstance(peer, str) else peer.key_id
    secret = "peer-secret" if isinstance(peer, str) else peer.secret_key
    timings: dict[str, float] = {"backoff_initial_seconds": 0.05, "backoff_max_seconds": 0.2,
                                 "batch_window_seconds": 0.2, **settings}  # fmt: skip
    return AlpacaBarFeed(
        symbols, key_id=key, secret_key=secret, clock=WallClock(), url=url, **timings
    )


def test_bars_arrive_as_batches_stamped_at_their_close() -> None:
    script: list[Frame] = [[trade("AAPL"), *bars_of(k, "AAPL"), quote("AAPL")] for k in range(3)]
    with AlpacaPeer(script) as peer, running(feed_for(peer, "AAPL")) as run:
        assert wait_until(lambda: len(run.batches) == 3)
        assert run.batches[0] == [Bar("AAPL", close_ns(0), 100.0, 101.0, 99.0, 100.5, 10.0)]
        assert run.closes() == [close_ns(k) for k in range(3)]
        assert all(
            isinstance(b.open, float) and isinstance(b.volume, float) for b in run.batches[2]
        )
        health = run.feed.health
        assert (health.connected, health.batches, health.bars, health.reconnects) == (True, 3, 3, 0)
        assert health.last_bar_wall_ns is not None
        assert (peer.auth_keys, peer.subscriptions) == (["PKPEERKEY"], [["AAPL"]])
    assert run.error is None
    assert not run.feed.health.connected


def test_bars_of_one_minute_across_frames_form_one_batch_in_symbol_order() -> None:
    script: list[Frame] = [
        [*bars_of(0, "MSFT"), trade("MSFT")],
        [quote("AAPL"), *bars_of(0, "SPY", "AAPL")],  # complete: goes out at once
        bars_of(1, "MSFT"),
        bars_of(1, "AAPL"),  # no SPY this minute: a later minute closes the batch
        bars_of(2, "SPY"),  # the last minute: its window closes it
    ]
    with AlpacaPeer(script) as peer, running(feed_for(peer, "AAPL", "MSFT", "SPY")) as run:
        assert wait_until(lambda: len(run.batches) == 3)
    assert [[b.symbol for b in batch] for batch in run.batches] == [
        ["AAPL", "MSFT", "SPY"], ["AAPL", "MSFT"], ["SPY"],
    ]  # fmt: skip
    assert run.closes() == [close_ns(0), close_ns(1), close_ns(2)]
    assert run.batches[1][1] == Bar("MSFT", close_ns(1), 101.0, 102.0, 100.0, 101.5, 20.0)


def test_reconnect_after_a_drop_resumes_without_duplicates_or_gaps() -> None:
    both = ("AAPL", "MSFT")
    script: list[Frame] = [bars_of(0, *both), bars_of(1, *both), DROP, bars_of(2, *both)]
    # After the reconnect the peer first sends minute 1 again, as Alpaca may.
    with AlpacaPeer(script, resend=1) as peer, running(feed_for(peer, *both)) as run:
        assert wait_until(lambda: len(run.batches) == 3)
        health = run.feed.health
        assert wait_until(lambda: health.connected)
    assert run.closes() == [close_ns(0), close_ns(1), close_ns(2)]
    assert all(len(batch) == 2 for batch in run.batches)
    assert (peer.connections, health.reconnects) == (2, 1)
    assert peer.auth_keys == ["PKPEERKEY"] * 2
    assert peer.subscriptions == [list(both)] * 2
    assert health.extra["duplicate_bars"] == 2
    assert health.last_error is not None
    assert "ConnectionClosed" in health.last_error


def test_a_minute_cut_by_a_drop_goes_out_in_parts_in_order() -> None:
    script: list[Frame] = [bars_of(0, "AAPL"), DROP, bars_of(0, "MSFT"), bars_of(1, "AAPL")]
    with AlpacaPeer(script) as peer, running(feed_for(peer, "AAPL", "MSFT")) as run:
        assert wait_until(lambda: peer.played.is_set() and len(run.batches) == 3)
    assert [[b.symbol for b in batch] for batch in run.batches] == [["AAPL"], ["MSFT"], ["AAPL"]]
    assert run.closes() == [close_ns(0), close_ns(0), close_ns(1)]


@pytest.mark.parametrize(
    ("refusal", "words"),
    [
        (None, ["auth failed (402)", "key id and secret key"]),  # the peer has other keys
        ((406, "connection limit exceeded"), ["connection limit exceeded (406)"]),
        ((409, "insufficient subscription"), ["insufficient subscription (409)", "iex"]),
    ],
)
def test_a_refusal_no_retry_can_cure_ends_the_run_with_a_clear_error(
    refusal: tuple[int, str] | None, words: list[str]
) -> None:
    peer_keys = {"secret_key": "another-secret"} if refusal is None else {}
    refusals = [refusal] if refusal else []
    with AlpacaPeer(refusals=refusals, **peer_keys) as peer:
        feed = AlpacaBarFeed(
            ["AAPL"], key_id="PKPEERKEY", secret_key="peer-secret", clock=WallClock(), url=peer.url
        )
        with running(feed) as run:
            assert run.thread is not None
            run.thread.join(WAIT_SECONDS)
    assert isinstance(run.error, AlpacaStreamRefused)
    message = str(run.error)
    assert all(word in message for word in words), message
    assert peer.url in message
    assert "peer-secret" not in message
    assert peer.connections == 1
    assert not feed.health.connected


def test_an_error_that_may_pass_is_retried() -> None:
    script: list[Frame] = [bars_of(0, "AAPL")]
    with (
        AlpacaPeer(script, refusals=[(500, "internal error")]) as peer,
        running(feed_for(peer, "AAPL")) as run,
    ):
        assert wait_until(lambda: len(run.batches) == 1)
    assert run.error is None
    assert peer.connections == 2
    assert run.feed.health.reconnects == 1


def test_garbage_and_impossible_bars_are_counted_and_skipped() -> None:
    good = bars_of(0, "AAPL")[0]
    script: list[Frame] = [
        "this is not json",
        b"\x93\xa1T\xa1b",  # msgpack: the feed asked for JSON
        '{"T": "b"}',  # not an array
        [42, {"no": "type"}, {"T": "zz"}],
        [{**good, "h": None}],  # malformed bars
        [{**good, "t": "yesterday"}],
        [{**good, "o": True}],
        [{**good, "o": -1.0, "l": -2.0}],  # impossible bars
        '[{"T":"b","S":"AAPL","o":1e999,"h":1,"l":1,"c":1,"v":1,"t":"2024-03-04T14:30:00Z"}]',
        [{**good, "h": 100.0}],  # high below the close
        [{**good, "v": -5}],
        [{**good, "S": "TSLA"}],  # not subscribed
        [trade("AAPL"), good],
    ]
    with AlpacaPeer(script) as peer, running(feed_for(peer, "AAPL")) as run:
        assert wait_until(lambda: len(run.batches) == 1)
        extra = run.feed.health.extra
        assert (extra["bad_messages"], extra["invalid_bars"]) == (9, 5)
        assert run.feed.health.connected
    assert run.batches == [[Bar("AAPL", close_ns(0), 100.0, 101.0, 99.0, 100.5, 10.0)]]
    assert run.error is None


def test_bars_the_session_already_holds_are_skipped() -> None:
    script: list[Frame] = [bars_of(k, "AAPL") for k in range(3)]
    with AlpacaPeer(script) as peer, running(feed_for(peer, "AAPL"), after_ns=close_ns(1)) as run:
        assert wait_until(lambda: len(run.batches) == 1)
        assert wait_until(peer.played.is_set)
    assert run.closes() == [close_ns(2)]
    assert run.feed.health.extra["duplicate_bars"] == 2


def test_an_error_of_the_sink_ends_the_run_with_that_error() -> None:
    def sink(batch: Sequence[Bar]) -> None:
        raise TimeoutError("the journal is locked")  # would pass for a network error

    with (
        AlpacaPeer([bars_of(0, "AAPL")]) as peer,
        running(feed_for(peer, "AAPL"), sink=sink) as run,
    ):
        assert wait_until(lambda: run.error is not None)
    assert isinstance(run.error, TimeoutError)
    assert str(run.error) == "the journal is locked"
    assert peer.connections == 1


@contextmanager
def silent_server() -> Iterator[str]:
    """A TCP port that accepts connections and never answers (a hung server)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield f"ws://127.0.0.1:{listener.getsockname()[1]}/v2/iex"


def free_port_url() -> str:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    return f"ws://127.0.0.1:{port}/v2/iex"  # closed again: connections are refused


def test_stop_returns_within_a_second_while_streaming() -> None:
    with AlpacaPeer([bars_of(0, "AAPL")]) as peer, running(feed_for(peer, "AAPL")) as run:
        assert wait_until(lambda: len(run.batches) == 1)
        assert run.stop_and_join() < 1.0
    assert run.error is None
    assert not run.feed.health.connected


def test_stop_returns_within_a_second_while_backing_off() -> None:
    feed = feed_for(free_port_url(), "AAPL", backoff_initial_seconds=30, backoff_max_seconds=60)
    with running(feed) as run:
        assert wait_until(lambda: run.feed.health.last_error is not None)
        assert run.stop_and_join() < 1.0
    assert run.error is None
    assert run.feed.health.reconnects == 0


def test_a_hung_server_is_retried_and_stop_interrupts_the_handshake() -> None:
    with silent_server() as url:
        feed = feed_for(url, "AAPL", handshake_timeout_seconds=0.1)
        with running(feed) as run:
            assert wait_until(lambda: run.feed.health.reconnects >= 2)
            assert "TimeoutError" in (run.feed.health.last_error or "")
        slow = feed_for(url, "AAPL", handshake_timeout_seconds=30)
        with running(slow) as run:
            time.sleep(0.2)  # connecting, and waiting for an answer that never comes
            assert run.stop_and_join() < 1.0
    assert run.error is None


def test_the_keys_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, websockets' frame log included
    script: list[Frame] = [bars_of(0, "AAPL"), DROP, bars_of(1, "AAPL"), "garbage"]
    with AlpacaPeer(script) as peer, running(feed_for(peer, "AAPL")) as run:
        assert wait_until(lambda: len(run.batches) == 2 and run.feed.health.extra["bad_messages"])
    with AlpacaPeer(secret_key="other") as peer:
        wrong = AlpacaBarFeed(
            ["AAPL"], key_id="PKPEERKEY", secret_key="peer-secret", clock=WallClock(), url=peer.url
        )
        with running(wrong) as refused:
            assert wait_until(lambda: refused.error is not None)
    assert any(r.name == "paperbroker.feeds.alpaca" for r in caplog.records)
    assert "reconnecting" in caplog.text
    for secret in ("peer-secret", "PKPEERKEY"):
        assert secret not in caplog.text
        assert secret not in repr(run.feed) + repr(run.feed.health) + repr(vars(run.feed.health))


def test_settings_are_checked_and_the_instruments_are_us_equities() -> None:
    feed = AlpacaBarFeed(["AAPL", "MSFT"], key_id="k", secret_key="s", clock=WallClock())
    assert (feed.kind, feed.url) == ("alpaca", "wss://stream.data.alpaca.markets/v2/iex")
    assert feed.symbols == ["AAPL", "MSFT"]
    assert feed.duration_ns == NANOS_PER_MINUTE
    assert all(i.hours == US_EQUITY_HOURS for i in feed.instruments)
    assert feed.health.extra == dict.fromkeys(
        ("bad_messages", "invalid_bars", "duplicate_bars", "late_bars"), 0
    )
    bad: list[dict[str, object]] = [
        {"symbols": []},
        {"symbols": ["AAPL", "AAPL"]},
        {"url": "https://stream.data.alpaca.markets/v2/iex"},
        {"url": "wss://user:pw@stream.data.alpaca.markets/v2/iex"},
        {"backoff_initial_seconds": 0},
        {"backoff_initial_seconds": 5, "backoff_max_seconds": 1},
        {"batch_window_seconds": 60},
        {"handshake_timeout_seconds": 0},
    ]
    for change in bad:
        settings: dict[str, object] = {"symbols": ["AAPL"], "key_id": "k", "secret_key": "s",
                                       "clock": WallClock(), **change}  # fmt: skip
        with pytest.raises(InvalidRequest):
            AlpacaBarFeed(**settings)  # type: ignore[arg-type]


def test_the_batcher_never_goes_back_in_time() -> None:
    batcher = MinuteBatcher(["A", "B"], after_ns=None, window_ns=1_000)
    a1, b1, a2, b0 = (
        Bar(s, ts, 1, 1, 1, 1, 0) for s, ts in (("A", 1), ("B", 1), ("A", 2), ("B", 0))
    )
    assert batcher.add(a1, now_ns=0) == []
    assert batcher.due_ns == 1_000
    assert batcher.add(a2, now_ns=10) == [[a1]]  # a later minute closes the one before
    with pytest.raises(LateBar):
        batcher.add(b0, now_ns=20)  # before the batch handed out
    assert batcher.add(b1, now_ns=30) == [[b1]]  # B's minute 1, still in time, goes first
    with pytest.raises(DuplicateBar):
        batcher.add(b1, now_ns=40)
    assert batcher.poll(now_ns=1_009) is None
    assert batcher.poll(now_ns=1_010) == [a2]
    assert batcher.flush() == []
    assert batcher.due_ns is None
