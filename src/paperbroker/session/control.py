"""The lifecycle commands of a session runtime: pause, resume, stop, kill, fail.

:class:`SessionControl` is the part of
:class:`~paperbroker.session.runtime.SessionRuntime` that moves a session
through :mod:`.lifecycle`: each move is a ``SessionStateChanged`` event,
journaled with the command that caused it, and decides whether the
session's pipeline may decide (``halted``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from paperbroker.core.errors import InvalidRequest
from paperbroker.core.fsm import StateMachine
from paperbroker.model.enums import OrderSide
from paperbroker.model.events import SessionStateChanged
from paperbroker.model.order import Order
from paperbroker.session.lifecycle import SessionState, SessionTrigger

if TYPE_CHECKING:
    from paperbroker.agents.pipeline import Pipeline
    from paperbroker.engine.kernel import Kernel
    from paperbroker.session.spec import SessionSpec


class SessionControl:
    """Lifecycle commands over a runtime's kernel, state and journal."""

    kernel: Kernel
    spec: SessionSpec
    pipeline: Pipeline | None
    _state: StateMachine[SessionState, SessionTrigger]

    # Provided by the runtime.
    @property
    def now_ns(self) -> int:
        raise NotImplementedError

    @property
    def completed(self) -> bool:
        raise NotImplementedError

    @property
    def state(self) -> SessionState:
        """Where the session is in its lifecycle (:mod:`.lifecycle`)."""
        return self._state.state

    def _command(self, *, writable: bool = True) -> AbstractContextManager[None]:
        raise NotImplementedError

    def transition(self, trigger: SessionTrigger, reason: str = "") -> SessionState:
        """Pause, resume, kill or fail the session; journaled. ``stop`` is :meth:`stop`.

        Raises:
            InvalidTransition: for a move the lifecycle does not have (the message
                names the current state).
        """
        if trigger in (SessionTrigger.STOP, SessionTrigger.STOPPED):
            raise InvalidRequest("a session stops through stop()")
        with self._command(writable=False):
            return self._move(trigger, reason)

    def stop(self) -> SessionState:
        """End the session gracefully: cancel its open orders and close its positions
        at market, then end it (``stopping`` → ``stopped``).

        A backtest's clock moves bar by bar until the closing orders are done;
        when the data runs out first, what is still open is canceled and the
        reason says so.

        Raises:
            InvalidTransition: if the session cannot stop from its state.
        """
        with self._command(writable=False):
            self._move(SessionTrigger.STOP)
            leftovers = self._flatten()
            reason = "" if not leftovers else f"no more bars: {leftovers}"
            return self._move(SessionTrigger.STOPPED, reason)

    def _flatten(self) -> str:
        """Cancel every open order and close every position, moving the clock until done;
        return what could not be closed (empty when flat)."""
        kernel = self.kernel
        for _round in range(3):  # a cancel may race a fill: check again after each round
            for order in [o for o in kernel.orders.values() if o.is_open and not o.parent_id]:
                kernel.cancel_order(order.id)
            for account_id, books in kernel.portfolios.items():
                for symbol, position in sorted(books.positions.items()):
                    if position.qty:
                        side = OrderSide.SELL if position.qty > 0 else OrderSide.BUY
                        kernel.submit_order(symbol, side, abs(position.qty), account_id=account_id)
            while self._open_orders() and not kernel.exhausted and not self.completed:
                next_close = int(kernel.feed.ts[kernel.bars_processed])
                kernel.run_until(min(next_close, self.spec.end_ns))
            if not self._open_orders() and not any(
                p.qty for books in kernel.portfolios.values() for p in books.positions.values()
            ):
                return ""
        open_orders = self._open_orders()
        for order in open_orders:
            kernel.cancel_order(order.id)
        held = sorted(
            symbol for books in kernel.portfolios.values()
            for symbol, p in books.positions.items() if p.qty
        )  # fmt: skip
        parts = [f"{len(open_orders)} open order(s) canceled"] if open_orders else []
        if held:
            parts.append(f"positions left open in {', '.join(held)}")
        return "; ".join(parts)

    def _open_orders(self) -> list[Order]:
        return [o for o in self.kernel.orders.values() if o.is_open]

    def _move(self, trigger: SessionTrigger, reason: str = "") -> SessionState:
        state = self._state.trigger(trigger)
        self.kernel.events.append(
            SessionStateChanged(self.now_ns, state.value, trigger.value, reason)
        )
        self._halt_if_idle()
        return state

    def _halt_if_idle(self) -> None:
        """The pipeline decides only while the session trades."""
        if self.pipeline is not None:
            self.pipeline.halted = self.state not in (
                SessionState.PAUSED, SessionState.RUNNING, SessionState.ERROR,
            )  # fmt: skip
