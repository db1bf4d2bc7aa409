"""docs/operations.md's paper sessions, copy and paste: run as written (curl and jq)
against a real server, and they print what the page says they print."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.server_process import ServerProcess

PAGE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def paper_flow() -> tuple[str, list[str]]:
    """The flow's commands and the lines the page says they print."""
    text = PAGE.read_text()
    block = text.split("<!-- paper-flow:begin -->\n```bash\n")[1].split("```\n<!-- paper-flow:end")[
        0
    ]
    printed = text.split("<!-- paper-flow:end -->")[1].split("```text\n")[1].split("```")[0]
    return block, printed.splitlines()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(
        f"sqlite:///{tmp_path / 'paper.db'}", env={"PAPERBROKER_DATA_DIR": str(tmp_path / "data")}
    )
    server.start()
    yield server
    server.stop()


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_paper_session_bodies_run_and_print_what_the_page_shows(server: ServerProcess) -> None:
    commands, expected = paper_flow()
    assert server.admin_key is not None
    env = {**os.environ, "KEY": server.admin_key, "BASE": server.base_url}
    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == expected
