"""``paperbroker sessions list|show|stop|clear`` on a real database, SQLite and PostgreSQL.

Sessions are made through the session service (as the API makes them), then
the commands run: in-process through the Typer app for most checks, and as
the installed ``paperbroker`` program in a subprocess for the end-to-end ones.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import URL, func, select, text, update
from tests.api.conftest import END, IDEAL, START, Server, market
from tests.store.backends import find_postgres, temporary_database, url_text
from typer.testing import CliRunner

from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.api.responses import SessionPublic
from paperbroker.cli import app
from paperbroker.cli_sessions import _offline_service
from paperbroker.core.clock import datetime_to_ns
from paperbroker.core.errors import NotFound
from paperbroker.services.sessions import SessionService
from paperbroker.services.views import OrderRequest
from paperbroker.settings import load_settings
from paperbroker.store.db import create_engine_for, read_session, session_factory
from paperbroker.store.journal import EncodedEvent, Journal
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.store.tables import SessionEventRow, SessionRow

CLI = Path(sys.executable).with_name("paperbroker")
runner = CliRunner()
SMA = standard_pipeline("sma_crossover", {"fast": 2, "slow": 5}, ["AAPL"], strategy_files=False)


@dataclass
class Sessions:
    """What :func:`populate` made: two owners' keys (with secrets) and their sessions."""

    alice: tuple[str, str]
    bob: tuple[str, str]
    held: str  # alice's paused backtest: 10 AAPL held, a MSFT limit order open
    sma: str  # bob's running backtest, traded by a pipeline
    paper: str | None  # alice's running paper session holding 1 AAPL


def populate(url: str | URL, *, paper: bool = False) -> Sessions:
    """Make the sessions through the service, as the API would, and close everything."""
    engine = create_engine_for(url)
    migrate(engine)
    factory = session_factory(engine)
    keys = ApiKeys(factory)
    alice, bob = keys.create("alice"), keys.create("bob")
    service = SessionService(factory=factory, market=market())
    try:
        start, end = epoch_ns(START), epoch_ns(END)
        held = service.create(alice[0], start_ns=start, end_ns=end, name="held",
                              initial_cash=None, execution=IDEAL)  # fmt: skip
        account = held.default_account_id
        service.submit_order(alice[0], held.id, account, order("AAPL", "10"))
        service.advance(alice[0], held.id)
        service.submit_order(alice[0], held.id, account, order("MSFT", "5", limit="1"))
        sma = service.create(bob[0], start_ns=start, end_ns=end, name="sma", initial_cash=None,
                             execution=IDEAL, pipeline=SMA)  # fmt: skip
        service.play(bob[0], sma.id)
        paper_id = _paper_session(service, alice[0]) if paper else None
    finally:
        service.shutdown()
        engine.dispose()
    return Sessions(alice, bob, held.id, sma.id, paper_id)


def _paper_session(service: SessionService, owner: str) -> str:
    view = service.create_paper(
        owner, name="paper", symbols=["AAPL"], pipeline=None, initial_cash=Decimal(10_000),
        execution=IDEAL, feed={"type": "synthetic", "interval_seconds": 0.05},
    )  # fmt: skip
    runtime = service.runtime(owner, view.id)
    wait_for(lambda: runtime.last_bar_ns is not None)
    service.submit_order(owner, view.id, view.default_account_id, order("AAPL", "1"))
    wait_for(lambda: bool(service.positions(owner, view.id, view.default_account_id)))
    return view.id


def order(symbol: str, qty: str, limit: str | None = None) -> OrderRequest:
    kind = "market" if limit is None else "limit"
    return OrderRequest(symbol=symbol, side="buy", qty=qty, type=kind, limit_price=limit)


def epoch_ns(stamp: str) -> int:
    return datetime_to_ns(datetime.fromisoformat(stamp))


