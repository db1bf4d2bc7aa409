"""Paper sessions: created on a feed, fed by a thread of their own, watched for staleness.

:class:`PaperSessions` is the part of
:class:`~paperbroker.services.sessions.SessionService` that runs paper
sessions. Each has a feeder thread: it runs the session's
:class:`~paperbroker.feeds.base.BarFeed` and hands every batch to the
runtime, which journals it and moves the clock. The feeder runs in every
state but the ended ones (a paused session's prices keep coming); a feed
that fails moves the session to ``error`` (resuming it starts the feed
again), and a replay that runs out completes it. A watchdog thread checks
every feed for staleness and, where the session's policy says so, pauses it.
"""

from __future__ import annotations

import builtins
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from paperbroker.core.clock import NANOS_PER_SECOND, Clock, datetime_to_ns
from paperbroker.core.errors import InvalidRequest, PaperbrokerError
from paperbroker.feeds.base import BarFeed, FeedEnded
from paperbroker.feeds.config import AlpacaCredentials, FeedSettings, build_feed
from paperbroker.risk.settings import RiskSettings
from paperbroker.services.checkpoints import INTERVAL_FIELD
from paperbroker.services.data_window import check_window
from paperbroker.services.session_config import account_config, account_json
from paperbroker.services.views import AccountSettings, SessionView
from paperbroker.session.lifecycle import SessionState, SessionTrigger
from paperbroker.session.market import MarketData
from paperbroker.venue.execution import ExecutionConfig
from paperbroker.venue.schema import ExecutionSpec

if TYPE_CHECKING:
    from paperbroker.services.loaded import LoadedSession

log = logging.getLogger(__name__)

#: How long a paper session runs at most (its end; stop or kill end it sooner).
PAPER_SPAN_NS = 100 * 365 * 86_400 * NANOS_PER_SECOND
WATCH_SECONDS = 1.0
MAX_SYMBOLS = 50


@dataclass(frozen=True)
class FeedView:
    """What a paper session's feed reports."""

    type: str
    connected: bool
    last_bar_at: int | None
    bars: int
    reconnects: int
    stale_seconds: float
    stale: bool
    last_error: str | None


