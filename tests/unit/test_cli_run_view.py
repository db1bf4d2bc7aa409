"""``paperbroker run``'s status line: in a pipe, a line when what it shows changes (not
for the clock or the equity alone) and once a heartbeat; on a terminal, redrawn in place
and gone when the run ends."""

from __future__ import annotations

import io
from decimal import Decimal

from rich.console import Console

from paperbroker.cli_run_session import Held, Snapshot
from paperbroker.cli_run_view import HEARTBEAT_SECONDS, StatusLine, status_text


def snap(*, clock: int = 0, equity: str = "100000", fills: int = 0, qty: str = "0") -> Snapshot:
    held = () if qty == "0" else (Held("AAA", Decimal(qty), Decimal(100), None),)
    return Snapshot(
        "s1", "cli-run", "paper", "running", clock, Decimal(equity), Decimal(equity),
        Decimal(0), held, 0, fills, fills, 0, 1,
    )  # fmt: skip


def test_in_a_pipe_a_line_comes_when_what_it_shows_changes_or_a_heartbeat_is_due() -> None:
    buffer = io.StringIO()
    now = [0.0]
    line = StatusLine(Console(file=buffer, width=200), clock=lambda: now[0])
    line.show(snap(), None)
    line.show(snap(clock=10**9, equity="100001"), None)  # the clock and the equity moved
    line.show(snap(fills=1, qty="5"), None)
    line.show(snap(fills=1, qty="5"), "01:00:00 (seq 9)")  # a checkpoint
    now[0] = HEARTBEAT_SECONDS
    line.show(snap(fills=1, qty="5", equity="99990"), "01:00:00 (seq 9)")
    line.close()
    assert buffer.getvalue().splitlines() == [
        "status " + status_text(snap(), None),
        "status " + status_text(snap(fills=1, qty="5"), None),
        "status " + status_text(snap(fills=1, qty="5"), "01:00:00 (seq 9)"),
        "status " + status_text(snap(fills=1, qty="5", equity="99990"), "01:00:00 (seq 9)"),
    ]
    assert (
        buffer.getvalue()
        .splitlines()[2]
        .endswith(
            "positions 1  open orders 0  fills 1  closed trades 0  checkpoint 01:00:00 (seq 9)"
        )
    )


def test_on_a_terminal_the_line_is_redrawn_and_gone_at_the_end() -> None:
    buffer = io.StringIO()
    out = Console(file=buffer, width=200, force_terminal=True, highlight=False)
    line = StatusLine(out)
    line.show(snap(), None)
    line.note("checkpoint 10 of this run")
    line.show(snap(fills=2, qty="5"), None)
    line.close()
    text = buffer.getvalue()
    assert "fills 2" in text  # drawn
    assert "checkpoint 10 of this run" in text  # a note stays
    assert text.endswith("\x1b[1A\x1b[2K")  # the status line is erased at the end