def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """The command in this process, on the settings in the environment."""
    result = runner.invoke(app, ["sessions", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def run_program(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``paperbroker`` program in a subprocess."""
    env = {
        **os.environ,
        "PAPERBROKER_DATABASE_URL": url,
        "PAPERBROKER_DATA_DIR": str(tmp_path / "market"),
        "PAPERBROKER_LOG_DIR": str(tmp_path / "logs"),
    }
    return subprocess.run(
        [str(CLI), "sessions", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def journal_account(session_id: str) -> str:
    """The id of the account a session was created with."""
    from paperbroker.session.accounts import account_id

    return account_id(session_id, 0)


def journal_of(url: str | URL, session_id: str) -> list[EncodedEvent]:
    engine = create_engine_for(url)
    try:
        return Journal(session_factory(engine)).read(session_id)
    finally:
        engine.dispose()


def session_ids(url: str | URL) -> list[str]:
    engine = create_engine_for(url)
    try:
        return [r.id for r in SessionsRepo(session_factory(engine)).list_all()]
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file in the commands' settings; run from an empty directory (no .env)."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", url)
    monkeypatch.setenv("PAPERBROKER_DATA_DIR", str(tmp_path / "market"))
    monkeypatch.setenv("PAPERBROKER_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.chdir(tmp_path)
    return url


@pytest.fixture
def made(sqlite_url: str) -> Sessions:
    return populate(sqlite_url)


@pytest.fixture
def postgres_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh PostgreSQL database in the commands' settings."""
    with temporary_database(find_postgres()) as url:
        text_url = url_text(url)
        monkeypatch.setenv("PAPERBROKER_DATABASE_URL", text_url)
        monkeypatch.setenv("PAPERBROKER_DATA_DIR", str(tmp_path / "market"))
        monkeypatch.chdir(tmp_path)
        yield text_url


# -- list --------------------------------------------------------------------------------
def test_sessions_list_shows_every_owners_sessions_without_moving_them(
    sqlite_url: str, made: Sessions, tmp_path: Path
) -> None:
    before = {sid: journal_of(sqlite_url, sid) for sid in (made.held, made.sma)}
    code, out, err = run("list")
    assert code == 0, err
    held_line = next(line for line in out.splitlines() if made.held in line)
    for cell in ("held", "backtest", "paused", made.alice[0], "2012-01-03 14:31:00"):
        assert cell in held_line
    assert made.sma in out
    assert made.bob[0] in out

    code, out, _ = run("list", "--json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows[made.held] == {
        "id": made.held, "name": "held", "type": "backtest", "real_money": False,
        "state": "paused", "owner_key_id": made.alice[0], "current_time": "2012-01-03T14:31:00Z",
        "created_at": rows[made.held]["created_at"], "error": None,
    }  # fmt: skip
    assert rows[made.sma]["state"] == "running"
    # Reading restored the sessions but moved nothing: the running one did not play.
    assert {sid: journal_of(sqlite_url, sid) for sid in before} == before


def test_sessions_the_commands_service_starts_no_play_loop_or_feed(
    sqlite_url: str, tmp_path: Path
) -> None:
    made = populate(sqlite_url, paper=True)
    engine = create_engine_for(sqlite_url)
    service = _offline_service(load_settings(), session_factory(engine))
    try:
        assert service.get(made.bob[0], made.sma).state == "running"
        assert service.get(made.alice[0], str(made.paper)).state == "running"
        names = {thread.name for thread in threading.enumerate()}
        assert not {f"play-{made.sma}", f"feed-{made.paper}"} & names
    finally:
        service.shutdown()
        engine.dispose()


def test_sessions_list_filters_by_owner_and_state(made: Sessions) -> None:
    def ids(*args: str) -> list[str]:
        code, out, err = run("list", "--json", *args)
        assert code == 0, err
        return [row["id"] for row in json.loads(out)]

    assert ids() == [made.held, made.sma]
    assert ids("--key", made.bob[0]) == [made.sma]
    assert ids("--state", "RUNNING") == [made.sma]
    assert ids("--key", made.bob[0], "--state", "paused") == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("list", "--state", "asleep"), 2, "unknown state 'asleep'"),
        (("list", "--key", "PKNOPE"), 1, "API key PKNOPE not found"),
        (("show", "no-such-id"), 1, "session 'no-such-id' not found"),
        (("show", "00000000-0000-0000-0000-000000000000"), 1, "not found"),
        (("stop",), 2, "give a session ID or --all"),
        (("stop", "00000000-0000-0000-0000-000000000000", "--all"), 2, "not both"),
        (("stop", "--key", "PKNOPE"), 2, "give a session ID or --all"),
    ],
)
def test_sessions_bad_input_is_one_line_on_stderr(
    made: Sessions, args: tuple[str, ...], code: int, message: str
) -> None:
    exit_code, out, err = run(*args)
    assert (exit_code, out) == (code, "")
    assert err.count("\n") == 1, err
    assert message in err


