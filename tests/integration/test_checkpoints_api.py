"""``/v1/sessions/{id}/checkpoints`` and ``paperbroker checkpoints`` against the real server.

The server runs as ``paperbroker serve`` in a subprocess on SQLite and on
PostgreSQL: a checkpoint written through the API is listed by the command
line, cleaned up by both, and after ``kill -9`` the restarted server
restores the session from the newest one (its figures say so).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from bench.server_process import ServerProcess, call
from tests.waiting import wait_for
from typer.testing import CliRunner

from paperbroker.cli import app
from paperbroker.store.db import create_engine_for, session_factory
from paperbroker.store.keys import ApiKeys

runner = CliRunner()


def as_key(
    server: ServerProcess, key: str, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    """A request with another key than the admin's."""
    request = urllib.request.Request(
        server.base_url + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Basic " + base64.b64encode(key.encode()).decode(),
                 "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", database_url)
    result = runner.invoke(app, ["checkpoints", *args, "--json"])
    assert result.exit_code == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_checkpoints_through_the_api_and_the_command_line_and_a_restart_from_one(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    server = ServerProcess(database_url)
    server.start()
    try:
        status, session = call(
            server, "POST", "/v1/sessions",
            {"startTime": "2012-01-03T14:30:00Z", "endTime": "2012-03-30T21:00:00Z"},
        )  # fmt: skip
        assert status == 201
        sid = session["id"]
        status, account = call(server, "POST", "/v1/accounts", {}, session=sid)
        assert status == 200
        order = {"symbol": "AAPL", "side": "buy", "qty": "10", "type": "market"}
        path = f"/v1/trading/accounts/{account['id']}/orders"
        assert call(server, "POST", path, order, session=sid)[0] == 200
        advance = f"/v1/sessions/{sid}/time/advance"
        assert call(server, "POST", advance, {"duration": 60})[0] == 200

        status, listed = call(server, "GET", f"/v1/sessions/{sid}/checkpoints")
        assert status == 200
        assert listed["stats"]["count"] == 0
        assert listed["checkpoints"] == []
        status, first = call(server, "POST", f"/v1/sessions/{sid}/checkpoints")
        assert status == 201, first
        assert first["reason"] == "manual"
        assert call(server, "POST", f"/v1/sessions/{sid}/checkpoints")[1] == first  # no news
        assert call(server, "POST", path, order, session=sid)[0] == 200
        status, second = call(server, "POST", f"/v1/sessions/{sid}/checkpoints")
        assert second["seq"] > first["seq"]

        engine = create_engine_for(database_url)
        try:
            bob, bob_secret = ApiKeys(session_factory(engine)).create("bob")
        finally:
            engine.dispose()
        bob_key = f"{bob}:{bob_secret}"
        assert as_key(server, bob_key, "GET", f"/v1/sessions/{sid}/checkpoints")[0] == 404
        assert as_key(server, bob_key, "POST", f"/v1/sessions/{sid}/checkpoints")[0] == 404
        # An admin key may act on any key's session.
        status, bobs = as_key(
            server, bob_key, "POST", "/v1/sessions",
            {"startTime": "2012-01-03T14:30:00Z", "endTime": "2012-03-30T21:00:00Z"},
        )  # fmt: skip
        assert status == 201
        status, made = call(server, "POST", f"/v1/sessions/{bobs['id']}/checkpoints")
        assert status == 201, made
        status, theirs = as_key(server, bob_key, "GET", f"/v1/sessions/{bobs['id']}/checkpoints")
        assert (status, [c["seq"] for c in theirs["checkpoints"]]) == (200, [made["seq"]])
        listed = cli(database_url, monkeypatch, "list", sid)
        assert [c["seq"] for c in listed["checkpoints"]] == [second["seq"], first["seq"]]
        assert listed["stats"]["total_size"] == first["size"] + second["size"]

        bad = call(server, "DELETE", f"/v1/sessions/{sid}/checkpoints?keep_count=0")
        assert bad[0] == 422
        assert bad[1]["code"] == 42210000
        status, cleaned = call(server, "DELETE", f"/v1/sessions/{sid}/checkpoints?keep_count=1")
        assert (status, cleaned["deleted"]) == (200, 1)
        assert cli(database_url, monkeypatch, "cleanup", sid, "--keep-count", "1")["deleted"] == 0

        assert call(server, "POST", advance, {"duration": 60})[0] == 200
        server.kill()
        server.start()

        def restored() -> Any:
            found = call(server, "GET", f"/v1/sessions/{sid}/checkpoints")[1]
            return found["stats"]["last_restore"]

        report = wait_for(restored, "the session's restore")
        assert report["checkpoint_seq"] == second["seq"]
        assert report["replayed"] > 0  # the advance after it
        status, positions = call(
            server, "GET", f"/v1/trading/accounts/{account['id']}/positions", session=sid
        )
        assert [p["qty"] for p in positions] == ["20"]
        made = cli(database_url, monkeypatch, "create", sid)
        assert made["seq"] > second["seq"]
    finally:
        server.stop()
