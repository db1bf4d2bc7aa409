"""A kernel written into a checkpoint mid-run and restored into a fresh one runs on to the
very state of one that was given the same advances and never written: orders, books,
venue, links and the strategy's own state (``Strategy.on_save`` / ``on_load``)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.core.clock import SimClock
from paperbroker.core.ids import AccountId
from paperbroker.core.snapshot import CheckpointMismatch, NotSnapshottable
from paperbroker.data.bar import Bar
from paperbroker.data.synthetic import synthetic_bars
from paperbroker.engine.feed import HistoricalFeed
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType
from paperbroker.strategy.base import Strategy
from paperbroker.strategy.builtin import SmaCrossover
from paperbroker.strategy.mean_reversion import MeanReversion
from paperbroker.venue import JitteredLatency, VenueConfig, VolumeParticipation

SERIES = [synthetic_bars("AAA", 400, seed=3), synthetic_bars("BBB", 400, seed=4)]
CONFIG = VenueConfig(
    latency=JitteredLatency(90_000, 60_000, seed=1), fill_quantity=VolumeParticipation("0.02")
)


class Trader(Strategy):
    """Trades on a schedule of its own: limits, brackets, cancels; counts what it saw."""

    def __init__(self) -> None:
        super().__init__()
        self.bars = 0
        self.placed: list[str] = []

    def on_bar(self, bar: Bar) -> None:
        self.bars += 1
        ctx, symbol, close = (
            self.ctx,
            bar.symbol,
            Decimal(repr(bar.close)).quantize(Decimal("0.01")),
        )
        if self.bars % 7 == 0:
            order = ctx.buy(symbol, 50, limit=close - Decimal("0.05"))
            self.placed.append(order.id)
        elif self.bars % 11 == 0:
            order = ctx.buy(
                symbol, 30, order_class="bracket", take_profit=close + Decimal("0.40"),
                stop_loss=close - Decimal("0.40"),
            )  # fmt: skip
            self.placed.append(order.id)
        elif self.bars % 13 == 0 and self.placed:
            ctx.cancel(self.placed[len(self.placed) // 2])
        elif self.bars % 17 == 0:
            ctx.sell(symbol, 20, trail_percent=Decimal("0.3"))

    def on_save(self) -> dict[str, Any]:
        return {"bars": self.bars, "placed": self.placed}

    def on_load(self, state: dict[str, Any]) -> None:
        self.bars = state["bars"]
        self.placed = list(state["placed"])


def kernel() -> Kernel:
    account = Account(AccountId("acct"), Decimal(1_000_000), AccountConfig(AccountType.MARGIN))
    start = min(int(s.ts[0]) - s.duration_ns for s in SERIES)
    return Kernel(HistoricalFeed(SERIES), account, CONFIG, SimClock(start), Trader())


@settings(max_examples=15, deadline=None)
@given(stop=st.integers(1, 780))
def test_a_kernel_restored_mid_run_ends_where_an_uninterrupted_one_does(stop: int) -> None:
    end = int(max(s.ts[-1] for s in SERIES))
    middle = min(int(SERIES[0].ts[0]) + stop * 31_000_000_000, end)  # often inside a bar
    whole = kernel()  # the same commands (two advances), never written and restored
    whole.run_until(middle)
    whole.run_until(end)
    first = kernel()
    first.run_until(middle)
    state = json.loads(json.dumps(first.to_state(), allow_nan=False))
    second = kernel()
    second.from_state(state)
    assert second.to_state() == state  # snapshot -> restore -> snapshot
    assert isinstance(second.strategy, Trader)
    assert second.strategy.bars == first.bars_processed
    second.run_until(end)
    assert second.to_state() == whole.to_state()
    assert [repr(o) for o in second.orders.values()] == [repr(o) for o in whole.orders.values()]
    assert second.portfolio.equity == whole.portfolio.equity
    assert any(o.filled_qty for o in whole.orders.values())
    assert whole.ids.to_state()["fills"] > 0


def test_the_default_strategy_hooks_save_nothing() -> None:
    strategy = Strategy()
    assert strategy.on_save() == {}
    strategy.on_load({"anything": 1})  # and take nothing
    assert strategy.on_save() == {}


class Counting(Strategy):
    """Keeps a count between bars and does not save it: it cannot be restored exactly."""

    def __init__(self) -> None:
        super().__init__()
        self.bars = 0

    def on_bar(self, bar: Bar) -> None:
        self.bars += 1


class Stateless(Counting):
    """The same, declaring it keeps nothing (here, wrongly: the kernel trusts it)."""

    keeps_no_state = True


def test_a_strategy_that_keeps_state_it_does_not_save_is_refused() -> None:
    account = Account(AccountId("acct"), Decimal(1_000_000))
    start = min(int(s.ts[0]) - s.duration_ns for s in SERIES)
    refused = Kernel(HistoricalFeed(SERIES), account, CONFIG, SimClock(start), Counting())
    refused.run_until(int(SERIES[0].ts[3]))
    with pytest.raises(NotSnapshottable, match="Counting does not save its state"):
        refused.to_state()
    account = Account(AccountId("acct"), Decimal(1_000_000))
    declared = Kernel(HistoricalFeed(SERIES), account, CONFIG, SimClock(start), Stateless())
    declared.run_until(int(SERIES[0].ts[3]))
    assert declared.to_state()["strategy"] == {}


def indicator_kernel(strategy: Strategy) -> Kernel:
    account = Account(AccountId("acct"), Decimal(1_000_000))
    start = min(int(s.ts[0]) - s.duration_ns for s in SERIES)
    return Kernel(HistoricalFeed(SERIES), account, CONFIG, SimClock(start), strategy)


def test_a_strategys_indicators_are_cut_again_from_the_bars_and_checked() -> None:
    end = int(max(s.ts[-1] for s in SERIES))
    middle = int(SERIES[0].ts[150])
    whole = indicator_kernel(SmaCrossover(fast=3, slow=9))
    whole.run_until(middle)
    state = json.loads(json.dumps(whole.to_state(), allow_nan=False))
    assert [item["values"] for item in state["indicators"]] == [None, None]  # not stored
    restored = indicator_kernel(SmaCrossover(fast=3, slow=9))
    restored.from_state(state)
    seen, series = restored.strategy, whole.strategy
    assert isinstance(seen, SmaCrossover)
    assert isinstance(series, SmaCrossover)
    for symbol in ("AAA", "BBB"):
        assert len(seen._signal[symbol]) == len(series._signal[symbol]) > 100
        assert seen._signal[symbol] == series._signal[symbol]
    whole.run_until(end)
    restored.run_until(end)
    assert restored.to_state() == whole.to_state()
    other = indicator_kernel(MeanReversion(window=5))  # two indicators a symbol, not one
    with pytest.raises(CheckpointMismatch, match="registered 4 indicators"):
        other.from_state(state)
