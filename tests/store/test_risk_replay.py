"""A session's risk layer survives a restart: its commands are journaled, and what
followed from bars (breaker trips, protective orders) replays exactly.

Runs on SQLite and on PostgreSQL, on the bundled daily data from 2012-01-03.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import cache

import pytest
from tests.store.test_paper_runtime import FEED, SECOND, WALL_START, bars

from paperbroker.core.clock import ManualClock, datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.model.events import BreakerTripped, OrderSubmitted
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.session.lifecycle import SessionTrigger
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import preset

BUY = OrderSide.BUY
START = datetime_to_ns(datetime(2012, 1, 3, 14, 30, tzinfo=UTC))
END = datetime_to_ns(datetime(2012, 1, 31, 21, 0, tzinfo=UTC))
TWO_WEEKS = datetime_to_ns(datetime(2012, 1, 17, 21, 0, tzinfo=UTC))


@cache
def market() -> MarketData:
    return MarketData.bundled()


def spec_with(repo: SessionsRepo, owner: str, risk: dict[str, object]) -> SessionSpec:
    record = repo.create(owner, name="risky", simulation_start=START, simulation_end=END)
    return SessionSpec(record.id, START, END, Decimal(100_000), risk=risk)


def test_a_tripped_breaker_is_still_tripped_after_a_restart(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    spec = spec_with(
        repo, owner, {"breakers": {"daily_loss": "1"}, "safeguards": {"stop_loss_pct": 20}}
    )
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    runtime.submit_order(account, "AAPL", BUY, 100)
    runtime.advance_to(TWO_WEEKS)
    trips = [e for e in runtime.kernel.events if isinstance(e, BreakerTripped)]
    assert [t.breaker for t in trips] == ["daily_loss"]
    assert runtime.kernel.risk.halted
    kinds = [e.kind for e in journal.read(spec.session_id)]
    assert "BreakerTripped" in kinds
    assert "RiskAdjusted" in kinds  # the stop placed after the fill
    restored = SessionRuntime.restore(spec, market(), journal)
    assert restored.diverged is None
    assert restored.kernel.events == runtime.kernel.events
    assert restored.kernel.risk.halted
    assert restored.kernel.risk.snapshot().breakers == runtime.kernel.risk.snapshot().breakers
    order = restored.submit_order(account, "AAPL", BUY, 1)
    assert order.status is OrderStatus.REJECTED
    assert order.reject_message.startswith("new entries are halted: breaker daily_loss")


def test_a_kill_replays_without_placing_its_orders_twice(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    spec = spec_with(repo, owner, {})
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    runtime.submit_order(account, "AAPL", BUY, 10)
    runtime.advance_to(START + 60 * 10**9)
    outcome = runtime.risk_command("kill", {}, by="key-1", reason="stop everything")
    assert len(outcome.submitted) == 1
    again = runtime.risk_command("kill", {}, by="key-1", reason="twice")
    assert again.submitted == ()
    journaled = [e for e in journal.read(spec.session_id) if e.kind == "RiskCommanded"]
    assert len(journaled) == 2
    restored = SessionRuntime.restore(spec, market(), journal)
    assert restored.kernel.events == runtime.kernel.events
    submitted = [e for e in restored.kernel.events if isinstance(e, OrderSubmitted)]
    assert len(submitted) == 2  # the buy and one close
    assert restored.kernel.risk.halted


def test_bad_risk_settings_are_refused_when_the_session_is_made(
    repo: SessionsRepo, owner: str
) -> None:
    with pytest.raises(InvalidRequest, match=r"risk\.limits\.max_order_qty"):
        spec_with(repo, owner, {"limits": {"max_order_qty": -1}})


def test_a_paper_session_trips_on_live_bars_and_replays_the_trip(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    """Live one-second bars of a synthetic feed; a volatility breaker of 1.01 times the
    average range of the 2 bars before trips on the first wider bar, and a restore that
    replays the journaled bars trips on the same one."""
    record = repo.create(
        owner, name="paper", simulation_start=WALL_START,
        simulation_end=WALL_START + 10**6 * SECOND, kind="paper",
    )  # fmt: skip
    risk = {"breakers": {"volatility_multiple": "1.01", "volatility_lookback": 2}}
    spec = SessionSpec(
        record.id, WALL_START, WALL_START + 10**6 * SECOND, Decimal(100_000),
        execution=preset("ideal"), kind="paper", symbols=("AAA", "BBB"), feed=FEED, risk=risk,
    )  # fmt: skip
    wall = ManualClock(WALL_START)
    runtime = SessionRuntime.restore(spec, market(), journal, new=True, wall=wall)
    runtime.transition(SessionTrigger.RESUME)
    for batch in bars(12):
        wall.ns = batch[0].ts + 5_000_000
        runtime.ingest(batch)
    trips = [e for e in runtime.kernel.events if isinstance(e, BreakerTripped)]
    assert [t.breaker for t in trips][:1] == ["volatility_multiple"]
    assert runtime.kernel.risk.halted
    restored = SessionRuntime.restore(spec, market(), journal, wall=ManualClock(wall.ns))
    assert restored.kernel.events == runtime.kernel.events
    assert restored.kernel.risk.halted


def test_an_override_and_its_expiry_replay(
    repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    spec = spec_with(repo, owner, {"limits": {"max_order_qty": 5}})
    runtime = SessionRuntime(spec, market(), journal)
    account = runtime.default_account_id
    until = START + 2 * 24 * 3600 * 10**9
    settings = {"limits": {"max_order_qty": 50}}
    runtime.risk_command("override", {"settings": settings, "until": until}, "key-1", "news day")
    assert runtime.submit_order(account, "AAPL", BUY, 20).status is OrderStatus.ACCEPTED
    runtime.advance_to(TWO_WEEKS)
    assert runtime.kernel.risk.override is None
    assert runtime.submit_order(account, "AAPL", BUY, 20).status is OrderStatus.REJECTED
    kinds = [e.kind for e in journal.read(spec.session_id)]
    assert kinds[0] == "RiskCommanded"
    assert "RiskAdjusted" in kinds
    restored = SessionRuntime.restore(spec, market(), journal)
    assert restored.kernel.events == runtime.kernel.events
    assert restored.kernel.risk.effective.limits.max_order_qty == 5
