"""Where a journal stops replaying: the last command this version reproduces exactly.

A session is rebuilt by running its journaled commands again and checking
that they make the very events the journal recorded. A journal written under
other rules (a newer fill model, a fixed bug) may not: from some command on,
this version fills, prices or refuses differently. Its history up to that
command still holds, event for event, and is what the session shows; the rest
is not re-run, since the user never saw those results, nor rewritten, since it
is the record. :func:`consistent_prefix` finds that command.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from paperbroker.model.events import (
    AccountConfigured,
    AccountOpened,
    AdvanceRequested,
    AgentCommanded,
    BarReceived,
    CancelRequested,
    Event,
    NewsPosted,
    OrderSubmitted,
    SessionStateChanged,
)

#: The events a replay runs again; every other event is an effect of the command before it.
COMMANDS: tuple[type[Event], ...] = (
    AccountOpened,
    AccountConfigured,
    AdvanceRequested,
    AgentCommanded,
    BarReceived,
    CancelRequested,
    NewsPosted,
    OrderSubmitted,
    SessionStateChanged,
)


@dataclass(frozen=True)
class Divergence:
    """The first recorded event a replay does not reproduce, and the command that made it."""

    #: Index (in the journal's events) of the first event that differs.
    at: int
    #: Index of the command whose effects differ: the events before it replay exactly.
    command: int

    def reason(self, seqs: Sequence[int], recorded: Sequence[Event]) -> str:
        """Why the session is read-only, for its ``state_reason``."""
        kept = f"seq {seqs[self.command - 1]}" if self.command else "its creation"
        differs = type(recorded[self.at]).__name__ if self.at < len(recorded) else "its end"
        return (
            f"the journal does not replay under this version's rules from seq "
            f"{seqs[min(self.at, len(seqs) - 1)]} ({differs}) on: the session shows its "
            f"history up to {kept} and is read-only; restart it to run it again"
        )


def first_difference(produced: Sequence[Event], recorded: Sequence[Event]) -> int | None:
    """The index of the first event where the two differ (or where one ends), if any."""
    if produced == recorded:
        return None
    pairs = zip(produced, recorded, strict=False)
    return next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(produced), len(recorded)))


def consistent_prefix(produced: Sequence[Event], recorded: Sequence[Event]) -> Divergence | None:
    """Where a replay that made ``produced`` departs from ``recorded``, or ``None``."""
    at = first_difference(produced, recorded)
    if at is None:
        return None
    command = next(
        (i for i in range(min(at, len(recorded) - 1), -1, -1) if isinstance(recorded[i], COMMANDS)),
        0,
    )
    return Divergence(at, command)
