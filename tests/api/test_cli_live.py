"""``paperbroker credentials …`` and ``paperbroker sessions create-live`` on a real database,
against a real broker (a second paperbroker server), and the REAL MONEY marker."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from tests.api.conftest import Server
from tests.broker import conftest as brokers
from tests.broker.conftest import FIRST_FILL, Broker
from tests.waiting import wait_for
from typer.testing import CliRunner

from paperbroker.broker.alpaca import AlpacaBroker
from paperbroker.broker.credentials import KEY_FILE, BrokerCredentials, CredentialStore
from paperbroker.broker.settings import BrokerSettings
from paperbroker.cli import app
from paperbroker.core.errors import OperationalError
from paperbroker.services.live import LiveSessions
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys
from paperbroker.store.migrate import migrate

runner = CliRunner()
FEED = {"type": "synthetic", "seed": 3, "interval_seconds": 0.05}

broker_server = brokers.broker_server
broker = brokers.broker


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def owner_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A SQLite database in the commands' settings, and the key of an owner in it."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", url)
    monkeypatch.setenv("PAPERBROKER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PAPERBROKER_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("PAPERBROKER_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    engine = create_engine_for(url)
    try:
        migrate(engine)
        made = ApiKeys(session_factory(engine)).create("owner")
    finally:
        engine.dispose()
    return made


@pytest.fixture
def owner(owner_key: tuple[str, str]) -> str:
    return owner_key[0]


def add(owner: str, broker: Broker) -> str:
    key_id, secret = broker.bot.key
    code, out, err = run("credentials", "add", "--key", owner, "--key-id", key_id,
                         "--label", "test broker", "--json", stdin=secret + "\n")  # fmt: skip
    assert code == 0, err
    assert secret not in out
    made: str = json.loads(out)["id"]
    return made


def test_a_credential_is_added_from_standard_input_and_listed_by_its_hint(
    owner: str, broker: Broker, tmp_path: Path
) -> None:
    credential_id = add(owner, broker)
    key_file = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # made on first use
    code, out, err = run("credentials", "list", "--json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["id"], row["owner_key_id"], row["key_hint"]) == (
        credential_id, owner, broker.bot.key[0][-4:],
    )  # fmt: skip
    assert broker.bot.key[1] not in out
    code, out, _ = run("credentials", "list")
    assert credential_id in out
    assert broker.bot.key[1] not in out
    code, out, err = run("credentials", "remove", credential_id)
    assert code == 0, err
    assert json.loads(run("credentials", "list", "--json")[1]) == []


def test_a_live_session_is_created_paused_and_shown_without_the_marker(
    owner: str, broker: Broker
) -> None:
    credential_id = add(owner, broker)
    code, out, err = run(
        "sessions", "create-live", "--key", owner, "--broker", broker.bot.server.url,
        "--credentials", credential_id, "--symbols", "AAPL", "--json",
    )  # fmt: skip
    assert code == 0, err
    made = json.loads(out)
    assert (made["state"], made["real_money"]) == ("paused", False)
    code, out, err = run("sessions", "list", "--json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["type"], row["real_money"]) == ("live", False)
    assert "REAL MONEY" not in run("sessions", "list")[1]
    # In use by a session that has not ended: not removed.
    code, _, err = run("credentials", "remove", credential_id)
    assert code == 1
    assert made["id"] in err


def test_real_money_needs_the_flag_and_is_marked_wherever_the_session_is_shown(
    owner: str, broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    credential_id = add(owner, broker)
    args = ("sessions", "create-live", "--key", owner, "--broker", "alpaca-live",
            "--credentials", credential_id, "--symbols", "AAPL")  # fmt: skip
    code, out, err = run(*args)
    assert code == 2
    assert "--confirm-real-money" in err
    assert json.loads(run("sessions", "list", "--json")[1]) == []

    # Alpaca's live endpoint is this test's broker server (no real money moves here).
    def at_the_test_broker(settings: BrokerSettings, key: BrokerCredentials) -> AlpacaBroker:
        assert settings.real_money
        return AlpacaBroker(key.key_id, key.secret_key, endpoint="custom",
                            base_url=broker.bot.server.url)  # fmt: skip

    monkeypatch.setattr(LiveSessions, "brokers", staticmethod(at_the_test_broker))
    code, out, err = run(*args, "--confirm-real-money")
    assert code == 0, err
    assert "REAL MONEY" in out
    session_id = out.split(":")[0]
    code, out, err = run("sessions", "list")
    assert code == 0, err
    line = next(line for line in out.splitlines() if session_id in line)
    assert "REAL MONEY" in line
    (row,) = json.loads(run("sessions", "list", "--json")[1])
    assert row["real_money"] is True
    code, out, err = run("sessions", "show", session_id)
    assert code == 0, err
    assert out.lstrip().startswith("REAL MONEY")
    shown = json.loads(run("sessions", "show", session_id, "--json")[1])
    assert (shown["real_money"], shown["broker"]["endpoint"]) == (True, "live")


def test_the_server_runs_a_session_the_command_line_created_once_it_is_resumed(
    owner_key: tuple[str, str], broker: Broker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    owner, auth = owner_key[0], owner_key
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("PAPERBROKER_SECRET_KEY", key)
    credential_id = add(owner, broker)
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(FEED))
    code, out, err = run(
        "sessions", "create-live", "--key", owner, "--broker", broker.bot.server.url,
        "--credentials", credential_id, "--symbols", "AAPL", "--feed", str(feed), "--json",
    )  # fmt: skip
    assert code == 0, err
    session_id = json.loads(out)["id"]

    server = Server(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        server.service.credentials = CredentialStore(
            server.service.factory, MultiFernet([Fernet(key)])
        )
        resumed = server.client.post(f"/v1/sessions/{session_id}/resume", auth=auth)
        assert resumed.status_code == 200, resumed.text
        session = resumed.json()
        order = {"symbol": "AAPL", "side": "buy", "qty": 1, "type": "market"}
        path = f"/v1/trading/accounts/{session['default_account_id']}/orders"
        wait_for(lambda: server.client.post(path, json=order, auth=auth,
                                            headers={"X-Session-Id": session_id})
                 .status_code == 200, "an order the session takes")  # fmt: skip
        wait_for(broker.orders, "the order at the broker")
        broker.advance(FIRST_FILL)
        positions = f"/v1/trading/accounts/{session['default_account_id']}/positions"
        wait_for(lambda: server.client.get(positions, auth=auth,
                                           headers={"X-Session-Id": session_id}).json(),
                 "the broker's fill")  # fmt: skip
    finally:
        server.close()


def test_the_secret_key_is_rotated_as_the_docs_say(
    owner: str, broker: Broker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = run("credentials", "new-key")[1].strip()
    new = run("credentials", "new-key")[1].strip()
    assert old != new
    monkeypatch.setenv("PAPERBROKER_SECRET_KEY", old)
    credential_id = add(owner, broker)
    monkeypatch.setenv("PAPERBROKER_SECRET_KEY", f"{new},{old}")
    code, out, err = run("credentials", "rotate")
    assert code == 0, err
    assert "1 credential(s)" in out
    engine = create_engine_for(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        factory = session_factory(engine)
        opened = CredentialStore(factory, MultiFernet([Fernet(new)])).open(owner, credential_id)
        assert opened.secret_key == broker.bot.key[1]
        with pytest.raises(OperationalError, match="cannot be decrypted"):
            CredentialStore(factory, MultiFernet([Fernet(old)])).open(owner, credential_id)
    finally:
        engine.dispose()
