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
    assert "imported 30 1Min bars of ACME (2024-03-04 14:30 to 2024-03-04 15:00 UTC)" in out
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
