"""Trade-by-trade matching of two runs of one strategy: what differs, and why.

Typical pairs: a paper session beside a backtest of the same strategy,
parameters and period (did paper deliver what the backtest promised?), or a
live session beside its paper twin. Each run's fills are grouped into
*executions* (the fills of one order: quantity, average price, first fill
time, slippage paid, realized P&L net of fees by average cost, as
:class:`~paperbroker.model.position.Position` books it). Executions of run
``a`` and run ``b`` are matched by symbol and side, in time order, each to
the unmatched one of the other run nearest in time (within ``max_gap_ns``
when given). Matched pairs report the differences of price, slippage, P&L
and time; the rest is listed as only in ``a`` or only in ``b``.

Signs: ``price_diff = price_a - price_b``; its cost in basis points is
positive when ``a`` got the worse price (paid more on a buy, received less
on a sell). ``delay = time_a - time_b``: positive when ``a`` filled later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from paperbroker.model.enums import OrderSide
from paperbroker.model.fill import Fill
from paperbroker.model.position import Position
from paperbroker.model.values import ZERO

_NS_PER_SECOND: Final = Decimal(1_000_000_000)
_BPS: Final = Decimal(10_000)
#: Differences smaller than this (in bps, or seconds) are reported as none.
_NEGLIGIBLE: Final = 1e-9


@dataclass(frozen=True, slots=True)
class Execution:
    """The fills of one order, summed: what the order did."""

    order_id: str
    symbol: str
    side: OrderSide
    qty: Decimal
    price: Decimal
    ts: int
    slippage: Decimal
    fees: Decimal
    pnl: Decimal


@dataclass(frozen=True, slots=True)
class Match:
    """Two executions of the same symbol and side, one from each run."""

    a: Execution
    b: Execution

    @property
    def price_diff(self) -> Decimal:
        return self.a.price - self.b.price

    @property
    def cost_bps(self) -> float:
        """How much worse ``a``'s price was, in basis points of ``b``'s (negative: better)."""
        if not self.b.price:
            return 0.0
        sign = 1 if self.a.side is OrderSide.BUY else -1
        return float(sign * self.price_diff / self.b.price * _BPS)

    @property
    def delay_seconds(self) -> Decimal:
        return Decimal(self.a.ts - self.b.ts) / _NS_PER_SECOND


@dataclass(frozen=True, slots=True)
class DataDifference:
    """How the bars of one symbol differ between the runs over the period both cover."""

    symbol: str
    missing_in_a: int
    missing_in_b: int
    different_closes: int
    common: int


@dataclass(frozen=True)
class Divergence:
    """The matching of two runs, with totals and explanations (see :func:`diverge`)."""

    matched: list[Match]
    only_in_a: list[Execution]
    only_in_b: list[Execution]
    data: list[DataDifference] = field(default_factory=list)

    @property
    def pnl_a(self) -> Decimal:
        return sum((m.a.pnl for m in self.matched), ZERO) + sum(
            (e.pnl for e in self.only_in_a), ZERO
        )

    @property
    def pnl_b(self) -> Decimal:
        return sum((m.b.pnl for m in self.matched), ZERO) + sum(
            (e.pnl for e in self.only_in_b), ZERO
        )

    def explanations(self, a: str = "session", b: str = "against") -> list[str]:
        """What explains the differences, most telling first, in plain sentences."""
        out: list[str] = []
        total = len(self.matched)
        for gap in self.data:
            if gap.missing_in_a or gap.missing_in_b:
                out.append(
                    f"data differs: {gap.symbol} has {gap.missing_in_a} bars missing in {a} "
                    f"and {gap.missing_in_b} missing in {b}"
                )
            if gap.different_closes:
                out.append(
                    f"data differs: {gap.different_closes} of {gap.common} {gap.symbol} bars "
                    "close at a different price"
                )
        if self.only_in_a or self.only_in_b:
            out.append(
                f"orders differ: {len(self.only_in_a)} only in {a}, {len(self.only_in_b)} only "
                f"in {b} (the strategy saw different data, cash or fills)"
            )
        costs = [m.cost_bps for m in self.matched]
        worse = sum(1 for c in costs if c > _NEGLIGIBLE)
        better = sum(1 for c in costs if c < -_NEGLIGIBLE)
        if worse or better:
            mean = sum(costs) / total
            out.append(
                f"fills differ in price: {a} filled {worse} of {total} at worse prices and "
                f"{better} at better ones, mean {mean:+.1f} bps"
            )
        slip_a = sum((m.a.slippage for m in self.matched), ZERO)
        slip_b = sum((m.b.slippage for m in self.matched), ZERO)
        if slip_a != slip_b:
            out.append(
                f"slippage: {a} paid {_plain(slip_a)}, {b} {_plain(slip_b)} on the matched fills"
            )
        qty = sum(1 for m in self.matched if m.a.qty != m.b.qty)
        if qty:
            out.append(
                f"quantities differ: {qty} of {total} matched orders filled other quantities"
            )
        delays = [m.delay_seconds for m in self.matched]
        if any(abs(d) > _NEGLIGIBLE for d in delays):
            mean_delay = sum(delays, ZERO) / total
            out.append(
                f"latency: mean delay {float(mean_delay):.3g} s "
                f"(largest {float(max(delays, key=abs)):.3g} s) of {a} after {b}"
            )
        diff = self.pnl_a - self.pnl_b
        if diff:
            out.append(
                f"P&L differs by {_plain(diff)}: {a} {_plain(self.pnl_a)}, {b} {_plain(self.pnl_b)}"
            )
        if not out:
            out.append("the runs agree: every order matched at the same price, quantity and time")
        return out


def executions(fills: Iterable[Fill]) -> list[Execution]:
    """The fills (in the order they happened) grouped per order, oldest first."""
    positions: dict[str, Position] = {}
    grouped: dict[str, list[tuple[Fill, Decimal]]] = {}
    for fill in fills:
        position = positions.setdefault(fill.symbol, Position(fill.symbol))
        realized = position.apply(fill)
        grouped.setdefault(str(fill.order_id), []).append((fill, realized))
    out = []
    for order_id, parts in grouped.items():
        first = parts[0][0]
        qty = sum((f.qty for f, _ in parts), ZERO)
        notional = sum((f.qty * f.price for f, _ in parts), ZERO)
        fees = sum((f.fee for f, _ in parts), ZERO)
        out.append(
            Execution(
                order_id=order_id, symbol=first.symbol, side=first.side, qty=qty,
                price=notional / qty if qty else first.price, ts=first.ts,
                slippage=sum((f.slippage * f.qty for f, _ in parts), ZERO), fees=fees,
                pnl=sum((r for _, r in parts), ZERO) - fees,
            )
        )  # fmt: skip
    out.sort(key=lambda e: (e.ts, e.symbol))
    return out


def match(
    a: Sequence[Execution], b: Sequence[Execution], *, max_gap_ns: int | None = None
) -> tuple[list[Match], list[Execution], list[Execution]]:
    """Pair executions of the same symbol and side: each of ``a`` in time order takes
    the unmatched one of ``b`` nearest in time, never one before the last it took (so
    pairs keep their order); ``max_gap_ns`` bounds the time between the two."""
    by_key: dict[tuple[str, OrderSide], list[int]] = {}
    for i, execution in enumerate(b):
        by_key.setdefault((execution.symbol, execution.side), []).append(i)
    floor: dict[tuple[str, OrderSide], int] = {}
    taken: set[int] = set()
    matched: list[Match] = []
    only_a: list[Execution] = []
    for execution in sorted(a, key=lambda e: e.ts):
        key = (execution.symbol, execution.side)
        candidates = by_key.get(key, [])
        start = floor.get(key, 0)
        best: int | None = None
        for pos in range(start, len(candidates)):
            j = candidates[pos]
            gap = abs(b[j].ts - execution.ts)
            if j in taken or (max_gap_ns is not None and gap > max_gap_ns):
                continue
            if best is None or gap < abs(b[candidates[best]].ts - execution.ts):
                best = pos
            elif b[j].ts > execution.ts:
                break  # later ones are only further away
        if best is None:
            only_a.append(execution)
            continue
        taken.add(candidates[best])
        floor[key] = best + 1
        matched.append(Match(execution, b[candidates[best]]))
    only_b = [e for j, e in enumerate(b) if j not in taken]
    return matched, only_a, only_b


def compare_bars(
    a: Mapping[str, Mapping[int, float]], b: Mapping[str, Mapping[int, float]]
) -> list[DataDifference]:
    """Per symbol both runs have, the bars (close time → close) missing in one of them
    within the span both cover, and those whose closes differ."""
    out = []
    for symbol in sorted(set(a) & set(b)):
        bars_a, bars_b = a[symbol], b[symbol]
        if not bars_a or not bars_b:
            continue
        lo = max(min(bars_a), min(bars_b))
        hi = min(max(bars_a), max(bars_b))
        in_a = {t for t in bars_a if lo <= t <= hi}
        in_b = {t for t in bars_b if lo <= t <= hi}
        common = in_a & in_b
        different = sum(1 for t in common if bars_a[t] != bars_b[t])
        out.append(
            DataDifference(symbol, len(in_b - in_a), len(in_a - in_b), different, len(common))
        )
    return out


def diverge(
    fills_a: Iterable[Fill],
    fills_b: Iterable[Fill],
    *,
    bars_a: Mapping[str, Mapping[int, float]] | None = None,
    bars_b: Mapping[str, Mapping[int, float]] | None = None,
    max_gap_ns: int | None = None,
) -> Divergence:
    """Match two runs' fills order by order (see the module doc); with both runs' bars,
    also say where their data differs."""
    matched, only_a, only_b = match(executions(fills_a), executions(fills_b), max_gap_ns=max_gap_ns)
    data = compare_bars(bars_a, bars_b) if bars_a is not None and bars_b is not None else []
    return Divergence(matched, only_a, only_b, data)


def _plain(value: Decimal) -> str:
    """Plain digits without trailing zeros (``99.4000000000`` → ``99.4``)."""
    return "0" if not value else format(value.normalize(), "f")
