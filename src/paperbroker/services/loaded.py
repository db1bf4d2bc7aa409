"""A session the server has loaded: its runtime and what drives it.

:class:`~paperbroker.services.sessions.SessionService` keeps one per session
it has touched; the paper, live and checkpoint use cases read and set its
parts (the feed and its thread, the broker link, the playback thread).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from paperbroker.services.session_facts import RunTimes, StrategyUse

if TYPE_CHECKING:
    from paperbroker.broker.adapter import BrokerAdapter
    from paperbroker.feeds.base import BarFeed
    from paperbroker.feeds.config import FeedSettings
    from paperbroker.services.live import Link
    from paperbroker.session.runtime import SessionRuntime
    from paperbroker.store.sessions_repo import SessionRecord


class LoadedSession:
    """A session in memory: its runtime, record, playback, feed and broker link."""

    def __init__(self, record: SessionRecord, runtime: SessionRuntime, speed: float) -> None:
        self.record = record
        self.runtime = runtime
        self.speed = speed
        self.player: threading.Thread | None = None
        self.stop_playing = threading.Event()
        # A paper session's feed, the thread that runs it, and since when it feeds.
        self.feed: BarFeed | None = None
        self.feed_settings: FeedSettings | None = None
        self.feeder: threading.Thread | None = None
        self.stop_feeding = threading.Event()
        self.fed_since = 0
        # A live session's broker link and the adapter it trades through.
        self.link: Link | None = None
        self.adapter: BrokerAdapter | None = None
        #: The wall-clock span of its current run, read from its journal as it grows.
        self.run_times = RunTimes(record.id)
        #: What is fixed when it is created, read on the first view: strategy, symbols.
        self.fixed: tuple[StrategyUse | None, tuple[str, ...]] | None = None
        #: Whether its summary is stored (written once it ends; see services/history.py).
        self.summarized = False

    @property
    def playing(self) -> bool:
        return self.player is not None and self.player.is_alive()