def test_sessions_an_unreachable_or_unsupported_database_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    code, _, err = run("list")
    assert code == 1
    assert err.startswith("error: database error:")
    assert err.count("\n") == 1, err
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", "mysql://localhost/db")
    code, _, err = run("clear", "--yes")
    assert code == 1
    assert "PAPERBROKER_DATABASE_URL: database backend 'mysql' is not supported" in err
    assert err.count("\n") == 1, err


# -- show --------------------------------------------------------------------------------
def test_sessions_show_gives_the_api_view_accounts_positions_and_agents(
    sqlite_url: str, made: Sessions
) -> None:
    code, out, err = run("show", made.held, "--json")
    assert code == 0, err
    shown = json.loads(out)
    server = Server(sqlite_url)
    try:
        api_view = server.client.get(f"/v1/sessions/{made.held}", auth=made.alice).json()
    finally:
        server.close()
    assert {k: shown[k] for k in SessionPublic.model_fields} == api_view
    assert shown["owner_key_id"] == made.alice[0]
    (account,) = shown["accounts"]
    assert account["id"] == api_view["default_account_id"]
    assert account["open_orders"] == 1
    assert [(p["symbol"], p["qty"]) for p in account["positions"]] == [("AAPL", "10")]
    assert Decimal(account["cash"]) < Decimal(account["equity"]) == Decimal(100_000)
    assert shown["agents"] == []

    code, out, _ = run("show", made.sma, "--json")
    agents = [(a["name"], a["type"], a["status"]) for a in json.loads(out)["agents"]]
    assert agents == [
        ("data", "data", "running"), ("strategy", "strategy", "running"),
        ("risk", "risk", "running"), ("execution", "execution", "running"),
    ]  # fmt: skip

    code, out, _ = run("show", made.held)
    assert code == 0
    for text_shown in (made.held, "Accounts", "Positions", "AAPL", "No pipeline"):
        assert text_shown in out


# -- stop --------------------------------------------------------------------------------
def test_sessions_stop_is_journaled_exactly_as_the_api_stop(
    sqlite_url: str, made: Sessions, tmp_path: Path
) -> None:
    twin = tmp_path / "twin.db"
    shutil.copyfile(tmp_path / "server.db", twin)
    code, out, err = run("stop", made.held)
    assert code == 0, err
    assert out.strip() == f"{made.held}: stopped"

    server = Server(f"sqlite:///{twin}")  # the same stop through POST /v1/sessions/{id}/stop
    try:
        response = server.client.post(f"/v1/sessions/{made.held}/stop", auth=made.alice)
        assert response.status_code == 200, response.text
        assert response.json()["state"] == "stopped"
    finally:
        server.close()
    by_cli = journal_of(sqlite_url, made.held)
    assert by_cli == journal_of(f"sqlite:///{twin}", made.held)
    assert [e.kind for e in by_cli].count("SessionStateChanged") == 2  # stopping, stopped

    code, out, _ = run("show", made.held, "--json")
    (account,) = json.loads(out)["accounts"]
    assert (account["open_orders"], account["positions"]) == (0, [])
    code, _, err = run("stop", made.held)  # a second stop is a move the table does not have
    assert code == 1
    assert "cannot apply stop in state stopped" in err


def test_sessions_stop_all_asks_then_stops_what_can_stop(made: Sessions) -> None:
    code, out, _ = run("stop", "--all", stdin="n\n")
    assert code == 1  # aborted: nothing stopped
    assert "Stop 2 session(s)?" in out
    assert run("list", "--json", "--state", "stopped")[1].strip() == "[]"

    code, out, err = run("stop", "--all", "--key", made.bob[0], "--yes")
    assert code == 0, err
    assert out.strip() == f"{made.sma}: stopped"
    code, out, _ = run("stop", "--all", "--yes")
    assert out.strip() == f"{made.held}: stopped"
    code, out, _ = run("stop", "--all", "--yes")
    assert (code, out.strip()) == (0, "No sessions to stop.")


