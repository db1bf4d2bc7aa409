"""Garbage-collector settings for long simulation runs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A backtest allocates millions of short-lived, acyclic objects (bars, floats).
# With the default young-generation threshold (700) the cyclic collector runs
# thousands of times per second scanning them for cycles they cannot have;
# a larger threshold keeps it running, just far less often.
_RUN_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Raise the collector's thresholds for the duration of the block, then restore them."""
    previous = gc.get_threshold()
    gc.set_threshold(*_RUN_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
