"""Instruments and their trading hours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from paperbroker.core.clock import NANOS_PER_SECOND, datetime_to_ns
from paperbroker.model.enums import AssetClass


@dataclass(frozen=True, slots=True)
class TradingHours:
    """When an instrument's regular session runs, in its exchange's time zone.

    ``open == close`` means a 24-hour market whose trading day rolls over at
    ``close`` (FX rolls at 17:00 New York).  The *trading date* of a moment is
    the date of the session that contains it; it decides when a ``day`` order
    expires.  Holidays need no list: a day without bars simply has no session.
    """

    timezone: str = "America/New_York"
    open: time = time(9, 30)
    close: time = time(16, 0)

    @property
    def is_24h(self) -> bool:
        return self.open == self.close

    def trading_date(self, ts_ns: int) -> date:
        """The trading date of the session in progress (or next to start) at ``ts_ns``.

        A moment at or after today's close belongs to the next trading date.
        """
        local = _local(ts_ns, self.timezone)
        if local.time() >= self.close:
            return local.date() + timedelta(days=1)
        return local.date()

    def session_close_ns(self, trading_date: date) -> int:
        """Epoch nanoseconds of the close of ``trading_date``'s session."""
        moment = datetime.combine(trading_date, self.close, tzinfo=ZoneInfo(self.timezone))
        return datetime_to_ns(moment)

    def session_open_ns(self, trading_date: date) -> int:
        """Epoch nanoseconds of the open of ``trading_date``'s session."""
        day = trading_date - timedelta(days=1) if self.is_24h else trading_date
        moment = datetime.combine(day, self.open, tzinfo=ZoneInfo(self.timezone))
        return datetime_to_ns(moment)


US_EQUITY_HOURS = TradingHours("America/New_York", time(9, 30), time(16, 0))
FX_HOURS = TradingHours("America/New_York", time(17, 0), time(17, 0))
CRYPTO_HOURS = TradingHours("UTC", time(0, 0), time(0, 0))


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable symbol and the grids its prices and quantities live on."""

    symbol: str
    asset_class: AssetClass = AssetClass.EQUITY
    tick_size: Decimal = Decimal("0.01")
    lot_size: Decimal = Decimal(1)
    currency: str = "USD"
    hours: TradingHours = field(default=US_EQUITY_HOURS)
    shortable: bool = True

    @property
    def price_decimals(self) -> int:
        return max(0, -self.tick_size.normalize().as_tuple().exponent)  # type: ignore[operator]

    @classmethod
    def equity(cls, symbol: str, tick_size: str = "0.01") -> Instrument:
        """A US equity with whole-share lots."""
        return cls(symbol, AssetClass.EQUITY, Decimal(tick_size), Decimal(1), "USD", US_EQUITY_HOURS)

    @classmethod
    def fx(cls, symbol: str, tick_size: str = "0.00001") -> Instrument:
        """A currency pair quoted to a tenth of a pip, traded in units of the base currency."""
        return cls(symbol, AssetClass.FX, Decimal(tick_size), Decimal(1), symbol[-3:], FX_HOURS)

    @classmethod
    def crypto(cls, symbol: str, tick_size: str = "0.01", lot_size: str = "0.0001") -> Instrument:
        """A crypto pair with fractional lots and a 24-hour UTC day."""
        return cls(
            symbol, AssetClass.CRYPTO, Decimal(tick_size), Decimal(lot_size), "USD", CRYPTO_HOURS
        )


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(ts_ns: int, timezone: str) -> datetime:
    return datetime.fromtimestamp(ts_ns / NANOS_PER_SECOND, tz=UTC).astimezone(_zone(timezone))
