"""What a websocket connection has yet to send: one queue, drained by one writer task.

Producers (a session's commit listener, handed over by the event loop, or
the connection's own reader) only append; the writer task sends in order.
A close is the last item: after it, nothing more is queued, so a client
never receives a frame after the close it was told about.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Close:
    """Close the websocket with ``code`` and ``reason`` (the queue's last item)."""

    code: int
    reason: str


def encode(message: Mapping[str, object]) -> str:
    """A JSON text frame, compact."""
    return json.dumps(message, separators=(",", ":"))


class Outbox:
    """Frames and a final close, in order; ``wake`` is set whenever one is queued."""

    __slots__ = ("closing", "items", "wake")

    def __init__(self) -> None:
        self.items: deque[str | bytes | Close] = deque()
        self.wake = asyncio.Event()
        #: Set once a close is queued (or the connection closes): nothing more is sent.
        self.closing = False

    def send(self, message: Mapping[str, object]) -> None:
        """Queue ``message`` as a JSON frame."""
        self.push(encode(message))

    def push(self, item: str | bytes | Close) -> None:
        """Queue a frame (text, or binary) or the close, unless the connection is closing."""
        if self.closing:
            return
        self.closing = isinstance(item, Close)
        self.items.append(item)
        self.wake.set()

    def close(self, code: int, reason: str) -> None:
        """Queue the close: what is queued before it is still sent."""
        self.push(Close(code, reason))
