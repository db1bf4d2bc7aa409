"""Account rules are journaled commands: a restarted session comes back configured.

Runs on SQLite and on PostgreSQL over the bundled daily data.  The session
starts 2012-01-03 09:30 New York; AAPL opens at 409.40 that day and closes
at 411.23, and opens at 410.00 on 2012-01-04.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import pytest

from paperbroker.analytics.portfolio_history import HistoryQuery
from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.model.account import AccountConfig, AccountRules
from paperbroker.model.enums import OrderSide, OrderStatus, RejectReason
from paperbroker.services.account_history import (
    ActivityQuery,
    FillActivity,
    account_portfolio_history,
    activities,
)
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import ExecutionConfig

BUY, SELL = OrderSide.BUY, OrderSide.SELL
START = datetime_to_ns(datetime(2012, 1, 3, 14, 30, tzinfo=UTC))
END = datetime_to_ns(datetime(2012, 1, 31, 21, 0, tzinfo=UTC))
DAY = 24 * 60 * NANOS_PER_MINUTE


@cache
def market() -> MarketData:
    return MarketData.bundled()


@pytest.fixture
def spec(repo: SessionsRepo, owner: str) -> SessionSpec:
    record = repo.create(owner, name="s", simulation_start=START, simulation_end=END)
    return SessionSpec(record.id, START, END, Decimal(100_000), account=AccountConfig.reg_t())


def kinds(journal: Journal, spec: SessionSpec) -> list[str]:
    return [e.kind for e in journal.read(spec.session_id)]


def test_configuring_is_journaled_only_when_something_changes(
    spec: SessionSpec, journal: Journal
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    rules = runtime.configure_account(account, no_shorting=True, suspend_trade=None)
    assert rules == AccountRules(no_shorting=True)
    assert kinds(journal, spec) == ["AccountConfigured"]
    assert runtime.configure_account(account, no_shorting=True) == rules
    assert kinds(journal, spec) == ["AccountConfigured"]
    with pytest.raises(InvalidRequest, match="max_margin_multiplier must be 1, 2 or 4"):
        runtime.configure_account(account, max_margin_multiplier="3")
    assert kinds(journal, spec) == ["AccountConfigured"]
    assert not runtime.poisoned


def test_a_restored_session_has_the_same_rules_and_keeps_enforcing_them(
    spec: SessionSpec, journal: Journal
) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    default = runtime.default_account_id
    second = runtime.open_account(Decimal(5_000)).account.id
    runtime.configure_account(default, no_shorting=True, max_margin_multiplier="1")
    runtime.configure_account(second, suspend_trade=True, trade_confirm_email="none")
    runtime.submit_order(default, "AAPL", BUY, 10)
    short = runtime.submit_order(default, "MSFT", SELL, 10)
    suspended = runtime.submit_order(second, "AAPL", BUY, 1)
    runtime.advance_to(START + DAY)
    runtime.configure_account(second, suspend_trade=False)
    later = runtime.submit_order(second, "AAPL", BUY, 1)
    runtime.advance_to(START + 2 * DAY)
    assert (short.reject_reason, suspended.reject_reason) == (
        RejectReason.SHORT_NOT_ALLOWED,
        RejectReason.TRADING_SUSPENDED,
    )
    assert later.status is OrderStatus.FILLED

    restored = SessionRuntime.restore(spec, market(), journal)
    assert restored.kernel.events == runtime.kernel.events
    for account in (default, second):
        assert restored.kernel.account_rules(account) == runtime.kernel.account_rules(account)
        assert restored.books(account).buying_power == runtime.books(account).buying_power
    assert restored.kernel.account_rules(default) == AccountRules(
        no_shorting=True, max_margin_multiplier=Decimal(1)
    )
    # Capped at 1x: the buying power is the equity less the gross exposure.
    books = restored.books(default)
    assert books.buying_power == books.equity - books.gross_exposure()
    again = restored.submit_order(default, "IBM", SELL, 1)
    assert again.reject_reason is RejectReason.SHORT_NOT_ALLOWED


def test_history_and_activities_replay_exactly(spec: SessionSpec, journal: Journal) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    runtime.submit_order(account, "AAPL", BUY, 10)
    runtime.advance_to(START + 3 * DAY)
    runtime.submit_order(account, "AAPL", SELL, 4)
    runtime.advance_to(START + 6 * DAY)
    restored = SessionRuntime.restore(spec, market(), journal)
    query = ActivityQuery(direction="asc")
    assert activities(restored, account, query) == activities(runtime, account, query)
    history = account_portfolio_history(runtime, account, HistoryQuery(period="1W"))
    assert account_portfolio_history(restored, account, HistoryQuery(period="1W")) == history
    assert history.equity[-1] == pytest.approx(float(runtime.books(account).equity), abs=1e-4)


def test_a_completed_session_cannot_be_configured(spec: SessionSpec, journal: Journal) -> None:
    runtime = SessionRuntime(spec, market(), journal)
    runtime.advance_to(END)
    with pytest.raises(Conflict, match="completed"):
        runtime.configure_account(runtime.default_account_id, suspend_trade=True)


def test_partial_fills_are_partial_fill_activities_until_the_last(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    # At most a millionth of each bar's volume: AAPL traded 10 793 600, 9 286 500 and
    # 9 688 200 shares on 2012-01-03, 04 and 05, so 10, then 9, then the last 6 fill.
    record = repo.create(owner, name="s", simulation_start=START, simulation_end=END)
    execution = ExecutionConfig.from_json(
        {"preset": "ideal", "fill_quantity": {"model": "volume_participation", "max_share": "1e-6"}}
    )
    spec = SessionSpec(record.id, START, END, Decimal(100_000), execution=execution)
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    order = runtime.submit_order(account, "AAPL", BUY, 25, tif="gtc")
    runtime.advance_to(START + 3 * DAY)
    fills = activities(runtime, account, ActivityQuery(types=frozenset({"FILL"}), direction="asc"))
    assert [
        (a.qty, a.price, a.cum_qty, a.leaves_qty, a.partial, a.order_id)
        for a in fills
        if isinstance(a, FillActivity)
    ] == [
        (10, Decimal("409.4000"), 10, 15, True, order.id),
        (9, Decimal("410.0000"), 19, 6, True, order.id),
        (6, Decimal("414.9500"), 25, 0, False, order.id),
    ]