def test_sessions_stop_leaves_a_paper_session_stopping_for_the_server_to_finish(
    sqlite_url: str,
) -> None:
    made = populate(sqlite_url, paper=True)
    assert made.paper is not None
    code, out, err = run("stop", made.paper)
    assert code == 0, err
    assert out.startswith(f"{made.paper}: stopping (")
    assert "the server finishes the stop when it next runs" in out

    server = Server(sqlite_url, restore=True)  # as ``paperbroker serve`` starts
    try:

        def state() -> str:
            got = server.client.get(f"/v1/sessions/{made.paper}", auth=made.alice)
            return str(got.json()["state"])

        wait_for(lambda: state() == "stopped")
    finally:
        server.close()


# -- clear -------------------------------------------------------------------------------
def test_sessions_clear_backs_up_first_and_the_backup_holds_the_sessions(
    sqlite_url: str, made: Sessions, tmp_path: Path
) -> None:
    journals = {sid: journal_of(sqlite_url, sid) for sid in (made.held, made.sma)}
    engine = create_engine_for(sqlite_url)
    keys = ApiKeys(session_factory(engine))
    bound, _ = keys.create("bot", session_id=made.held, account_id=journal_account(made.held))
    engine.dispose()
    cleared = run_program(sqlite_url, tmp_path, "clear", "--key", made.alice[0], "--yes")
    assert cleared.returncode == 0, cleared.stderr
    backup_line, deleted_line = cleared.stdout.strip().splitlines()
    path = Path(backup_line.removeprefix("Backup: ").split(" (")[0])
    assert path.parent == tmp_path
    assert path.name.startswith("server-backup-")
    assert "(2 session(s)" in backup_line
    assert deleted_line == f"Deleted 1 session(s) of {made.alice[0]} with their journals."
    assert session_ids(sqlite_url) == [made.sma]
    with pytest.raises(NotFound):
        journal_of(sqlite_url, made.held)  # its events went with it
    engine = create_engine_for(sqlite_url)
    try:
        keys = ApiKeys(session_factory(engine))
        with pytest.raises(NotFound):
            keys.get(bound)  # and the key bound to it
        assert keys.get(made.alice[0]).key_id == made.alice[0]  # the owner's key stays
    finally:
        engine.dispose()

    # The backup is a database of its own, with every session and event as they were.
    backup_url = f"sqlite:///{path}"
    assert session_ids(backup_url) == [made.held, made.sma]
    assert {sid: journal_of(backup_url, sid) for sid in journals} == journals

    code, out, _ = run("clear", "--yes")
    assert code == 0
    assert out.strip().endswith("Deleted 1 session(s) with their journals.")
    assert session_ids(sqlite_url) == []
    assert len(list(tmp_path.glob("server-backup-*.db"))) == 2
    assert run("clear", "--yes")[1].strip() == "No sessions to clear."


def test_sessions_clear_deletes_sessions_a_bound_key_made_with_the_session_it_is_bound_to(
    sqlite_url: str, made: Sessions, tmp_path: Path
) -> None:
    """Earlier versions let a key bound to a session create sessions; clearing them all then
    failed after writing its backup (the key, deleted with its session, still owned one)."""
    engine = create_engine_for(sqlite_url)
    bot, _ = ApiKeys(session_factory(engine)).create(
        "bot", session_id=made.held, account_id=journal_account(made.held)
    )
    with engine.begin() as connection:
        connection.execute(
            update(SessionRow).where(SessionRow.id == made.sma).values(owner_key_id=bot)
        )
    engine.dispose()
    cleared = run_program(sqlite_url, tmp_path, "clear", "--yes")
    assert cleared.returncode == 0, cleared.stderr
    assert cleared.stdout.strip().endswith("Deleted 2 session(s) with their journals.")
    assert session_ids(sqlite_url) == []


