"""The README's curl flow, run as written (curl and jq) against a real server."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.server_process import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def readme_flow() -> str:
    text = (ROOT / "README.md").read_text()
    block = text.split("<!-- curl-flow:begin -->\n```bash\n")[1].split("```\n<!-- curl-flow:end")[0]
    # The reader pastes their own key and address; the test supplies them.
    return "\n".join(line for line in block.splitlines() if not line.startswith("export "))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(f"sqlite:///{tmp_path / 'readme.db'}")
    server.start()
    yield server
    server.stop()


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_readme_curl_flow_buys_ten_aapl(server: ServerProcess) -> None:
    assert server.admin_key is not None
    env = {**os.environ, "KEY": server.admin_key, "BASE": server.base_url}
    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_flow()],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    documents = [json.loads(d) for d in re.findall(r"\{[^{}]*\}", completed.stdout)]
    order, advance, position = documents[0], documents[1], documents[-1]
    assert order["status"] == "accepted"
    assert advance["currentTime"] == "2012-01-03T14:31:00Z"  # one minute after the open
    assert advance["isCompleted"] is False
    assert (position["symbol"], position["qty"]) == ("AAPL", "10")


def readme_alpaca_flow() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("<!-- alpaca-flow:begin -->\n```bash\n")[1].split("```\n<!-- alpaca-flow")[0]


def test_readme_alpaca_bot_runs_a_backtest_session(server: ServerProcess) -> None:
    assert server.admin_key is not None
    env = {**os.environ, "KEY": server.admin_key, "BASE": server.base_url}
    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_alpaca_flow()],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("2012-01-03 buy 10 filled at "), completed.stdout
    assert lines[-1].startswith("session "), completed.stdout
    assert "equity" in lines[-1]
