"""``paperbroker keys …`` and ``paperbroker serve``: the admin key, key management, the server.

The server test starts the real command in a subprocess on a free loopback
port and talks HTTP to it.
"""

from __future__ import annotations

import base64
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from paperbroker.cli import app
from paperbroker.cli_server import _collections_paused

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file for the commands' settings; run from an empty directory (no .env)."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    return url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_keys_create_list_revoke(database: str) -> None:
    code, out, _ = run("keys", "create", "--label", "bot", "--admin")
    assert code == 0
    key_id, secret = out.strip().split(":")
    assert key_id.startswith("PK")
    assert len(secret) == 40
    code, out, _ = run("keys", "list")
    assert code == 0
    assert key_id in out
    assert "bot" in out
    assert secret not in out
    code, out, _ = run("keys", "revoke", key_id)
    assert (code, out.strip()) == (0, f"revoked {key_id}")


def test_keys_revoke_unknown_is_a_one_line_error(database: str) -> None:
    code, _, err = run("keys", "revoke", "PKNOPE")
    assert code == 2
    assert "PKNOPE" in err


def test_serve_refuses_a_non_loopback_host(database: str) -> None:
    code, _, err = run("serve", "--host", "0.0.0.0")
    assert code == 2
    assert "ALLOW_REMOTE" in err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """A running ``paperbroker serve`` with its base URL and the admin key it printed."""
    port = free_port()
    env = {**os.environ, "PAPERBROKER_DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}"}
    child = subprocess.Popen(
        [sys.executable, "-c", "from paperbroker.cli import main; main()",
         "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        lines = [child.stdout.readline() for _ in range(5)]
        admin = next(line for line in lines if line.startswith("admin key: "))
        assert any(line.strip() == f"API docs: http://127.0.0.1:{port}/docs" for line in lines)
        assert any(line.strip() == f"dashboard: http://127.0.0.1:{port}/" for line in lines)
        yield f"http://127.0.0.1:{port}", admin.removeprefix("admin key: ").strip(), child
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if child.stdout is not None:
            child.stdout.close()


def call(base: str, key: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": "Basic " + base64.b64encode(key.encode()).decode(),
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_prints_the_admin_key_once_and_serves_it(
    server: tuple[str, str, subprocess.Popen[str]],
) -> None:
    base, key, child = server
    deadline = time.monotonic() + 30
    while True:
        try:
            status, body = call(base, key, "GET", "/v1/sessions")
            break
        except (urllib.error.URLError, ConnectionError):
            assert time.monotonic() < deadline, "the server did not start"
            assert child.poll() is None, "the server exited"
            time.sleep(0.1)
    assert (status, body) == (200, [])
    status, session = call(
        base, key, "POST", "/v1/sessions",
        {"startTime": "2012-01-03T14:30:00Z", "endTime": "2012-03-30T21:00:00Z"},
    )  # fmt: skip
    assert status == 201
    assert session["status"] == "active"
    wrong_key = key[:-1] + ("y" if key.endswith("x") else "x")
    assert call(base, wrong_key, "GET", "/v1/sessions")[0] == 401
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=15) == 0


def test_serve_on_a_port_in_use_fails_before_creating_a_key(database: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run("serve", "--port", str(port))
    assert code == 2
    assert "admin key" not in out
    assert err.count("\n") == 1
    assert f"cannot listen on http://127.0.0.1:{port}: the port is in use" in err
    assert "--port or PAPERBROKER_PORT" in err
    assert not (tmp_path / "server.db").exists()  # no database, so no key either


def test_the_start_collects_no_garbage_and_freezes_what_it_made() -> None:
    """``serve`` builds the server with the collector off; what the start made is frozen
    when collection resumes, so no collection walks it again."""
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        with _collections_paused() as resume:
            assert not gc.isenabled()
            made = [{"start": [i]} for i in range(10_000)]  # tracked objects, as imports make
            resume()
            assert gc.isenabled()
            assert gc.get_freeze_count() >= frozen + 2 * len(made)
            assert gc.get_count()[0] < 100  # no collection of the whole start pending
            resume()  # once is enough; a second call changes nothing
            assert gc.isenabled()
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_server_is_built_without_the_modules_it_needs_only_later(tmp_path: Path) -> None:
    """What ``serve`` does before it answers (its imports, the schema check on an
    up-to-date database, the application) loads no market data library and no
    Alembic: the market data is read and the sessions restored after the first answer."""
    url = f"sqlite:///{tmp_path / 'ready.db'}"
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from paperbroker.store.db import create_engine_for, session_factory\n"
        "from paperbroker.store.migrate import migrate\n"
        f"engine = create_engine_for({url!r})\n"
        "migrate(engine)\n"  # a first start: the schema is created (Alembic runs)
        "for name in [m for m in sys.modules if m.split('.')[0] == 'alembic']:\n"
        "    del sys.modules[name]\n"
        "import paperbroker.cli, paperbroker.cli_server, uvicorn\n"
        "from paperbroker.api import create_app\n"
        "from paperbroker.services.sessions import SessionService\n"
        "from paperbroker.session.market import MarketData\n"
        "from paperbroker.store.keys import ApiKeys\n"
        "migrate(engine)\n"  # a restart: up to date, one query
        "factory = session_factory(engine)\n"
        f"market = MarketData.load(Path({str(tmp_path)!r}), deferred=True)\n"
        "service = SessionService(factory=factory, market=market)\n"
        "create_app(service, ApiKeys(factory), restore=True)\n"
        "heavy = {'pandas', 'pyarrow', 'alembic'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
