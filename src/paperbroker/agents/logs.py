"""Per-agent log files: one file per agent under the log directory, read back safely.

Agents log through the standard :mod:`logging` machinery: each agent's
logger writes to ``<log dir>/<agent id>.log``. Reading a log back names the
agent by id only; the id must match :data:`AGENT_ID_PATTERN` (a UUID), and
the resolved file must lie directly inside the resolved log directory and
not be a symbolic link, so no text from a request (``..``, encoded
separators, absolute paths, links out) ever reaches another file.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Final, NamedTuple

from paperbroker.core.errors import InvalidRequest, NotFound

#: An agent id: a lower-case UUID, nothing else.
AGENT_ID_PATTERN: Final = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
LOG_FORMAT: Final = "%(asctime)s %(levelname)s %(message)s"
#: Most lines one read returns.
MAX_LINES: Final = 10_000
_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_LINE: Final = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d{3} (\w+) ")


class LogLine(NamedTuple):
    """One line of an agent's log: when it was written (aware, in the server's local
    zone), its level, the text."""

    time: datetime | None
    level: str
    text: str


def log_path(log_dir: Path, agent_id: str) -> Path:
    """The log file of ``agent_id`` in ``log_dir``, checked to lie inside it.

    Raises:
        NotFound: for an id that is not an agent id, or a path that would
            leave the directory or go through a link.
    """
    if not AGENT_ID_PATTERN.fullmatch(agent_id):
        raise NotFound(f"agent {agent_id[:64]!r} not found")
    root = log_dir.resolve()
    path = root / f"{agent_id}.log"
    if path.is_symlink() or path.resolve().parent != root:
        raise NotFound(f"agent {agent_id} has no log")
    return path


class Mute(logging.Filter):
    """Drops every record while ``on``: a restored session replaying its journal
    re-runs its agents, and what they did was logged the first time."""

    def __init__(self) -> None:
        super().__init__()
        self.on = False

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.on


def agent_logger(log_dir: Path, agent_id: str, mute: Mute | None = None) -> logging.Logger:
    """The logger of ``agent_id``, writing to its file (created with the directory).

    ``mute`` replaces the mute filter of an earlier instance of the agent (a
    session restored again), so only the live instance decides.
    """
    path = log_path(log_dir, agent_id)
    logger = logging.getLogger(f"paperbroker.agent.{agent_id}")
    for old in [f for f in logger.filters if isinstance(f, Mute)]:
        logger.removeFilter(old)
    if mute is not None:
        logger.addFilter(mute)
    if not any(
        isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in logger.handlers
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # the agent's file is its record; the server log stays quiet
    return logger


def close_agent_logger(agent_id: str) -> None:
    """Close the file of ``agent_id``'s logger (when the agent goes away)."""
    logger = logging.getLogger(f"paperbroker.agent.{agent_id}")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def read_log(
    log_dir: Path,
    agent_id: str,
    *,
    lines: int = 100,
    level: str | None = None,
    search: str | None = None,
    since: datetime | None = None,
) -> list[LogLine]:
    """The last ``lines`` lines of the agent's log that pass the filters, oldest first.

    ``level`` keeps lines at that level or above; ``search`` those containing
    the text; ``since`` those written at or after that time (a naive one is
    the server's local time, as the log's stamps are).

    Raises:
        InvalidRequest: for ``lines`` out of 1..MAX_LINES or an unknown level.
        NotFound: for an unknown agent (see :func:`log_path`).
    """
    if not 1 <= lines <= MAX_LINES:
        raise InvalidRequest(f"lines must be in 1..{MAX_LINES}, got {lines}")
    floor = 0
    if level is not None:
        name = level.upper()
        if name not in _LEVELS:
            raise InvalidRequest(f"level {level!r} is not one of {', '.join(_LEVELS)}")
        floor = _LEVELS.index(name)
    path = log_path(log_dir, agent_id)
    if since is not None and since.tzinfo is None:
        since = since.astimezone()
    kept: deque[LogLine] = deque(maxlen=lines)
    for line in _lines(path):
        if floor and (line.level not in _LEVELS or _LEVELS.index(line.level) < floor):
            continue
        if search is not None and search not in line.text:
            continue
        if since is not None and (line.time is None or line.time < since):
            continue
        kept.append(line)
    return list(kept)


def _lines(path: Path) -> Iterator[LogLine]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            text = raw.rstrip("\n")
            match = _LINE.match(text)
            if match is None:  # a traceback's continuation lines
                yield LogLine(None, "", text)
                continue
            # Written in the server's local time: read back with its offset, comparable to
            # any aware time.
            moment = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").astimezone()
            yield LogLine(moment, match.group(2), text)
