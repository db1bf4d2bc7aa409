"""The trading loop of ``paperbroker run``: start or resume the session, watch it, stop it
gracefully.

The session's feed runs in a thread of its own (as in the server); this loop
only watches: every :data:`WATCH_SECONDS` it reads the session's books for
the status line, takes a checkpoint when one is due, and checks whether the
run is over: ``--duration`` reached, SIGINT or SIGTERM received, or the
session ended by itself (a replay ran out) or failed (its feed did).

A graceful stop pauses the session (``running`` → ``paused``: its positions
and orders stay, as an Alpaca bot's do between two runs of the bot), stops
its feed, takes a final checkpoint and cleans the old ones up. A second
Ctrl+C during the stop ends the process at once; nothing is lost either way
(every bar, order and fill was journaled as it happened), the session is just
left ``running``, and ``--resume`` picks it up.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING

from paperbroker.cli_run_checkpoints import NOTE_EVERY, RunCheckpoints
from paperbroker.cli_run_plan import RunPlan
from paperbroker.cli_run_session import (
    Snapshot,
    Watch,
    broker_of,
    check_matches,
    create_session,
    operator_key,
    real_money,
    resumable,
    session_service,
)
from paperbroker.cli_run_view import (
    Header,
    StatusLine,
    Summary,
    checkpoint_line,
    checkpoint_text,
    console,
    print_header,
    print_restored,
    print_summary,
)
from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.session.lifecycle import SessionState

if TYPE_CHECKING:
    from rich.console import Console

    from paperbroker.broker.settings import BrokerSettings
    from paperbroker.services.sessions import SessionService
    from paperbroker.session.market import MarketData
    from paperbroker.settings import Settings
    from paperbroker.store.db import SessionFactory

#: How often the loop reads the session's books and redraws the status line.
WATCH_SECONDS = 0.25

EXIT_DONE = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # SIGINT (Ctrl+C): 128 + 2
EXIT_TERMINATED = 143  # SIGTERM: 128 + 15


class Stop:
    """Set by SIGINT or SIGTERM; remembers which came first."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal: int | None = None

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        if self.signal is None:
            self.signal = signum
        self.event.set()
        # A second Ctrl+C during the graceful stop ends the process at once.
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextmanager
def _signals() -> Iterator[Stop]:
    stop = Stop()
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@dataclass
class _Run:
    """The session being run and what the run needs of it."""

    service: SessionService
    owner: str
    session_id: str
    watch: Watch
    how: str
    #: What the session held before this run moved it (resumed: as restored).
    before: Snapshot | None = None


def operate(
    plan: RunPlan, settings: Settings, *, clock: Callable[[], float] = time.monotonic
) -> int:
    """Run the plan on the settings' database; return the exit code.

    Raises:
        InvalidRequest: for options the database refuses (an unknown strategy,
            symbol or key, a session that differs from the options).
        PaperbrokerError: for anything else that keeps the run from starting.
    """
    from paperbroker.cli_common import _database
    from paperbroker.session.market import MarketData

    out = console()
    with _signals() as stop, _database(settings) as factory:
        owner, made = operator_key(factory, plan.key)
        if made is not None:
            out.print(f"admin key: {made[0]}:{made[1]}", markup=False)
            out.print("(shown once; only a hash of the secret is stored)")
        market = MarketData.load(settings.data_dir)
        if plan.resume is None:
            run = _create(plan, settings, factory, market, owner)
        else:
            restored = _restore(plan, settings, factory, market, owner, out)
            if restored is None:
                return EXIT_DONE
            run = restored
        try:
            return _loop(plan, run, out, stop, clock)
        finally:
            run.service.shutdown()


def _create(
    plan: RunPlan, settings: Settings, factory: SessionFactory, market: MarketData, owner: str
) -> _Run:
    service = session_service(settings, factory, drive=True, market=market)
    try:
        view = create_session(service, owner, plan)
        return _run_of(service, owner, view.id, "new")
    except BaseException:
        service.shutdown()
        raise


