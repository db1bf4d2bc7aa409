"""A running session: a kernel on a simulation clock, journaled command by command.

Every command (open an account, submit or cancel an order, advance the clock)
runs on the kernel, and the events it produced (the command's own event first,
then what followed from it) are appended to the session's journal in one
transaction before the command returns.  Nothing is acknowledged that is not
durable.

Recovery (:mod:`paperbroker.session.replay`) replays the journal's commands
through a fresh kernel, or resumes from a checkpoint and replays the journal
after it (:mod:`paperbroker.session.checkpoint`).  The kernel is
deterministic, so the replay reproduces every derived event (fills,
expiries, rejections) exactly; the runtime checks that it does, event for
event, and refuses to serve a session whose journal does not replay.  Fills
are therefore never re-created differently, nor twice.

Listeners (:meth:`SessionRuntime.subscribe`) hear of every event once it is
durable: after each commit, in journal order, with its journal seq.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import partial
from typing import Any, Unpack

from paperbroker.agents.base import Agent
from paperbroker.agents.bus import NewsHeadline
from paperbroker.agents.pipeline import Pipeline
from paperbroker.analytics.execution_quality import ExecutionQuality, execution_quality
from paperbroker.broker.venue import apply_reports, broker_venue
from paperbroker.core.clock import Clock, SimClock
from paperbroker.core.errors import Conflict, InvalidRequest, NotFound
from paperbroker.core.fsm import StateMachine
from paperbroker.core.ids import AccountId, IdFactory
from paperbroker.engine.kernel import Kernel
from paperbroker.engine.order_entry import OrderTerms, PriceLike, TermOptions
from paperbroker.model.account import Account, AccountConfig, AccountRules
from paperbroker.model.codec import encode_event
from paperbroker.model.enums import OrderSide, TimeInForce
from paperbroker.model.events import (
    AgentCommanded,
    BrokerReported,
    Event,
    NewsPosted,
    OrderFilled,
    ReconciliationApplied,
)
from paperbroker.model.order import Order
from paperbroker.portfolio.portfolio import Portfolio
from paperbroker.risk.guard import RiskOutcome
from paperbroker.session.checkpoint import CheckpointSource, resume_latest
from paperbroker.session.checkpoint_state import CheckpointState
from paperbroker.session.control import SessionControl
from paperbroker.session.lifecycle import ENDED, SESSION_TRANSITIONS, SessionState, SessionTrigger
from paperbroker.session.live import LiveData
from paperbroker.session.market import MarketData
from paperbroker.session.reconcile_books import apply_reconciliation
from paperbroker.session.replay import replay_event, replay_journal
from paperbroker.session.spec import CommitListener, Committed, SessionSpec, replay_order
from paperbroker.store.journal import EncodedEvent, Journal

log = logging.getLogger(__name__)


class SessionRuntime(SessionControl, LiveData, CheckpointState):
    """One session's kernel, its journal, and the lock that serialises its commands.

    Raises (from commands):
        Conflict: when the session has completed, or was poisoned by a failed write.
    """

    def __init__(
        self,
        spec: SessionSpec,
        market: MarketData,
        journal: Journal,
        *,
        replaying: bool = False,
        wall: Clock | None = None,
    ) -> None:
        self.spec = spec
        self._journal = journal
        self._lock = threading.RLock()
        self._accounts_opened = 0
        self.poisoned = False
        #: Why the session is read-only, if its journal does not replay under this
        #: version's rules to the end (see :meth:`restore`).
        self.diverged: str | None = None
        #: The wall clock a paper session's clock follows (``None``: a backtest's moves
        #: only by command, and a replay never reads the wall).
        self.wall: Clock | None = None
        self._wall = wall
        default = Account(self._account_id(), spec.initial_cash, spec.account)
        feed, clock_start = self._data(spec, market)
        venue = spec.execution.venue_config()
        self.kernel = Kernel(
            feed,
            default,
            broker_venue(spec, venue) if spec.kind == "live" else venue,
            SimClock(clock_start),
            ids=IdFactory(spec.namespace, ordinal_draws=spec.ordinal_draws),
        )
        # Bars before the start are history every session begins with; they are
        # derived from the data, never journaled.
        self.kernel.run_until(spec.start_ns)
        # The risk rules apply from the start: the history is not judged by them.
        self.kernel.risk.configure(spec.risk_settings)
        self.pipeline: Pipeline | None = None
        if spec.pipeline is not None:
            # It trades from the start on; the bars before are its history.
            self.pipeline = Pipeline(
                agents=spec.pipeline,
                namespace=spec.session_id,
                log_dir=spec.log_dir,
                news_dir=spec.news_dir,
                strategy_files=False,
            )
            self.pipeline.mute(replaying)  # its past was logged when it happened
            self.kernel.attach(self.pipeline)
        self._base = len(self.kernel.events)
        self._persisted = self._base
        self._seq = 0
        # Copied on write, so a commit reads it without another lock.
        self._listeners: tuple[CommitListener, ...] = ()
        self._listeners_lock = threading.Lock()
        self._state = StateMachine(SESSION_TRANSITIONS, SessionState.PAUSED)

    # -- life cycle -----------------------------------------------------------
    @classmethod
    def restore(
        cls,
        spec: SessionSpec,
        market: MarketData,
        journal: Journal,
        *,
        new: bool = False,
        wall: Clock | None = None,
        checkpoints: CheckpointSource | None = None,
    ) -> SessionRuntime:
        """Rebuild a session from its journal by replaying its commands (``new``: a
        session just created, whose agents' start is news for their logs), or from
        its latest usable checkpoint and the journal after it, when ``checkpoints``
        are given (:func:`~paperbroker.session.checkpoint.resume_latest`).

        A journal that this version replays differently from some command on
        (it was written under other rules) gives a read-only session as of the
        command before (:mod:`paperbroker.session.divergence`): ``diverged``
        says why.

        Raises:
            OperationalError: if even the events before the first difference do not
                replay (the journal is damaged, not merely older).
        """
        if checkpoints is not None and not new:
            full = partial(cls.restore, spec, market, journal, wall=wall)
            return resume_latest(cls, spec, market, journal, checkpoints, full=full, wall=wall)
        return replay_journal(cls, spec, market, journal, new=new, wall=wall)

    def _replay(self, event: Event) -> None:
        """Apply one journaled event again (:func:`~paperbroker.session.replay.replay_event`)."""
        replay_event(self, event)

    # -- listeners ------------------------------------------------------------
    def subscribe(self, listener: CommitListener) -> Callable[[], None]:
        """Call ``listener`` after every commit from now on; return the way to stop.

        The listener gets the commit's events with their seqs, in journal
        order, from the committing thread while it holds the command lock (so
        the session does not move meanwhile: it must be quick and must not
        block). A listener that raises is logged and does not fail the command.

        Subscribe inside :meth:`locked` to read the session's state as of the
        commit before the listener's first one: nothing commits in between.
        Unsubscribing does not wait for the lock, so a commit already under
        way may still call the listener once.
        """
        with self._lock, self._listeners_lock:
            self._listeners = (*self._listeners, listener)
        done = False

        def unsubscribe() -> None:
            nonlocal done
            with self._listeners_lock:
                if done:
                    return
                done = True
                listeners = list(self._listeners)
                listeners.remove(listener)
                self._listeners = tuple(listeners)

        return unsubscribe

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the command lock: no command runs, and nothing commits, until it is released."""
        with self._lock:
            yield

    @property
    def last_seq(self) -> int:
        """The seq of the journal's last event (0 for an empty journal)."""
        return self._seq

    @property
    def subscribers(self) -> int:
        """How many listeners are subscribed."""
        return len(self._listeners)

    # -- queries --------------------------------------------------------------
    @property
    def now_ns(self) -> int:
        return self.kernel.clock.now_ns()

    @property
    def completed(self) -> bool:
        """Whether the clock has reached the session's end."""
        return self.now_ns >= self.spec.end_ns

    @property
    def ended(self) -> bool:
        """Whether the session is over (stopped, killed or completed)."""
        return self._state.state in ENDED

    @property
    def default_account_id(self) -> str:
        return self.kernel.portfolio.account.id

    def books(self, account_id: str) -> Portfolio:
        """An account's portfolio.

        Raises:
            NotFound: for an account this session does not have.
        """
        return self.kernel.books(account_id)

    def order(self, account_id: str, order_id: str) -> Order:
        """One of an account's orders.

        Raises:
            NotFound: if the account has no such order.
        """
        order = self.kernel.orders.get(order_id)
        if order is None or order.account_id != self.books(account_id).account.id:
            raise NotFound(f"order {order_id} not found")
        return order

    def orders(self, account_id: str) -> list[Order]:
        """An account's orders, oldest first."""
        account = self.books(account_id).account.id
        with self._lock:  # a command may be adding orders meanwhile
            return [o for o in self.kernel.orders.values() if o.account_id == account]

    def legs(self, order: Order) -> list[Order]:
        """The exit legs of a bracket, OTO or OCO order, in submission order."""
        orders = self.kernel.orders
        return [orders[leg] for leg in order.legs if leg in orders]

    def execution_quality(self) -> ExecutionQuality:
        """Slippage, fees, fill ratio and latency over every order and fill of the session."""
        with self._lock:
            orders = list(self.kernel.orders.values())
            fills = [e.fill for o in orders for e in o.events if isinstance(e, OrderFilled)]
        return execution_quality(orders, fills)

    # -- commands -------------------------------------------------------------
    def open_account(self, initial_cash: Decimal, config: AccountConfig | None = None) -> Portfolio:
        """Open another account in the session (with the session's account settings by default)."""
        with self._command():
            self._accounts_opened += 1
            account = Account(self._account_id(), initial_cash, config or self.spec.account)
            return self.kernel.open_account(account)

    def configure_account(self, account_id: str, **changes: object) -> AccountRules:
        """Change some of an account's rules (``None``: keep); return all of them after.

        Journaled as ``AccountConfigured`` when anything changes.

        Raises:
            NotFound: for an account the session does not have.
            InvalidRequest: for an unknown rule or a value out of range.
            Conflict: if the session is completed.
        """
        with self._command():
            rules = self.kernel.account_rules(account_id)
            return self.kernel.configure_account(account_id, rules.updated(**changes))

    def submit_order(
        self,
        account_id: str,
        symbol: str,
        side: OrderSide,
        qty: PriceLike | None = None,
        **options: Unpack[TermOptions],
    ) -> Order:
        """:meth:`submit` of ``OrderTerms(symbol, side, qty, **options)``.

        Raises:
            NotFound: for an account the session does not have.
            InvalidRequest: for a malformed order.
            Conflict: if the session is completed.
        """
        return self.submit(account_id, OrderTerms(symbol, side, qty, **options))

    def submit(self, account_id: str, terms: OrderTerms) -> Order:
        """Submit an order for an account; it is accepted or rejected, and journaled, on return.

        ``terms`` are the order's (:class:`~paperbroker.engine.order_entry.OrderTerms`).

        Raises:
            NotFound: for an account the session does not have.
            InvalidRequest: for a malformed order.
            Conflict: if the session is completed.
        """
        with self._command():
            self._check_trading()
            self.books(account_id)
            return self.kernel.submit(terms, account_id=account_id)

    def replace_order(
        self,
        account_id: str,
        order_id: str,
        *,
        qty: PriceLike | None = None,
        limit: PriceLike | None = None,
        stop: PriceLike | None = None,
        trail: PriceLike | None = None,
        tif: TimeInForce | str | None = None,
        client_order_id: str | None = None,
    ) -> Order:
        """Replace a working order of an account; return the new order (see the kernel).

        Raises:
            NotFound: if the account has no such order.
            Conflict: if the order can no longer be replaced.
            InvalidRequest: for a malformed replacement.
        """
        with self._command():
            self._check_trading()
            order = self.order(account_id, order_id)
            return self.kernel.replace_order(
                order.id, qty=qty, limit=limit, stop=stop, trail=trail, tif=tif,
                client_order_id=client_order_id,
            )  # fmt: skip

    def cancel_order(self, account_id: str, order_id: str) -> Order:
        """Cancel a working order of an account and return it.

        With latency the cancel is on its way when this returns: the order is
        ``pending_cancel`` (and may still fill) until the clock passes its arrival.

        Raises:
            NotFound: if the account has no such order.
            Conflict: if the order is no longer working.
        """
        with self._command():
            order = self.order(account_id, order_id)
            if not self.kernel.cancel_order(order.id):
                raise Conflict(f"order {order_id} is {order.status} and cannot be canceled")
            return order

    def advance_to(self, target_ns: int) -> tuple[int, int]:
        """Move the clock to ``target_ns`` (at most the session's end); return (before, after).

        Raises:
            InvalidRequest: if ``target_ns`` lies before the current time.
        """
        if self.live:
            raise Conflict("a paper session's clock follows the wall; it cannot be advanced")
        with self._command():
            before = self.now_ns
            if target_ns < before:
                raise InvalidRequest("targetTime is before the session's current time")
            self.kernel.run_until(min(target_ns, self.spec.end_ns))
            if self.completed:
                # The last trading session is over: what ends with it expires.
                self.kernel.expire_session_orders()
                self._move(SessionTrigger.COMPLETE)
            return before, self.now_ns

    def command_agent(
        self, name: str, action: str, changes: Mapping[str, Any] | None = None
    ) -> Agent:
        """Start, stop or configure an agent of the pipeline, or reset its metrics; journaled.

        Raises:
            NotFound: if the session has no pipeline or no such agent.
            InvalidRequest: for a bad configuration.
            Conflict: for a move the agent's lifecycle does not have (the message
                names its state), or a completed session.
        """
        with self._command():
            agent = self._pipeline().command(name, action, changes or {})
            payload = json.dumps(dict(changes or {}), sort_keys=True, default=str)
            self.kernel.events.append(AgentCommanded(self.now_ns, name, action, payload))
            return agent

    def risk_command(
        self,
        action: str,
        params: Mapping[str, Any] | None = None,
        by: str = "",
        reason: str = "",
    ) -> RiskOutcome:
        """Change the session's risk settings or use an emergency control (see
        :meth:`Kernel.risk_command <paperbroker.engine.kernel.Kernel.risk_command>`);
        journaled as ``RiskCommanded`` with what it caused.

        Raises:
            InvalidRequest: for an unknown action or bad parameters.
            Conflict: if the session is completed or read-only.
        """
        with self._command():
            return self.kernel.risk_command(action, params or {}, by, reason)

    def apply_reconciliation(
        self, run_id: str, differences: str, adjustments: str, by: str = ""
    ) -> ReconciliationApplied:
        """Journal a reconciliation's ``adjustments`` (JSON, see
        :mod:`~paperbroker.session.reconcile`) and set the default account's books to them.

        Raises:
            Conflict: if the session has ended or is read-only.
        """
        with self._command():
            event = ReconciliationApplied(self.now_ns, run_id, differences, adjustments, by)
            apply_reconciliation(self.kernel.portfolio, event)
            self.kernel.events.append(event)
            return event

    def broker_report(self, reports: Sequence[BrokerReported]) -> int:
        """Journal what a live session's broker reported of its orders (those that are
        news: :func:`~paperbroker.broker.venue.apply_reports`), then apply it; return how
        many were. Raises Conflict if the session must be reloaded after a failed write."""
        with self._command(writable=False):
            news = apply_reports(self.kernel, reports)
            self._settle()  # a stop may be done
            return news

    def post_news(self, symbols: Sequence[str], headline: str, source: str = "") -> NewsPosted:
        """Journal a headline about ``symbols`` at the session's time and hand it to the
        pipeline's data agent (a session without a pipeline keeps it in its journal).

        Raises:
            Conflict: if the session is completed.
        """
        with self._command():
            event = NewsPosted(self.now_ns, ",".join(symbols), headline, source)
            self._deliver_news(event)
            self.kernel.events.append(event)
            return event

    def _deliver_news(self, event: NewsPosted) -> None:
        if self.pipeline is not None:
            symbols = tuple(event.symbols.split(","))
            self.pipeline.post_news(NewsHeadline(event.ts, symbols, event.headline, event.source))

    def _pipeline(self) -> Pipeline:
        if self.pipeline is None:
            raise NotFound("the session has no pipeline of agents")
        return self.pipeline

    # -- internals ------------------------------------------------------------
    @contextmanager
    def _command(self, *, writable: bool = True, follow: bool = True) -> Iterator[None]:
        """Run one command under the lock and journal what it did; on success only.

        A command that fails after the kernel moved (it emitted events, then
        raised) leaves the kernel ahead of the journal: those events must not
        reach the journal with the next command, so the runtime is poisoned and
        the service rebuilds it from the journal. A paper session's clock
        following the wall before a command is refused is no such failure: that
        advance is journaled, and the refusal raised.
        """
        with self._lock:
            if self.diverged is not None and writable:
                raise Conflict(f"the session is read-only: {self.diverged}")
            if writable:
                self._check_writable()
            elif self.poisoned:
                raise Conflict("the session must be reloaded after a failed write")
            followed = self._persisted
            try:
                if follow:
                    self._follow_wall()
                    followed = len(self.kernel.events)
                yield
            except BaseException:
                if len(self.kernel.events) > followed:
                    self.poisoned = True
                elif len(self.kernel.events) > self._persisted:
                    self._commit()
                raise
            self._commit()

    def _account_id(self) -> AccountId:
        return AccountId(str(uuid.uuid5(self.spec.namespace, f"account/{self._accounts_opened}")))

    def _check_writable(self) -> None:
        if self.poisoned:
            raise Conflict("the session must be reloaded after a failed write")
        if self.ended or self.completed:
            raise Conflict(f"the session is {self.state}")
        if self.state is SessionState.STOPPING:
            raise Conflict("the session is stopping")

    def _commit(self) -> None:
        new: Sequence[Event] = self.kernel.events[self._persisted :]
        if not new:
            return
        batch = [
            EncodedEvent(self._seq + i, event.ts, *encode_event(event))
            for i, event in enumerate(new, start=1)
        ]
        try:
            self._seq = self._journal.append(self.spec.session_id, batch)
        except Exception:
            # The kernel is ahead of what is durable: it must not serve another command.
            self.poisoned = True
            raise
        self._persisted += len(new)
        self._notify([Committed(b.seq, event) for b, event in zip(batch, new, strict=True)])

    def _notify(self, committed: Sequence[Committed]) -> None:
        # The commit stands whatever a listener does: its failure is its own.
        for listener in self._listeners:
            try:
                listener(committed)
            except Exception:
                log.exception("session %s: a commit listener failed", self.spec.session_id)


__all__ = ["CommitListener", "Committed", "SessionRuntime", "SessionSpec", "replay_order"]
