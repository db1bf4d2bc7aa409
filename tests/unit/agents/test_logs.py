"""Per-agent log files, and reading them back without ever leaving the log directory."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from paperbroker.agents.logs import (
    agent_logger,
    close_agent_logger,
    log_path,
    read_log,
)
from paperbroker.core.errors import InvalidRequest, NotFound

AGENT = "3f2b6c1e-9d4a-4c7b-8e21-5a6f0b9c7d11"
SENTINEL = "SENTINEL-7c41-do-not-leak"


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "logs"
    directory.mkdir()
    (tmp_path / "secret.log").write_text(SENTINEL)
    (tmp_path / "secret").write_text(SENTINEL)
    return directory


def test_an_agent_logs_to_its_own_file_and_reads_back_filtered(log_dir: Path) -> None:
    logger = agent_logger(log_dir, AGENT)
    logger.info("started on AAPL")
    logger.warning("position limit near")
    logger.error("denied order: limit")
    close_agent_logger(AGENT)
    assert (log_dir / f"{AGENT}.log").is_file()
    texts = [line.text.split(" ", 3)[-1] for line in read_log(log_dir, AGENT)]
    assert texts == ["started on AAPL", "position limit near", "denied order: limit"]
    warned = read_log(log_dir, AGENT, level="warning")
    assert [line.level for line in warned] == ["WARNING", "ERROR"]
    assert len(read_log(log_dir, AGENT, lines=1)) == 1
    found = read_log(log_dir, AGENT, search="limit")
    assert [line.level for line in found] == ["WARNING", "ERROR"]
    assert read_log(log_dir, AGENT, since=datetime(2999, 1, 1)) == []


def test_bad_reads_are_refused(log_dir: Path) -> None:
    with pytest.raises(InvalidRequest, match="lines"):
        read_log(log_dir, AGENT, lines=0)
    with pytest.raises(InvalidRequest, match="level 'LOUD'"):
        read_log(log_dir, AGENT, level="LOUD")
    assert read_log(log_dir, AGENT) == []  # an agent that has not logged yet


TRAVERSALS = [
    "..",
    "../secret",
    "../secret.log",
    "..%2fsecret",
    "..%2Fsecret.log",
    "%2e%2e/secret",
    "/etc/passwd",
    "/etc/passwd%00",
    "....//secret",
    "..\\secret",
    "..\\..\\secret",
    f"{AGENT}/../../secret",
    f"../logs/{AGENT}",
    f"{AGENT}.log",
    f"{AGENT}%00",
    f"{AGENT}\x00../secret",
    f"{AGENT.upper()}",
    f" {AGENT}",
    f"{AGENT} ",
    f"{AGENT}\n",
    "~/secret",
    "$HOME/secret",
    "secret",
    "secret.log",
    "*",
    "?",
    "[a-z]*",
    ".",
    "./secret",
    "file:///etc/passwd",
    "\\\\server\\share",
    "C:\\secret",
    "%252e%252e%252fsecret",
    "..;/secret",
    "..%c0%afsecret",
    "..%u2216secret",
    "%c0%ae%c0%ae/secret",
    "....",
    "..../secret",
    ".../secret",
    "/",
    "//",
    "\\",
    "\x00",
    "",
    AGENT[:-1],
    AGENT + "0",
    AGENT.replace("-", ""),
    "{" + AGENT + "}",
    "urn:uuid:" + AGENT,
    "../" + AGENT,
    "/" + AGENT,
    AGENT + "/",
]


@pytest.mark.parametrize("payload", TRAVERSALS + [quote(p, safe="") for p in TRAVERSALS[:10]])
def test_traversal_payloads_never_reach_another_file(log_dir: Path, payload: str) -> None:
    with pytest.raises(NotFound):
        read_log(log_dir, payload)


def test_a_log_file_that_is_a_link_out_is_refused(log_dir: Path) -> None:
    os.symlink(log_dir.parent / "secret.log", log_dir / f"{AGENT}.log")
    with pytest.raises(NotFound, match="has no log"):
        log_path(log_dir, AGENT)
    with pytest.raises(NotFound):
        read_log(log_dir, AGENT)