def test_sessions_clear_refuses_when_the_backup_cannot_be_written(
    sqlite_url: str, made: Sessions, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, out, err = run("clear", "--yes", "--backup-dir", str(blocker / "backups"))
    assert code == 1
    assert out == ""
    assert err.startswith("error: nothing deleted: could not write a backup to ")
    assert err.count("\n") == 1, err
    assert session_ids(sqlite_url) == [made.held, made.sma]
    assert journal_of(sqlite_url, made.held)
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == []


def test_sessions_clear_asks_first_and_no_deletes_nothing(
    sqlite_url: str, made: Sessions, tmp_path: Path
) -> None:
    code, out, _ = run("clear", stdin="n\n")
    assert code == 1
    assert "Delete 2 session(s) and their journals?" in out
    assert session_ids(sqlite_url) == [made.held, made.sma]
    assert not list(tmp_path.glob("*backup*"))  # no backup either: nothing was to be deleted


# -- PostgreSQL --------------------------------------------------------------------------
def test_sessions_on_postgresql_list_stop_and_clear_with_a_dump_that_restores(
    postgres_url: str, tmp_path: Path
) -> None:
    made = populate(postgres_url)
    code, out, err = run("list", "--json")
    assert code == 0, err
    assert [row["id"] for row in json.loads(out)] == [made.held, made.sma]
    code, out, err = run("stop", made.sma)
    assert (code, out.strip()) == (0, f"{made.sma}: stopped"), err
    events = journal_of(postgres_url, made.sma)

    cleared = run_program(postgres_url, tmp_path, "clear", "--yes", "--backup-dir",
                          str(tmp_path / "dumps"))  # fmt: skip
    assert cleared.returncode == 0, cleared.stderr
    assert session_ids(postgres_url) == []
    (dump,) = (tmp_path / "dumps").iterdir()
    assert dump.suffix == ".dump"
    assert f"Backup: {dump} (2 session(s)" in cleared.stdout

    with temporary_database(find_postgres()) as restored:
        libpq = url_text(restored.set(drivername="postgresql"))
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={libpq}", str(dump)],
            check=True, capture_output=True,
        )  # fmt: skip
        assert session_ids(restored) == [made.held, made.sma]
        assert journal_of(restored, made.sma) == events
        engine = create_engine_for(restored)
        try:
            with read_session(session_factory(engine)) as session:
                rows = session.scalar(select(func.count()).select_from(SessionEventRow))
                assert rows == len(events) + len(journal_of(restored, made.held))
        finally:
            engine.dispose()


def test_sessions_clear_on_postgresql_refuses_without_pg_dump_unless_told(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = populate(postgres_url)
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    code, out, err = run("clear", "--yes")
    assert code == 1
    assert out == ""
    assert "nothing deleted: pg_dump and pg_restore not found" in err
    assert "--no-backup" in err
    assert session_ids(postgres_url) == [made.held, made.sma]

    code, out, err = run("clear", "--yes", "--no-backup")
    assert code == 0
    assert "no backup was made" in err
    assert out.strip() == "Deleted 2 session(s) with their journals."
    engine = create_engine_for(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM session_events")).scalar() == 0
    finally:
        engine.dispose()


def test_sessions_show_writes_nested_settings_as_key_value_pairs_not_python(
    sqlite_url: str,
) -> None:
    """The default preset's slippage is a list of models: each shows as (key=value, ...)."""
    engine = create_engine_for(sqlite_url)
    migrate(engine)
    factory = session_factory(engine)
    owner, _ = ApiKeys(factory).create("owner")
    service = SessionService(factory=factory, market=market())
    try:
        view = service.create(
            owner, start_ns=epoch_ns(START), end_ns=epoch_ns(END), name="real", initial_cash=None
        )
    finally:
        service.shutdown()
        engine.dispose()
    code, out, err = run("show", view.id)
    assert code == 0, err
    compact = "".join(out.replace("│", "").split())  # the table folds long values
    assert "execution preset=equities_realistic," in " ".join(out.replace("│", "").split())
    assert "slippage=(model=sum,parts=[(model=half_spread,spread_bps=2),(model=" in compact
    for python in ("{'", "':", "['", "None", "True", "False"):
        assert python not in out
