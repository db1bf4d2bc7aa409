"""The session ``paperbroker run`` drives: the server's service stack, its owner, the
session created or found again, and what it holds.

The service is built as ``paperbroker serve`` builds it, on the same settings
(database, market data, logs, news, Alpaca keys), so a session made here is
one of the server's: a server started later on the database shows it in the
API and the dashboard, owned by the same key.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from paperbroker.cli_run_plan import ORIGIN, NewSession, RunPlan
from paperbroker.core.errors import Conflict, InvalidRequest, NotFound
from paperbroker.model.events import OrderFilled
from paperbroker.session.lifecycle import ENDED, SessionState

if TYPE_CHECKING:
    from paperbroker.broker.settings import BrokerSettings
    from paperbroker.model.fill import Fill
    from paperbroker.services.sessions import SessionService
    from paperbroker.services.views import SessionView
    from paperbroker.session.market import MarketData
    from paperbroker.session.runtime import SessionRuntime
    from paperbroker.settings import Settings
    from paperbroker.store.db import SessionFactory
    from paperbroker.store.sessions_repo import SessionRecord


def session_service(
    settings: Settings, factory: SessionFactory, *, drive: bool, market: MarketData
) -> SessionService:
    """The server's session service on ``factory``, as ``serve`` builds it, on ``market``
    (the settings' market data).

    ``drive=False``: sessions are restored but their feeds do not run (to read
    one as the database holds it).
    """
    from paperbroker.cli_common import _credential_store
    from paperbroker.feeds.config import AlpacaCredentials
    from paperbroker.services.events import SystemFeed
    from paperbroker.services.sessions import SessionService
    from paperbroker.store.system_events import SystemEvents

    service = SessionService(
        factory=factory,
        market=market,
        log_dir=settings.log_dir,
        news_dir=settings.data_dir / "news",
        drive=drive,
        checkpoint_interval=None,  # the run writes its session's checkpoints itself
    )
    if settings.alpaca_key_id and settings.alpaca_secret_key:
        service.alpaca_credentials = AlpacaCredentials(
            settings.alpaca_key_id.get_secret_value(), settings.alpaca_secret_key.get_secret_value()
        )
    # Sessions created here are in their owner's system stream, as the server's are.
    service.system = SystemFeed(SystemEvents(factory))
    service.credentials = _credential_store(settings, factory)
    return service


def operator_key(factory: SessionFactory, key_id: str | None) -> tuple[str, tuple[str, str] | None]:
    """The key that owns the sessions ``run`` makes and resumes, and the admin key made
    now (``key_id:secret``, to print once) if the database had no key at all.

    Without ``key_id``: the oldest active admin key.

    Raises:
        NotFound: for an unknown ``key_id``.
        InvalidRequest: for a revoked or session-bound key, or none to use.
    """
    from paperbroker.store.keys import ApiKeys

    keys = ApiKeys(factory)
    if key_id is not None:
        record = keys.get(key_id)
        if not record.active or record.bound:
            why = "is revoked" if not record.active else "is bound to a session"
            raise InvalidRequest(f"--key {key_id} {why}: sessions are owned by a key of their own")
        return key_id, None
    made = keys.ensure_admin()
    if made is not None:
        return made[0], made
    admins = [r for r in keys.list() if r.is_admin and r.active and not r.bound]
    if not admins:
        raise InvalidRequest(
            "the database has no active admin key: name the owner with --key KEY_ID "
            "(see 'paperbroker keys list')"
        )
    return admins[0].key_id, None


def create_session(service: SessionService, owner: str, run: RunPlan) -> SessionView:
    """Create the session and start it (``running``), marked as ``run``'s: a paper session
    (``--broker sim``) or a live one through the broker (its link and feed start).

    Raises:
        InvalidRequest: for an unknown strategy or symbol, a parameter the
            strategy refuses, a feed that cannot serve the symbols, or a
            credential that is not the owner's or that the broker refuses.
        TemporaryFailure: if the broker cannot be reached.
    """
    from paperbroker.agents.pipeline import standard_pipeline
    from paperbroker.services.catalog import check_strategy_params
    from paperbroker.venue.cli_models import parse_execution

    plan = run.session
    assert plan is not None
    symbols = list(plan.symbols)
    pipeline = standard_pipeline(plan.strategy, plan.params, symbols, strategy_files=False)
    check_strategy_params(plan.strategy, plan.params)
    if run.live:
        from paperbroker.broker.settings import SERVER_CREDENTIALS, BrokerSettings

        broker = BrokerSettings.of_choice(run.broker, run.credentials or SERVER_CREDENTIALS)
        return service.create_live(
            owner, name=plan.name, symbols=symbols, pipeline=pipeline,
            feed=_feed(service, plan), broker=broker, confirm_real_money=run.real_money,
            origin=ORIGIN,
        )  # fmt: skip
    return service.create_paper(
        owner, name=plan.name, symbols=symbols, pipeline=pipeline, initial_cash=plan.cash,
        execution=parse_execution(plan.execution).to_json(),
        feed=_feed(service, plan), origin=ORIGIN,
    )  # fmt: skip


def _feed(service: SessionService, plan: NewSession) -> dict[str, Any]:
    """The feed settings: a replay's speed plays one of its bars per ``interval`` (the
    bars' usual spacing, their median: a day between daily bars, a weekend three)."""
    from paperbroker.feeds.config import FeedSettings, feed_instruments
    from paperbroker.feeds.replay import MAX_SPEED

    settings = dict(plan.feed)
    if settings["type"] != "replay":
        return settings
    feed_instruments(FeedSettings.parse(settings), plan.symbols, service.market)  # has data?
    spacing = max(_spacing_seconds(service, symbol) for symbol in plan.symbols)
    if spacing / plan.interval > MAX_SPEED:
        raise InvalidRequest(
            f"--interval {plan.interval:g}: a replay plays at most {MAX_SPEED:,} times real "
            f"time, so bars {spacing:g} s apart come at most every {spacing / MAX_SPEED:g} s"
        )
    settings["speed"] = spacing / plan.interval
    return settings


def _spacing_seconds(service: SessionService, symbol: str) -> float:
    import numpy as np

    series = service.market.series(symbol)
    assert series is not None  # feed_instruments refused a symbol without data
    if len(series) < 2:
        return series.duration_ns / 1e9
    return float(np.median(np.diff(series.ts))) / 1e9


def resumable(factory: SessionFactory, owner: str, target: str) -> SessionRecord:
    """The session to resume: ``target`` (an id), or the newest session of ``owner``
    that ``run`` created and that has not ended (``"last"``).

    Raises:
        NotFound: for an unknown id or no session to resume.
        Conflict: for a session that has ended or is a backtest.
    """
    from paperbroker.store.sessions_repo import SessionsRepo

    repo = SessionsRepo(factory)
    ended = {state.value for state in ENDED}
    if target == "last":
        found = [
            r
            for r in repo.list_for_owner(owner)
            if json.loads(r.config).get("origin") == ORIGIN and r.status not in ended
        ]
        if not found:
            raise NotFound(
                f"no session made by 'paperbroker run' is left to resume (owner {owner})"
            )
        return found[-1]
    try:
        session_id = str(uuid.UUID(target))
    except ValueError:
        raise NotFound(f"session {target!r} not found") from None
    record = repo.get(owner, session_id)
    if record.kind == "backtest":
        raise Conflict(f"session {session_id} is a backtest: 'paperbroker run' trades paper "
                       "and live sessions")  # fmt: skip
    if record.status in ended:
        raise Conflict(f"session {session_id} has ended ({record.status}): nothing to resume")
    return record


def broker_of(record: SessionRecord) -> BrokerSettings | None:
    """A live session's broker settings (``None`` for a paper session)."""
    from paperbroker.broker.settings import BrokerSettings

    stored = json.loads(record.config).get("broker")
    return None if stored is None else BrokerSettings.read(stored)


def real_money(record: SessionRecord) -> bool:
    """Whether the session trades real money (a live session at the live endpoint)."""
    broker = broker_of(record)
    return broker is not None and broker.real_money


def check_matches(record: SessionRecord, given: dict[str, Any]) -> None:
    """Refuse options given with ``--resume`` that say another session than ``record``.

    Raises:
        InvalidRequest: naming the first option that differs and what the session has.
    """
    config = json.loads(record.config)
    strategy: dict[str, Any] = next(
        (a.get("config", {}) for a in config.get("pipeline") or () if a.get("type") == "strategy"),
        {},
    )
    feed = config.get("feed") or {}
    has = {
        "symbols": tuple(config.get("symbols", ())),
        "strategy": strategy.get("strategy"),
        "params": {k: str(v) for k, v in (strategy.get("params") or {}).items()},
        "feed": feed.get("type", "replay"),
        "cash": Decimal(config.get("initial_cash", "0")),
    }
    for option, value in given.items():
        if option == "interval":
            continue  # a replay's speed is derived from it: the feed's type is checked
        if has[option] != value:
            shown = has[option]
            if option == "symbols":
                shown = ",".join(has[option])
            elif option == "params":
                shown = " ".join(f"{k}={v}" for k, v in has[option].items()) or "none"
            flag = "--param" if option == "params" else f"--{option}"
            raise InvalidRequest(
                f"{flag} differs from the session {record.id} being resumed, which has "
                f"{shown}: drop the option or start a new session"
            )


@dataclass(frozen=True)
class Held:
    symbol: str
    qty: Decimal
    avg_price: Decimal
    market_value: Decimal | None


@dataclass(frozen=True)
class Snapshot:
    """What the session holds at one moment (its default account)."""

    id: str
    name: str
    kind: str
    state: str
    clock_ns: int
    cash: Decimal
    equity: Decimal
    realized_pnl: Decimal
    positions: tuple[Held, ...]
    open_orders: int
    orders: int
    fills: int
    closed_trades: int
    last_seq: int


class Watch:
    """Reads a session's :class:`Snapshot`, taking in only the events new since the last."""

    def __init__(self, runtime: SessionRuntime, record: SessionRecord) -> None:
        self.runtime = runtime
        self.record = record
        self._seen = 0
        self._fills: list[Fill] = []

    def snapshot(self) -> Snapshot:
        from paperbroker.analytics.trades import build_trades

        runtime = self.runtime
        with runtime.locked():
            account = runtime.default_account_id
            events = runtime.kernel.events
            for event in events[self._seen :]:
                if isinstance(event, OrderFilled) and event.fill.account_id == account:
                    self._fills.append(event.fill)
            self._seen = len(events)
            books = runtime.books(account)
            held = tuple(
                Held(symbol, p.qty, p.avg_price, _value(books.mark(symbol), p.qty))
                for symbol, p in sorted(books.positions.items())
                if p.qty
            )
            orders = runtime.orders(account)
            state = SessionState.ERROR.value if runtime.diverged else runtime.state.value
            facts = (state, runtime.now_ns, books.cash, books.equity, books.realized_pnl)
            last_seq = runtime.last_seq
        closed = sum(1 for t in build_trades(self._fills) if t.exit_ts is not None)
        return Snapshot(
            self.record.id, self.record.name, self.record.kind, *facts, held,
            sum(1 for o in orders if o.is_open), len(orders), len(self._fills), closed, last_seq,
        )  # fmt: skip


def _value(mark: Decimal | None, qty: Decimal) -> Decimal | None:
    return None if mark is None else mark * qty
