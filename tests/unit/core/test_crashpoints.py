"""Crash points: armed by the environment, a process dies at the n-th pass, not before.

Each case runs a real Python process (the variable is read when the module is
first imported) and reads how it ended.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from paperbroker.core.crashpoints import ENVIRONMENT, POINTS, crash_point, parse
from paperbroker.core.errors import InvalidRequest

PASSES = """
from paperbroker.core.crashpoints import crash_point
for i in range(5):
    crash_point("while-fills-stream")
    print(f"passed {i + 1}", flush=True)
    crash_point("after-send-before-ack")
print("done", flush=True)
"""


def run(value: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != ENVIRONMENT}
    if value is not None:
        env[ENVIRONMENT] = value
    return subprocess.run(
        [sys.executable, "-c", PASSES], env=env, capture_output=True, text=True, timeout=60
    )


def test_an_armed_point_kills_the_process_at_its_nth_pass() -> None:
    ended = run("while-fills-stream:3")
    assert ended.returncode == -signal.SIGKILL
    assert ended.stdout.split("\n")[:-1] == ["passed 1", "passed 2"]


def test_a_point_without_a_count_kills_at_its_first_pass() -> None:
    ended = run("after-send-before-ack")
    assert ended.returncode == -signal.SIGKILL
    assert ended.stdout == "passed 1\n"


def test_unarmed_every_point_lets_the_process_through() -> None:
    ended = run(None)
    assert (ended.returncode, ended.stdout.splitlines()[-1]) == (0, "done")
    assert run("mid-checkpoint-write").returncode == 0  # armed, never passed


def test_a_value_naming_no_point_fails_the_import() -> None:
    ended = run("after-journal-before-sned")
    assert ended.returncode == 1
    assert "unknown crash point 'after-journal-before-sned'" in ended.stderr


@pytest.mark.parametrize("value", ["nowhere", "while-fills-stream:0", "while-fills-stream:x"])
def test_parse_refuses_unknown_points_and_bad_counts(value: str) -> None:
    with pytest.raises(InvalidRequest, match=ENVIRONMENT):
        parse(value)


def test_parse_reads_a_point_and_its_count() -> None:
    assert parse("mid-checkpoint-write") == ("mid-checkpoint-write", 1)
    assert parse(" after-journal-before-send:12 ") == ("after-journal-before-send", 12)
    assert len(POINTS) == 4


def test_in_the_test_process_no_point_is_armed() -> None:
    assert ENVIRONMENT not in os.environ
    for point in POINTS:
        crash_point(point)  # still here
