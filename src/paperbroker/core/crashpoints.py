"""Named crash points: a test facility that makes the process die at a chosen place.

``PAPERBROKER_CRASH_AT=<point>[:<n>]`` in the environment of a process arms
one point: the ``n``-th time (default 1) the process passes it, it sends
itself ``SIGKILL``, as a power loss would stop it there (no ``finally``, no
shutdown, no flush). The variable is read once, when this module is first
imported; unset (always, outside crash tests) every :func:`crash_point` is
one comparison with ``None``.

The points (see docs/recovery.md, "Crash points"):

- ``after-journal-before-send``: a live session's order is committed to the
  journal and its broker link is about to send it; the broker has not heard
  of it;
- ``after-send-before-ack``: the broker accepted the order; its answer is
  not journaled yet;
- ``mid-checkpoint-write``: inside the transaction that stores a checkpoint,
  its row written, not committed;
- ``while-fills-stream``: the broker's stream delivered a fill; it is not
  journaled yet.

A value naming no point makes the import fail (a typo would otherwise arm
nothing and a crash test would pass without crashing).
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Final

from paperbroker.core.errors import InvalidRequest

#: The environment variable that arms a crash point.
ENVIRONMENT: Final = "PAPERBROKER_CRASH_AT"
#: Every point the product passes, in the order a live order meets them.
POINTS: Final = (
    "after-journal-before-send",
    "after-send-before-ack",
    "mid-checkpoint-write",
    "while-fills-stream",
)


class _Armed:
    """The armed point and how many more passes it lets through."""

    def __init__(self, point: str, nth: int) -> None:
        self.point = point
        self.left = nth
        self.lock = threading.Lock()

    def passed(self, point: str) -> None:
        if point != self.point:
            return
        with self.lock:
            self.left -= 1
            if self.left > 0:
                return
        os.kill(os.getpid(), signal.SIGKILL)


def parse(value: str) -> tuple[str, int]:
    """``point`` or ``point:n`` as (point, n).

    Raises:
        InvalidRequest: for an unknown point or an ``n`` that is not a whole number >= 1.
    """
    point, _, count = value.strip().partition(":")
    if point not in POINTS:
        known = ", ".join(POINTS)
        raise InvalidRequest(f"{ENVIRONMENT}: unknown crash point {point!r}; one of {known}")
    if not count:
        return point, 1
    if not count.isdigit() or int(count) < 1:
        raise InvalidRequest(f"{ENVIRONMENT}: {value!r}: the count must be a whole number >= 1")
    return point, int(count)


def _from_environment() -> _Armed | None:
    value = os.environ.get(ENVIRONMENT, "")
    if not value.strip():
        return None
    return _Armed(*parse(value))


_ARMED: Final = _from_environment()


def crash_point(point: str) -> None:
    """Die here (``SIGKILL``) if ``point`` is the armed one and its count is reached."""
    if _ARMED is not None:
        _ARMED.passed(point)


def armed() -> str | None:
    """The armed point (``None``: none is armed)."""
    return None if _ARMED is None else _ARMED.point


__all__ = ["ENVIRONMENT", "POINTS", "armed", "crash_point", "parse"]
