"""History queries over any summaries: the order holds, filters hold, and another owner's
summaries never show (SQLite; the same queries run on PostgreSQL in tests/store)."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from tests.store.test_summaries import summary

from paperbroker.store.db import SessionFactory, create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.store.summaries import SORT_KEYS, HistoryQuery, SummariesRepo
from paperbroker.store.tables import SessionRow

_RATIO = st.none() | st.floats(-5, 5, allow_nan=False).map(lambda x: round(x, 6))
_ROW = st.fixed_dictionaries(
    {
        "owner": st.sampled_from([0, 1]),
        "name": st.text("abc", min_size=1, max_size=3),
        "kind": st.sampled_from(["backtest", "paper", "live"]),
        "state": st.sampled_from(["stopped", "killed", "completed"]),
        "strategy": st.sampled_from([None, "sma_crossover", "momentum"]),
        "ended_at": st.integers(0, 20),
        "pnl": st.decimals(-1000, 1000, places=4, allow_nan=False, allow_infinity=False),
        "total_return": _RATIO,
        "max_drawdown": _RATIO,
        "sharpe": _RATIO,
        "trades": st.integers(0, 5),
    }
)
_QUERY = st.builds(
    HistoryQuery,
    kind=st.none() | st.sampled_from(["backtest", "paper", "live"]),
    strategy=st.none() | st.sampled_from(["sma_crossover", "momentum"]),
    state=st.none() | st.sampled_from(["stopped", "killed", "completed"]),
    since=st.none() | st.integers(0, 20),
    until=st.none() | st.integers(0, 20),
    sort=st.sampled_from(SORT_KEYS),
    descending=st.booleans(),
    limit=st.integers(1, 30),
    offset=st.integers(0, 5),
)


@cache
def database() -> tuple[SessionFactory, tuple[str, str]]:
    path = Path(tempfile.mkdtemp()) / "history.db"
    engine = create_engine_for(f"sqlite:///{path}")
    migrate(engine)
    factory = session_factory(engine)
    keys = ApiKeys(factory)
    return factory, (keys.create("alice")[0], keys.create("bob")[0])


def _key(value: object, name: str) -> object:
    return Decimal(str(value)) if name == "pnl" else value


@settings(max_examples=120, deadline=None)
@given(rows=st.lists(_ROW, max_size=12), query=_QUERY)
def test_history_sorted_filtered_and_never_another_owners(
    rows: list[dict[str, object]], query: HistoryQuery
) -> None:
    factory, owners = database()
    with factory.begin() as db:
        db.execute(delete(SessionRow))  # and their summaries with them
    repo, summaries = SessionsRepo(factory), SummariesRepo(factory)
    mine = []
    for row in rows:
        owner = owners[int(row["owner"])]  # type: ignore[call-overload]
        session_id = repo.create(owner, name="s", simulation_start=0, simulation_end=1).id
        fields = {k: v for k, v in row.items() if k != "owner"}
        summaries.add(summary(session_id, owner, **fields))
        if owner == owners[0]:
            mine.append(summaries.get(owner, session_id))

    page = summaries.list(owners[0], query)
    matching = [
        s for s in mine
        if (query.kind is None or s.kind == query.kind)
        and (query.strategy is None or s.strategy == query.strategy)
        and (query.state is None or s.state == query.state)
        and (query.since is None or s.ended_at >= query.since)
        and (query.until is None or s.ended_at <= query.until)
    ]  # fmt: skip
    assert page.total == len(matching)
    assert {s.session_id for s in page.items} <= {s.session_id for s in matching}
    assert all(s.owner_key_id == owners[0] for s in page.items)
    assert len(page.items) == max(0, min(query.limit, len(matching) - query.offset))
    values = [_key(getattr(s, query.sort), query.sort) for s in page.items]
    defined = [v for v in values if v is not None]
    assert values[: len(defined)] == defined  # undefined ratios come last
    assert defined == sorted(defined, reverse=query.descending)  # type: ignore[type-var]
