"""A bot written against the older Alpaca client, alpaca-trade-api, run by test_legacy_client.

It runs in a virtual environment of its own (alpaca-trade-api pins websockets,
msgpack and urllib3 versions this project does not use), never in the
project's: ``python legacy_bot.py rest|stream URL KEY SECRET``. It prints
JSON to stdout: one document for ``rest``, one line per message for
``stream``. The server's data URL comes from ``APCA_API_DATA_URL``, as the
client reads it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from typing import Any

import alpaca_trade_api as tradeapi  # type: ignore[import-not-found]
from alpaca_trade_api.rest import TimeFrame  # type: ignore[import-not-found]
from alpaca_trade_api.stream import Stream  # type: ignore[import-not-found]


def _raw(entity: Any) -> Any:
    return entity._raw if hasattr(entity, "_raw") else entity


def rest(url: str, key: str, secret: str) -> dict[str, Any]:
    """Every market-data and watchlist call a bot of this client makes, raw."""
    api = tradeapi.REST(key, secret, base_url=url, api_version="v2")
    made = api.create_watchlist("legacy", ["AAPL"])
    api.add_to_watchlist(made.id, "MSFT")
    named = api.get_watchlist_by_name("legacy")
    api.delete_from_watchlist(made.id, "AAPL")
    after = api.get_watchlist(made.id)
    api.delete_watchlist(made.id)
    return {
        "latest_bar": _raw(api.get_latest_bar("AAPL")),
        "latest_bars": {s: _raw(b) for s, b in api.get_latest_bars(["AAPL", "MSFT"]).items()},
        "latest_trade": _raw(api.get_latest_trade("AAPL")),
        "latest_trades": {s: _raw(t) for s, t in api.get_latest_trades(["AAPL"]).items()},
        "latest_quote": _raw(api.get_latest_quote("AAPL")),
        "latest_quotes": {s: _raw(q) for s, q in api.get_latest_quotes(["AAPL"]).items()},
        "snapshot": {
            "latest_trade": _raw(api.get_snapshot("AAPL").latest_trade),
            "daily_bar": _raw(api.get_snapshot("AAPL").daily_bar),
            "prev_daily_bar": _raw(api.get_snapshot("AAPL").prev_daily_bar),
        },
        "snapshots": sorted(api.get_snapshots(["AAPL", "MSFT"])),
        "trades": [_raw(t) for t in api.get_trades("AAPL", "2012-01-03", "2012-01-31")],
        "quotes": [_raw(q) for q in api.get_quotes("AAPL", "2012-01-03", "2012-01-31")],
        "bars": [_raw(b) for b in api.get_bars("AAPL", TimeFrame.Day, "2012-01-03", "2012-01-31")],
        "watchlist": {
            "named": [a["symbol"] for a in named.assets],
            "after": [a["symbol"] for a in after.assets],
            "left": len(api.get_watchlists()),
        },
    }


def stream(url: str, key: str, secret: str, count: int) -> None:
    """Print the first ``count`` messages of the bar channels as JSON lines, then stop."""
    feed = Stream(key, secret, base_url=url, data_stream_url=url, data_feed="iex")
    heard = 0
    done = threading.Event()

    def handler(kind: str) -> Any:
        async def on_bar(bar: Any) -> None:
            nonlocal heard
            raw = dict(bar._raw)
            stamp = raw["timestamp"]
            raw["timestamp"] = int(getattr(stamp, "value", stamp))  # ns, or a pandas stamp
            print(json.dumps({"kind": kind, **raw}), flush=True)
            heard += 1
            if heard >= count:
                done.set()

        return on_bar

    feed.subscribe_bars(handler("bar"), "AAPL")
    feed.subscribe_daily_bars(handler("daily"), "AAPL")
    feed.subscribe_updated_bars(handler("updated"), "AAPL")
    runner = threading.Thread(target=feed.run, daemon=True)
    runner.start()
    print(json.dumps({"kind": "started"}), flush=True)
    done.wait(timeout=30)
    asyncio.run_coroutine_threadsafe(feed.stop_ws(), feed._data_ws._loop).result(timeout=10)


if __name__ == "__main__":
    command, url, key, secret, *rest_args = sys.argv[1:]
    if command == "rest":
        print(json.dumps(rest(url, key, secret)))
    else:
        stream(url, key, secret, int(rest_args[0]))
