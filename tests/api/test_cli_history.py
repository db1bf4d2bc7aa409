"""``paperbroker history``, ``rerun`` and ``templates``: offline, on the settings' database."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from tests.api.conftest import END, START, market
from typer.testing import CliRunner

from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.cli import app
from paperbroker.cli_templates import parse_changes
from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import InvalidRequest
from paperbroker.services.sessions import SessionService
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate

runner = CliRunner()
SMA = standard_pipeline("sma_crossover", {"fast": 2, "slow": 5}, ["AAPL"], strategy_files=False)
EXECUTION = {"preset": "equities_realistic", "seed": 5}


def epoch_ns(stamp: str) -> int:
    return datetime_to_ns(datetime.fromisoformat(stamp))


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An admin key and another, an ended strategy backtest of the other's and one it killed."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", url)
    monkeypatch.setenv("PAPERBROKER_DATA_DIR", str(tmp_path / "market"))
    monkeypatch.setenv("PAPERBROKER_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.chdir(tmp_path)
    engine = create_engine_for(url)
    migrate(engine)
    factory = session_factory(engine)
    keys = ApiKeys(factory)
    admin = keys.create("admin", is_admin=True)[0]
    alice = keys.create("alice")[0]
    service = SessionService(factory=factory, market=market())
    try:
        start, end = epoch_ns(START), epoch_ns(END)
        sma = service.create(alice, start_ns=start, end_ns=end, name="sma", initial_cash=None,
                             execution=EXECUTION, pipeline=SMA)  # fmt: skip
        service.advance(alice, sma.id, target_ns=end)
        idle = service.create(admin, start_ns=start, end_ns=end, name="idle", initial_cash=None)
        service.kill(admin, idle.id)
    finally:
        service.shutdown()
        engine.dispose()
    return {"admin": admin, "alice": alice, "sma": sma.id, "idle": idle.id, "url": url}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_history_lists_every_owners_ended_sessions(made: dict[str, str]) -> None:
    code, out, err = run("history")
    assert code == 0, err
    assert "2 ended sessions" in out
    assert made["sma"] in out
    assert made["idle"] in out
    code, out, _ = run("history", "--key", made["alice"], "--strategy", "sma_crossover",
                       "--sort", "pnl", "--db", made["url"])  # fmt: skip
    assert code == 0
    assert made["sma"] in out
    assert made["idle"] not in out
    code, _, err = run("history", "--sort", "colour")
    assert code == 2
    assert "--sort" in err


def test_rerun_prints_both_digests_and_exits_0_when_reproduced(made: dict[str, str]) -> None:
    code, out, err = run("rerun", made["sma"], "--db", made["url"])
    assert code == 0, err + out
    lines = out.splitlines()
    first, second = lines[0].split()[-1], lines[1].split()[-1]
    assert first == second
    assert len(first) == 64
    assert lines[0].startswith(f"original {made['sma']}")
    assert lines[-1] == "reproduced: the same fills"
    code, out, _ = run("history", "--key", made["alice"])
    assert "sma (rerun)" in out
    code, _, err = run("rerun", "00000000-0000-4000-8000-000000000000")
    assert code == 1
    assert "not found" in err


def test_templates_list_show_save_create_session_delete(made: dict[str, str]) -> None:
    code, out, err = run("templates", "list")
    assert code == 0, err
    assert "builtin:conservative" in out
    code, out, _ = run("templates", "show", "moderate")
    assert json.loads(out)["config"]["risk"]["breakers"]["max_drawdown_pct"] == "10"
    code, out, err = run("templates", "save", made["sma"], "fast sma", "--key", made["alice"])
    assert code == 0, err
    assert "saved template 'fast sma'" in out
    code, out, err = run(
        "templates", "create-session", "fast sma", "--key", made["alice"],
        "--change", "strategy.params.fast=3", "--change", "name=faster",
    )  # fmt: skip
    assert code == 0, err + out
    session_id = out.strip()
    code, out, _ = run("sessions", "show", session_id, "--json")
    shown = json.loads(out)
    assert (shown["name"], shown["strategy"]["params"]["fast"]) == ("faster", 3)
    assert shown["owner_key_id"] == made["alice"]
    code, _, err = run("templates", "create-session", "moderate")  # the admin's; no window
    assert code == 2
    assert "config.startTime is required" in err
    code, _, err = run("templates", "delete", "moderate")
    assert code == 1
    assert "built-in templates cannot be changed" in err
    assert run("templates", "delete", "fast sma", "--key", made["alice"])[0] == 0
    assert run("templates", "show", "fast sma", "--key", made["alice"])[0] == 1


def test_changes_are_read_as_json_values_else_text() -> None:
    assert parse_changes(["a.b=3", "a.c=x", "d=[1]", "e=2024-01-02T00:00:00Z"]) == {
        "a": {"b": 3, "c": "x"}, "d": [1], "e": "2024-01-02T00:00:00Z",
    }  # fmt: skip
    with pytest.raises(InvalidRequest):
        parse_changes(["novalue"])
