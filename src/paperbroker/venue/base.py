"""The venue a kernel trades at: one interface, two kinds.

A session's type chooses its clock, its feed and its venue, nothing else.
Backtest and paper sessions trade at the :class:`~.venue.SimulatedVenue`,
which matches orders against bars; a live session trades at a broker venue
(:mod:`paperbroker.broker.venue`), which hands orders to a broker and turns
what the broker reports back into the same order events.

The kernel builds its venue from a :data:`VenueFactory` and the
:class:`VenuePorts` it owns (the clock, the ids, the way to emit an order
event, the funds and marks of its portfolios), so the venue reports
everything as events and never moves an order through its lifecycle itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol

from paperbroker.core.clock import Clock
from paperbroker.core.ids import IdFactory
from paperbroker.data.bar import Bar
from paperbroker.data.series import BarSeries
from paperbroker.model.events import OrderEvent
from paperbroker.model.order import Order
from paperbroker.venue.book import MarkSource
from paperbroker.venue.fill_maker import FundsGuard
from paperbroker.venue.venue import SimulatedVenue, VenueConfig
from paperbroker.venue.working import Working


class VenuePorts(NamedTuple):
    """What a kernel lends the venue it builds."""

    series: Sequence[BarSeries]
    clock: Clock
    ids: IdFactory
    emit: Callable[[OrderEvent], None]
    funds: FundsGuard | None
    mark: MarkSource | None


class Venue(Protocol):
    """What the kernel, its order desk, its links and its risk layer ask of a venue.

    ``working[i]`` lists the open orders of instrument ``i`` in arrival order;
    ``config`` holds the fee model buying power is checked with.
    """

    config: VenueConfig
    working: list[list[Working]]

    def accept(self, symbol_index: int, order: Order, *, delayed: bool = True) -> None: ...
    def request_cancel(self, order_id: str) -> bool: ...
    def request_replace(self, order_id: str, replacement: Order) -> bool: ...
    def cancel(self, order_id: str, reason: str = "canceled by client") -> bool: ...
    def expire(self, order_id: str) -> bool: ...
    def link(self, order_ids: Sequence[str]) -> None: ...
    @property
    def has_working_orders(self) -> bool: ...
    def working_order(self, order_id: str) -> Working | None: ...
    def flush(self, now_ns: int) -> None: ...
    def on_bar(self, index: int, bar: Bar, row: int) -> None: ...
    def on_open(self, index: int, bar: Bar, row: int, now_ns: int) -> None: ...
    def at_close(self, order: Order) -> bool: ...
    def on_close(self, index: int, bar: Bar, row: int, order_id: str) -> None: ...


#: Builds a kernel's venue from the ports the kernel lends it.
VenueFactory = Callable[[VenuePorts], Venue]


def simulated(config: VenueConfig) -> VenueFactory:
    """The factory of a simulated venue with ``config``'s models."""

    def build(ports: VenuePorts) -> Venue:
        return SimulatedVenue(
            ports.series, config, ports.clock, ports.ids, ports.emit,
            funds=ports.funds, mark=ports.mark,
        )  # fmt: skip

    return build
