"""Instruments and their trading hours."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from paperbroker.core.clock import datetime_to_ns
from paperbroker.model.calendar import CALENDAR_NAMES, ExchangeCalendar, TradingDay, calendar_named
from paperbroker.model.enums import AssetClass


@dataclass(frozen=True, slots=True)
class TradingHours:
    """When an instrument's regular session runs, in its exchange's time zone.

    ``open == close`` means a 24-hour market whose trading day rolls over at
    ``close`` (FX rolls at 17:00 New York).  The *trading date* of a moment is
    the date of the session that contains it, or of the next to start; it
    decides when a ``day`` order expires and which open an ``opg`` order meets.

    With a ``calendar`` (``"XNYS"`` for US equities) the exchange's calendar
    decides: sessions run on its trading days only, from its open to its
    close, early closes included (13:00 on 2012-11-23); a moment after a close
    or on a holiday or weekend belongs to the next trading day. The calendar
    is built on first use. Outside its coverage (1990-2035), and for hours
    without one, every Monday-to-Friday is a trading day from ``open`` to
    ``close``, and a moment at or after a close belongs to the next calendar
    date.

    Raises:
        ValueError: for an unknown calendar, or a calendar on a 24-hour market.
    """

    timezone: str = "America/New_York"
    open: time = time(9, 30)
    close: time = time(16, 0)
    #: The exchange calendar the sessions follow (``"XNYS"``); empty for none.
    calendar: str = ""

    def __post_init__(self) -> None:
        if self.calendar and self.calendar not in CALENDAR_NAMES:
            raise ValueError(
                f"unknown exchange calendar {self.calendar!r} (known: {', '.join(CALENDAR_NAMES)})"
            )
        if self.calendar and self.is_24h:
            raise ValueError("a 24-hour market follows no exchange calendar")

    @property
    def is_24h(self) -> bool:
        return self.open == self.close

    def trading_date(self, ts_ns: int) -> date:
        """The trading date of the session in progress (or next to start) at ``ts_ns``.

        A moment at or after a session's close belongs to the next trading date.
        """
        calendar = self._calendar_at(ts_ns)
        if calendar is not None:
            return calendar.session_at(ts_ns)[1].date
        local_ns = ts_ns + _utc_offset_ns(self.timezone, ts_ns // _HOUR_NS)
        day, time_of_day = divmod(local_ns, _DAY_NS)
        close = (self.close.hour * 3600 + self.close.minute * 60 + self.close.second) * _SECOND_NS
        return date.fromordinal(_EPOCH_ORDINAL + day + (time_of_day >= close))

    def session_close_ns(self, trading_date: date) -> int:
        """Epoch nanoseconds of the close of ``trading_date``'s session (an early close
        where the calendar has one; ``close`` on a day without a session)."""
        session = self._calendar_day(trading_date)
        return _session_close_ns(self, trading_date) if session is None else session.close_ns

    def session_open_ns(self, trading_date: date) -> int:
        """Epoch nanoseconds of the open of ``trading_date``'s session (``open`` on a day
        without a session)."""
        session = self._calendar_day(trading_date)
        if session is not None:
            return session.open_ns
        day = trading_date - timedelta(days=1) if self.is_24h else trading_date
        return datetime_to_ns(datetime.combine(day, self.open, tzinfo=_zone(self.timezone)))

    def session_bounds_ns(self, ts_ns: int) -> tuple[int, int]:
        """``(previous close, close)`` of the trading date of ``ts_ns``.

        Every moment in ``[previous close, close)`` has that same trading date,
        so a caller can keep the pair and skip date arithmetic until time
        leaves it.  With a calendar the previous close is the last trading
        day's, before a weekend or holiday too.
        """
        calendar = self._calendar_at(ts_ns)
        if calendar is not None:
            previous, session = calendar.session_at(ts_ns)
            return previous, session.close_ns
        day = self.trading_date(ts_ns)
        return _session_close_ns(self, day - timedelta(days=1)), _session_close_ns(self, day)

    def in_session(self, ts_ns: int) -> bool:
        """Whether the regular session is in progress at ``ts_ns`` (its open included,
        its close not): never on a holiday of the calendar, nor on a weekend.  A 24-hour
        market always is."""
        if self.is_24h:
            return True
        calendar = self._calendar_at(ts_ns)
        if calendar is not None:
            return calendar.is_open(ts_ns)
        day = self.trading_date(ts_ns)
        return day.weekday() < 5 and self.session_open_ns(day) <= ts_ns

    def _calendar_at(self, ts_ns: int) -> ExchangeCalendar | None:
        """The calendar, if these hours follow one and it covers ``ts_ns``."""
        if not self.calendar:
            return None
        calendar = calendar_named(self.calendar)
        return calendar if calendar.covers(ts_ns) else None

    def _calendar_day(self, trading_date: date) -> TradingDay | None:
        """``trading_date``'s session in the calendar (``None`` without one, on a
        day without a session, or outside the coverage)."""
        if not self.calendar:
            return None
        calendar = calendar_named(self.calendar)
        if not calendar.first_date <= trading_date <= calendar.last_date:
            return None
        return calendar.day(trading_date)


US_EQUITY_HOURS = TradingHours("America/New_York", time(9, 30), time(16, 0), "XNYS")
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
    #: Whether day market and limit orders may trade fractions of a lot (to 1e-9).
    fractionable: bool = False
    #: The primary listing exchange (``NASDAQ``, ``NYSE``, …); empty when unknown.
    exchange: str = ""

    def __post_init__(self) -> None:
        # Symbols are upper case everywhere (``aapl`` is ``AAPL``), as Alpaca's API has
        # them: every series, file, sample and synthetic walk gets its symbol here.
        upper = self.symbol.upper()
        if upper != self.symbol:
            object.__setattr__(self, "symbol", upper)

    @property
    def price_decimals(self) -> int:
        """How many decimal places its prices have (2 for a 0.01 tick)."""
        exponent = self.tick_size.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    @classmethod
    def equity(
        cls,
        symbol: str,
        tick_size: str = "0.01",
        *,
        shortable: bool = True,
        fractionable: bool = False,
        exchange: str = "",
    ) -> Instrument:
        """A US equity with whole-share lots (fractional shares where ``fractionable``)."""
        return cls(
            symbol, AssetClass.EQUITY, Decimal(tick_size), Decimal(1), "USD", US_EQUITY_HOURS,
            shortable, fractionable, exchange,
        )  # fmt: skip

    @classmethod
    def fx(cls, symbol: str, tick_size: str = "0.00001") -> Instrument:
        """A currency pair quoted to a tenth of a pip, traded in units of the base currency."""
        quote = symbol[-3:].upper()
        return cls(symbol, AssetClass.FX, Decimal(tick_size), Decimal(1), quote, FX_HOURS)

    @classmethod
    def crypto(cls, symbol: str, tick_size: str = "0.01", lot_size: str = "0.0001") -> Instrument:
        """A crypto pair with fractional lots and a 24-hour UTC day."""
        return cls(
            symbol, AssetClass.CRYPTO, Decimal(tick_size), Decimal(lot_size), "USD", CRYPTO_HOURS
        )


@lru_cache(maxsize=4096)
def _session_close_ns(hours: TradingHours, trading_date: date) -> int:
    moment = datetime.combine(trading_date, hours.close, tzinfo=_zone(hours.timezone))
    return datetime_to_ns(moment)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


_SECOND_NS = 1_000_000_000
_HOUR_NS = 3600 * _SECOND_NS
_DAY_NS = 24 * _HOUR_NS
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _utc_offset_ns(timezone: str, hour: int) -> int:
    # Offsets change on whole UTC hours, and on few days a year: one lookup per
    # day serves every moment of a day without a change; a day with one is
    # resolved hour by hour.
    day_offset = _day_offset_ns(timezone, hour // 24)
    return _hour_offset_ns(timezone, hour) if day_offset is None else day_offset


@lru_cache(maxsize=4096)
def _day_offset_ns(timezone: str, day: int) -> int | None:
    first = _hour_offset_ns(timezone, day * 24)
    return first if first == _hour_offset_ns(timezone, day * 24 + 23) else None


def _hour_offset_ns(timezone: str, hour: int) -> int:
    offset = datetime.fromtimestamp(hour * 3600, tz=_zone(timezone)).utcoffset()
    return 0 if offset is None else int(offset.total_seconds()) * _SECOND_NS
