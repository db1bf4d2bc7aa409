"""A follower passes on every seq of its stream once, in order: replay, held live events, gaps.

The follower runs on an event loop against a stream held in a list (the
store) and live events handed to it by hand, at the moments that matter:
while a replay waits for room, overlapping what the replay reads, with a
seq missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from paperbroker.services.event_followers import _LOG_CHUNK, Follower, _count_lines, _read_lines
from paperbroker.services.event_kinds import StreamEvent
from paperbroker.services.events import EventHub, Viewer


def event(seq: int) -> StreamEvent:
    return StreamEvent("session:s", seq, "OrderAccepted", seq, "orders", "s", "{}")


class Sink:
    """Counts frames; its room opens only when the test says so."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.open.set()
        self.slow = False
        self.waiting_for_room = asyncio.Event()

    def emit(self, event: StreamEvent) -> None: ...

    def waiting(self) -> int:
        return 0

    async def room(self) -> None:
        self.waiting_for_room.set()
        await self.open.wait()

    def too_slow(self) -> None:
        self.slow = True

    def ended(self, stream: str, reason: str) -> None: ...

    def warn(self, status: int, message: str) -> None: ...

    def failed(self, error: BaseException) -> None:
        raise AssertionError(f"the follower failed: {error!r}")


class Owner:
    def __init__(self, max_queue: int = 100, page_size: int = 3) -> None:
        self.hub: EventHub = None  # type: ignore[assignment]  # not used by these followers
        self.viewer = Viewer("PKTEST")
        self.sink = Sink()
        self.max_queue = max_queue
        self.page_size = page_size
        self.delivered: list[int] = []

    def deliver(self, event: StreamEvent) -> None:
        self.delivered.append(event.seq)

    def drop(self, follower: Follower) -> None: ...


class ListFollower(Follower):
    """A stream stored in a list; ``head`` is its length when it attaches."""

    def __init__(self, owner: Owner, store: list[int]) -> None:
        super().__init__(owner, "session:s")
        self.store = store
        self.reads = 0

    async def attach(self) -> int:
        self.head = len(self.store)
        return self.head

    async def _read(self, after_seq: int, limit: int) -> list[StreamEvent]:
        self.reads += 1
        await asyncio.sleep(0)
        return [event(seq) for seq in self.store if seq > after_seq][:limit]


def run(test: Callable[[], object]) -> None:
    async def main() -> None:
        await test()  # type: ignore[misc]

    asyncio.run(main())


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def test_live_events_held_during_a_replay_follow_it_without_a_repeat() -> None:
    async def scenario() -> None:
        owner = Owner(page_size=3)
        store = list(range(1, 11))
        follower = ListFollower(owner, store)
        await follower.attach()
        owner.sink.open.clear()
        follower.start(2)  # the client saw 1 and 2
        await owner.sink.waiting_for_room.wait()
        # Commits during the replay: held, and also found by the replay's last read.
        store.extend([11, 12])
        follower.live([event(11), event(12)])
        owner.sink.open.set()
        await settle()
        follower.live([event(13)])
        store.append(13)
        await settle()
        assert owner.delivered == list(range(3, 14))

    run(scenario)


def test_a_replay_stops_reading_where_the_held_events_begin() -> None:
    async def scenario() -> None:
        owner = Owner(page_size=2)
        store = list(range(1, 21))
        follower = ListFollower(owner, store)
        await follower.attach()
        owner.sink.open.clear()
        follower.start(0)
        await owner.sink.waiting_for_room.wait()
        store.extend(range(21, 31))
        follower.live([event(s) for s in range(21, 31)])
        owner.sink.open.set()
        await settle()
        assert owner.delivered == list(range(1, 31))
        assert follower.reads == 10  # 1..20 in pages of two, then the held ones

    run(scenario)


def test_a_live_event_that_skips_a_seq_brings_the_missing_ones_from_the_store() -> None:
    async def scenario() -> None:
        owner = Owner()
        store = [1, 2, 3]
        follower = ListFollower(owner, store)
        await follower.attach()
        follower.start(None)  # live only, from the head
        await settle()
        store.extend([4, 5, 6])
        follower.live([event(5), event(6)])  # 4 never came live
        await settle()
        follower.live([event(6), event(7)])  # 6 again: dropped
        await settle()
        assert owner.delivered == [4, 5, 6, 7]

    run(scenario)


def test_live_only_passes_on_nothing_at_or_before_the_head() -> None:
    async def scenario() -> None:
        owner = Owner()
        follower = ListFollower(owner, [1, 2, 3])
        await follower.attach()
        follower.live([event(3), event(4)])  # 3 committed before the head was read
        follower.start(None)
        await settle()
        assert owner.delivered == [4]

    run(scenario)


def test_a_client_too_slow_for_the_held_events_is_told() -> None:
    async def scenario() -> None:
        owner = Owner(max_queue=5)
        follower = ListFollower(owner, [1])
        await follower.attach()
        owner.sink.open.clear()
        follower.start(0)
        await owner.sink.waiting_for_room.wait()
        follower.live([event(s) for s in range(2, 8)])  # six held: over the bound
        assert owner.sink.slow
        follower.close()
        owner.sink.open.set()
        await settle()
        assert owner.delivered == []

    run(scenario)


def test_log_lines_are_counted_alike_when_counted_and_when_read(tmp_path: Path) -> None:
    log = tmp_path / "agent.log"
    log.write_bytes(b"one\r\ntwo\x0cstill two\n" + b"x" * (_LOG_CHUNK + 10) + b"\nthree\npart")
    lines, offset = _read_lines(log, 0)
    assert lines == ["one", "two\x0cstill two"]  # only a newline ends a line
    assert _read_lines(log, offset)[0] == ["x" * _LOG_CHUNK]  # a huge line comes in pieces
    count, end = _count_lines(log)
    assert count == 5  # one, two, the huge line's two pieces, three; not the unfinished part
    assert log.read_bytes()[end:] == b"part"
    assert _read_lines(log, end) == ([], end)  # waits for the newline
    with log.open("ab") as handle:
        handle.write(b"ial\n")
    assert _read_lines(log, end) == (["partial"], end + 8)
    log.write_bytes(b"new\n")
    assert _read_lines(log, end) == ([], -1)  # truncated under us
    assert _read_lines(tmp_path / "none.log", 0) == ([], 0)
