"""The replay of a session's journal: its inputs applied again to a fresh runtime.

A session is rebuilt by replaying the commands and inputs its journal holds
(accounts opened, orders, cancels, clock moves, bars, news, agent and risk
commands, a broker's reports, reconciliations) through a new
:class:`~paperbroker.session.runtime.SessionRuntime`; every other event is an
effect the kernel derives again, and :func:`replay_journal` checks that it
does, event for event. A journal that this version replays differently from
some command on gives a read-only session as of the command before
(:mod:`paperbroker.session.divergence`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from paperbroker.broker.venue import replay_report
from paperbroker.core.clock import Clock
from paperbroker.core.errors import OperationalError
from paperbroker.engine.accounts import rules_of
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.codec import decode_event
from paperbroker.model.events import (
    AccountConfigured,
    AccountOpened,
    AdvanceRequested,
    AgentCommanded,
    BarReceived,
    BrokerReported,
    CancelRequested,
    Event,
    NewsPosted,
    OrderExpired,
    OrderSubmitted,
    ReconciliationApplied,
    RiskCommanded,
    SessionStateChanged,
)
from paperbroker.session.divergence import consistent_prefix
from paperbroker.session.lifecycle import ENDED, SessionState
from paperbroker.session.reconcile_books import apply_reconciliation
from paperbroker.session.spec import replay_order

if TYPE_CHECKING:
    from paperbroker.session.market import MarketData
    from paperbroker.session.runtime import SessionRuntime
    from paperbroker.session.spec import SessionSpec
    from paperbroker.store.journal import Journal

R = TypeVar("R", bound="SessionRuntime")


def replay_journal(
    cls: type[R],
    spec: SessionSpec,
    market: MarketData,
    journal: Journal,
    *,
    new: bool,
    wall: Clock | None,
) -> R:
    """The session rebuilt by replaying its whole journal (``new``: a session just
    created, whose agents' start is news for their logs).

    Raises:
        OperationalError: if even the events before the first difference do not
            replay (the journal is damaged, not merely older).
    """
    stored = journal.read(spec.session_id)
    events = [decode_event(e.kind, e.schema_version, e.payload) for e in stored]
    runtime = replayed(cls, spec, market, journal, events, new=new, wall=wall)
    divergence = consistent_prefix(runtime.kernel.events[runtime._base :], events)
    if divergence is not None:
        kept = events[: divergence.command]
        runtime = replayed(cls, spec, market, journal, kept, new=new, wall=wall)
        if runtime.kernel.events[runtime._base :] != kept:
            raise OperationalError(f"session {spec.session_id}: the journal does not replay")
        runtime.diverged = divergence.reason([e.seq for e in stored], events)
        stored = stored[: divergence.command]
    runtime._persisted = len(runtime.kernel.events)
    runtime._seq = stored[-1].seq if stored else 0
    # The replay is over: a paper session follows the wall again, unless it is read-only.
    runtime.wall = runtime._wall if runtime.live and runtime.diverged is None else None
    return runtime


def replayed(
    cls: type[R],
    spec: SessionSpec,
    market: MarketData,
    journal: Journal,
    events: Sequence[Event],
    *,
    new: bool,
    wall: Clock | None,
) -> R:
    """A new runtime of ``spec`` with ``events`` replayed into it."""
    runtime = cls(spec, market, journal, replaying=not new, wall=wall)
    with runtime.locked():
        for event in events:
            replay_event(runtime, event)
        if runtime.pipeline is not None:
            runtime.pipeline.mute(False)
        if runtime.completed and runtime.state not in ENDED:
            runtime._state.state = SessionState.COMPLETED  # journaled before lifecycles
        runtime._halt_if_idle()
    return runtime


def replay_event(runtime: SessionRuntime, event: Event) -> None:
    """Apply one journaled input again; an effect (any other event) the input before it
    derives again, so it is skipped here."""
    kernel = runtime.kernel
    if isinstance(event, AccountOpened):
        runtime._accounts_opened += 1
        kernel.open_account(
            Account(
                event.account_id,
                event.initial_cash,
                AccountConfig(event.account_type, event.leverage, event.intraday_leverage),
            )
        )
    elif isinstance(event, OrderSubmitted):
        replay_order(kernel, event)
    elif isinstance(event, CancelRequested):
        kernel.cancel_order(event.order_id)
    elif isinstance(event, AccountConfigured):
        kernel.configure_account(event.account_id, rules_of(event))
    elif isinstance(event, AdvanceRequested):
        kernel.run_until(event.until)
    elif isinstance(event, NewsPosted):
        runtime._deliver_news(event)
        kernel.events.append(event)
    elif isinstance(event, BarReceived):
        runtime._append_bar(event)
    elif isinstance(event, SessionStateChanged):
        runtime._state.state = SessionState(event.state)
        runtime._halt_if_idle()
        kernel.events.append(event)
    elif isinstance(event, OrderExpired):
        # Expired at the session's completion (an expiry the clock caused has
        # happened already): the order expires again now.
        order = kernel.orders.get(event.order_id)
        if order is not None and order.is_open:
            kernel.expire_order(order.id)
    elif isinstance(event, AgentCommanded):
        runtime._pipeline().command(event.agent, event.action, json.loads(event.changes))
        kernel.events.append(event)  # the kernel does not make it: the replay must
    elif isinstance(event, BrokerReported):
        kernel.events.append(event)  # an input: its effects follow from it again
        replay_report(kernel.venue, event)
    elif isinstance(event, RiskCommanded):
        # The kernel publishes it again, then the same effects.
        kernel.risk_command(event.action, json.loads(event.params), event.by, event.reason)
    elif isinstance(event, ReconciliationApplied):
        apply_reconciliation(kernel.portfolio, event)
        kernel.events.append(event)
