"""The books: cash, positions, marks and the equity curve, checked against hand numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np

from paperbroker.core.ids import AccountId
from paperbroker.data.bar import Bar
from paperbroker.engine.backtest import Backtest
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType
from paperbroker.model.instrument import Instrument
from paperbroker.portfolio import Portfolio
from paperbroker.strategy.base import Strategy, StrategyParams

D = Decimal


def make_portfolio(
    cash: str = "10000", marks: dict[int, float] | None = None, margin: bool = False
) -> tuple[Portfolio, dict[int, float]]:
    prices: dict[int, float] = dict(marks or {})
    config = AccountConfig(AccountType.MARGIN, D(2)) if margin else AccountConfig()
    portfolio = Portfolio(
        Account(AccountId("a"), D(cash), config),
        [Instrument.equity("AAA"), Instrument.equity("BBB")],
        prices.get,
    )
    return portfolio, prices


def test_portfolio_fill_moves_cash_by_notional_and_fee(build: Any) -> None:
    portfolio, _ = make_portfolio()
    portfolio.apply_fill(build.fill("buy", 10, "50.00", fee="1.00", symbol="AAA"))
    # 10 000 - 500 - 1 = 9 499
    assert portfolio.cash == D("9499.00")
    assert portfolio.fees == D("1.00")
    portfolio.apply_fill(build.fill("sell", 4, "55.00", fee="0.50", symbol="AAA"))
    # + 220 - 0.50 = 9 718.50; realized (55 - 50) * 4 = 20
    assert portfolio.cash == D("9718.50")
    assert portfolio.realized_pnl == D("20.00")
    assert portfolio.positions["AAA"].qty == 6


def test_portfolio_equity_is_cash_plus_marked_positions(build: Any) -> None:
    portfolio, prices = make_portfolio(margin=True)
    portfolio.apply_fill(build.fill("buy", 10, "50.00", symbol="AAA"))
    portfolio.apply_fill(build.fill("sell", 20, "30.00", symbol="BBB"))
    prices.update({0: 52.0, 1: 29.5})
    # cash 10 000 - 500 + 600 = 10 100; AAA 10 * 52 = 520; BBB -20 * 29.50 = -590
    assert portfolio.cash == D("10100.00")
    assert portfolio.market_value() == D("-70.00")
    assert portfolio.gross_exposure() == D("1110.00")
    assert portfolio.equity == D("10030.00")
    # unrealized: AAA 520 - 500 = 20; BBB -590 - (-600) = 10
    assert portfolio.unrealized_pnl == D("30.00")
    # margin buying power: 2 * 10 030 - 1 110 = 18 950
    assert portfolio.buying_power == D("18950.00")


def test_portfolio_marks_are_put_on_the_tick_grid() -> None:
    portfolio, _ = make_portfolio(marks={0: 52.00000000001})
    assert str(portfolio.mark("AAA")) == "52.00"
    assert portfolio.mark("BBB") is None


def test_portfolio_cash_account_buying_power_is_its_cash(build: Any) -> None:
    portfolio, prices = make_portfolio(marks={0: 100.0})
    portfolio.apply_fill(build.fill("buy", 50, "100.00", symbol="AAA"))
    prices[0] = 200.0  # the position doubles; buying power does not
    assert portfolio.equity == D("15000.00")
    assert portfolio.buying_power == D("5000.00")


class _BuyOnFirstBar(Strategy):
    """Buys ``qty[symbol]`` at market on each symbol's first bar; records equity per bar."""

    class Params(StrategyParams):
        qty: dict[str, int]

    params: Params
    seen: ClassVar[list[tuple[int, Decimal]]] = []

    def on_start(self) -> None:
        self.done: set[str] = set()
        type(self).seen = []

    def on_bar(self, bar: Bar) -> None:
        type(self).seen.append((bar.ts, self.ctx.equity))
        if bar.symbol not in self.done:
            self.done.add(bar.symbol)
            self.ctx.buy(bar.symbol, self.params.qty[bar.symbol])


def test_equity_curve_two_symbols_interleaved_matches_hand_computation(build: Any) -> None:
    # AAA closes at 10:00, 10:02, 10:04 and BBB at 10:01, 10:03, 10:05 (one-minute bars).
    base = datetime(2024, 1, 2, 10, 0, tzinfo=build.NEW_YORK)
    t = build.minute_ts(6, base)
    aaa = build.series(
        [(10.00, 10.50, 9.50, 10.00), (10.20, 10.60, 10.10, 10.40), (10.30, 10.80, 10.20, 10.70)],
        ts=t[0::2], freq="minute", symbol="AAA",
    )  # fmt: skip
    bbb = build.series(
        [(20.00, 20.50, 19.50, 20.00), (19.80, 20.20, 19.60, 19.90), (20.10, 20.60, 20.00, 20.50)],
        ts=t[1::2], freq="minute", symbol="BBB",
    )  # fmt: skip
    result = Backtest(
        [aaa, bbb],
        _BuyOnFirstBar,
        params={"qty": {"AAA": 100, "BBB": 50}},
        cash=10_000,
        execution="ideal",
    ).run()

    # 10:00  nothing held                                   10 000
    # 10:01  nothing held (AAA order waits for AAA's next bar)  10 000
    # 10:02  AAA 100 filled at the open 10.20: cash 8 980, + 100 * 10.40 = 10 020
    # 10:03  BBB 50 filled at 19.80: cash 7 990, + 1 040 (AAA still 10.40) + 50 * 19.90
    #        = 10 025
    # 10:04  AAA marks 10.70: 7 990 + 1 070 + 995 = 10 055
    # 10:05  BBB marks 20.50: 7 990 + 1 070 + 1 025 = 10 085
    curve = result.equity_curve
    assert curve.ts.tolist() == t
    assert curve.equity.tolist() == [10000.0, 10000.0, 10020.0, 10025.0, 10055.0, 10085.0]
    assert curve.exposed.tolist() == [False, False, True, True, True, True]
    assert result.final_cash == D("7990.00")
    assert result.final_equity == D("10085.00")
    assert result.unrealized_pnl == D("85.00")
    # The strategy saw the same exact equity at each bar close.
    assert [(ts, float(eq)) for ts, eq in _BuyOnFirstBar.seen] == list(
        zip(t, curve.equity.tolist(), strict=True)
    )
    assert np.all(np.diff(curve.ts) > 0)
