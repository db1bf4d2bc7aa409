"""The session use cases: one method per verb, shared by every transport.

The service keeps a live :class:`SessionRuntime` per session it has touched,
restoring it from the journal on first use (after a restart, say).  A server
restores every session in the background once it answers
(:meth:`SessionService.restore_all`); a request for a session not restored
yet restores it itself, or waits for the restore under way, so it never sees
a session in part.  Commands are serialised per session by the runtime's
lock.  A playing session has a daemon thread that advances its clock by
``speed`` times the wall time that passed, every tick; each tick is one
journaled advance, so a crash loses at most the tick in progress.  After a
restart every session comes back in its state.
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperbroker.agents.arms import arm_accounts
from paperbroker.agents.pipeline import Pipeline
from paperbroker.broker.credentials import CredentialStore
from paperbroker.core.clock import NANOS_PER_MINUTE, Clock, WallClock
from paperbroker.core.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    PaperbrokerError,
)
from paperbroker.risk.settings import RiskSettings
from paperbroker.services.checkpoints import DEFAULT_INTERVAL_SECONDS, SessionCheckpoints
from paperbroker.services.data_window import check_window, requested_symbols
from paperbroker.services.history import SessionHistory
from paperbroker.services.live import LiveSessions, broker_of
from paperbroker.services.loaded import LoadedSession
from paperbroker.services.paper import PaperSessions
from paperbroker.services.session_config import (
    account_config,
    account_json,
    stored_settings,
)
from paperbroker.services.session_facts import (
    exposure_of,
    strategy_of,
    symbols_of,
)
from paperbroker.services.trading import DEFAULT_CASH, TradingUseCases
from paperbroker.services.views import (
    AccountSettings,
    AdvanceView,
    LeftOpenView,
    SessionView,
)
from paperbroker.session.lifecycle import SessionState, SessionTrigger
from paperbroker.session.market import MarketData
from paperbroker.session.runtime import SessionRuntime, SessionSpec
from paperbroker.store.db import SessionFactory
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo
from paperbroker.venue.execution import ExecutionConfig
from paperbroker.venue.schema import ExecutionSpec

if TYPE_CHECKING:
    from paperbroker.services.events import SystemFeed

log = logging.getLogger(__name__)

PLAY_TICK_SECONDS = 0.2
MAX_SPEED = 1_000_000.0
_ACTIVE, _COMPLETED = "active", "completed"
_PAUSED, _PLAYING = "paused", "playing"


class SessionService(TradingUseCases, PaperSessions, LiveSessions, SessionCheckpoints):
    """Create, drive and query sessions on behalf of API keys; trade them
    (:class:`~paperbroker.services.trading.TradingUseCases`).

    Every method takes the caller's key id as ``owner``; another owner's
    session is :class:`NotFound`, never forbidden, so ids cannot be probed.
    """

    def __init__(
        self,
        *,
        factory: SessionFactory,
        market: MarketData,
        wall_clock: Clock | None = None,
        log_dir: Path | None = None,
        news_dir: Path | None = None,
        drive: bool = True,
        checkpoint_interval: float | None = DEFAULT_INTERVAL_SECONDS,
        checkpoint_at_shutdown: bool = True,
    ) -> None:
        #: The server's database (the journal, the sessions, the keys share it).
        self.factory = factory
        self._repo = SessionsRepo(factory)
        #: Where sessions' agents write their logs (``None``: to the server's log).
        self.log_dir = log_dir
        #: Where the news files of sessions' data agents are (``None``: any path).
        self.news_dir = news_dir
        #: Whether this process plays backtests and runs paper feeds (``False``: a
        #: command-line tool that reads or ends sessions while the server drives them).
        self.drive = drive
        self._journal = Journal(factory)
        self._market = market
        self._wall = wall_clock or WallClock()
        self._live: dict[str, LoadedSession] = {}
        self._loading: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        #: The owners' system streams (set by the event stream): sessions created,
        #: restarted and deleted are recorded there.
        self.system: SystemFeed | None = None
        #: The owners' broker credentials; without the server's secret key (``serve`` gives
        #: it) they can be neither added nor opened.
        self.credentials = CredentialStore(factory, None)
        #: The annual risk-free rate the metrics subtract unless a request names one.
        self.risk_free_rate = 0.0
        # Sessions' checkpoints: every ``checkpoint_interval`` s for paper sessions, at
        # shutdown and on demand (:class:`~paperbroker.services.checkpoints.SessionCheckpoints`).
        self._init_checkpoints(factory, checkpoint_interval, checkpoint_at_shutdown)
        #: Ended sessions' summaries, written as they end (:mod:`~paperbroker.services.history`).
        self.history = SessionHistory(factory)

    # -- life cycle -----------------------------------------------------------
    def stored_sessions(self) -> builtins.list[SessionRecord]:
        """Every session in the database, oldest first: what a start-up restores."""
        return self._repo.list_all()

    def restore_all(self, records: Sequence[SessionRecord] | None = None) -> None:
        """Load every session from the journal (at start-up), each in its state: a
        backtest that was playing plays on, a paper session's feed starts again.

        A server runs this in the background while it answers, on the
        ``records`` it read before answering (:meth:`stored_sessions`): a
        session created meanwhile is live already and is not its business. A
        request for one of them meanwhile restores it itself, or waits for its
        restore here (one restore per session). It stops early once
        :meth:`shutdown` is called.
        """
        for record in self.stored_sessions() if records is None else records:
            if self._closing.is_set():
                return
            try:
                self._ensure(record)
            except PaperbrokerError:
                log.exception("session %s could not be restored", record.id)

    def shutdown(self) -> None:
        """Stop every play loop and feed (and a :meth:`restore_all` under way)."""
        self._closing.set()
        with self._lock:
            lives = list(self._live.values())
        for live in lives:
            self._stop(live)
            self._stop_feeding(live)
            self._stop_link(live)
        self._checkpoint_all("shutdown")

    @property
    def closing(self) -> threading.Event:
        """Set once :meth:`shutdown` is called: the server's background work stops."""
        return self._closing

    # -- sessions -------------------------------------------------------------
    def create(
        self,
        owner: str,
        *,
        start_ns: int,
        end_ns: int,
        name: str | None,
        initial_cash: Decimal | None,
        execution: ExecutionSpec | Mapping[str, object] | None = None,
        account: AccountSettings | None = None,
        pipeline: builtins.list[dict[str, Any]] | None = None,
        risk: RiskSettings | None = None,
    ) -> SessionView:
        """Create a backtest session whose clock starts, paused, at ``start_ns``.

        ``execution`` is an :class:`~paperbroker.venue.execution.ExecutionConfig`
        in its JSON form, or that read (:class:`~paperbroker.venue.schema.ExecutionSpec`);
        default: the ``equities_realistic`` preset, seed 0;
        ``account`` the settings of the session's accounts (default: cash);
        ``pipeline`` the agents that trade the default account as the clock
        moves (:class:`~paperbroker.agents.pipeline.AgentSpec` JSON; default:
        none); ``risk`` the session's risk rules (default: none). All are stored
        with the session, so a restart rebuilds it.

        Raises:
            InvalidRequest: for an end before the start, negative cash, an
                execution or account setting that is invalid (the message
                names it), or a window without market data for the symbols
                the session trades (the message names their ranges; see
                :mod:`~paperbroker.services.data_window`).
        """
        cash = DEFAULT_CASH if initial_cash is None else initial_cash
        if end_ns <= start_ns:
            raise InvalidRequest("endTime must be after startTime")
        if cash < 0:
            raise InvalidRequest(f"initialCash must not be negative, got {cash}")
        models = ExecutionConfig.from_json(execution)
        settings = account_config(account or AccountSettings())
        check_window(self._market, requested_symbols(pipeline), start_ns, end_ns)
        config = json.dumps(
            {
                "initial_cash": str(cash),
                "playback_speed": 1.0,
                "execution": models.to_json(),
                "account": account_json(settings),
                "pipeline": pipeline,
                "risk": None if risk is None else risk.to_json(),
                "draws": "ordinal",  # reruns draw what it drew (IdFactory.draw_key)
            }
        )
        return self._view(self._create(owner, name or "session", start_ns, end_ns, config))

    def _create(
        self, owner: str, name: str, start_ns: int, end_ns: int, config: str
    ) -> LoadedSession:
        record = self._repo.create(
            owner,
            kind=json.loads(config).get("kind", "backtest"),
            name=name,
            simulation_start=start_ns,
            simulation_end=end_ns,
            status=SessionState.PAUSED.value,
            config=config,
        )
        try:
            live = self._load(record, new=True)
            for cash in arm_accounts(live.runtime.spec.pipeline):  # an A/B's arms' accounts
                live.runtime.open_account(cash)
        except PaperbrokerError:
            self._repo.delete(owner, record.id)
            raise
        self._record(owner, "SessionCreated", record.id, name=name, type=record.kind,
                     message=f"{record.kind} session {name!r} created")  # fmt: skip
        return live

    def _record(self, owner: str, kind: str, session_id: str, **payload: object) -> None:
        """Record a system event, if a stream listens; its failure fails nothing else."""
        if self.system is None:
            return
        try:
            self.system.record(owner, kind, dict(payload), session_id=session_id)
        except PaperbrokerError:
            log.exception("could not record %s of session %s", kind, session_id)

    def list(self, owner: str) -> list[SessionView]:
        return [self._view(self._get(owner, r.id)) for r in self._repo.list_for_owner(owner)]

    def get(self, owner: str, session_id: str) -> SessionView:
        return self._view(self._get(owner, session_id))

    def owner_of(self, session_id: str) -> str:
        """The key id owning ``session_id``: the owner a key bound to the session acts for.

        Raises:
            NotFound: if the session does not exist (or was deleted).
        """
        with self._lock:
            live = self._live.get(session_id)
        if live is not None:
            return live.record.owner_key_id
        return self._repo.find(session_id).owner_key_id

    def runtime(self, owner: str, session_id: str) -> SessionRuntime:
        """The owner's session's runtime, for read models beyond the views here.

        Raises:
            NotFound: if the session does not exist or belongs to another owner.
        """
        return self._get(owner, session_id).runtime

    @property
    def market(self) -> MarketData:
        """The market data every session trades."""
        return self._market

    def pipeline(self, owner: str, session_id: str) -> Pipeline | None:
        """The session's pipeline of agents (``None`` for a session traded by hand)."""
        return self._get(owner, session_id).runtime.pipeline

    def delete(self, owner: str, session_id: str) -> None:
        """Delete a session and everything in it (its journal and bound keys included).

        Sessions that a key bound to it had created (earlier versions allowed
        it) pass to ``owner``, running or not (see :meth:`SessionsRepo.delete`).
        """
        live = self._get(owner, session_id)
        self._stop(live)
        self._stop_feeding(live)
        self._stop_link(live)
        adopted = self._repo.delete(owner, session_id)
        with self._lock:
            self._live.pop(session_id, None)
            self._loading.pop(session_id, None)
            for other in (self._live.get(adopted_id) for adopted_id in adopted):
                if other is not None:
                    other.record = dataclasses.replace(other.record, owner_key_id=owner)
        self._record(owner, "SessionDeleted", session_id, name=live.record.name,
                     message=f"session {live.record.name!r} deleted")  # fmt: skip

    # -- time -----------------------------------------------------------------
    def advance(
        self,
        owner: str,
        session_id: str,
        *,
        minutes: Decimal | None = None,
        target_ns: int | None = None,
    ) -> AdvanceView:
        """Move a session's clock by ``minutes`` or to ``target_ns`` (default: one minute).

        Raises:
            InvalidRequest: for both, a non-positive duration, or a target in the past.
            Conflict: if the session is completed or playing.
        """
        live = self._get(owner, session_id)
        if live.playing:
            raise Conflict("the session is playing; pause it before advancing by hand")
        runtime = live.runtime
        if minutes is not None and target_ns is not None:
            raise InvalidRequest("give either duration or targetTime, not both")
        if target_ns is None:
            step = Decimal(1) if minutes is None else minutes
            if step <= 0:
                raise InvalidRequest(f"duration must be positive, got {step}")
            target_ns = runtime.now_ns + int(step * NANOS_PER_MINUTE)
        before, after = runtime.advance_to(target_ns)
        self._after_move(live)
        return AdvanceView(before, after, runtime.spec.end_ns, runtime.completed)

    def play(self, owner: str, session_id: str) -> SessionView:
        """Let the clock run at the session's speed, in the background (already
        playing: nothing changes)."""
        live = self._get(owner, session_id)
        if live.runtime.state is SessionState.RUNNING:
            return self._view(live)
        return self.resume(owner, session_id)

    def pause(self, owner: str, session_id: str) -> SessionView:
        """Stop the clock (already paused: nothing changes)."""
        live = self._get(owner, session_id)
        if live.runtime.state is SessionState.PAUSED:
            return self._view(live)
        return self.suspend(owner, session_id)

    # -- lifecycle --------------------------------------------------------------
    def resume(self, owner: str, session_id: str) -> SessionView:
        """``paused``/``error`` → ``running``: a backtest's clock runs at its speed.

        Raises:
            InvalidTransition: from any other state (the message names it).
        """
        live = self._get(owner, session_id)
        if live.runtime.completed and not live.runtime.ended:
            raise Conflict("the session is completed")
        live.runtime.transition(SessionTrigger.RESUME)
        self._after_move(live)
        self._start_playing(live)
        self._start_feeding(live)  # after an error, the feed starts again
        self._start_link(live)  # and a live session's broker link
        return self._view(live)

    def suspend(self, owner: str, session_id: str, reason: str = "") -> SessionView:
        """``running`` → ``paused``: the clock stops (``reason`` is journaled with it).

        Raises:
            InvalidTransition: from any other state.
        """
        live = self._get(owner, session_id)
        self._stop(live)
        live.runtime.transition(SessionTrigger.PAUSE, reason)
        self._after_move(live)
        return self._view(live)

    def stop(self, owner: str, session_id: str) -> SessionView:
        """End the session gracefully: open orders canceled, positions closed at market.

        Raises:
            InvalidTransition: if it has already ended.
        """
        live = self._get(owner, session_id)
        self._stop(live)
        with live.runtime.locked():  # the answer is the session as the stop left it
            live.runtime.stop()
            view = self._view(live)
        self._after_move(live)
        return view

    def kill(self, owner: str, session_id: str) -> SessionView:
        """End the session now, leaving its orders and positions as they are.

        Raises:
            InvalidTransition: if it has already ended.
        """
        live = self._get(owner, session_id)
        self._stop(live)
        live.runtime.transition(SessionTrigger.KILL)
        self._stop_feeding(live)
        self._stop_link(live)  # what works at the broker stays there
        self._after_move(live)
        return self._view(live)

    def restart(self, owner: str, session_id: str) -> SessionView:
        """A new run of the session's configuration, linked to this one (which is
        stopped first if it has not ended); return the new session, paused.

        The new run trades under the session's risk rules as they stand now (as
        changed since creation; an override and tripped breakers stay behind)."""
        live = self._get(owner, session_id)
        if live.runtime.spec.kind == "live":  # its broker's account has moved on since
            raise Conflict("a live session is not restarted: create a new one")
        if not live.runtime.ended and live.runtime.diverged is None:
            self.stop(owner, session_id)
        config = json.loads(live.record.config)
        config["restarted_from"] = session_id
        with live.runtime.locked():
            config["risk"] = live.runtime.kernel.risk.settings.to_json()
        record = live.record
        new = self._create(
            owner, record.name, record.simulation_start, record.simulation_end, json.dumps(config)
        )
        self._record(owner, "SessionRestarted", new.record.id, restarted_from=session_id,
                     message=f"session {record.name!r} restarted as a new run")  # fmt: skip
        return self._view(new)

    def set_speed(self, owner: str, session_id: str, speed: float) -> SessionView:
        """Set the playback speed (simulated time per wall time; 1 is real time)."""
        if not 0 < speed <= MAX_SPEED:
            raise InvalidRequest(f"speed must be in (0, {MAX_SPEED:g}], got {speed}")
        live = self._get(owner, session_id)
        config = json.loads(live.record.config)
        config["playback_speed"] = speed
        live.record = self._repo.update_config(owner, session_id, json.dumps(config))
        live.speed = speed
        return self._view(live)

    # -- internals ------------------------------------------------------------
    def _get(self, owner: str, session_id: str) -> LoadedSession:
        with self._lock:
            live = self._live.get(session_id)
        if live is not None and not live.runtime.poisoned:
            if live.record.owner_key_id != owner:
                raise NotFound(f"session {session_id} not found")
            return live
        record = self._repo.get(owner, session_id)  # NotFound for anyone else's
        return self._ensure(record)

    def _ensure(self, record: SessionRecord) -> LoadedSession:
        """The session in memory: restored from its journal (or again, if its runtime
        was poisoned) and set moving as its state says."""
        with self._lock:
            loading = self._loading.setdefault(record.id, threading.Lock())
        with loading:  # one restore per session, however many callers arrive at once
            with self._lock:
                live = self._live.get(record.id)
            if live is None or live.runtime.poisoned:
                old, live = live, self._load(record)
                if old is not None:  # its threads drove the runtime that failed
                    self._stop(old)
                    self._stop_feeding(old)
                    self._stop_link(old)
                self._after_move(live)
                self._start_playing(live)
                self._start_feeding(live)  # a paper session's prices come in any working state
                self._start_link(live)  # and a live session's broker reports
        return live

    def _load(self, record: SessionRecord, *, new: bool = False) -> LoadedSession:
        config = json.loads(record.config)
        spec = SessionSpec(
            record.id,
            record.simulation_start,
            record.simulation_end,
            Decimal(config.get("initial_cash", str(DEFAULT_CASH))),
            *stored_settings(record.id, config),
            pipeline=config.get("pipeline"),
            log_dir=None if self.log_dir is None else str(self.log_dir),
            news_dir=None if self.news_dir is None else str(self.news_dir),
            kind=record.kind,
            symbols=tuple(config.get("symbols", ())),
            feed=config.get("feed"),
            risk=config.get("risk"),
            broker=config.get("broker"),
            ordinal_draws=config.get("draws") == "ordinal",
        )
        runtime = SessionRuntime.restore(
            spec, self._market, self._journal, new=new, wall=self._wall,
            checkpoints=self.checkpoints,
        )  # fmt: skip
        live = LoadedSession(record, runtime, float(config.get("playback_speed", 1.0)))
        with self._lock:
            self._live[record.id] = live
        return live

    def _start_playing(self, live: LoadedSession) -> None:
        runtime = live.runtime
        if not self.drive or live.playing or runtime.live or runtime.diverged is not None:
            return  # a paper session's clock follows its feed and the wall; read-only: none
        if runtime.state is not SessionState.RUNNING:
            return
        live.stop_playing.clear()
        player = threading.Thread(
            target=self._play, args=(live,), name=f"play-{live.record.id}", daemon=True
        )
        player.start()  # before it is shared: a stop never joins a thread not yet started
        live.player = player

    def _play(self, live: LoadedSession) -> None:
        runtime = live.runtime
        last = self._wall.now_ns()
        while not live.stop_playing.wait(PLAY_TICK_SECONDS):
            now = self._wall.now_ns()
            step = int((now - last) * live.speed)
            last = now
            try:
                runtime.advance_to(runtime.now_ns + max(step, 1))
            except PaperbrokerError as error:
                log.exception("session %s stopped playing", live.record.id)
                if not runtime.ended and not runtime.poisoned:
                    runtime.transition(SessionTrigger.FAIL, f"the clock failed: {error}")
                self._after_move(live)
                return
            self._after_move(live)
            if runtime.completed:
                return

    def _stop(self, live: LoadedSession) -> None:
        live.stop_playing.set()
        player = live.player
        if player is not None and player is not threading.current_thread():
            player.join(timeout=5 * PLAY_TICK_SECONDS + 1)
        live.player = None

    def _after_move(self, live: LoadedSession) -> None:
        """Keep the sessions table's status (a projection of the journal) current."""
        state = live.runtime.state.value
        if live.record.status != state:
            live.record = self._repo.update_status(live.record.owner_key_id, live.record.id, state)
        if live.link is not None and live.runtime.ended:
            self._stop_link(live)  # a stop's closing orders are done: nothing more to send
        if live.runtime.ended and not live.summarized:
            self._summarize(live)

    def _summarize(self, live: LoadedSession) -> None:
        """Store the ended session's summary (once); its failure fails nothing else."""
        try:
            self.history.record_end(live.record, live.runtime, self._wall.now_ns())
            live.summarized = True
        except Exception:  # the database away, say: the session's end stands; a restart retries
            log.exception("could not store the summary of session %s", live.record.id)

    def _view(self, live: LoadedSession) -> SessionView:
        runtime = live.runtime
        books = runtime.kernel.portfolios.values()
        if live.fixed is None:
            live.fixed = (strategy_of(runtime), symbols_of(runtime))
        strategy, symbols = live.fixed
        started_at, ended_at = live.run_times.span(self.factory, runtime.last_seq)
        return SessionView(
            id=live.record.id,
            name=live.record.name,
            status=_COMPLETED if runtime.ended else _ACTIVE,
            state=SessionState.ERROR.value if runtime.diverged else runtime.state.value,
            state_reason=runtime.diverged,
            type=live.record.kind,
            restarted_from=json.loads(live.record.config).get("restarted_from"),
            simulation_start=runtime.spec.start_ns,
            simulation_end=runtime.spec.end_ns,
            current_time=runtime.now_ns,
            playback_state=_PLAYING if runtime.state is SessionState.RUNNING else _PAUSED,
            playback_speed=live.speed,
            initial_cash=runtime.spec.initial_cash,
            total_realized_pnl=sum((b.realized_pnl for b in books), Decimal(0)),
            total_unrealized_pnl=sum((b.unrealized_pnl for b in books), Decimal(0)),
            created_at=live.record.created_at,
            execution=runtime.spec.execution.to_json(),
            account=runtime.spec.account,
            execution_quality=runtime.execution_quality(),
            default_account_id=runtime.default_account_id,
            data_notes=self._market.notes(s.symbol for s in runtime.kernel.feed.series),
            left_open=LeftOpenView.of(runtime) if runtime.ended else None,
            strategy=strategy,
            symbols=symbols,
            exposure=exposure_of(runtime),
            started_at=started_at,
            ended_at=ended_at,
            broker=broker_of(json.loads(live.record.config)),
        )
