"""A session's lifecycle, one state machine for every session type.

``paused`` and ``running`` are the working states: a backtest's clock moves
by itself only while ``running`` (``play``) and by hand while ``paused``; a
paper session's clock always follows the wall, and ``paused`` halts its
trading (its pipeline hears nothing and orders are refused) while the prices
keep coming. ``stop`` ends a session gracefully through ``stopping`` (open
orders canceled, positions closed at market), ``kill`` ends it at once with
everything left as it is, and a backtest whose clock reaches its end is
``completed``. ``error`` is a session whose clock or feed failed: it can be
resumed, stopped or killed.

The table is data, so the docs print the very rules the code runs, and a
move it does not have is an :class:`~paperbroker.core.errors.InvalidTransition`
(the API answers it 409, naming the current state). Every move is journaled
as a ``SessionStateChanged`` event, so a restart restores the state.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from paperbroker.core.fsm import TransitionTable


class SessionState(StrEnum):
    PAUSED = "paused"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    KILLED = "killed"
    COMPLETED = "completed"
    ERROR = "error"


class SessionTrigger(StrEnum):
    RESUME = "resume"  # a backtest plays; a paper session trades again
    PAUSE = "pause"  # a backtest's clock stops; a paper session stops trading
    STOP = "stop"  # asked to end gracefully: cancel orders, close positions
    STOPPED = "stopped"  # flat: the graceful end is done
    KILL = "kill"  # end now, leave everything as it is
    COMPLETE = "complete"  # the clock reached the session's end
    FAIL = "fail"  # the clock or the feed failed


_S, _T = SessionState, SessionTrigger
SESSION_TRANSITIONS: Final[TransitionTable[SessionState, SessionTrigger]] = TransitionTable(
    {
        (_S.PAUSED, _T.RESUME): _S.RUNNING,
        (_S.PAUSED, _T.STOP): _S.STOPPING,
        (_S.PAUSED, _T.KILL): _S.KILLED,
        (_S.PAUSED, _T.COMPLETE): _S.COMPLETED,
        (_S.PAUSED, _T.FAIL): _S.ERROR,
        (_S.RUNNING, _T.PAUSE): _S.PAUSED,
        (_S.RUNNING, _T.STOP): _S.STOPPING,
        (_S.RUNNING, _T.KILL): _S.KILLED,
        (_S.RUNNING, _T.COMPLETE): _S.COMPLETED,
        (_S.RUNNING, _T.FAIL): _S.ERROR,
        (_S.STOPPING, _T.STOPPED): _S.STOPPED,
        (_S.STOPPING, _T.KILL): _S.KILLED,
        (_S.STOPPING, _T.FAIL): _S.ERROR,
        (_S.ERROR, _T.RESUME): _S.RUNNING,
        (_S.ERROR, _T.STOP): _S.STOPPING,
        (_S.ERROR, _T.KILL): _S.KILLED,
    },
    terminal=frozenset({_S.STOPPED, _S.KILLED, _S.COMPLETED}),
)

#: The states in which a session is over: nothing changes any more.
ENDED: Final = SESSION_TRANSITIONS.terminal
