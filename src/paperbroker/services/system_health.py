"""What the server measures about itself, and the one rule that turns it into a health score.

:class:`SystemMonitor` is kept for the life of the application:

- the event loop's *lag*: a background task sleeps 100 ms at a time and
  records how much later than asked it woke up; the last minute of samples
  gives p50, p99 and max. A loop that is blocked (a slow synchronous call,
  a held GIL) wakes late, and every request and websocket waits as long.
- the process's CPU: ``time.process_time`` (every thread) against the
  monotonic clock, sampled by the same task about once a second.
- server errors: every 5xx answer, counted by a middleware.
- agent failures: an agent counts its own failures (``metrics["errors"]``);
  the monitor turns increases of that counter it sees into timed failures.

:func:`health_score` is the rule docs/operations.md prints: it starts at
100 and subtracts capped, weighted penalties. It is a pure function of
:class:`HealthInputs`, so it is tested on hand-made inputs.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

#: How long the lag monitor sleeps between samples.
LAG_INTERVAL_SECONDS: Final = 0.1
#: The window lag percentiles are computed over.
LAG_WINDOW_SECONDS: Final = 60.0
#: How often the CPU is sampled.
CPU_INTERVAL_SECONDS: Final = 1.0
#: The window of the error rate.
ERROR_WINDOW_MINUTES: Final = 5

# -- the health rule (docs/operations.md prints these numbers) -------------------------------


@dataclass(frozen=True)
class Penalty:
    """Points per unit of an input, and the most it may cost."""

    per: float
    cap: float

    def of(self, units: float) -> float:
        return min(self.cap, self.per * max(0.0, units))


#: Lag (p99) and database latency cost from this many milliseconds up.
SLOW_MS: Final = 50.0
#: One point per 10 ms above ``SLOW_MS``.
LAG: Final = Penalty(0.1, 25.0)
DATABASE: Final = Penalty(0.1, 25.0)
#: A database that does not answer costs everything.
DATABASE_DOWN: Final = 100.0
STALE_FEEDS: Final = Penalty(10.0, 30.0)
SESSIONS_IN_ERROR: Final = Penalty(10.0, 30.0)
AGENTS_IN_ERROR: Final = Penalty(5.0, 20.0)
#: Per error a minute (5xx answers, sessions' and agents' failures).
ERROR_RATE: Final = Penalty(5.0, 25.0)
#: ``ok`` from this score up, ``degraded`` from ``DEGRADED_FROM``, ``down`` below.
OK_FROM: Final = 80
DEGRADED_FROM: Final = 50


@dataclass(frozen=True)
class HealthInputs:
    """What the health rule looks at; ``db_latency_ms`` ``None``: the database did not answer."""

    lag_p99_ms: float
    db_latency_ms: float | None
    stale_feeds: int
    sessions_in_error: int
    agents_in_error: int
    errors_per_minute: float


@dataclass(frozen=True)
class HealthScore:
    """The score (0..100), its status, and the points each input cost."""

    score: int
    status: str
    penalties: Mapping[str, float]


def health_score(inputs: HealthInputs) -> HealthScore:
    """The server's health as one percentage (docs/operations.md, "System control").

    Start at 100 and subtract, each penalty capped: event-loop lag p99 and
    database latency, one point per 10 ms above 50 ms (25 at most each; a
    database that does not answer costs 100); 10 per stale feed (30 at
    most); 10 per session in ``error`` (30 at most); 5 per agent in
    ``error`` (20 at most); 5 per error a minute (25 at most). The result is
    clamped to 0..100 and rounded down; ``ok`` from 80, ``degraded`` from
    50, ``down`` below.
    """
    db_ms = inputs.db_latency_ms
    penalties = {
        "event_loop_lag": LAG.of(inputs.lag_p99_ms - SLOW_MS),
        "database": DATABASE_DOWN if db_ms is None else DATABASE.of(db_ms - SLOW_MS),
        "stale_feeds": STALE_FEEDS.of(inputs.stale_feeds),
        "sessions_in_error": SESSIONS_IN_ERROR.of(inputs.sessions_in_error),
        "agents_in_error": AGENTS_IN_ERROR.of(inputs.agents_in_error),
        "error_rate": ERROR_RATE.of(inputs.errors_per_minute),
    }
    score = math.floor(min(100.0, max(0.0, 100.0 - sum(penalties.values()))))
    status = "ok" if score >= OK_FROM else "degraded" if score >= DEGRADED_FROM else "down"
    return HealthScore(score, status, {k: round(v, 3) for k, v in penalties.items()})


@dataclass(frozen=True)
class LagStats:
    """Event-loop lag over the window, in milliseconds (zeros before the first sample)."""

    p50_ms: float
    p99_ms: float
    max_ms: float
    samples: int


def percentile(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of an ascending list (0.0 for an empty one)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class _AgentSeen:
    owner: str
    errors: int


class SystemMonitor:
    """The measurements of one application (see the module doc); safe across threads.

    The lag task and the middleware run on the event loop while routes read
    from worker threads: every window is guarded by one lock.
    """

    def __init__(
        self,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        cpu_time: Callable[[], float] = time.process_time,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self._monotonic = monotonic
        self._cpu_time = cpu_time
        self.started = monotonic()
        #: When the application started, wall time (sessions created since are new to it).
        self.started_wall_ns = wall_ns()
        self._lock = threading.Lock()
        self._lag: deque[tuple[float, float]] = deque()
        self._server_errors: deque[tuple[float, float]] = deque()
        self._failures: deque[tuple[float, str, int]] = deque()
        self._agents: dict[str, _AgentSeen] = {}
        # (when, CPU seconds) at the last sample, and the percent it measured.
        self._cpu_mark = (self.started, cpu_time())
        self._cpu_percent: float | None = None

    # -- event-loop lag and CPU -------------------------------------------------------
    async def run(self, interval: float = LAG_INTERVAL_SECONDS) -> None:
        """Sample lag every ``interval`` and CPU about every second, until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time()
            await asyncio.sleep(interval)
            self.record_lag(max(0.0, loop.time() - asked - interval))
            if self._monotonic() - self._cpu_mark[0] >= CPU_INTERVAL_SECONDS:
                self.sample_cpu()

    def record_lag(self, seconds: float) -> None:
        """Record one sample: how late the loop woke up, in seconds."""
        now = self._monotonic()
        with self._lock:
            self._lag.append((now, seconds * 1000.0))
            _prune(self._lag, now - LAG_WINDOW_SECONDS)

    def lag(self) -> LagStats:
        """Lag percentiles over the last minute."""
        with self._lock:
            _prune(self._lag, self._monotonic() - LAG_WINDOW_SECONDS)
            values = sorted(ms for _at, ms in self._lag)
        if not values:
            return LagStats(0.0, 0.0, 0.0, 0)
        return LagStats(percentile(values, 0.5), percentile(values, 0.99), values[-1], len(values))

    def sample_cpu(self) -> None:
        """Close one CPU interval: the percent of one core used since the last sample."""
        now, used = self._monotonic(), self._cpu_time()
        with self._lock:
            then, used_then = self._cpu_mark
            if now > then:
                self._cpu_percent = (used - used_then) / (now - then) * 100.0
                self._cpu_mark = (now, used)

    def cpu_percent(self) -> float:
        """CPU of the whole process over the last sampled second, in percent of one core
        (above 100 when several threads run at once); since the start before the first."""
        with self._lock:
            if self._cpu_percent is not None:
                return round(self._cpu_percent, 1)
            then, used_then = self._cpu_mark
        elapsed = self._monotonic() - then
        return round((self._cpu_time() - used_then) / elapsed * 100.0, 1) if elapsed > 0 else 0.0

    @property
    def uptime_seconds(self) -> float:
        return self._monotonic() - self.started

    # -- errors ---------------------------------------------------------------------
    def server_error(self) -> None:
        """Count one 5xx answer."""
        now = self._monotonic()
        with self._lock:
            self._server_errors.append((now, 1.0))
            _prune(self._server_errors, now - ERROR_WINDOW_MINUTES * 60.0)

    def server_errors(self) -> int:
        """5xx answers over the error window."""
        with self._lock:
            _prune(self._server_errors, self._monotonic() - ERROR_WINDOW_MINUTES * 60.0)
            return len(self._server_errors)

    def observe_agent(self, agent_id: str, owner: str, errors: int, *, new: bool) -> None:
        """See an agent's failure counter; an increase since it was last seen is that many
        failures now. An agent seen for the first time counts nothing (its failures
        came before this server started and were replayed) unless it is ``new`` (its
        session was created while this server ran); a counter that went down was reset."""
        now = self._monotonic()
        with self._lock:
            seen = self._agents.get(agent_id)
            first = 0 if new else errors
            before = first if seen is None else seen.errors
            if errors > before:
                self._failures.append((now, owner, errors - before))
            self._agents[agent_id] = _AgentSeen(owner, errors)
            _prune(self._failures, now - ERROR_WINDOW_MINUTES * 60.0)

    def agent_failures(self, owners: frozenset[str] | None) -> int:
        """Agent failures over the error window, of ``owners``' agents (``None``: all)."""
        with self._lock:
            _prune(self._failures, self._monotonic() - ERROR_WINDOW_MINUTES * 60.0)
            return sum(n for _at, owner, n in self._failures if owners is None or owner in owners)


def _prune(
    window: deque[tuple[float, float]] | deque[tuple[float, str, int]], floor: float
) -> None:
    """Drop the samples taken before ``floor`` (they are in time order)."""
    while window and window[0][0] < floor:
        window.popleft()


def memory_rss_bytes() -> int | None:
    """The process's resident memory: from ``/proc`` (Linux), else the peak ``getrusage``
    reports (macOS, BSD), else ``None``."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    # ru_maxrss is in bytes on macOS, in KiB elsewhere.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if os.uname().sysname == "Darwin" else peak * 1024)
