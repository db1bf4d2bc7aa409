"""``paperbroker run`` with a broker: a live session whose orders a second paperbroker
server fills (it speaks Alpaca's API; its clock is the test's), from the real command in
a subprocess on a SQLite file and on PostgreSQL.

The run trades ``buy_and_hold`` (a fifth of the cash: the synthetic walk is near $100,
the broker's AAPL near $400) on a synthetic feed: its order reaches the broker and
waits there until the test moves the broker's clock, then the fill comes back over
the broker's stream and the status line shows it. Ctrl+C pauses the session;
``run --resume --reconcile-only`` restores it, reconciles it with the broker (the books
agree) and exits.
"""

from __future__ import annotations

import json
import os
import signal
from decimal import Decimal
from pathlib import Path

import pytest
from tests.broker import conftest as brokers
from tests.broker.conftest import FIRST_FILL, Broker
from tests.integration.test_cli_run import RunProcess, restored_books, stored_books
from tests.waiting import wait_for
from typer.testing import CliRunner

from paperbroker.cli import app
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import ApiKeyRecord, ApiKeys
from paperbroker.store.migrate import migrate

broker_server = brokers.broker_server
broker = brokers.broker


@pytest.fixture
def database(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database (SQLite, PostgreSQL) with an admin key (the run's owner) in the commands'
    settings."""
    url = database_url
    for name, value in (("DATABASE_URL", url), ("DATA_DIR", str(tmp_path / "data")),
                        ("LOG_DIR", str(tmp_path / "logs"))):  # fmt: skip
        monkeypatch.setenv(f"PAPERBROKER_{name}", value)
    monkeypatch.delenv("PAPERBROKER_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    engine = create_engine_for(url)
    try:
        migrate(engine)
        ApiKeys(session_factory(engine)).create("ops", is_admin=True)
    finally:
        engine.dispose()
    return url


def credential(broker: Broker) -> str:
    """The broker account's key, stored as the admin key's credential by the command line."""
    owner = next(r.key_id for r in _keys() if r.is_admin)
    key_id, secret = broker.bot.key
    result = CliRunner().invoke(
        app, ["credentials", "add", "--key", owner, "--key-id", key_id, "--json"],
        input=secret + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    made: str = json.loads(result.stdout)["id"]
    return made


def _keys() -> list[ApiKeyRecord]:
    engine = create_engine_for(os.environ["PAPERBROKER_DATABASE_URL"])
    try:
        return ApiKeys(session_factory(engine)).list()
    finally:
        engine.dispose()


def test_a_live_run_trades_through_the_broker_and_resumes_reconciled(
    database: str, broker: Broker, tmp_path: Path
) -> None:
    credential_id = credential(broker)
    url = broker.bot.server.url
    run = RunProcess(
        database, tmp_path, "--broker", url, "--credentials", credential_id,
        "--symbols", "AAPL", "--strategy", "buy_and_hold", "--feed", "synthetic",
        "--param", "allocation=0.2",
        "--interval", "0.1",
    )  # fmt: skip
    try:
        wait_for(lambda: any(s[1] == 1 for s in run.statuses()), "the order at the broker", 60)
        wait_for(broker.orders, "the order to reach the broker")  # sent after it is journaled
        assert not any(s[2] for s in run.statuses())  # the broker's clock has not moved
        broker.advance(FIRST_FILL)
        wait_for(lambda: any(s[2] >= 1 and s[0] == 1 for s in run.statuses()), "the fill", 60)
        run.child.send_signal(signal.SIGINT)
        assert run.wait() == 130, run.output
    finally:
        run.kill()
    assert f"broker       alpaca-custom at {url}, credential {credential_id}" in run.output
    assert "REAL MONEY" not in run.output
    assert "  type         live" in run.output
    session_id = run.session_id()
    books = stored_books(database, tmp_path / "data", session_id)
    assert books["state"] == "paused"
    (at_broker,) = [o for o in broker.orders() if o["status"] == "filled"]
    assert books["positions"] == {"AAPL": Decimal(str(at_broker["filled_qty"]))}

    check = RunProcess(database, tmp_path, "--resume", "--reconcile-only")
    try:
        assert check.wait() == 0, check.output
    finally:
        check.kill()
    assert restored_books(check)["positions"] == books["positions"]
    assert "Reconciliation with the broker:" in check.output
    assert "no differences: the books agree with the broker's" in check.output
    assert stored_books(database, tmp_path / "data", session_id)["state"] == "paused"


def test_a_live_run_killed_9_resumes_with_the_fill_the_broker_made_meanwhile_once(
    database: str, broker: Broker, tmp_path: Path
) -> None:
    credential_id = credential(broker)
    options = ["--broker", broker.bot.server.url, "--credentials", credential_id,
               "--symbols", "AAPL", "--strategy", "buy_and_hold", "--feed", "synthetic",
               "--param", "allocation=0.2"]  # fmt: skip
    run = RunProcess(database, tmp_path, *options, "--interval", "0.1")
    try:
        wait_for(broker.orders, "the order at the broker", 60)
        run.child.send_signal(signal.SIGKILL)  # its link, stream and feed die with it
        assert run.wait() == -signal.SIGKILL
    finally:
        run.kill()
    session_id = run.session_id()
    crashed = stored_books(database, tmp_path / "data", session_id)
    assert (crashed["state"], crashed["positions"], crashed["fills"]) == ("running", {}, 0)
    broker.advance(FIRST_FILL)  # the broker fills while nothing runs
    (order,) = broker.orders()
    assert order["status"] == "filled"

    again = RunProcess(database, tmp_path, "--resume")
    try:
        wait_for(lambda: any(s[0] == 1 and s[2] == 1 for s in again.statuses()),
                 "the fill made meanwhile, applied", 60)  # fmt: skip
        again.child.send_signal(signal.SIGINT)
        assert again.wait() == 130, again.output
    finally:
        again.kill()
    assert again.session_id() == session_id
    assert restored_books(again)["positions"] == {}  # as the database held it at the kill
    # The broker's fill, missed while down: taken in once, by its fill id.
    assert "(start, policy adopt): adopted" in again.output, again.output
    books = stored_books(database, tmp_path / "data", session_id)
    assert books["positions"] == {"AAPL": Decimal(str(order["filled_qty"]))}
    assert books["fills"] == 1
    assert len(broker.orders()) == 1  # buy_and_hold did not buy again, nor the link send again
