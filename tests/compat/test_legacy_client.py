"""The older Alpaca client, alpaca-trade-api, against a live server: REST market data,
watchlists and the market-data stream.

alpaca-trade-api 3.2.0 pins websockets 10, msgpack 1.0.3 and urllib3 1.26,
which this project's environment (websockets 17, urllib3 2) cannot hold, so
the client lives in a virtual environment of its own, made once from the
package registry under ``.venv/`` and reused (it is rebuilt when missing),
and the bot (:mod:`tests.compat.legacy_bot`) runs in it as a subprocess.
Prices are the bundled daily AAPL bars (2012-01-03 o 409.4 c 411.23,
2012-01-04 o 410.0 c 413.44, both 09:30-16:00 New York).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tests.compat.conftest import Bot
from tests.compat.test_data_stream import runtime_of, wait_for_subscribers

ROOT = Path(__file__).resolve().parents[2]
LEGACY = "alpaca-trade-api==3.2.0"
VENV = ROOT / ".venv" / "legacy-alpaca-trade-api"
BOT = Path(__file__).with_name("legacy_bot.py")


def _uv() -> str | None:
    local = ROOT / ".tools" / "bin" / "uv"
    return str(local) if local.exists() else shutil.which("uv")


@pytest.fixture(scope="module")
def legacy_python() -> Path:
    """The Python of a virtual environment holding alpaca-trade-api (made once, locked)."""
    python = VENV / "bin" / "python"
    marker = VENV / "installed.txt"
    VENV.parent.mkdir(exist_ok=True)
    with open(VENV.parent / "legacy-alpaca-trade-api.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # pytest -n 2: one worker builds it
        if marker.exists() and marker.read_text() == LEGACY and python.exists():
            return python
        shutil.rmtree(VENV, ignore_errors=True)
        uv = _uv()
        environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        if uv is not None:
            subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(VENV)], check=True,
                           env=environment)  # fmt: skip
            subprocess.run([uv, "pip", "install", "-q", "-p", str(python), LEGACY], check=True,
                           env=environment)  # fmt: skip
        else:
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", LEGACY], check=True)
        marker.write_text(LEGACY)
    return python


def run_bot(python: Path, bot: Bot, *args: str) -> subprocess.Popen[str]:
    key_id, secret = bot.key
    environment = {**os.environ, "APCA_API_DATA_URL": bot.server.url, "PYTHONPATH": ""}
    return subprocess.Popen(
        [str(python), str(BOT), args[0], bot.server.url, key_id, secret, *args[1:]],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
    )  # fmt: skip


def test_rest_market_data_and_watchlists(legacy_python: Path, bot: Bot) -> None:
    bot.advance(targetTime="2012-01-04T15:00:00Z")  # 10:00 on 4 January: its bar is open
    process = run_bot(legacy_python, bot, "rest")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    got: dict[str, Any] = json.loads(out)
    third = {"t": "2012-01-03T05:00:00Z", "o": 409.4, "h": 412.5, "l": 409.0, "c": 411.23,
             "v": 10_793_600, "n": None, "vw": None}  # fmt: skip
    assert got["latest_bar"] == third
    assert got["latest_bars"]["AAPL"] == third
    assert (got["latest_trade"]["p"], got["latest_trade"]["t"]) == (410.0, "2012-01-04T14:30:00Z")
    assert got["latest_trades"]["AAPL"] == got["latest_trade"]
    assert (got["latest_quote"]["bp"], got["latest_quote"]["ap"]) == (410.0, 410.0)
    assert got["latest_quotes"]["AAPL"] == got["latest_quote"]
    assert got["snapshot"]["latest_trade"] == got["latest_trade"]
    assert got["snapshot"]["daily_bar"] == third
    assert got["snapshot"]["prev_daily_bar"]["t"] == "2011-12-30T05:00:00Z"
    assert got["snapshots"] == ["AAPL", "MSFT"]
    assert [t["p"] for t in got["trades"]] == [409.4, 411.23, 410.0]
    assert [q["bp"] for q in got["quotes"]] == [409.4, 411.23, 410.0]
    assert [b["c"] for b in got["bars"]] == [411.23]
    assert got["watchlist"] == {"named": ["AAPL", "MSFT"], "after": ["MSFT"], "left": 0}


def test_the_stream_pushes_bars_and_daily_bars_as_the_clock_passes_them(
    legacy_python: Path, bot: Bot
) -> None:
    process = run_bot(legacy_python, bot, "stream", "4")
    try:
        assert process.stdout is not None
        assert json.loads(process.stdout.readline()) == {"kind": "started"}
        wait_for_subscribers(runtime_of(bot), 1)
        time.sleep(0.2)  # the subscription is acknowledged before any bar
        bot.advance(targetTime="2012-01-04T21:00:00Z")
        heard = [json.loads(process.stdout.readline()) for _ in range(4)]
    finally:
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert [h["kind"] for h in heard] == ["bar", "daily", "bar", "daily"]
    assert [(h["open"], h["close"], h["volume"]) for h in heard] == [
        (409.4, 411.23, 10_793_600), (409.4, 411.23, 10_793_600),
        (410.0, 413.44, 9_286_500), (410.0, 413.44, 9_286_500),
    ]  # fmt: skip
    assert [h["timestamp"] for h in heard[::2]] == [1_325_566_800_000_000_000,
                                                     1_325_653_200_000_000_000]  # fmt: skip
