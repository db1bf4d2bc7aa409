"""``paperbroker sessions create|risk|emergency`` and ``backtest --risk`` on a real database.

The commands run in this process through the Typer app, on a SQLite file and
on PostgreSQL named by the settings in the environment; what they did is read
back through the journal and the audit trail, as the API serves them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.api.conftest import END, START
from tests.store.backends import find_postgres, temporary_database, url_text
from typer.testing import CliRunner

from paperbroker.cli import app
from paperbroker.model.codec import decode_event
from paperbroker.model.events import RiskCommanded
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.journal import Journal
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate
from paperbroker.store.system_events import SystemEvents

runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh database in the commands' settings; run from an empty directory."""
    monkeypatch.setenv("PAPERBROKER_DATA_DIR", str(tmp_path / "market"))
    monkeypatch.setenv("PAPERBROKER_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.chdir(tmp_path)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
        monkeypatch.setenv("PAPERBROKER_DATABASE_URL", url)
        yield url
        return
    with temporary_database(find_postgres()) as made:
        url = url_text(made)
        monkeypatch.setenv("PAPERBROKER_DATABASE_URL", url)
        yield url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def owner(url: str) -> str:
    engine = create_engine_for(url)
    migrate(engine)
    try:
        return ApiKeys(session_factory(engine)).create("alice")[0]
    finally:
        engine.dispose()


def written(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def recorded(url: str, key: str, session_id: str) -> tuple[list[RiskCommanded], list[Any]]:
    """The session's journaled risk commands, and the key's audit entries (oldest first)."""
    engine = create_engine_for(url)
    try:
        factory = session_factory(engine)
        events = [decode_event(e.kind, e.schema_version, e.payload)
                  for e in Journal(factory).read(session_id)]  # fmt: skip
        audit = [json.loads(e.payload) for e in SystemEvents(factory).read(key)
                 if e.kind == "RiskAction"]  # fmt: skip
    finally:
        engine.dispose()
    return [e for e in events if isinstance(e, RiskCommanded)], audit


def create(key: str, *more: str) -> str:
    code, out, err = run("sessions", "create", "--key", key, "--start", START, "--end", END,
                         "--json", *more)  # fmt: skip
    assert code == 0, err
    session_id: str = json.loads(out)["id"]
    return session_id


def test_a_session_made_with_risk_is_shown_changed_and_audited(
    database: str, tmp_path: Path
) -> None:
    key = owner(database)
    rules = written(tmp_path, "risk.json", {"limits": {"max_position_qty": "100"}})
    session_id = create(key, "--name", "guarded", "--risk", rules)
    code, out, err = run("sessions", "risk", session_id, "--json")
    assert code == 0, err
    view = json.loads(out)
    assert view["settings"]["limits"]["max_position_qty"] == "100"
    assert view["halted"] is False

    changes = written(tmp_path, "changes.json", {"limits": {"max_position_qty": "250"}})
    code, out, err = run("sessions", "risk", session_id, "--set", changes, "--reason", "room")
    assert code == 0, err
    assert "rules: limits.max_position_qty=250" in out
    [command], [entry] = recorded(database, key, session_id)
    assert (command.action, command.by, command.reason) == ("configure", key, "room")
    assert (entry["by"], entry["by_name"], entry["outcome"]) == (key, "command line", "ok")

    code, _, err = run("sessions", "risk", session_id, "--set", changes)
    assert code == 2
    assert "--reason" in err
    bad = written(tmp_path, "bad.json", {"limits": {"max_order_qty": -1}})
    code, _, err = run("sessions", "create", "--key", key, "--start", START, "--end", END,
                       "--risk", bad)  # fmt: skip
    assert code == 2
    assert "risk.limits.max_order_qty: must be positive, got -1" in err


def test_the_kill_switch_from_the_command_line_halts_until_reset(
    database: str, tmp_path: Path
) -> None:
    key = owner(database)
    first, second = create(key), create(key)
    code, out, err = run("sessions", "emergency", first, "kill", "--reason", "drill")
    assert code == 0, err
    assert out.strip() == f"{first}: 0 order(s) canceled, 0 submitted"
    code, out, _ = run("sessions", "risk", first)
    assert "halted: yes" in out
    code, out, err = run("sessions", "emergency", "--all", "cancel_all", "--yes", "--reason", "x")
    assert code == 0, err
    assert sorted(line.split(":")[0] for line in out.splitlines()) == sorted([first, second])
    code, _, err = run("sessions", "emergency", first, "reduce", "--reason", "no percent")
    assert code == 2
    assert "percent" in err
    code, out, err = run("sessions", "risk", first, "--reset", "kill_switch", "--reason", "over")
    assert code == 0, err
    assert "halted: no" in out
    commands, audit = recorded(database, key, first)
    assert [c.action for c in commands] == ["kill", "cancel_all", "reset_breaker"]
    assert [(e["action"], e["outcome"]) for e in audit] == [
        ("kill", "ok"), ("cancel_all", "ok"), ("cancel_all", "ok"), ("reduce", "failed"),
        ("reset_breaker", "ok"),
    ]  # fmt: skip


def test_backtest_takes_risk_settings(database: str, tmp_path: Path) -> None:
    arguments = ["backtest", "--strategy", "buy_and_hold", "--symbols", "AAPL",
                 "--execution", "ideal", "--json"]  # fmt: skip
    code, out, err = run(*arguments)
    assert code == 0, err
    free = json.loads(out)
    assert free["fills"] >= 1
    blocked = written(tmp_path, "risk.json", {"symbols": {"disabled": ["AAPL"]}})
    code, out, err = run(*arguments, "--risk", blocked)
    assert code == 0, err
    guarded = json.loads(out)
    assert guarded["fills"] == 0
    assert guarded["final_equity"] == guarded["initial_cash"]
    # buy_and_hold asks once: one denial, by the rule that made it.
    assert guarded["risk"] == {"denials": {"symbols.disabled": 1}, "breakers_tripped": []}
    assert free["risk"] == {"denials": {}, "breakers_tripped": []}
    code, out, err = run(*arguments[:-1], "--risk", blocked)
    assert code == 0, err
    assert "Risk denials" in out
    assert "1 (symbols.disabled 1)" in out
    code, _, err = run(*arguments, "--risk", str(tmp_path / "missing.json"))
    assert code == 2
    assert "--risk: cannot read" in err