def _restore(
    plan: RunPlan,
    settings: Settings,
    factory: SessionFactory,
    market: MarketData,
    owner: str,
    out: Console,
) -> _Run | None:
    """Restore the session to resume and print its books as the database holds them;
    ``None`` for ``--reconcile-only``, which ends there."""
    assert plan.resume is not None
    record = resumable(factory, owner, plan.resume)
    check_matches(record, plan.given)
    broker = broker_of(record)
    trades = not plan.reconcile_only
    if broker is not None and broker.real_money and trades and not plan.real_money_confirmed:
        raise InvalidRequest(
            f"session {record.id} trades real money at {broker.url}: add --confirm-real-money "
            "to resume it"
        )
    # Read it as the database holds it, before its feed brings anything new; a live
    # session is reconciled with its broker before it trades again.
    reader = session_service(settings, factory, drive=False, market=market)
    try:
        before = Watch(reader.runtime(owner, record.id), record).snapshot()
        stats = reader.state.stats(record.id)
        print_restored(out, before, stats)
        halted = _reconcile(reader, owner, record.id, out, live=broker is not None)
    finally:
        reader.shutdown()
    if plan.reconcile_only:
        return None
    if halted:
        raise Conflict(
            f"the reconciliation halted session {record.id}: look at the differences, then "
            f"'paperbroker reconcile {record.id} --approve' and run --resume again"
        )
    service = session_service(settings, factory, drive=True, market=market)
    try:
        run = _run_of(service, owner, record.id, "resumed")
        run.before = before
        if service.get(owner, record.id).state in (SessionState.PAUSED, SessionState.ERROR):
            service.resume(owner, record.id)  # its feed starts again, and it trades
        return run
    except BaseException:
        service.shutdown()
        raise


def _reconcile(
    reader: SessionService, owner: str, session_id: str, out: Console, *, live: bool
) -> bool:
    """Reconcile a live session with its broker now and print the run; whether the run
    halted the session (its policy ``halt``, differences found)."""
    if not live:
        out.print(
            "Reconciliation: a paper session on the simulated venue has no broker to "
            "reconcile with; its books are the venue's."
        )
        return False
    from paperbroker.cli_reconcile import print_run
    from paperbroker.services.reconcile import ReconcileService

    run = ReconcileService(reader).run(owner, session_id, "start")
    out.print("Reconciliation with the broker:")
    print_run(run, reader.runtime(owner, session_id).state.value, as_json=False)
    return run.record.pending


def _run_of(service: SessionService, owner: str, session_id: str, how: str) -> _Run:
    from paperbroker.store.sessions_repo import SessionsRepo

    record = SessionsRepo(service.factory).get(owner, session_id)
    return _Run(service, owner, session_id, Watch(service.runtime(owner, session_id), record), how)


def _loop(plan: RunPlan, run: _Run, out: Console, stop: Stop, clock: Callable[[], float]) -> int:
    print_header(out, _header(plan, run))
    first = run.before or run.watch.snapshot()
    started = clock()
    deadline = None if not plan.duration else started + plan.duration
    checkpoints = RunCheckpoints(
        run.service.state, run.session_id, interval=plan.checkpoint_interval,
        keep_count=plan.keep_checkpoints, clock=clock,
    )  # fmt: skip
    status = StatusLine(out)
    why, code = "", EXIT_DONE
    try:
        while True:
            made = checkpoints.due()
            if made is not None and checkpoints.created % NOTE_EVERY == 0:
                status.note(checkpoint_line(checkpoints.created, made, checkpoints.cleaned))
            snap = run.watch.snapshot()
            status.show(snap, checkpoint_text(checkpoints.last))
            ended = _ended(run, snap)
            if ended is not None:
                why, code = ended
                break
            if deadline is not None and clock() >= deadline:
                why = f"--duration {plan.duration / 60:g} min reached"
                break
            if stop.event.wait(WATCH_SECONDS):
                interrupted = stop.signal == signal.SIGINT
                why = "interrupted (Ctrl+C)" if interrupted else "terminated (SIGTERM)"
                code = EXIT_INTERRUPTED if interrupted else EXIT_TERMINATED
                break
    finally:
        status.close()
    left = _leave(run)
    checkpoints.write("shutdown")  # the final one (or the one the shutdown just wrote)
    checkpoints.cleanup()
    final = run.watch.snapshot()
    print_summary(
        out,
        Summary(run.session_id, why, clock() - started, final, first, left, checkpoints.summary()),
    )
    return code


