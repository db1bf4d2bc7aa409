"""Waiting, with a deadline, for what a server does in its own threads (feeds, play loops)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_for(check: Callable[[], Any], what: str, deadline: float = 20.0) -> Any:
    """Poll ``check`` every 50 ms until it returns something true, and return that.

    Raises:
        AssertionError: naming ``what`` when ``deadline`` seconds pass first.
    """
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
