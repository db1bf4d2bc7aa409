"""The checkpoint side of a session runtime: its state at a journal seq, and back.

:class:`CheckpointState` is the part of
:class:`~paperbroker.session.runtime.SessionRuntime` that writes what the
runtime holds (its lifecycle state, its accounts count, its kernel's
:meth:`~paperbroker.engine.kernel.Kernel.to_state`) as of its last
committed event, and that resumes a runtime from such a state plus the
journal's events after it, replayed and checked as a full replay would
check them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paperbroker.core.clock import Clock
from paperbroker.core.fsm import StateMachine
from paperbroker.core.snapshot import NotSnapshottable
from paperbroker.model.events import Event
from paperbroker.session.divergence import consistent_prefix
from paperbroker.session.lifecycle import ENDED, SessionState, SessionTrigger

if TYPE_CHECKING:
    from paperbroker.agents.pipeline import Pipeline
    from paperbroker.engine.kernel import Kernel
    from paperbroker.session.spec import SessionSpec


class CheckpointState:
    """Writes a runtime's state and resumes a runtime from one."""

    kernel: Kernel
    spec: SessionSpec
    pipeline: Pipeline | None
    poisoned: bool
    diverged: str | None
    wall: Clock | None
    _wall: Clock | None
    _state: StateMachine[SessionState, SessionTrigger]
    _accounts_opened: int
    _closeouts: int
    _base: int
    _persisted: int
    _seq: int

    if TYPE_CHECKING:  # provided by the runtime and its other parts

        @property
        def live(self) -> bool: ...
        @property
        def completed(self) -> bool: ...
        def _replay(self, event: Event) -> None: ...
        def _halt_if_idle(self) -> None: ...

    def to_state(self) -> dict[str, Any]:
        """The session's state as of its last committed event (:attr:`last_seq`), as
        JSON. Call it holding the command lock (:meth:`locked`).

        Raises:
            NotSnapshottable: for a session whose state cannot be written exactly
                yet (a read-only or poisoned session, events not yet committed, a
                strategy that does not save what it keeps, an intent on its way).
        """
        if self.poisoned or self.diverged is not None:
            raise NotSnapshottable("the session must be reloaded from its journal")
        if len(self.kernel.events) != self._persisted:
            raise NotSnapshottable("the session has events not yet committed")
        return {
            "seq": self._seq,
            "state": self._state.state.value,
            "accounts_opened": self._accounts_opened,
            "closeouts": self._closeouts,
            "kernel": self.kernel.to_state(),
        }

    def _resume(self, state: dict[str, Any], seq: int, tail: Sequence[Event], last: int) -> bool:
        """Take ``state`` (written at journal ``seq``), then replay ``tail`` (the journal's
        events after it, the last one ``last``); ``False`` if the tail does not replay
        exactly (the caller then replays the whole journal, which says where it
        departs).

        Raises:
            CheckpointMismatch, KeyError, ValueError: for a state that does not fit.
        """
        if int(state["seq"]) != seq:
            raise ValueError(f"the checkpoint's state is at seq {state['seq']}, not {seq}")
        self.kernel.from_state(state["kernel"])
        self._state.state = SessionState(state["state"])
        self._accounts_opened = int(state["accounts_opened"])
        self._closeouts = int(state["closeouts"])
        self._halt_if_idle()
        self._base = len(self.kernel.events)
        for event in tail:
            self._replay(event)
        if self.completed and self._state.state not in ENDED:
            self._state.state = SessionState.COMPLETED  # journaled before lifecycles
        self._halt_if_idle()
        if self.pipeline is not None:
            self.pipeline.mute(False)  # its past was logged when it happened
        if consistent_prefix(self.kernel.events[self._base :], tail) is not None:
            return False
        self._persisted = len(self.kernel.events)
        self._seq = last
        # The replay is over: a paper session follows the wall again.
        self.wall = self._wall if self.live else None
        return True
