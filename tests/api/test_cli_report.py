"""``paperbroker report`` and ``paperbroker compare`` on a server's SQLite database, written
by a real server first: the files they write, what they print, and their refusals."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import NamedTuple

import pytest
from tests.api.conftest import END, START, Server
from typer.testing import CliRunner

from paperbroker.cli import app

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}
runner = CliRunner()


class Made(NamedTuple):
    """A server's database, two sessions in it, and the key owning them."""

    url: str
    ids: list[str]
    alice: tuple[str, str]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Made:
    """A server's database with two sessions of the SMA strategy, two months in."""
    monkeypatch.setenv("PAPERBROKER_DATA_DIR", str(tmp_path / "market"))
    monkeypatch.setenv("PAPERBROKER_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("PAPERBROKER_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'server.db'}"
    server = Server(url)
    try:
        alice = server.keys.create("alice")
        ids = []
        for fast in (2, 3):
            created = server.client.post("/v1/sessions", auth=alice, json={
                "startTime": START, "endTime": END, "name": f"sma {fast}",
                "strategy": {**SMA, "params": {"fast": fast, "slow": 5}},
            }).json()  # fmt: skip
            server.client.post(
                f"/v1/sessions/{created['id']}/time/advance",
                json={"duration": 60 * 24 * 60},
                auth=alice,
            )
            ids.append(created["id"])
    finally:
        server.close()
    return Made(url, ids, alice)


def test_report_writes_the_tearsheet_the_json_and_the_csv_parts(
    database: Made, tmp_path: Path
) -> None:
    url, (sid, _), _ = database
    out = tmp_path / "out"
    result = runner.invoke(app, [
        "report", sid, "--db", url, "--html", str(tmp_path / "r.html"),
        "--json", str(tmp_path / "r.json"), "--csv", str(out), "--benchmark", "IBM",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="monthly-returns"' in page
    assert "buy and hold IBM" in page
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert document["config"]["session_id"] == sid
    assert document["final_equity"] == document["equity"][-1]["v"]
    for part in ("metrics", "trades", "fills", "equity"):
        with (out / f"{part}.csv").open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0], part
    assert "wrote" in result.output


def test_report_without_files_prints_the_metrics(database: Made) -> None:
    url, (sid, _), _ = database
    result = runner.invoke(app, ["report", sid, "--db", url])
    assert result.exit_code == 0, result.output
    assert "Sharpe ratio" in result.output
    assert "Final equity" in result.output


def test_compare_prints_every_metric_side_by_side(database: Made) -> None:
    url, ids, _ = database
    result = runner.invoke(app, ["compare", *ids, "--db", url, "--benchmark", "AAPL"])
    assert result.exit_code == 0, result.output
    assert "Total return" in result.output
    assert "return in up months" in result.output
    as_json = runner.invoke(app, ["compare", *ids, "--db", url, "--json"])
    found = json.loads(as_json.stdout)
    assert [s["session_id"] for s in found["sessions"]] == ids


def test_the_commands_refuse_unknown_sessions_and_too_few(
    database: Made,
) -> None:
    url, (sid, _), _ = database
    unknown = runner.invoke(app, ["report", "00000000-0000-4000-8000-000000000000", "--db", url])
    assert unknown.exit_code == 1
    assert "not found" in unknown.stderr
    alone = runner.invoke(app, ["compare", sid, "--db", url])
    assert alone.exit_code == 2
    assert "2 to 10" in alone.stderr
