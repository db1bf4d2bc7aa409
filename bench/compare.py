"""Comparing engines' trades, and explaining where two engines part ways."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench.workload import CASH, TradeRecord, fee_decimal


def record_to_json(t: TradeRecord) -> list[Any]:
    return [t.symbol, t.entry_bar, t.exit_bar, t.size, t.entry_price, t.exit_price, t.budget]


def record_from_json(row: Sequence[Any]) -> TradeRecord:
    symbol, entry_bar, exit_bar, size, entry_price, exit_price, budget = row
    return TradeRecord(
        str(symbol),
        int(entry_bar),
        None if exit_bar is None else int(exit_bar),
        int(size),
        float(entry_price),
        None if exit_price is None else float(exit_price),
        None if budget is None else str(budget),
    )


def by_symbol(trades: Iterable[TradeRecord]) -> dict[str, list[TradeRecord]]:
    out: dict[str, list[TradeRecord]] = {}
    for t in sorted(trades, key=lambda t: (t.symbol, t.entry_bar)):
        out.setdefault(t.symbol, []).append(t)
    return out


def _exact(price: float) -> Decimal:
    return Decimal(repr(price))


def exact_sleeve_cash(history: Sequence[TradeRecord], fee: float, start: Decimal) -> Decimal:
    """The sleeve's cash after ``history`` (closed round trips), in exact decimals.

    Each round trip adds ``size * (exit - entry)`` and pays ``fee`` on both
    notionals, exactly what paperbroker books with an unrounded percentage fee.
    """
    rate = fee_decimal(fee)
    cash = start
    for t in history:
        assert t.exit_price is not None, "only closed trades precede an entry"
        entry, exit_ = _exact(t.entry_price), _exact(t.exit_price)
        cash += t.size * (exit_ - entry) - rate * t.size * (entry + exit_)
    return cash


@dataclass(frozen=True)
class Divergence:
    """The first trade of one symbol on which two engines disagree."""

    symbol: str
    index: int  # position of the trade in the symbol's trade list
    ours: TradeRecord | None
    theirs: TradeRecord | None
    exact_cash: Decimal | None
    quotient: Decimal | None

    @property
    def exact_boundary(self) -> bool:
        """True when the exact entry quotient is a whole number (cost == cash to the digit)."""
        return self.quotient is not None and self.quotient == self.quotient.to_integral_value()

    def explain(self, peer: str) -> str:
        where = self.ours or self.theirs
        assert where is not None
        head = (
            f"{self.symbol} trade #{self.index + 1} (entry bar {where.entry_bar}): "
            f"paperbroker {_describe(self.ours)}, {peer} {_describe(self.theirs)}"
        )
        if self.exact_cash is None or self.quotient is None or self.ours is None:
            return head + "."
        price = _exact(self.ours.entry_price)
        detail = (
            f"; exact sleeve cash {_plain(self.exact_cash)} / ({price} x (1 + fee)) = "
            f"{_short(self.quotient)}"
        )
        if not self.exact_boundary:
            return (
                head + detail + ": not a sizing boundary, so this is NOT explained by float cash."
            )
        budget = None if self.theirs is None else self.theirs.budget
        gap = None if budget is None else Decimal(budget) - self.exact_cash
        one_less = self.theirs is not None and self.theirs.size == self.ours.size - 1
        if not one_less or (gap is not None and gap >= 0):
            return (
                head + detail + " exactly, but the peer's size and budget do not fit the "
                "float-cash explanation: investigate."
            )
        text = (
            head + detail + " exactly: the entry cost equals the cash to the last digit. "
            f"{peer} keeps money in binary floats"
        )
        if budget is not None:
            text += f" and sized this entry from {budget} ({gap:+.1E} off the exact value)"
        return text + ", so floor() gives one unit less. From here on the sleeve's paths differ."


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _describe(t: TradeRecord | None) -> str:
    if t is None:
        return "no trade"
    exit_ = "open" if t.exit_bar is None else f"exit bar {t.exit_bar} @ {t.exit_price}"
    return f"{t.size} @ {t.entry_price} ({exit_})"


def _short(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(value.to_integral_value())
    return f"{value:.12f}"


def divergences(
    ours: Iterable[TradeRecord],
    theirs: Iterable[TradeRecord],
    *,
    fee: float,
    symbols: int,
    cash: int = CASH,
) -> list[Divergence]:
    """Per symbol, the first trade where the two lists differ (empty: identical trades)."""
    a, b = by_symbol(ours), by_symbol(theirs)
    start = Decimal(cash) / symbols
    rate = fee_decimal(fee)
    found: list[Divergence] = []
    for symbol in sorted(set(a) | set(b)):
        xs, ys = a.get(symbol, []), b.get(symbol, [])
        for i in range(max(len(xs), len(ys))):
            x = xs[i] if i < len(xs) else None
            y = ys[i] if i < len(ys) else None
            if x == y:
                continue
            exact_cash = quotient = None
            if x is not None:
                exact_cash = exact_sleeve_cash(xs[:i], fee, start)
                quotient = exact_cash / (_exact(x.entry_price) * (1 + rate))
            found.append(Divergence(symbol, i, x, y, exact_cash, quotient))
            break
    return found
