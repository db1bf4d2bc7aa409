"""The risk API's walk-through in docs/risk.md, copy and paste: run as written (curl and
jq) against a real server, it prints what the page says it prints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.server_process import ServerProcess
from tests.docs.shell_flow import needs_curl_and_jq, run_walk_through, walk_through


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(f"sqlite:///{tmp_path / 'risk.db'}")
    server.start()
    yield server
    server.stop()


@needs_curl_and_jq
def test_the_risk_walk_through_runs_and_prints_what_the_page_shows(server: ServerProcess) -> None:
    commands, expected = walk_through("risk.md", "risk-flow")
    assert run_walk_through(server, commands) == expected
