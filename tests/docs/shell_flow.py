"""A docs page's shell walk-through, copy and paste: its commands between
``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` in a ``bash`` block, and the
``text`` block after them with what they print; run as written (curl and jq)
against a real server."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bench.server_process import ServerProcess

DOCS = Path(__file__).resolve().parents[2] / "docs"

#: Marks a test that runs a walk-through: it needs curl and jq on the PATH.
needs_curl_and_jq = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq"
)


def walk_through(page: str, name: str) -> tuple[str, list[str]]:
    """The commands of ``page``'s walk-through ``name`` and the lines it says they print."""
    text = (DOCS / page).read_text()
    block = text.split(f"<!-- {name}:begin -->\n```bash\n")[1].split(f"```\n<!-- {name}:end")[0]
    printed = text.split(f"<!-- {name}:end -->")[1].split("```text\n")[1].split("```")[0]
    return block, printed.splitlines()


def run_walk_through(server: ServerProcess, commands: str) -> list[str]:
    """What ``commands`` print, run with ``$KEY`` and ``$BASE`` naming ``server``."""
    assert server.admin_key is not None
    env = {**os.environ, "KEY": server.admin_key, "BASE": server.base_url}
    completed = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.splitlines()
