"""An agent's lifecycle: ``stopped → starting → running → stopping → stopped``, and ``error``.

The table is data, so the docs print the very rules the code runs, and a
move it does not have is an :class:`~paperbroker.core.errors.InvalidTransition`
(the API answers it 409, naming the current state).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from paperbroker.core.fsm import TransitionTable


class AgentStatus(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    ERROR = "error"


class AgentTrigger(StrEnum):
    START = "start"  # asked to start
    STARTED = "started"  # ready: its subscriptions deliver
    STOP = "stop"  # asked to stop
    STOPPED = "stopped"  # done stopping
    FAIL = "fail"  # raised while handling a message, starting or stopping


_S, _T = AgentStatus, AgentTrigger
AGENT_TRANSITIONS: Final[TransitionTable[AgentStatus, AgentTrigger]] = TransitionTable(
    {
        (_S.STOPPED, _T.START): _S.STARTING,
        (_S.ERROR, _T.START): _S.STARTING,  # a failed agent may be started again
        (_S.STARTING, _T.STARTED): _S.RUNNING,
        (_S.STARTING, _T.STOP): _S.STOPPING,
        (_S.STARTING, _T.FAIL): _S.ERROR,
        (_S.RUNNING, _T.STOP): _S.STOPPING,
        (_S.RUNNING, _T.FAIL): _S.ERROR,
        (_S.STOPPING, _T.STOPPED): _S.STOPPED,
        (_S.STOPPING, _T.FAIL): _S.ERROR,
        (_S.ERROR, _T.STOP): _S.STOPPED,  # acknowledge the error and rest
    },
    terminal=frozenset(),
)
