"""A price put on a tick's grid answers the same whether its last answer is kept or not."""

from __future__ import annotations

from decimal import Decimal

from paperbroker.model import values
from paperbroker.model.values import price_on_grid


def fresh(value: float, tick: Decimal) -> Decimal:
    values._LAST_ON_GRID.clear()
    return price_on_grid(value, tick)


def test_a_kept_answer_is_the_one_worked_out_anew_spelling_included() -> None:
    for tick in (Decimal("0.01"), Decimal("0.05"), Decimal("0.050"), Decimal("1")):
        for value in (101.23, 101.23, 0.07, 99.999, 0.07):
            kept = price_on_grid(value, tick)
            anew = fresh(value, tick)
            assert str(kept) == str(anew)


def test_equal_ticks_spelled_apart_keep_their_own_spelling() -> None:
    assert str(price_on_grid(1.05, Decimal("0.05"))) == "1.05"
    assert str(price_on_grid(1.05, Decimal("0.050"))) == "1.050"
    assert str(price_on_grid(1.05, Decimal("0.05"))) == "1.05"


def test_a_signed_zero_keeps_its_sign() -> None:
    tick = Decimal("0.01")
    assert str(price_on_grid(0.0, tick)) == "0.00"
    assert str(price_on_grid(-0.0, tick)) == "-0.00"
    assert str(price_on_grid(0.0, tick)) == "0.00"
