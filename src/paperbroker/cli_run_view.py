"""What ``paperbroker run`` prints: the header, the status line, the restored books and
the summary.

On a terminal the status line is redrawn in place (Rich's live display);
written to a pipe or a file it is a line of its own whenever what it shows
but the clock and the equity changes, and at least every
:data:`HEARTBEAT_SECONDS`, so a log stays short and says everything.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from paperbroker.core.clock import ns_to_datetime

if TYPE_CHECKING:
    from paperbroker.cli_run_session import Snapshot
    from paperbroker.store.checkpoints import CheckpointInfo, CheckpointStats

#: Written to a pipe, the status line is repeated at least this often.
HEARTBEAT_SECONDS = 60.0
#: The width of lines written to a pipe or a file.
_PIPE_WIDTH = 200


def console() -> Console:
    wide = None if sys.stdout.isatty() else _PIPE_WIDTH
    return Console(highlight=False, soft_wrap=True, width=wide)


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def when(ts_ns: int) -> str:
    return f"{ns_to_datetime(ts_ns):%Y-%m-%d %H:%M:%S} UTC"


def qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class Header:
    """The facts of the header, fixed for the run."""

    session_id: str
    name: str
    kind: str
    how: str  # "new" or "resumed"
    broker: str
    real_money: bool
    feed: str
    symbols: tuple[str, ...]
    strategy: str
    runs_for: str
    checkpoints: str
    owner: str


def print_header(out: Console, header: Header) -> None:
    real = "  [bold white on red] REAL MONEY [/]" if header.real_money else ""
    out.print(
        f"[bold]paperbroker run[/]: {header.how} {header.kind} session "
        f"{header.session_id} ({escape(header.name)}){real}"
    )
    rows = [
        ("session", f"{header.session_id}, owned by {header.owner}"),
        ("type", header.kind),
        ("broker", header.broker),
        ("feed", header.feed),
        ("symbols", ", ".join(header.symbols)),
        ("strategy", header.strategy),
        ("runs", header.runs_for),
        ("checkpoints", header.checkpoints),
    ]
    for label, value in rows:
        out.print(f"  {label:<12} {escape(value)}")


def checkpoint_text(info: CheckpointInfo | None) -> str | None:
    """``01:25:44 (seq 812)``: when the newest checkpoint was written, and up to what."""
    if info is None:
        return None
    return f"{ns_to_datetime(info.created_at):%H:%M:%S} (seq {info.seq})"


def checkpoint_line(count: int, info: CheckpointInfo, cleaned: int) -> str:
    """The line printed every tenth checkpoint."""
    return (
        f"checkpoint {count} of this run at {when(info.created_at)}: seq {info.seq}, "
        f"{info.size:,} bytes; {cleaned} old ones cleaned up so far"
    )


def _restored_from(stats: CheckpointStats) -> str:
    if stats.latest_at is None:
        return "-"
    text = f"{when(stats.latest_at)} (seq {stats.latest_seq})"
    report = stats.last_restore
    if report is None:
        return text
    if report.checkpoint_seq is None:
        return f"{text}; restored by replaying the journal ({report.replayed:,} events)"
    return (
        f"{text}; restored from the checkpoint at seq {report.checkpoint_seq} and "
        f"{report.replayed:,} journal events after it"
    )


def print_restored(out: Console, snap: Snapshot, stats: CheckpointStats) -> None:
    """The books of a session restored from the database, before it trades on."""
    out.print(f"Restored session {snap.id} ({snap.state}) from the database:")
    out.print(f"  clock             {when(snap.clock_ns)}")
    out.print(f"  last checkpoint   {_restored_from(stats)}")
    out.print(f"  portfolio value   {money(snap.equity)} (cash {money(snap.cash)})")
    out.print(f"  closed trades     {snap.closed_trades}")
    out.print(f"  fills             {snap.fills}")
    out.print(f"  open orders       {snap.open_orders}")
    out.print(f"  positions         {len(snap.positions)}")
    for held in snap.positions:
        value = "-" if held.market_value is None else money(held.market_value)
        out.print(
            f"    position {held.symbol} {qty(held.qty)} @ {money(held.avg_price)} (value {value})"
        )


def status_text(snap: Snapshot, checkpoint: str | None) -> str:
    clock = f"{ns_to_datetime(snap.clock_ns):%H:%M:%S}"
    return (
        f"{clock}  {snap.state}  equity {money(snap.equity)}  positions {len(snap.positions)}  "
        f"open orders {snap.open_orders}  fills {snap.fills}  closed trades {snap.closed_trades}"
        + ("" if checkpoint is None else f"  checkpoint {checkpoint}")
    )


class StatusLine:
    """The live status line: redrawn on a terminal, a line per change in a pipe."""

    def __init__(self, out: Console, clock: Callable[[], float] = time.monotonic) -> None:
        self._out = out
        self._clock = clock
        self._live: Live | None = None
        self._last_key: tuple[object, ...] | None = None
        self._last_at = 0.0
        if out.is_terminal:
            self._live = Live(Text(""), console=out, auto_refresh=False, transient=True)
            self._live.start()

    def show(self, snap: Snapshot, checkpoint: str | None) -> None:
        text = "status " + status_text(snap, checkpoint)
        if self._live is not None:
            self._live.update(Text(text), refresh=True)
            return
        held = tuple((h.symbol, h.qty) for h in snap.positions)
        key = (snap.state, held, snap.open_orders, snap.fills, snap.closed_trades,
               checkpoint)  # fmt: skip
        now = self._clock()
        if key != self._last_key or now - self._last_at >= HEARTBEAT_SECONDS:
            self._out.print(text, markup=False)
            self._last_key, self._last_at = key, now

    def note(self, line: str) -> None:
        """A line that stays (above the status line on a terminal)."""
        self._out.print(line)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


@dataclass(frozen=True)
class Summary:
    session_id: str
    why: str
    ran_seconds: float
    final: Snapshot
    first: Snapshot
    left: str  # what the session was left as
    checkpoints: str | None


def print_summary(out: Console, summary: Summary) -> None:
    final, first = summary.final, summary.first
    minutes, seconds = divmod(int(summary.ran_seconds), 60)
    out.print(f"Stopped after {minutes}m {seconds:02d}s: {summary.why}.")
    out.print(f"  session           {summary.session_id} {summary.left}")
    out.print(f"  portfolio value   {money(final.equity)} (cash {money(final.cash)})")
    out.print(f"  realized P&L      {money(final.realized_pnl)}")
    out.print(f"  fills             {final.fills} ({final.fills - first.fills} in this run)")
    out.print(f"  closed trades     {final.closed_trades}")
    out.print(f"  open orders       {final.open_orders}")
    out.print(f"  positions         {len(final.positions)}")
    for held in final.positions:
        out.print(f"    position {held.symbol} {qty(held.qty)} @ {money(held.avg_price)}")
    if summary.checkpoints is not None:
        out.print(f"  checkpoints       {summary.checkpoints}")
