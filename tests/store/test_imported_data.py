"""``paperbroker data import``: imported bars join the server's market data and trade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperbroker.cli import app
from paperbroker.core.clock import NANOS_PER_MINUTE, datetime_to_ns
from paperbroker.model.enums import OrderSide, OrderStatus
from paperbroker.session import MarketData, SessionRuntime, SessionSpec
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo

FIRST_OPEN = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)  # 09:30 New York


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "market"
    monkeypatch.setenv("PAPERBROKER_DATA_DIR", str(directory))
    return directory


@pytest.fixture
def minute_csv(tmp_path: Path) -> Path:
    """Thirty one-minute bars stamped at their open, rising a cent a minute."""
    rows = ["timestamp,open,high,low,close,volume"]
    for i in range(30):
        stamp = (FIRST_OPEN + timedelta(minutes=i)).isoformat()
        price = 50 + i / 100
        rows.append(
            f"{stamp},{price:.2f},{price + 0.02:.2f},{price - 0.01:.2f},{price + 0.01:.2f},1000"
        )
    path = tmp_path / "bars.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["data", "import", *args])
    return result.exit_code, result.stdout, result.stderr


def test_import_adds_a_symbol_to_the_market_data(data_dir: Path, minute_csv: Path) -> None:
    code, out, _ = invoke(str(minute_csv), "--symbol", "acme", "--timeframe", "1Min")
    assert code == 0
    assert out.splitlines() == [
        f"imported 30 1Min bars of ACME into {data_dir}",
        "first bar opens 2024-03-04 09:30 EST (2024-03-04 14:30 UTC)",
        "last bar opens  2024-03-04 09:59 EST (2024-03-04 14:59 UTC)",
        "times without an offset were read in America/New_York",
        "tick 0.01 (the finest the prices need)",
    ]
    assets = {a.symbol: a for a in MarketData.load(data_dir).assets()}
    assert {"ACME", "AAPL", "EURUSD"} <= set(assets)
    assert assets["ACME"].bar_duration_ns == NANOS_PER_MINUTE
    assert assets["ACME"].last_ts == datetime_to_ns(FIRST_OPEN + timedelta(minutes=30))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--symbol", "AAPL"], "AAPL is in the bundled data"),
        (["--symbol", "ACME", "--timeframe", "5Min"], "timeframe '5Min' is not one of"),
        (["--symbol", "ACME", "--timeframe", "1Day"], "does not hold 1Day bars"),
        (["--symbol", "BAD SYMBOL"], "is not a valid symbol"),
        (["--symbol", "ACME", "--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--symbol", "ACME", "--tick", "0"], "tick must be positive, got 0"),
        (["--symbol", "ACME", "--tick", "cent"], "tick 'cent' is not a number"),
    ],
)
def test_import_refusals_are_one_line_errors(
    data_dir: Path, minute_csv: Path, args: list[str], message: str
) -> None:
    code, _, err = invoke(str(minute_csv), *args)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
    assert not any(data_dir.glob("*.parquet")) if data_dir.exists() else True


def test_import_twice_is_refused_so_sessions_keep_their_data(
    data_dir: Path, minute_csv: Path
) -> None:
    assert invoke(str(minute_csv), "--symbol", "ACME")[0] == 0
    code, _, err = invoke(str(minute_csv), "--symbol", "ACME")
    assert code == 2
    assert "ACME is already imported" in err


def test_a_session_trades_imported_minute_bars(
    data_dir: Path, minute_csv: Path, repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    assert invoke(str(minute_csv), "--symbol", "ACME")[0] == 0
    start = datetime_to_ns(FIRST_OPEN) + 5 * NANOS_PER_MINUTE
    end = start + 20 * NANOS_PER_MINUTE
    record = repo.create(owner, name="acme", simulation_start=start, simulation_end=end)
    runtime = SessionRuntime(
        SessionSpec(record.id, start, end, Decimal(10_000)), MarketData.load(data_dir), journal
    )
    order = runtime.submit_order(runtime.default_account_id, "ACME", OrderSide.BUY, 10)
    runtime.advance_to(start + NANOS_PER_MINUTE)
    assert order.status is OrderStatus.FILLED
    assert order.avg_fill_price == Decimal("50.05")  # the open of the 09:35 bar


def _csv(path: Path, rows: list[tuple[str, float]]) -> Path:
    """One-minute bars at naive New York wall times, each at one price."""
    lines = ["time,open,high,low,close,volume"]
    lines += [f"{stamp},{price!r},{price!r},{price!r},{price!r},100" for stamp, price in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_naive_new_york_minutes_land_at_their_wall_time_across_a_clock_change(
    data_dir: Path, tmp_path: Path
) -> None:
    # Friday 2024-03-08 is EST (UTC-5); after Sunday's change Monday is EDT (UTC-4).
    rows = [(f"2024-03-{day} 09:3{m}", 50.0 + m) for day in ("08", "11") for m in range(3)]
    code, out, _ = invoke(str(_csv(tmp_path / "ny.csv", rows)), "--symbol", "NYC")
    assert code == 0
    assert "first bar opens 2024-03-08 09:30 EST (2024-03-08 14:30 UTC)" in out
    assert "last bar opens  2024-03-11 09:32 EDT (2024-03-11 13:32 UTC)" in out
    series = MarketData.load(data_dir).series("NYC")
    assert series is not None
    opens = [datetime_to_ns(datetime(2024, 3, 8, 14, 30 + m, tzinfo=UTC)) for m in range(3)]
    opens += [datetime_to_ns(datetime(2024, 3, 11, 13, 30 + m, tzinfo=UTC)) for m in range(3)]
    assert (series.ts - NANOS_PER_MINUTE).tolist() == opens


def test_timezone_utc_reads_naive_times_as_utc(data_dir: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "utc.csv", [("2024-03-04 14:30", 50.0), ("2024-03-04 14:31", 50.5)])
    code, out, _ = invoke(str(path), "--symbol", "UTCX", "--timezone", "UTC")
    assert code == 0
    assert "first bar opens 2024-03-04 09:30 EST (2024-03-04 14:30 UTC)" in out
    assert "times without an offset were read in UTC" in out


def test_a_skipped_wall_time_is_refused_naming_the_row(data_dir: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path / "gap.csv", [("2024-03-10 01:59", 50.0), ("2024-03-10 02:00", 50.0)])
    code, _, err = invoke(str(path), "--symbol", "GAP")
    assert code == 2
    assert "column time row 2: 2024-03-10T02:00:00 does not exist in America/New_York" in err
    assert not data_dir.exists() or not any(data_dir.glob("*.parquet"))


def test_the_tick_is_the_prices_own_and_sessions_trade_on_it(
    data_dir: Path, tmp_path: Path, repo: SessionsRepo, owner: str, journal: Journal
) -> None:
    # Dividend-adjusted prices with eight decimals: on a 0.01 tick they would be
    # rounded; imported, ADJ trades on a 1e-8 tick and fills at the price itself.
    rows = [("2024-03-04 09:30", 144.78172417), ("2024-03-04 09:31", 147.2459)]
    code, out, err = invoke(str(_csv(tmp_path / "adj.csv", rows)), "--symbol", "ADJ")
    assert code == 0
    assert "tick 0.00000001 (the finest the prices need)" in out
    assert err == ""
    market = MarketData.load(data_dir)
    series = market.series("ADJ")
    assert series is not None
    assert series.instrument.tick_size == Decimal("1E-8")
    assert market.notes(["ADJ"]) == ()
    start = int(series.ts[0])  # 09:31: the first bar is history
    record = repo.create(owner, name="adj", simulation_start=start, simulation_end=start + 10**12)
    runtime = SessionRuntime(SessionSpec(record.id, start, start + 10**12, Decimal(10_000)),
                             market, journal)  # fmt: skip
    order = runtime.submit_order(runtime.default_account_id, "ADJ", OrderSide.BUY, 10)
    runtime.advance_to(start + NANOS_PER_MINUTE)
    assert order.avg_fill_price == Decimal("147.2459")


def test_a_given_tick_the_prices_are_off_is_kept_and_said(data_dir: Path, tmp_path: Path) -> None:
    rows = [("2024-03-04 09:30", 144.78172417), ("2024-03-04 09:31", 147.25)]
    code, out, err = invoke(str(_csv(tmp_path / "adj.csv", rows)), "--symbol", "ADJ", "--tick",
                            "0.01")  # fmt: skip
    assert code == 0
    assert "tick 0.01 (as given)" in out
    note = (
        "ADJ: 1 of 2 bars have prices off its 0.01 tick (e.g. open 144.78172417); "
        "fills and marks use the nearest tick (144.78)"
    )
    assert err == f"warning: {note}\n"
    assert MarketData.load(data_dir).notes() == (note,)
