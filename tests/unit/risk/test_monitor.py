"""The risk monitor over a real kernel: exposure, sectors, liquidity, stops, gap risk,
correlation, effective bets and limit usage, with numbers checked by hand."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbroker.core.errors import InvalidRequest
from paperbroker.core.ids import AccountId
from paperbroker.engine.kernel import Kernel
from paperbroker.model.account import Account, AccountConfig
from paperbroker.model.enums import AccountType, OrderSide, RejectReason
from paperbroker.model.instrument import Instrument
from paperbroker.risk.monitor import Usage, assess
from paperbroker.risk.settings import RiskSettings

BUY, SELL = OrderSide.BUY, OrderSide.SELL
D = Decimal

# Five daily bars each (open, high, low, close, volume).  From the last four
# returns: XOM (+10 %, −10 %, +10 %, −10 %) and CVX (+10 %, +10 %, −10 %, −10 %)
# are uncorrelated; MSFT (+10 %, −10 %, +10 %, +10 %) is 1/√3 with XOM, −1/√3 with CVX.
XOM = [
    (100, 100, 100, 100, 1000),
    (100, 110, 100, 110, 1000),
    (110, 110, 99, 99, 1000),
    (99, 108.9, 99, 108.9, 1000),
    (108.9, 108.9, 98.01, 98.01, 1000),
]
CVX = [
    (100, 100, 100, 100, 100),
    (100, 110, 100, 110, 100),
    (110, 121, 110, 121, 200),
    (121, 121, 108.9, 108.9, 300),
    (108.9, 108.9, 98.01, 98.01, 400),
]
MSFT = [
    (100, 100, 100, 100, 0),
    (100, 110, 100, 110, 0),
    (110, 110, 99, 99, 0),
    (99, 108.9, 99, 108.9, 0),
    (108.9, 119.79, 108.9, 119.79, 0),
]
EQUITY = D("100395.80")  # 100 000 − 10×100 + 10×100 − 20×100 (cash) + 980.10 − 980.10 + 2395.80


def three_symbols(build: Any, *, lookback_bars: bool = True) -> Kernel:
    """Long 10 XOM, short 10 CVX, long 20 MSFT, all at 100.00 (the second bar's open),
    on a 100 000 margin account, with protective stops placed at the fourth close."""
    series = [
        build.series(rows, symbol=symbol)
        for symbol, rows in (("XOM", XOM), ("CVX", CVX), ("MSFT", MSFT))
    ]
    kernel: Kernel = build.kernel(series, cash=100_000)
    ts = series[0].ts
    kernel.run_until(int(ts[0]))
    kernel.submit_order("XOM", BUY, 10)
    kernel.submit_order("CVX", SELL, 10)
    kernel.submit_order("MSFT", BUY, 20)
    kernel.run_until(int(ts[3]))
    kernel.submit_order("XOM", SELL, 5, stop="90", tif="gtc", client_order_id="risk-sl-1")
    kernel.submit_order("XOM", SELL, 5, stop="95", tif="gtc", client_order_id="risk-sl-2")
    kernel.submit_order("CVX", BUY, 10, stop="115", tif="gtc", client_order_id="risk-sl-3")
    kernel.submit_order("MSFT", SELL, 20, stop="100", tif="gtc", client_order_id="mine")
    kernel.run_until(int(ts[4]))
    return kernel


@pytest.fixture
def kernel(build: Any) -> Kernel:
    return three_symbols(build)


def test_exposure_sums_values_at_the_marks(kernel: Kernel) -> None:
    exposure = assess(kernel, RiskSettings(), lookback=4).exposure
    assert exposure.equity == EQUITY == kernel.portfolio.equity
    assert exposure.gross == D("4356.00")  # 980.10 + 980.10 + 2395.80
    assert exposure.net == D("2395.80")
    assert exposure.gross_pct == D("4.3388")  # 4356 / 100395.80 = 4.33883...%
    assert exposure.net_pct == D("2.3864")  # 2395.80 / 100395.80 = 2.386359...%
    rows = {p.symbol: p for p in exposure.positions}
    assert [p.symbol for p in exposure.positions] == ["MSFT", "CVX", "XOM"]  # largest first
    assert (rows["XOM"].qty, rows["XOM"].value) == (D(10), D("980.10"))
    assert (rows["CVX"].qty, rows["CVX"].value) == (D(-10), D("-980.10"))
    assert [rows[s].weight_pct for s in ("MSFT", "CVX", "XOM")] == [D(55), D("22.5"), D("22.5")]
    assert rows["XOM"].sector == rows["CVX"].sector == "Energy"
    assert rows["MSFT"].sector == "Information Technology"


def test_days_to_exit_divide_the_position_by_the_average_daily_volume(kernel: Kernel) -> None:
    rows = {p.symbol: p for p in assess(kernel, RiskSettings(), lookback=4).exposure.positions}
    assert rows["XOM"].days_to_exit == pytest.approx(10 / 1000)
    assert rows["CVX"].days_to_exit == pytest.approx(10 / 250)  # (100+200+300+400) / 4
    assert rows["MSFT"].days_to_exit is None  # no volume: no way out measured


def test_intraday_bars_add_up_to_trading_days(build: Any) -> None:
    # 61 one-minute bars of 1 000: 60 of them are 60/390 of a 6.5-hour session,
    # so the average day trades 60 000 × 390 / 60 = 390 000; 39 000 is a tenth of it.
    series = build.series([(1, 1, 1, 1, 1000)] * 61, freq="minute", symbol="SYN")
    kernel = build.kernel(series)
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("SYN", BUY, 39_000)
    kernel.run_until(int(series.ts[-1]))
    [position] = assess(kernel, RiskSettings(), lookback=60).exposure.positions
    assert position.days_to_exit == pytest.approx(0.1)
    assert position.sector is None


def test_the_nearest_protective_stop_on_the_positions_side(kernel: Kernel) -> None:
    rows = {p.symbol: p for p in assess(kernel, RiskSettings(), lookback=4).exposure.positions}
    assert rows["XOM"].stop_price == D(95)  # of 90 and 95, nearer to 98.01
    assert rows["XOM"].stop_distance_pct == D("3.0711")  # (98.01 − 95) / 98.01
    assert rows["CVX"].stop_price == D(115)  # a short's buy stop, above the price
    assert rows["CVX"].stop_distance_pct == D("17.3350")  # (115 − 98.01) / 98.01
    assert rows["MSFT"].stop_price is None  # its stop is the trader's own, not protective
    assert rows["MSFT"].stop_distance_pct is None


def test_a_trailing_stop_not_yet_tracked_is_valued_from_the_mark(build: Any) -> None:
    series = build.series([(100, 100, 100, 100)] * 3, symbol="XOM")
    kernel = build.kernel(series)
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XOM", BUY, 5)
    kernel.run_until(int(series.ts[1]))
    kernel.submit_order(
        "XOM", SELL, 5, trail_percent="3", tif="gtc", client_order_id="risk-trail-1"
    )
    [position] = assess(kernel, RiskSettings()).exposure.positions
    assert position.stop_price == D("97.00")
    assert position.stop_distance_pct == D(3)


def test_sectors_add_gross_exposure_and_carry_their_limits(kernel: Kernel) -> None:
    settings = RiskSettings.read({"limits": {"sector_max_pct": {"energy": 5, "Utilities": 10}}})
    sectors = assess(kernel, settings, lookback=4).sectors
    assert [tuple(s) for s in sectors] == [
        ("Information Technology", D("2395.80"), D("2.3864"), None),
        ("Energy", D("1960.20"), D("1.9525"), D(5)),  # 1960.20 / 100395.80 = 1.95248...%
        ("Utilities", D(0), D(0), D(10)),  # limited, nothing held
    ]


def test_every_equity_position_is_held_over_the_close(kernel: Kernel) -> None:
    report = assess(kernel, RiskSettings(), lookback=4)
    assert all(p.held_over_close for p in report.exposure.positions)
    assert report.gap_risk.overnight_exposure == D("4356.00")
    assert report.gap_risk.pct == D("4.3388")


@pytest.mark.parametrize(("minutes", "held"), [(60, False), (389, False), (390, True)])
def test_max_holding_closes_a_position_before_the_close(
    build: Any, minutes: int, held: bool
) -> None:
    # 10:00: opened at 09:30, a holding of 389 minutes closes it at 15:59, one of 390 at
    # 16:00, the close itself, when the exit can only wait for tomorrow's open.
    series = [build.series([(100, 100, 100, 100)] * 30, freq="minute", symbol=s) for s in "AB"]
    kernel = build.kernel(series)
    kernel.run_until(int(series[0].ts[0]))
    kernel.submit_order("A", BUY, 10)
    kernel.submit_order("B", BUY, 20)
    kernel.run_until(int(series[0].ts[-1]))
    now = kernel.clock.now_ns()
    settings = RiskSettings.read({"safeguards": {"max_holding_minutes": minutes}})
    report = assess(kernel, settings, opened_at={"A": now - 30 * build.MINUTE_NS})
    rows = {p.symbol: p.held_over_close for p in report.exposure.positions}
    assert rows == {"A": held, "B": True}  # B's opening time is not known
    assert report.gap_risk.overnight_exposure == (D(3000) if held else D(2000))
    assert assess(kernel, RiskSettings()).gap_risk.overnight_exposure == D(3000)


def test_a_closed_market_holds_every_position_over_the_gap(kernel: Kernel) -> None:
    now = kernel.clock.now_ns()  # 16:00: the close; an exit waits for tomorrow's open
    settings = RiskSettings.read({"safeguards": {"max_holding_minutes": 1}})
    report = assess(kernel, settings, lookback=4, opened_at={"XOM": now})
    assert all(p.held_over_close for p in report.exposure.positions)


@pytest.mark.parametrize(
    ("moment", "held"),
    [
        ((date(2024, 1, 4), 16), False),  # Thursday: FX rolls over at 17:00, no close
        ((date(2024, 1, 5), 16), True),  # Friday before the weekend
        ((date(2024, 1, 6), 12), True),  # Saturday: closed
        ((date(2024, 1, 7), 18), False),  # Sunday after 17:00: Monday's session is open
    ],
)
def test_fx_gaps_only_over_the_weekend_and_crypto_never(
    build: Any, moment: tuple[date, int], held: bool
) -> None:
    ts = [build.ny_ns(date(2024, 1, 2)), build.ny_ns(date(2024, 1, 3))]
    fx = build.series([(1.1, 1.1, 1.1, 1.1)] * 2, ts=ts, instrument=Instrument.fx("EURUSD"))
    coin = build.series([(100, 100, 100, 100)] * 2, ts=ts, instrument=Instrument.crypto("BTC"))
    kernel = build.kernel([fx, coin])
    kernel.run_until(ts[0])
    kernel.submit_order("EURUSD", BUY, 1000)
    kernel.submit_order("BTC", BUY, 1)
    kernel.run_until(build.ny_ns(*moment))
    rows = {p.symbol: p for p in assess(kernel, RiskSettings()).exposure.positions}
    assert rows["EURUSD"].held_over_close is held
    assert rows["BTC"].held_over_close is False
    assert (rows["EURUSD"].sector, rows["BTC"].sector) == ("FX", "Crypto")


def test_correlations_of_the_held_symbols_returns(kernel: Kernel) -> None:
    correlation = assess(kernel, RiskSettings(), lookback=4).correlation
    assert correlation.symbols == ("MSFT", "CVX", "XOM")
    third = 1 / math.sqrt(3)
    expected = [[1, -third, third], [-third, 1, 0], [third, 0, 1]]
    for row, want in zip(correlation.matrix, expected, strict=True):
        assert row == pytest.approx(want, abs=1e-12)
    # ENB = 1 / Σ wᵢwⱼ|ρᵢⱼ| with w = (0.55, 0.225, 0.225)
    concentration = 0.55**2 + 2 * 0.225**2 + 4 * 0.55 * 0.225 * third
    assert correlation.effective_bets == pytest.approx(1 / concentration)
    assert correlation.effective_bets == pytest.approx(1.4502, abs=1e-4)


def test_two_uncorrelated_equal_positions_are_two_bets(build: Any) -> None:
    kernel = build.kernel([build.series(XOM, symbol="XOM"), build.series(CVX, symbol="CVX")])
    ts = kernel.feed.series[0].ts
    kernel.run_until(int(ts[0]))
    kernel.submit_order("XOM", BUY, 10)
    kernel.submit_order("CVX", SELL, 10)
    kernel.run_until(int(ts[-1]))
    correlation = assess(kernel, RiskSettings(), lookback=4).correlation
    assert correlation.matrix[0][1] == pytest.approx(0, abs=1e-12)
    assert correlation.effective_bets == pytest.approx(2)


def test_two_perfectly_correlated_positions_are_one_bet(build: Any) -> None:
    double = [tuple(2 * x for x in row[:4]) for row in XOM]  # same returns at twice the price
    kernel = build.kernel([build.series(XOM, symbol="XOM"), build.series(double, symbol="CVX")])
    ts = kernel.feed.series[0].ts
    kernel.run_until(int(ts[0]))
    kernel.submit_order("XOM", BUY, 10)
    kernel.submit_order("CVX", BUY, 3)
    kernel.run_until(int(ts[-1]))
    correlation = assess(kernel, RiskSettings(), lookback=4).correlation
    assert correlation.matrix[0][1] == pytest.approx(1)
    assert correlation.effective_bets == pytest.approx(1)


def test_too_few_common_returns_leave_correlations_unknown_and_count_one_bet(
    kernel: Kernel,
) -> None:
    correlation = assess(kernel, RiskSettings(), lookback=2).correlation  # 2 returns
    assert correlation.matrix[0] == (1.0, None, None)
    assert correlation.effective_bets == 1


def test_usage_of_every_set_limit(kernel: Kernel) -> None:
    settings = RiskSettings.read(
        {
            "limits": {
                "max_position_qty": 40,
                "max_position_value": "4791.60",
                "max_gross_exposure": 8712,
                "max_net_exposure": "9583.20",
                "max_gross_exposure_pct": 10,
                "max_net_exposure_pct": 100,
                "max_order_qty": 80,
                "max_open_orders": 4,
                "sector_max_pct": {"Energy": 5},
            },
        }
    )
    usage = {u.rule: u for u in assess(kernel, settings, lookback=4).usage}
    assert usage == {
        "limits.max_position_qty": Usage("limits.max_position_qty", D(20), D(40), D("0.5")),
        "limits.max_position_value": Usage(
            "limits.max_position_value", D("2395.80"), D("4791.60"), D("0.5")
        ),
        "limits.max_gross_exposure": Usage(
            "limits.max_gross_exposure", D("4356.00"), D(8712), D("0.5")
        ),
        "limits.max_net_exposure": Usage(
            "limits.max_net_exposure", D("2395.80"), D("9583.20"), D("0.25")
        ),
        "limits.max_gross_exposure_pct": Usage(
            "limits.max_gross_exposure_pct", D("4.3388"), D(10), D("0.43388")
        ),
        "limits.max_net_exposure_pct": Usage(
            "limits.max_net_exposure_pct", D("2.3864"), D(100), D("0.023864")
        ),
        # The working orders that are not protective: the trader's stop of 20 MSFT.
        "limits.max_order_qty": Usage("limits.max_order_qty", D(20), D(80), D("0.25")),
        "limits.max_open_orders": Usage("limits.max_open_orders", D(1), D(4), D("0.25")),
        "limits.sector_max_pct.Energy": Usage(
            "limits.sector_max_pct.Energy", D("1.9525"), D(5), D("0.3905")
        ),
    }


def test_usage_of_the_breakers_from_the_guards_figures(kernel: Kernel) -> None:
    settings = RiskSettings.read(
        {
            "breakers": {
                "daily_loss": "1208.40",
                "daily_loss_pct": 2,
                "max_drawdown_pct": 10,
                "consecutive_losses": 4,
            }
        }
    )
    report = assess(
        kernel,
        settings,
        lookback=4,
        peak_equity=D(110_000),
        day_start_equity=D(101_000),
        consecutive_losses=3,
    )
    assert [tuple(u) for u in report.usage] == [
        ("breakers.daily_loss", D("604.20"), D("1208.40"), D("0.5")),
        ("breakers.daily_loss_pct", D("0.5982"), D(2), D("0.2991")),  # 604.20 / 101 000
        ("breakers.max_drawdown_pct", D("8.7311"), D(10), D("0.87311")),  # 9604.20 / 110 000
        ("breakers.consecutive_losses", D(3), D(4), D("0.75")),
    ]
    assert assess(kernel, settings, lookback=4).usage == ()  # no figures, no usage


def test_volatility_usage_is_the_largest_range_multiple(build: Any) -> None:
    # Ranges 1, 1, 1 then 3: the last bar's range is 3 times the average before it.
    rows = [(100, 101, 100, 100), (100, 101, 100, 100), (100, 101, 100, 100), (100, 103, 100, 101)]
    kernel = build.kernel(build.series(rows, symbol="XOM"))
    kernel.run_until(int(kernel.feed.series[0].ts[-1]))
    settings = RiskSettings.read({"breakers": {"volatility_multiple": 4, "volatility_lookback": 3}})
    assert assess(kernel, settings).usage == (
        Usage("breakers.volatility_multiple", D(3), D(4), D("0.75")),
    )


def test_orders_per_minute_count_the_last_sixty_seconds(build: Any) -> None:
    series = build.series([(100, 100, 100, 100)] * 3, freq="minute", symbol="XOM")
    kernel = build.kernel(series)
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XOM", BUY, 1, limit="90", tif="gtc")  # at 09:31: a minute ago
    kernel.run_until(int(series.ts[1]))
    kernel.submit_order("XOM", BUY, 1, limit="90", tif="gtc")
    kernel.submit_order("XOM", BUY, 1, limit="90", tif="gtc")
    kernel.submit_order("XOM", SELL, 1, stop="80", tif="gtc", client_order_id="risk-sl-9")
    denied = (RejectReason.RISK_DENIED, "limits.max_orders_per_minute")
    kernel.submit_order("XOM", BUY, 1, limit="90", refusal=denied)  # never taken
    settings = RiskSettings.read({"limits": {"max_orders_per_minute": 4, "max_open_orders": 6}})
    assert assess(kernel, settings).usage == (
        Usage("limits.max_open_orders", D(3), D(6), D("0.5")),
        Usage("limits.max_orders_per_minute", D(2), D(4), D("0.5")),
    )


def test_order_limits_measure_the_largest_working_order(build: Any) -> None:
    series = build.series([(100, 100, 100, 100, 1000)] * 3, symbol="XOM")
    kernel = build.kernel(series)
    kernel.run_until(int(series.ts[1]))
    kernel.submit_order("XOM", BUY, 10, limit="90", tif="gtc")  # 900
    kernel.submit_order("XOM", SELL, 5, stop="120", tif="gtc")  # 600
    kernel.submit_order("XOM", BUY, notional=1200)  # sized when it trades: 1 200 now
    kernel.submit_order("XOM", SELL, 50, stop="80", tif="gtc", client_order_id="risk-sl-1")
    settings = RiskSettings.read(
        {
            "limits": {
                "max_order_qty": 20,
                "max_order_value": 1800,
                "max_volume_share_pct": 4,
                "volume_lookback": 2,
            }
        }
    )
    assert assess(kernel, settings).usage == (
        Usage("limits.max_order_qty", D(10), D(20), D("0.5")),
        Usage("limits.max_order_value", D(1200), D(1800), D("0.666667")),
        Usage("limits.max_volume_share_pct", D(1), D(4), D("0.25")),  # 10 of 1 000 a bar
    )


def cash_account(account_id: str, cash: int) -> Account:
    return Account(AccountId(account_id), Decimal(cash), AccountConfig(AccountType.MARGIN))


def test_accounts_are_summed_and_limits_measured_per_account(build: Any) -> None:
    series = build.series([(100, 100, 100, 100)] * 3, symbol="XOM")
    kernel = build.kernel(series, cash=10_000)
    kernel.open_account(cash_account("B", 5_000))
    kernel.open_account(cash_account("C", 5_000))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XOM", BUY, 10)
    kernel.submit_order("XOM", BUY, 30, account_id="B")
    kernel.submit_order("XOM", SELL, 5, account_id="C")
    kernel.run_until(int(series.ts[-1]))
    settings = RiskSettings.read(
        {"limits": {"max_position_qty": 60, "max_gross_exposure_pct": 100}}
    )
    report = assess(kernel, settings)
    assert report.exposure.equity == D(20_000)
    [position] = report.exposure.positions
    assert (position.qty, position.value) == (D(35), D(3500))  # 10 + 30 − 5
    assert report.usage == (
        Usage("limits.max_position_qty", D(30), D(60), D("0.5")),  # account B's
        Usage("limits.max_gross_exposure_pct", D(60), D(100), D("0.6")),  # 3000 of B's 5000
    )


def test_positions_the_accounts_offset_drop_out(build: Any) -> None:
    series = build.series([(100, 100, 100, 100)] * 3, symbol="XOM")
    kernel = build.kernel(series)
    kernel.open_account(cash_account("B", 5_000))
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XOM", BUY, 10)
    kernel.submit_order("XOM", SELL, 10, account_id="B")
    kernel.run_until(int(series.ts[-1]))
    exposure = assess(kernel, RiskSettings()).exposure
    assert (exposure.gross, exposure.net, exposure.positions) == (D(0), D(0), ())


def test_an_empty_portfolio_is_all_zeros(build: Any) -> None:
    series = build.series(XOM, symbol="XOM")
    kernel = build.kernel(series, cash=1000)
    settings = RiskSettings.read(
        {"limits": {"max_position_qty": 5, "max_gross_exposure_pct": 50, "max_open_orders": 2}}
    )
    for _ in range(2):  # before any bar, then after every bar
        report = assess(kernel, settings)
        assert tuple(report.exposure) == (D(1000), D(0), D(0), D(0), D(0), ())
        assert report.sectors == ()
        assert tuple(report.correlation) == ((), (), 0.0)
        assert tuple(report.gap_risk) == (D(0), D(0))
        assert [(u.rule, u.value, u.ratio) for u in report.usage] == [
            ("limits.max_position_qty", D(0), D(0)),
            ("limits.max_gross_exposure_pct", D(0), D(0)),
            ("limits.max_open_orders", D(0), D(0)),
        ]
        kernel.run_until(int(series.ts[-1]))


def test_a_single_symbol_is_one_bet(build: Any) -> None:
    series = build.series(XOM, symbol="XOM")
    kernel = build.kernel(series)
    kernel.run_until(int(series.ts[0]))
    kernel.submit_order("XOM", SELL, 3)
    kernel.run_until(int(series.ts[-1]))
    correlation = assess(kernel, RiskSettings()).correlation
    assert tuple(correlation) == (("XOM",), ((1.0,),), 1.0)


@pytest.mark.parametrize("lookback", [1, 1001, True])
def test_a_lookback_out_of_range_is_invalid(kernel: Kernel, lookback: int) -> None:
    with pytest.raises(InvalidRequest, match="lookback must be 2 to 1000 bars"):
        assess(kernel, RiskSettings(), lookback=lookback)


_prices = st.lists(st.decimals(min_value=1, max_value=500, places=2), min_size=6, max_size=6)


@settings(max_examples=40, deadline=None)
@given(
    paths=st.lists(_prices, min_size=1, max_size=4),
    quantities=st.lists(st.integers(-50, 50).filter(bool), min_size=4, max_size=4),
)
def test_bets_lie_between_one_and_the_holdings_and_gross_bounds_net(
    build: Any, paths: list[list[Decimal]], quantities: list[int]
) -> None:
    series = [
        build.series([(float(p),) * 4 for p in path], symbol=f"S{i}")
        for i, path in enumerate(paths)
    ]
    kernel = build.kernel(series)
    kernel.run_until(int(series[0].ts[0]))
    for i in range(len(paths)):
        kernel.submit_order(f"S{i}", BUY if quantities[i] > 0 else SELL, abs(quantities[i]))
    kernel.run_until(int(series[0].ts[-1]))
    report = assess(kernel, RiskSettings(), lookback=5)
    exposure, correlation = report.exposure, report.correlation
    held = len(exposure.positions)
    assert held == len(paths)
    assert 1 <= correlation.effective_bets <= held
    assert exposure.gross >= abs(exposure.net)
    assert exposure.gross == sum((abs(p.value) for p in exposure.positions), D(0))
    weights = sum((p.weight_pct for p in exposure.positions), D(0))
    assert abs(weights - 100) <= D("0.0001") * held  # each rounded to 4 places
    for i, row in enumerate(correlation.matrix):
        assert row[i] == 1.0
        for j, value in enumerate(row):
            assert value == correlation.matrix[j][i]
            assert value is None or -1 <= value <= 1
