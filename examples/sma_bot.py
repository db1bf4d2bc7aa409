"""A moving-average crossover bot written only against the official ``alpaca-py`` client.

Nothing here knows about paperbroker: pointed at Alpaca's paper API, the bot
trades there; pointed at a paperbroker session (a bound key, or
``url_override=".../sessions/<id>"``), it trades inside the session, on the
session's clock. Once per trading day, a few minutes after the open, it

1. checks the clock, and does nothing while the market is closed or one of
   its orders is still working;
2. reads the last daily bars of its symbol (only bars that have closed);
3. buys ``qty`` shares when the fast average is above the slow one and it
   holds none, and sells everything when the fast one falls below.

Run it against Alpaca (or a bound key on a paperbroker server)::

    APCA_API_KEY_ID=... APCA_API_SECRET_KEY=... APCA_API_BASE_URL=http://127.0.0.1:5000 \\
        python examples/sma_bot.py

For a backtest, ``examples/backtest_driver.py`` calls :meth:`SmaBot.step`
and moves the session's clock between the calls.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from alpaca.common.exceptions import APIError
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import StockBarsRequest
from alpaca.data.timeframe import TimeFrame
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, QueryOrderStatus, TimeInForce
from alpaca.trading.models import Clock
from alpaca.trading.requests import GetOrdersRequest, MarketOrderRequest

#: How long after the open the bot acts each day.
ACT_AFTER_OPEN = timedelta(minutes=5)


@dataclass
class SmaBot:
    """Fast/slow simple moving averages of daily closes, long or flat."""

    trading: TradingClient
    data: StockHistoricalDataClient
    symbol: str = "AAPL"
    fast: int = 10
    slow: int = 30
    qty: int = 10

    def step(self) -> str | None:
        """Look at the market once; return what was done (``"buy"``, ``"sell"`` or ``None``)."""
        clock = self.trading.get_clock()
        assert isinstance(clock, Clock)
        if not clock.is_open or self.pending():
            return None
        closes = self.daily_closes(clock.timestamp)
        if len(closes) < self.slow:
            return None
        fast = sum(closes[-self.fast :]) / self.fast
        slow = sum(closes[-self.slow :]) / self.slow
        held = self.position()
        if fast > slow and held == 0:
            self.trading.submit_order(
                MarketOrderRequest(
                    symbol=self.symbol, qty=self.qty, side=OrderSide.BUY,
                    time_in_force=TimeInForce.DAY,
                )
            )  # fmt: skip
            return "buy"
        if fast < slow and held > 0:
            self.trading.close_position(self.symbol)
            return "sell"
        return None

    def daily_closes(self, now: datetime) -> list[float]:
        """The closes of the daily bars of the last ``3 × slow`` calendar days, oldest first."""
        request = StockBarsRequest(
            symbol_or_symbols=self.symbol,
            timeframe=TimeFrame.Day,
            start=now - timedelta(days=3 * self.slow),
            end=now,
        )
        bars = self.data.get_stock_bars(request)
        return [bar.close for bar in bars.data.get(self.symbol, [])]  # type: ignore[union-attr]

    def pending(self) -> bool:
        """Whether an order of the bot's symbol is still working (wait for it to fill)."""
        request = GetOrdersRequest(status=QueryOrderStatus.OPEN, symbols=[self.symbol])
        return bool(self.trading.get_orders(request))

    def position(self) -> float:
        """Shares held (0 when flat)."""
        try:
            position = self.trading.get_open_position(self.symbol)
        except APIError as error:
            if error.status_code == 404:
                return 0.0
            raise
        return float(position.qty)  # type: ignore[union-attr]


def main() -> None:
    """Trade forever, once a day after the open (real time, against any Alpaca API)."""
    key, secret = os.environ["APCA_API_KEY_ID"], os.environ["APCA_API_SECRET_KEY"]
    base_url = os.environ.get("APCA_API_BASE_URL")
    bot = SmaBot(
        TradingClient(key, secret, paper=True, url_override=base_url),
        StockHistoricalDataClient(key, secret, url_override=base_url),
    )
    while True:
        print(datetime.now().isoformat(timespec="seconds"), bot.step())
        clock = bot.trading.get_clock()
        assert isinstance(clock, Clock)
        wake = clock.next_open + ACT_AFTER_OPEN
        time.sleep(max(60.0, (wake - clock.timestamp).total_seconds()))


if __name__ == "__main__":
    main()
