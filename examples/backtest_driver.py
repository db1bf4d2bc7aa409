"""Run ``examples/sma_bot.py`` as a backtest: a paperbroker session and a clock that jumps.

The bot is unchanged: the driver only creates a session, binds a key to it,
hands the bot ``alpaca-py`` clients with that key, and moves the session's
clock to a few minutes after each open before letting the bot look::

    make run                       # in another terminal; prints the admin key
    python examples/backtest_driver.py --key PK...:secret \\
        --start 2012-01-03 --end 2012-12-31 --symbol AAPL --fast 10 --slow 30

It prints each order the bot sent and what became of it (filled, and at what
price, or expired or canceled unfilled), and the account at the end.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderStatus, QueryOrderStatus
from alpaca.trading.models import Clock, Order, TradeAccount
from alpaca.trading.requests import GetOrdersRequest
from sma_bot import ACT_AFTER_OPEN, SmaBot


@dataclass
class Backtest:
    """What a driven backtest did: the session, the bot's actions, its orders and what
    became of them, the account at the end."""

    session_id: str
    actions: list[tuple[str, str]] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    account: TradeAccount | None = None


def run_backtest(
    base_url: str,
    owner: tuple[str, str],
    *,
    start: str,
    end: str,
    execution: str = "equities_realistic",
    cash: str = "100000",
    **bot_params: Any,
) -> Backtest:
    """Create a session from ``start`` to ``end`` (New York open to close) and drive the bot."""
    created = _call("POST", f"{base_url}/v1/sessions", owner, {
        "name": "sma bot", "startTime": f"{start}T14:30:00Z", "endTime": f"{end}T21:00:00Z",
        "initialCash": cash, "execution": {"preset": execution},
    })  # fmt: skip
    session_id = created["id"]
    bound = _call("POST", f"{base_url}/v1/sessions/{session_id}/keys", owner, {"label": "bot"})
    key, secret = bound["key_id"], bound["secret"]
    bot = SmaBot(
        TradingClient(key, secret, paper=True, url_override=base_url),
        StockHistoricalDataClient(key, secret, url_override=base_url),
        **bot_params,
    )
    result = Backtest(session_id)
    finish = datetime.fromisoformat(created["simulation_end"])
    clock = bot.trading.get_clock()
    assert isinstance(clock, Clock)
    # The session starts at an open: the bot's first look is that day's.
    wake = (clock.timestamp if clock.is_open else clock.next_open) + ACT_AFTER_OPEN
    while wake < finish:
        _advance(base_url, owner, session_id, wake)
        action = bot.step()
        if action is not None:
            result.actions.append((wake.date().isoformat(), action))
        clock = bot.trading.get_clock()
        assert isinstance(clock, Clock)
        wake = clock.next_open + ACT_AFTER_OPEN
    _advance(base_url, owner, session_id, finish)  # the last orders fill; the session ends
    account = bot.trading.get_account()
    assert isinstance(account, TradeAccount)
    result.account = account
    sent = bot.trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500))
    result.orders = sorted((o for o in sent if isinstance(o, Order)), key=lambda o: o.created_at)
    return result


def outcome(order: Order) -> str:
    """One line of what became of an order: ``2012-01-03 buy 10 filled at 409.40``."""
    side = order.side.value if order.side is not None else "?"
    line = f"{order.created_at.date().isoformat()} {side} {order.qty}"
    if order.status is OrderStatus.FILLED:
        return f"{line} filled at {order.filled_avg_price}"
    return f"{line} {order.status.value} (filled {order.filled_qty})"


def _advance(base_url: str, owner: tuple[str, str], session_id: str, when: datetime) -> None:
    target = when.astimezone(UTC).isoformat().replace("+00:00", "Z")
    _call("POST", f"{base_url}/v1/sessions/{session_id}/time/advance", owner,
          {"targetTime": target})  # fmt: skip


def _call(method: str, url: str, auth: tuple[str, str], body: dict[str, Any]) -> Any:
    response = requests.request(method, url, json=body, auth=auth, timeout=30)
    if response.status_code >= 400:
        raise SystemExit(f"{method} {url}: {response.status_code} {response.text}")
    return response.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000", help="the server")
    parser.add_argument("--key", required=True, help="your API key as KEY_ID:SECRET")
    parser.add_argument("--start", default="2012-01-03")
    parser.add_argument("--end", default="2012-12-31")
    parser.add_argument("--symbol", default="AAPL")
    parser.add_argument("--fast", type=int, default=10)
    parser.add_argument("--slow", type=int, default=30)
    parser.add_argument("--qty", type=int, default=10)
    parser.add_argument("--execution", default="equities_realistic")
    args = parser.parse_args()
    key_id, _, secret = args.key.partition(":")
    result = run_backtest(
        args.url, (key_id, secret), start=args.start, end=args.end, execution=args.execution,
        symbol=args.symbol, fast=args.fast, slow=args.slow, qty=args.qty,
    )  # fmt: skip
    for order in result.orders:
        print(outcome(order))
    assert result.account is not None
    print(f"session {result.session_id}: equity {result.account.equity}, "
          f"cash {result.account.cash}")  # fmt: skip


if __name__ == "__main__":
    main()
