"""``paperbroker openapi``: the OpenAPI document the server serves, written without a server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.api.conftest import Server
from typer.testing import CliRunner

from paperbroker.cli import app


def test_the_written_document_is_the_one_the_server_serves(tmp_path: Path) -> None:
    output = tmp_path / "build" / "openapi.json"  # its directory is made
    result = CliRunner().invoke(app, ["openapi", "--output", str(output)])
    assert result.exit_code == 0, result.output
    written = json.loads(output.read_text(encoding="utf-8"))
    printed = CliRunner().invoke(app, ["openapi"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == written
    assert not list(tmp_path.glob("**/*.db"))  # no database was made
    server = Server(f"sqlite:///{tmp_path / 'api.db'}")
    try:
        served = server.client.get("/openapi.json")
    finally:
        server.close()
    assert served.status_code == 200
    assert written == served.json()
    assert "/v1/sessions" in written["paths"]


def test_an_unwritable_output_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(app, ["openapi", "--output", str(tmp_path / "file" / "x.json")])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
