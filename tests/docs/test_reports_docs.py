"""The examples of docs/reports.md run: its HTTP requests against a real server, its
command lines against that server's database (the Python blocks run in test_docs.py)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from tests.api.conftest import Server
from tests.api.test_cli_report import Made, database  # noqa: F401 (the fixture)
from typer.testing import CliRunner

from paperbroker.cli import app

PAGE = Path(__file__).resolve().parents[2] / "docs" / "reports.md"


def lines(language: str, made: Made) -> list[str]:
    blocks = re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)
    session, other = made.ids
    return [
        line.strip().replace("$SESSION", session).replace("$OTHER", other)
        for block in blocks
        for line in block.splitlines()
        if line.strip()
    ]


def test_the_http_examples_answer_200(database: Made) -> None:  # noqa: F811
    requests = lines("http", database)
    assert len(requests) == 5
    server = Server(database.url)
    try:
        for line in requests:
            method, target = line.split(" ", 1)
            response = server.client.request(method, target, auth=database.alice)
            assert response.status_code == 200, f"{line}: {response.text}"
    finally:
        server.close()


def test_the_command_lines_run(
    database: Made,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAPERBROKER_DATABASE_URL", database.url)
    commands = lines("shell", database)
    assert len(commands) == 3
    for line in commands:
        args = shlex.split(line)
        assert args[0] == "paperbroker"
        result = CliRunner().invoke(app, args[1:])
        assert result.exit_code == 0, f"{line}: {result.output}"
    assert (tmp_path / "report.html").is_file()
    assert sorted(p.name for p in (tmp_path / "report-csv").iterdir()) == [
        "equity.csv", "fills.csv", "metrics.csv", "trades.csv",
    ]  # fmt: skip
