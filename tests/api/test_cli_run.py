"""``paperbroker run``'s refusals: every mistake is one line on stderr and exit code 2
(bad options) or 1 (nothing to resume), before any session is made.

The command runs in-process through the Typer app on a SQLite file; the
trading loop itself is tested end to end in ``tests/integration/test_cli_run.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperbroker.cli import app
from paperbroker.cli_run_plan import read_plan
from paperbroker.cli_run_session import check_matches
from paperbroker.core.errors import InvalidRequest
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.sessions_repo import SessionRecord, SessionsRepo

runner = CliRunner()
NEW = ["--symbols", "AAA", "--strategy", "sma_crossover", "--feed", "synthetic"]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file for the command's settings; run from an empty directory (no .env)."""
    url = f"sqlite:///{tmp_path / 'run.db'}"
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", url)
    monkeypatch.setenv("PAPERBROKER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["run", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "sma_crossover"], "--symbols is missing: a new session needs it"),
        (["--symbols", "AAA"], "--strategy is missing"),
        ([*NEW, "--param", "fast"], "--param 'fast' is not NAME=VALUE"),
        ([*NEW, "--duration", "-1"], "--duration must be 0 (until interrupted) or more"),
        ([*NEW, "--checkpoint-interval", "0.5"], "--checkpoint-interval must be at least 1"),
        ([*NEW, "--keep-checkpoints", "0"], "--keep-checkpoints must be at least 1"),
        ([*NEW, "--interval", "0"], "--interval must be 0.01 to 86400 seconds"),
        ([*NEW, "--broker", "ib"],
         "--broker must be one of sim, alpaca-paper, alpaca-live or an http(s) URL"),
        ([*NEW, "--broker", "alpaca-paper", "--cash", "5"],
         "--cash and --execution go with --broker sim"),
        ([*NEW, "--broker", "alpaca-live"], "trades real money: add --confirm-real-money"),
        ([*NEW, "--credentials", "c1"], "--credentials goes with a live --broker"),
        ([*NEW, "--replay-start", "2012-01-03"], "--replay-start goes with --feed replay"),
        (["--symbols", "AAPL", "--strategy", "sma_crossover", "--seed", "3"],
         "--seed goes with --feed synthetic"),
        ([*NEW, "--cash", "lots"], "--cash: 'lots' is not a number"),
        (["--reconcile-only"], "--reconcile-only needs --resume or --resume-session ID"),
        (["--resume", "--resume-session", "x"], "give --resume or --resume-session ID, not both"),
        (["--resume", "--name", "again"], "--name names a new session: not with --resume"),
        (["--symbols", "AAA", "--strategy", "sma_crossover", "--feed", "alpaca",
          "--interval", "5"], "the alpaca feed's bars are one minute long"),
    ],
)  # fmt: skip
def test_bad_options_are_one_line_and_exit_2_before_the_database(
    args: list[str], message: str, database: str, tmp_path: Path
) -> None:
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert message in err
    assert err.count("\n") == 1
    assert not (tmp_path / "run.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--symbols", "AAA", "--strategy", "nope", "--feed", "synthetic"],
         "unknown strategy 'nope'"),
        ([*NEW, "--param", "fast=50"], "fast (50) must be shorter than slow (30)"),
        (["--symbols", "ZZZZ", "--strategy", "sma_crossover"], "no data to replay for 'ZZZZ'"),
        (["--symbols", "AAPL", "--strategy", "sma_crossover", "--interval", "0.05"],
         "a replay plays at most 1,000,000 times real time, so bars 86400 s apart come at "
         "most every 0.0864 s"),
    ],
)  # fmt: skip
def test_what_the_server_refuses_is_exit_2_and_makes_no_session(
    args: list[str], message: str, database: str
) -> None:
    code, out, err = run(*args, "--duration", "0.01")  # should it start, it ends soon
    assert code == 2, (out, err)
    assert message in err
    engine = create_engine_for(database)
    try:
        assert SessionsRepo(session_factory(engine)).list_all() == []
    finally:
        engine.dispose()


def test_resume_with_nothing_to_resume_is_exit_1(database: str) -> None:
    code, out, err = run("--resume")
    assert code == 1, (out, err)
    assert "no session made by 'paperbroker run' is left to resume" in err
    code, _, err = run("--resume-session", "not-an-id")
    assert code == 1
    assert "session 'not-an-id' not found" in err


def record(config: dict[str, object]) -> SessionRecord:
    return SessionRecord("s1", "PK1", "cli-run", "paper", "paused", 0, 0, 1, json.dumps(config))


PAPER = {
    "symbols": ["AAA", "BBB"],
    "initial_cash": "100000",
    "feed": {"type": "synthetic", "interval_seconds": 0.1},
    "pipeline": [
        {"type": "data", "name": "data"},
        {"type": "strategy", "name": "strategy",
         "config": {"strategy": "sma_crossover", "params": {"fast": "2", "slow": "4"}}},
    ],
    "origin": "cli-run",
}  # fmt: skip


def given(*args: str) -> dict[str, object]:
    options: dict[str, object] = {
        "symbols": None, "strategy": None, "param": None, "duration_minutes": 0,
        "interval": None, "checkpoint_interval": 30, "keep_checkpoints": 10, "broker": "sim",
        "feed": None,
        "seed": None, "replay_start": None, "cash": None, "execution": None, "name": None,
        "key": None, "credentials": None, "confirm_real_money": False, "resume": True,
        "resume_session": None, "reconcile_only": False,
    }  # fmt: skip
    pairs = iter(args)
    for option, value in zip(pairs, pairs, strict=True):
        options[option] = [value] if option == "param" else value
    return read_plan(**options).given  # type: ignore[arg-type]


def test_resume_takes_the_same_command_line_and_refuses_another_session() -> None:
    same = given("symbols", "aaa,BBB", "strategy", "sma_crossover", "feed", "synthetic")
    check_matches(record(PAPER), same)  # the command that made it, with --resume: fine
    check_matches(record(PAPER), {})  # or --resume alone
    for differs, what in [
        (given("symbols", "AAA"), "--symbols differs"),
        (given("strategy", "momentum"), "--strategy differs"),
        (
            given("param", "fast=3"),
            "--param differs from the session s1 being resumed, which has fast=2 slow=4",
        ),
        (given("feed", "replay"), "--feed differs"),
        (given("cash", "5000"), "--cash differs"),
    ]:
        with pytest.raises(InvalidRequest, match=what):
            check_matches(record(PAPER), differs)
