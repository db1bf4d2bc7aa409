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

from paperbroker.core.errors import Conflict, InvalidRequest
from paperbroker.core.fsm import StateMachine
from paperbroker.model.enums import OrderSide
from paperbroker.model.events import SessionStateChanged
from paperbroker.model.order import Order
from paperbroker.session.lifecycle import SessionState, SessionTrigger

if TYPE_CHECKING:
    from paperbroker.agents.pipeline import Pipeline
    from paperbroker.engine.kernel import Kernel
    from paperbroker.session.spec import SessionSpec


#: How many times a stopping paper session closes out before it gives up.
MAX_CLOSEOUTS = 3


class SessionControl:
    """Lifecycle commands over a runtime's kernel, state and journal."""

    #: Close-outs of this stop so far (a stopping session closes out again when an
    #: order it canceled filled after all).
    _closeouts = 0

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

    if TYPE_CHECKING:  # provided by LiveData, later in the runtime's bases

        @property
        def live(self) -> bool: ...

    @property
    def state(self) -> SessionState:
        """Where the session is in its lifecycle (:mod:`.lifecycle`)."""
        return self._state.state

    def _command(
        self, *, writable: bool = True, follow: bool = True
    ) -> AbstractContextManager[None]:
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
        reason says so. A paper session stays ``stopping`` while its closing
        orders work, and stops with the bar that completes them.

        Raises:
            InvalidTransition: if the session cannot stop from its state.
        """
        with self._command(writable=False):
            self._move(SessionTrigger.STOP)
            self._close_out()
            if self.live:
                self._settle()
                return self.state
            for _round in range(3):  # a cancel may race a fill: check again
                self._run_until_done()
                if self._flat():
                    return self._move(SessionTrigger.STOPPED)
                self._close_out()
            return self._move(SessionTrigger.STOPPED, f"no more bars: {self._leftovers()}")

    def _settle(self) -> None:
        """A stopping paper session whose closing orders are done stops (called as its
        bars arrive)."""
        if self.state is not SessionState.STOPPING or self._open_orders():
            return
        if self._flat():
            self._move(SessionTrigger.STOPPED)
        elif self._closeouts < MAX_CLOSEOUTS:
            # An order canceled under latency filled before its cancel landed, or a
            # closing order ended unfilled: close what is held now.
            self._close_out()
        else:
            self._move(SessionTrigger.STOPPED, self._leftovers())

    def _close_out(self) -> None:
        """Cancel every open order and send a market order closing every position."""
        self._closeouts = self._closeouts + 1
        kernel = self.kernel
        for order in [o for o in kernel.orders.values() if o.is_open and not o.parent_id]:
            kernel.cancel_order(order.id)
        for account_id, books in kernel.portfolios.items():
            for symbol, position in sorted(books.positions.items()):
                if position.qty and not self._closing(account_id, symbol):
                    side = OrderSide.SELL if position.qty > 0 else OrderSide.BUY
                    kernel.submit_order(symbol, side, abs(position.qty), account_id=account_id)

    def _closing(self, account_id: str, symbol: str) -> bool:
        """Whether an order still works on the position (a closing order, or one whose
        cancel is on its way: what it fills meanwhile is closed when it is done)."""
        return any(o.account_id == account_id and o.symbol == symbol for o in self._open_orders())

    def _run_until_done(self) -> None:
        """Move a backtest's clock bar by bar while orders are open and bars are left."""
        kernel = self.kernel
        while self._open_orders() and not kernel.exhausted and not self.completed:
            next_close = int(kernel.feed.ts[kernel.bars_processed])
            kernel.run_until(min(next_close, self.spec.end_ns))

    def _flat(self) -> bool:
        return not self._open_orders() and not any(
            p.qty for books in self.kernel.portfolios.values() for p in books.positions.values()
        )

    def _leftovers(self) -> str:
        """Cancel what is still open; say what was canceled and what is still held."""
        open_orders = self._open_orders()
        for order in open_orders:
            self.kernel.cancel_order(order.id)
        held = sorted(
            symbol for books in self.kernel.portfolios.values()
            for symbol, p in books.positions.items() if p.qty
        )  # fmt: skip
        parts = [f"{len(open_orders)} open order(s) canceled"] if open_orders else []
        if held:
            parts.append(f"positions left open in {', '.join(held)}")
        return "; ".join(parts)

    def _check_trading(self) -> None:
        """A paused paper session does not trade (a paused backtest trades by hand).

        Raises:
            Conflict: if the session is a paused paper session.
        """
        if self.live and self.state is SessionState.PAUSED:
            raise Conflict("the session is paused: trading is halted until it resumes")

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
        """The pipeline decides only while the session trades: a backtest while it is
        paused (moved by hand), running or failed; a paper session while running."""
        if self.pipeline is not None:
            trading = (SessionState.RUNNING,) if self.live else (
                SessionState.PAUSED, SessionState.RUNNING, SessionState.ERROR,
            )  # fmt: skip
            self.pipeline.halted = self.state not in trading