class PaperSessions:
    """Paper sessions of a :class:`SessionService` (see the module doc)."""

    _market: MarketData
    _wall: Clock
    _lock: threading.Lock
    _live: dict[str, LoadedSession]
    alpaca_credentials: AlpacaCredentials | None = None
    drive: bool
    _watchdog: threading.Thread | None = None

    # Provided by the session service.
    def _create(
        self, owner: str, name: str, start_ns: int, end_ns: int, config: str
    ) -> LoadedSession:
        raise NotImplementedError

    def _get(self, owner: str, session_id: str) -> LoadedSession:
        raise NotImplementedError

    def _view(self, live: LoadedSession) -> SessionView:
        raise NotImplementedError

    def _after_move(self, live: LoadedSession) -> None:
        raise NotImplementedError

    def list(self, owner: str) -> builtins.list[SessionView]:
        raise NotImplementedError

    def resume(self, owner: str, session_id: str) -> SessionView:
        raise NotImplementedError

    def suspend(self, owner: str, session_id: str) -> SessionView:
        raise NotImplementedError

    # -- use cases ----------------------------------------------------------------
    def create_paper(
        self,
        owner: str,
        *,
        name: str | None,
        symbols: Sequence[str],
        pipeline: builtins.list[dict[str, Any]] | None,
        initial_cash: Decimal,
        execution: ExecutionSpec | Mapping[str, object] | None,
        feed: Mapping[str, object] | None,
        risk: RiskSettings | None = None,
        origin: str | None = None,
        checkpoint_interval: float | None = None,
    ) -> SessionView:
        """Create a paper session on ``feed`` and start it (``running``); ``checkpoint_interval``
        is the seconds between its checkpoints (default: the server's).

        ``origin`` marks who made it, stored with its settings (``cli-run``:
        ``paperbroker run``, which finds its own sessions again by it).

        Raises:
            InvalidRequest: for no or too many symbols, negative cash, or invalid
                execution, feed or pipeline settings (the message names the field).
        """
        if initial_cash < 0:
            raise InvalidRequest(f"initial_cash must not be negative, got {initial_cash}")
        unique, settings = self._fed_symbols(symbols, feed, "paper")
        models = ExecutionConfig.from_json(execution)
        start = self._wall.now_ns()
        config = json.dumps(
            {
                "kind": "paper",
                "initial_cash": str(initial_cash),
                "playback_speed": 1.0,
                "execution": models.to_json(),
                "account": account_json(account_config(AccountSettings())),
                "pipeline": pipeline,
                "symbols": unique,
                "feed": settings.model_dump(mode="json"),
                "risk": None if risk is None else risk.to_json(),
                **({} if origin is None else {"origin": origin}),
                **({} if checkpoint_interval is None else {INTERVAL_FIELD: checkpoint_interval}),
            }
        )
        live = self._create(owner, name or "paper", start, start + PAPER_SPAN_NS, config)
        live.runtime.transition(SessionTrigger.RESUME)
        self._after_move(live)
        self._start_feeding(live)
        return self._view(live)

    def paper_sessions(self, owner: str) -> builtins.list[SessionView]:
        """The owner's paper sessions, oldest first."""
        return [view for view in self.list(owner) if view.type == "paper"]

    def pause_all(self, owner: str) -> dict[str, str]:
        """Pause every running paper session of the owner: ``{id: new state or error}``."""
        return self._each(owner, SessionState.RUNNING, self.suspend)

    def resume_all(self, owner: str) -> dict[str, str]:
        """Resume every paused paper session of the owner: ``{id: new state or error}``."""
        return self._each(owner, SessionState.PAUSED, self.resume)

    def feed_view(self, owner: str, session_id: str) -> FeedView | None:
        """The feed of a paper session (``None`` for a backtest)."""
        return self._feed_view(self._get(owner, session_id))

    # -- internals ----------------------------------------------------------------
    def _fed_symbols(
        self, symbols: Sequence[str], feed: Mapping[str, object] | None, kind: str
    ) -> tuple[builtins.list[str], FeedSettings]:
        """The symbols of a session fed in real time (once each) and its feed's settings.

        Raises:
            InvalidRequest: for no or too many symbols, invalid feed settings, an
                alpaca feed without the server's keys, or a replay without history.
        """
        unique = list(dict.fromkeys(symbols))
        if not unique:
            raise InvalidRequest(f"a {kind} session needs at least one symbol")
        if len(unique) > MAX_SYMBOLS:
            raise InvalidRequest(f"a {kind} session trades at most {MAX_SYMBOLS} symbols")
        settings = FeedSettings.parse(feed)
        if settings.type == "alpaca" and self.alpaca_credentials is None:
            raise InvalidRequest(
                "an alpaca feed needs the server's PAPERBROKER_ALPACA_KEY_ID and "
                "PAPERBROKER_ALPACA_SECRET_KEY"
            )
        if settings.type == "replay":  # stored history: each symbol needs bars to replay
            replay_from = None if settings.start is None else datetime_to_ns(settings.start)
            check_window(self._market, unique, replay_from, None, bar_at_start=True)
        return unique, settings

    def _each(self, owner: str, state: SessionState, verb: Any) -> dict[str, str]:
        results: dict[str, str] = {}
        for view in self.paper_sessions(owner):
            if view.state != state:
                continue
            try:
                results[view.id] = verb(owner, view.id).state
            except PaperbrokerError as error:
                results[view.id] = f"error: {error}"
        return results

    def _feed_view(self, live: LoadedSession) -> FeedView | None:
        feed, settings = live.feed, live.feed_settings
        if feed is None or settings is None:
            return None
        stale = feed.stale_seconds(self._wall.now_ns(), live.fed_since)
        health = feed.health
        return FeedView(
            feed.kind, health.connected, health.last_bar_wall_ns, health.bars,
            health.reconnects, stale, stale > settings.stale_after_seconds, health.last_error,
        )  # fmt: skip

    def _start_feeding(self, live: LoadedSession) -> None:
        """Start the session's feeder thread, unless it runs or the session has ended."""
        runtime = live.runtime
        if not self.drive or not runtime.live or runtime.ended or runtime.diverged is not None:
            return
        if live.feeder and live.feeder.is_alive():
            return
        live.feed_settings = FeedSettings.parse(runtime.spec.feed)
        live.feed = build_feed(
            live.feed_settings, runtime.spec.symbols, self._market,
            wall_start_ns=runtime.spec.start_ns, clock=self._wall,
            credentials=self.alpaca_credentials,
        )  # fmt: skip
        live.stop_feeding.clear()
        live.fed_since = self._wall.now_ns()
        feeder = threading.Thread(
            target=self._feed, args=(live, live.feed), name=f"feed-{live.record.id}", daemon=True
        )
        feeder.start()  # before it is shared: a stop never joins a thread not yet started
        live.feeder = feeder
        self._watch()

    def _feed(self, live: LoadedSession, feed: BarFeed) -> None:
        runtime = live.runtime

        def sink(bars: Sequence[Any]) -> None:
            runtime.ingest(bars)
            self._after_move(live)
            if runtime.ended:
                live.stop_feeding.set()

        try:
            feed.run(sink, live.stop_feeding, runtime.last_bar_ns)
        except FeedEnded:
            self._end(live, SessionTrigger.COMPLETE, "the feed has no more bars")
        except Exception as error:  # the feed's fault: the session shows it
            log.exception("session %s: the feed failed", live.record.id)
            feed.health.last_error = f"{type(error).__name__}: {error}"
            self._end(live, SessionTrigger.FAIL, f"the feed failed: {feed.health.last_error}")

    def _end(self, live: LoadedSession, trigger: SessionTrigger, reason: str) -> None:
        runtime = live.runtime
        try:
            if not runtime.ended and not live.stop_feeding.is_set():
                runtime.transition(trigger, reason)
        except PaperbrokerError:
            log.exception("session %s: could not record that its feed ended", live.record.id)
        self._after_move(live)

    def _stop_feeding(self, live: LoadedSession) -> None:
        live.stop_feeding.set()
        feeder = live.feeder
        if feeder is not None and feeder is not threading.current_thread():
            feeder.join(timeout=5)
        live.feeder = None

    def _watch(self) -> None:
        """Start the staleness watchdog once."""
        with self._lock:
            if self._watchdog is not None:
                return
            watchdog = threading.Thread(target=self._watch_feeds, name="feed-watchdog", daemon=True)
            self._watchdog = watchdog
        watchdog.start()

    def _watch_feeds(self) -> None:
        stopping = threading.Event()
        while not stopping.wait(WATCH_SECONDS):
            with self._lock:
                lives = [live for live in self._live.values() if live.feed is not None]
            for live in lives:
                view = self._feed_view(live)
                if view is None or not view.stale:
                    continue
                settings = live.feed_settings
                pausing = settings is not None and settings.on_stale == "pause"
                if pausing and live.runtime.state is SessionState.RUNNING:
                    try:
                        live.runtime.transition(
                            SessionTrigger.PAUSE, f"the feed is stale: no bar for "
                            f"{view.stale_seconds:.0f} s",
                        )  # fmt: skip
                        self._after_move(live)
                    except PaperbrokerError:
                        log.exception("session %s: could not pause on a stale feed", live.record.id)
