"""The summaries and templates repositories on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from paperbroker.core.errors import Conflict, NotFound
from paperbroker.store.db import SessionFactory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.store.summaries import HistoryQuery, SessionSummary, SummariesRepo
from paperbroker.store.templates import TemplatesRepo


def summary(session_id: str, owner: str, **fields: object) -> SessionSummary:
    base = SessionSummary(
        session_id=session_id, owner_key_id=owner, name="s", kind="backtest", state="completed",
        strategy="sma_crossover", params={"fast": 2}, symbols=("AAPL",), period_start=1,
        period_end=2, ended_at=10, initial_equity=Decimal(100), final_equity=Decimal(110),
        pnl=Decimal(10), total_return=0.1, max_drawdown=-0.05, sharpe=1.5, trades=3,
        metrics={"sharpe": 1.5, "fees": "1.25"}, run_record={"fills_digest": "ab"},
    )  # fmt: skip
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


def new_session(repo: SessionsRepo, owner: str) -> str:
    return repo.create(owner, name="s", simulation_start=0, simulation_end=1).id


def test_a_summary_is_stored_once_read_by_its_owner_and_goes_with_its_session(
    factory: SessionFactory, repo: SessionsRepo, owner: str, keys: ApiKeys
) -> None:
    summaries = SummariesRepo(factory)
    session_id = new_session(repo, owner)
    first = summary(session_id, owner)
    assert summaries.add(first) is True
    assert summaries.add(summary(session_id, owner, name="again")) is False  # idempotent
    assert summaries.get(owner, session_id) == first
    other = keys.create("other")[0]
    with pytest.raises(NotFound, match="has no summary"):
        summaries.get(other, session_id)
    repo.delete(owner, session_id)
    assert not summaries.exists(session_id)
    assert summaries.add(summary(session_id, owner)) is False  # its session is gone


def test_history_lists_filter_sort_and_page(
    factory: SessionFactory, repo: SessionsRepo, owner: str, keys: ApiKeys
) -> None:
    summaries = SummariesRepo(factory)
    other = keys.create("other")[0]
    pnls = ["-0.5", "10.25", "9.75", "100"]  # text order is not number order
    ids = []
    for number, pnl in enumerate(pnls):
        session_id = new_session(repo, owner)
        ids.append(session_id)
        summaries.add(
            summary(
                session_id,
                owner,
                pnl=Decimal(pnl),
                ended_at=number,
                name=f"n{number}",
                sharpe=None if number == 2 else float(number),
                kind="paper" if number == 3 else "backtest",
            )
        )
    summaries.add(summary(new_session(repo, other), other))

    def names(**query: object) -> list[str]:
        return [s.name for s in summaries.list(owner, HistoryQuery(**query)).items]  # type: ignore[arg-type]

    assert names() == ["n3", "n2", "n1", "n0"]  # newest end first
    assert names(sort="pnl", descending=False) == ["n0", "n2", "n1", "n3"]
    assert names(sort="sharpe") == ["n3", "n1", "n0", "n2"]  # undefined last
    assert names(sort="sharpe", descending=False) == ["n0", "n1", "n3", "n2"]
    assert names(kind="paper") == ["n3"]
    assert names(since=1, until=2) == ["n2", "n1"]
    page = summaries.list(owner, HistoryQuery(sort="name", descending=False, limit=2, offset=1))
    assert ([s.name for s in page.items], page.total) == (["n1", "n2"], 4)
    assert summaries.list(None, HistoryQuery()).total == 5  # the operator's view


def test_templates_are_an_owners_own_with_unique_names(
    factory: SessionFactory, owner: str, keys: ApiKeys
) -> None:
    ticks = iter(range(1, 100))
    templates = TemplatesRepo(factory, now_ns=lambda: next(ticks))
    made = templates.create(owner, name="a", description="", kind="backtest", config={"x": 1})
    assert (made.config, made.created_at, made.updated_at) == ({"x": 1}, 1, 1)
    with pytest.raises(Conflict):
        templates.create(owner, name="a", description="", kind="backtest", config={})
    other = keys.create("other")[0]
    templates.create(other, name="a", description="", kind="backtest", config={})
    with pytest.raises(NotFound):
        templates.get(other, made.id)
    b = templates.create(owner, name="b", description="", kind="paper", config={})
    with pytest.raises(Conflict):
        templates.update(owner, b.id, name="a")
    changed = templates.update(owner, made.id, description="d", config={"y": 2})
    assert (changed.description, changed.config, changed.created_at) == ("d", {"y": 2}, 1)
    assert changed.updated_at > changed.created_at
    assert [t.name for t in templates.list(owner)] == ["a", "b"]
    assert templates.find_by_name(owner, "b") == b
    with pytest.raises(NotFound):
        templates.delete(other, made.id)
    templates.delete(owner, made.id)
    assert [t.name for t in templates.list(owner)] == ["b"]
