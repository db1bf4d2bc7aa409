"""docs/sweeps.md shows local sweeps (run by tests/docs as written) and a cluster's."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "sweeps.md"


def command_lines(language: str) -> list[str]:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith("paperbroker sweep")]


def test_the_page_runs_local_sweeps_and_shows_a_clusters_without_running_it() -> None:
    local = command_lines("bash")
    assert len(local) == 3
    assert not [line for line in local if "--cluster" in line]
    [cluster] = command_lines("shell")
    assert "--cluster tcp://HOST:8786" in cluster
