"""docs/operations.md's paper sessions, copy and paste: run as written (curl and jq)
against a real server, and they print what the page says they print."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.server_process import ServerProcess
from tests.docs.shell_flow import needs_curl_and_jq, run_walk_through, walk_through


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(
        f"sqlite:///{tmp_path / 'paper.db'}", env={"PAPERBROKER_DATA_DIR": str(tmp_path / "data")}
    )
    server.start()
    yield server
    server.stop()


@needs_curl_and_jq
def test_the_paper_session_bodies_run_and_print_what_the_page_shows(server: ServerProcess) -> None:
    commands, expected = walk_through("operations.md", "paper-flow")
    assert run_walk_through(server, commands) == expected
