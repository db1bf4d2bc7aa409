"""What a session is made of, and how its journaled commands are replayed.

A :class:`SessionSpec` and the session's journal are all that is needed to
rebuild a session: :func:`replay_order` runs an order command again, and
:class:`Committed` is an event as the journal holds it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from paperbroker.core.errors import InvalidRequest
from paperbroker.engine.kernel import Kernel
from paperbroker.engine.order_entry import OrderTerms
from paperbroker.model.account import AccountConfig
from paperbroker.model.events import Event, OrderSubmitted
from paperbroker.risk.settings import RiskSettings
from paperbroker.venue.execution import ExecutionConfig, preset


class Committed(NamedTuple):
    """An event as the journal holds it: its ``seq`` in the session's journal and the event."""

    seq: int
    event: Event


#: Called with each commit's events, in order (see :meth:`SessionRuntime.subscribe`).
CommitListener = Callable[[Sequence[Committed]], None]


def _ideal() -> ExecutionConfig:
    return preset("ideal")


@dataclass(frozen=True)
class SessionSpec:
    """What a session is made of; with the journal, all that is needed to rebuild it.

    ``execution`` is the venue's models and seed (default: the ``ideal``
    preset, what sessions ran with before they had a choice); ``account``
    the settings of the session's accounts (default: a cash account).
    """

    session_id: str
    start_ns: int
    end_ns: int
    initial_cash: Decimal
    execution: ExecutionConfig = field(default_factory=_ideal)
    account: AccountConfig = field(default_factory=AccountConfig)
    #: The agents of the session's pipeline (:class:`~paperbroker.agents.pipeline.AgentSpec`
    #: JSON), or ``None`` for a session clients trade by hand.
    pipeline: list[dict[str, Any]] | None = None
    #: Where the pipeline's agents write their logs (``None``: to the server's log).
    log_dir: str | None = None
    #: Where the news files a data agent names are (``None``: any path).
    news_dir: str | None = None
    #: ``backtest`` (the market's history, a clock moved by commands), ``paper``
    #: (a live feed's bars, journaled as they come, a clock that follows the wall)
    #: or ``live`` (a paper session whose orders a broker fills).
    kind: str = "backtest"
    #: A paper session's symbols and feed settings
    #: (:class:`~paperbroker.feeds.config.FeedSettings` JSON).
    symbols: tuple[str, ...] = ()
    feed: dict[str, Any] | None = None
    #: The session's risk settings as created (:class:`~paperbroker.risk.settings.RiskSettings`
    #: JSON; ``None``: no rules). Later changes are journaled ``RiskCommanded`` events.
    risk: dict[str, Any] | None = None
    #: A ``live`` session's broker settings (``{"type": "alpaca", "endpoint", "base_url",
    #: "credentials_id", "reconcile"}``, never a secret); its bars come as a paper
    #: session's, its orders go to the broker (:mod:`paperbroker.broker.venue`).
    broker: dict[str, Any] | None = None
    #: Whether seeded models draw an order's numbers from its number rather than its id
    #: (:meth:`~paperbroker.core.ids.IdFactory.draw_key`): the sessions created since, so
    #: that a rerun of one draws what it drew; older ones replay as they ran.
    ordinal_draws: bool = False

    def __post_init__(self) -> None:
        if self.end_ns <= self.start_ns:
            raise InvalidRequest("endTime must be after startTime")
        if self.initial_cash < 0:
            raise InvalidRequest(f"initialCash must not be negative, got {self.initial_cash}")
        self.risk_settings  # noqa: B018 (raises InvalidRequest for bad settings)

    @property
    def risk_settings(self) -> RiskSettings:
        """The risk settings the session was created with.

        Raises:
            InvalidRequest: naming the path of a bad setting (``risk.limits...``).
        """
        return RiskSettings.read(self.risk)

    @property
    def namespace(self) -> uuid.UUID:
        """The namespace of the session's deterministic ids."""
        return uuid.UUID(self.session_id)


def replay_order(kernel: Kernel, event: OrderSubmitted) -> None:
    """Run the command an ``OrderSubmitted`` records again (legs are its effects)."""
    if event.parent_id is not None and event.replaces is None:
        return  # an exit leg: its entry's command creates it
    if event.order_id in kernel.orders:
        return  # an effect: the session's pipeline placed it while the clock moved
    if event.replaces is not None:
        trail = event.trail_price if event.trail_price is not None else event.trail_percent
        kernel.replace_order(
            event.replaces, qty=event.qty, limit=event.limit_price, stop=event.stop_price,
            trail=trail, tif=event.time_in_force, client_order_id=event.client_order_id,
        )  # fmt: skip
        return
    kernel.submit(OrderTerms.of(event), account_id=event.account_id)
