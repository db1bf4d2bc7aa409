"""Latency models: how long a request takes to reach the venue.

A submitted, canceled or replaced order acts only once its delay has passed.
Delays are drawn from a seeded hash of the order id and the action, never
from a shared random stream, so a run gives the same delays whatever the
order in which the venue asks for them (and a replay gives the same run).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any, Protocol

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.values import ZERO
from paperbroker.venue.schema import JitteredLatencySpec, ZeroLatencySpec
from paperbroker.venue.schema_base import Specified

#: The requests a latency model prices.
ACTIONS = frozenset({"submit", "cancel", "replace"})

_NS_PER_MS = 1_000_000
_TWO_TO_MINUS_53 = 2.0**-53


def unit_draw(seed: int, *parts: str | int) -> float:
    """A uniform number in [0, 1) determined by ``seed`` and ``parts`` alone.

    The seed and the parts' reprs are joined (so ``("a", 1)`` and
    ``("a", "1")`` differ) and hashed with BLAKE2b; the first 53 bits of the
    digest make the float.  Draws therefore do not depend on call order.
    """
    text = "\x1f".join([repr(seed), *map(repr, parts)])
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 11) * _TWO_TO_MINUS_53


class LatencyModel(Protocol):
    """The delay, in nanoseconds, before a request reaches the venue."""

    def delay_ns(self, order_id: str, action: str) -> int:
        """Delay of ``action`` (``"submit"``, ``"cancel"`` or ``"replace"``) on an order.

        Deterministic in the model's seed, ``order_id`` and ``action``.
        """
        ...

    def describe(self) -> dict[str, Any]:
        """The model and its parameters as JSON (numbers as strings)."""
        ...


def _check_action(action: str) -> None:
    if action not in ACTIONS:
        raise InvalidRequest(f"action: must be one of cancel, replace, submit, got {action!r}")


class ZeroLatency(Specified):
    """Requests reach the venue at once (an idealisation)."""

    spec_type = ZeroLatencySpec

    def __init__(self) -> None:
        self.spec = ZeroLatencySpec()

    def delay_ns(self, order_id: str, action: str) -> int:
        _check_action(action)
        return 0


class JitteredLatency(Specified):
    """A delay uniform on ``[base_ms - jitter_ms, base_ms + jitter_ms]``, clipped at 0.

    ``delay = base_ms + jitter_ms × (2u − 1)`` milliseconds with
    ``u = unit_draw(seed, order_id, action)``, rounded to whole nanoseconds.
    A uniform jitter is the simplest honest spread around a measured mean
    round trip; heavier tails need a different model.

    Raises:
        InvalidRequest: if ``base_ms`` or ``jitter_ms`` is negative, or
            ``seed`` is negative.
    """

    spec_type = JitteredLatencySpec

    def __init__(
        self,
        base_ms: Decimal | int | float | str,
        jitter_ms: Decimal | int | float | str = ZERO,
        seed: int = 0,
    ) -> None:
        self.spec = spec = JitteredLatencySpec.checked(
            base_ms=base_ms, jitter_ms=jitter_ms, seed=seed
        )
        self.base_ms = spec.base_ms
        self.jitter_ms = spec.jitter_ms
        self.seed = seed
        self._base_ns = float(self.base_ms) * _NS_PER_MS
        self._prefix = f"{seed!r}\x1f"
        self._jitter_ns = float(self.jitter_ms) * _NS_PER_MS

    def delay_ns(self, order_id: str, action: str) -> int:
        _check_action(action)
        # unit_draw(seed, order_id, action), with the seed's part of the text made once.
        text = f"{self._prefix}{order_id!r}\x1f{action!r}"
        digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        u = (int.from_bytes(digest, "big") >> 11) * _TWO_TO_MINUS_53
        return max(round(self._base_ns + self._jitter_ns * (2.0 * u - 1.0)), 0)