def _ended(run: _Run, snap: Snapshot) -> tuple[str, int] | None:
    """Why the session stopped by itself, and the exit code; ``None`` while it works."""
    runtime = run.watch.runtime
    if runtime.poisoned:
        return "the session's journal could not be written (see the log)", EXIT_ERROR
    if snap.state == SessionState.COMPLETED.value:
        return "the session completed (its feed has no more bars)", EXIT_DONE
    if snap.state == SessionState.STOPPED.value:  # asked elsewhere, done here
        return "the session stopped (its orders canceled, its positions closed)", EXIT_DONE
    if snap.state == SessionState.ERROR.value:
        view = run.service.feed_view(run.owner, run.session_id)
        reason = runtime.diverged or (None if view is None else view.last_error) or "failed"
        return f"the session failed: {reason}", EXIT_ERROR
    if runtime.ended:
        return f"the session was ended elsewhere ({snap.state})", EXIT_ERROR  # killed
    return None


def _leave(run: _Run) -> str:
    """Leave the session resumable: paused, its feed stopped. Say how it was left."""
    service, runtime = run.service, run.watch.runtime
    if runtime.state is SessionState.RUNNING and runtime.diverged is None:
        service.suspend(run.owner, run.session_id)
    service.shutdown()  # its feed stops, nothing moves after: the final checkpoint is final
    state = runtime.state.value
    if runtime.ended:
        return f"ended ({state})"
    return f"left {state}, its positions kept: 'paperbroker run --resume' trades on"


def _header(plan: RunPlan, run: _Run) -> Header:
    import json

    from paperbroker.services.session_facts import strategy_of

    config = json.loads(run.watch.record.config)
    feed = config.get("feed") or {"type": "replay"}
    used = strategy_of(run.watch.runtime)
    strategy = "-" if used is None else used.name
    if used is not None and used.params:
        strategy += " " + " ".join(f"{k}={v}" for k, v in used.params.items())
    runs = "until Ctrl+C or SIGTERM" if not plan.duration else f"{plan.duration / 60:g} min"
    return Header(
        session_id=run.session_id,
        name=run.watch.record.name,
        kind=run.watch.record.kind,
        how=run.how,
        broker=_broker_text(broker_of(run.watch.record)),
        real_money=real_money(run.watch.record),
        feed=_feed_text(feed),
        symbols=tuple(config.get("symbols", ())),
        strategy=strategy,
        runs_for=runs,
        checkpoints=f"every {plan.checkpoint_interval:g} s, keeping the newest "
        f"{plan.keep_checkpoints}",
        owner=run.owner,
    )


def _broker_text(broker: BrokerSettings | None) -> str:
    if broker is None:
        return "sim (the simulated venue)"
    return f"{broker.name} at {broker.url}, credential {broker.credentials_id}"


def _feed_text(feed: dict[str, object]) -> str:
    kind = feed.get("type", "replay")
    if kind == "synthetic":
        return (
            f"synthetic (seed {feed.get('seed', 0)}), a bar every {feed.get('interval_seconds')} s"
        )
    if kind == "replay":
        start = feed.get("start") or "the data's first bar"
        speed = float(str(feed.get("speed", 1)))
        return f"replay of the server's data from {start}, at {speed:,.6g} times real time"
    return "alpaca (live one-minute bars)"
