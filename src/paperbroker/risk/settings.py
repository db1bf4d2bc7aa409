"""A session's risk settings: the one schema of every rule the risk layer enforces.

A session's risk is one JSON document (:class:`RiskSettings`) in groups::

    {"limits": {"max_position_qty": "100", "max_orders_per_minute": 30},
     "safeguards": {"stop_loss_pct": "5"},
     "breakers": {"daily_loss": "2000", "max_drawdown_pct": "10"}}

Every rule is off unless set (``null``).  The API reads requests with these
classes (creation, ``PATCH``, overrides), sessions store them, the journal's
``RiskCommanded`` events carry them, and the OpenAPI document and
``docs/risk.md`` describe them from here, so what the server accepts and
what it enforces cannot drift apart.  Percentages are percent (``5`` is
5 %); money is in the account's currency; times of day are the exchange's
local time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import Field, ValidationError, model_validator

from paperbroker.venue.schema_base import (
    PlainDecimalText,
    Range,
    StrictModel,
    invalid_request,
    parameter,
)

#: A decimal number as the execution schema takes one: a JSON number or a decimal string.
_Number = Annotated[
    Decimal,
    Field(allow_inf_nan=False, gt=-(10**12), lt=10**12, decimal_places=9),
    PlainDecimalText(),
]
#: Above zero (a quantity, a value, a multiple).
Positive = Annotated[_Number, Range(low=0, low_open=True)]
#: A percentage above 0 and at most 100.
Percent = Annotated[_Number, Range(low=0, high=100, low_open=True, interval=True)]
#: A percentage above 0 with no upper bound (exposure can be several times equity).
PercentOver = Annotated[_Number, Range(low=0, low_open=True)]
#: A count, at least 1.
Count = Annotated[int, Field(strict=True), Range(low=1)]
#: Bars to look back over, 2 to 1000.
Lookback = Annotated[int, Field(strict=True), Range(low=2, high=1000, interval=True)]
#: A symbol as the session's instruments spell it.
SymbolName = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9./_-]+$")]
#: A sector as asset metadata names it (``Technology``).
SectorName = Annotated[str, Field(min_length=1, max_length=64)]


class Limits(StrictModel):
    """Pre-trade limits: an order that would break one is denied before it reaches the venue."""

    max_position_qty: Positive | None = parameter(
        "Largest absolute position per symbol after the order fills, in units.", default=None
    )
    max_position_value: Positive | None = parameter(
        "Largest absolute position value per symbol after the order (qty × price).",
        unit="currency", default=None,
    )  # fmt: skip
    max_gross_exposure: Positive | None = parameter(
        "Largest sum of absolute position values after the order.", unit="currency", default=None
    )
    max_net_exposure: Positive | None = parameter(
        "Largest absolute sum of signed position values after the order.",
        unit="currency", default=None,
    )  # fmt: skip
    max_gross_exposure_pct: PercentOver | None = parameter(
        "Largest gross exposure after the order, in percent of equity.", unit="%", default=None
    )
    max_net_exposure_pct: PercentOver | None = parameter(
        "Largest absolute net exposure after the order, in percent of equity.",
        unit="%", default=None,
    )  # fmt: skip
    max_order_qty: Positive | None = parameter("Largest quantity per order.", default=None)
    max_order_value: Positive | None = parameter(
        "Largest order value (qty × limit price, or × last price).", unit="currency", default=None
    )
    max_open_orders: Count | None = parameter(
        "Most working orders at once, across symbols (protective orders aside).", default=None
    )
    max_orders_per_minute: Count | None = parameter(
        "Most orders submitted in any 60 seconds of session time.", default=None
    )
    min_bar_volume: Positive | None = parameter(
        "Smallest volume of the symbol's last bar for an order to be taken (liquidity).",
        default=None,
    )
    max_volume_share_pct: Percent | None = parameter(
        "Largest order quantity, in percent of the symbol's average bar volume over "
        "`volume_lookback` bars.",
        unit="%", default=None,
    )  # fmt: skip
    volume_lookback: Lookback = parameter(
        "Bars the average volume of `max_volume_share_pct` (and liquidity risk) is taken over.",
        unit="bars", default=20,
    )  # fmt: skip
    sector_max_pct: dict[SectorName, Percent] | None = parameter(
        "Largest gross exposure per sector (from asset metadata), in percent of equity.",
        unit="%", default=None,
    )  # fmt: skip


class Blackout(StrictModel):
    """A window of time in which no order is taken (an earnings release, an FOMC day)."""

    start: datetime = parameter("First moment of the window (RFC 3339, with a zone).")
    end: datetime = parameter("Moment the window ends (exclusive).")
    reason: str = Field(default="", max_length=200, description="Why: shown in denials.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("start and end need a time zone")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class Hours(StrictModel):
    """When orders are taken, by the exchange calendar and the session's own windows."""

    regular_hours_only: bool = parameter(
        "Take orders only while the exchange's regular session is open (the exchange "
        "calendar's trading days, holidays and early closes); otherwise orders placed while "
        "the market is closed wait for the next open.",
        default=False,
    )
    start: time | None = parameter(
        "Take orders only from this time of day on (exchange time, HH:MM).", default=None
    )
    end: time | None = parameter(
        "Take orders only before this time of day (exchange time, HH:MM).", default=None
    )
    blackouts: list[Blackout] = Field(
        default_factory=list, max_length=100, description="Windows in which no order is taken."
    )

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("hours.end must be after hours.start")
        return self


class Symbols(StrictModel):
    """What may be traded."""

    enabled: list[SymbolName] | None = Field(
        default=None,
        max_length=1000,
        description="Only these symbols may be traded (null: every symbol of the session).",
    )
    disabled: list[SymbolName] = Field(
        default_factory=list, max_length=1000, description="These symbols may not be traded."
    )
    allow_short: bool = parameter(
        "Whether an order may open or grow a short position.", default=True
    )


class Safeguards(StrictModel):
    """Protective orders on every position, placed at the venue and kept in step with it."""

    stop_loss_pct: Percent | None = parameter(
        "A stop order this far below a long's (above a short's) average entry price.",
        unit="%", default=None,
    )  # fmt: skip
    take_profit_pct: PercentOver | None = parameter(
        "A limit order this far above a long's (below a short's) average entry price.",
        unit="%", default=None,
    )  # fmt: skip
    trailing_stop_pct: Percent | None = parameter(
        "A trailing stop this far from the best price since entry.", unit="%", default=None
    )
    max_holding_minutes: Count | None = parameter(
        "Close a position held this long (session time since it opened).",
        unit="minutes", default=None,
    )  # fmt: skip


class Breakers(StrictModel):
    """Circuit breakers: a trip halts new entries until an operator resets it with a reason."""

    daily_loss: Positive | None = parameter(
        "Trip when equity falls this much below its value at the start of the trading day.",
        unit="currency", default=None,
    )  # fmt: skip
    daily_loss_pct: Percent | None = parameter(
        "The same, in percent of the day's starting equity.", unit="%", default=None
    )
    max_drawdown_pct: Percent | None = parameter(
        "Trip when equity falls this far below its peak, in percent.", unit="%", default=None
    )
    consecutive_losses: Count | None = parameter(
        "Trip after this many losing round trips in a row.", default=None
    )
    volatility_multiple: Positive | None = parameter(
        "Trip when a bar's range (high − low) exceeds this multiple of the average range of "
        "the `volatility_lookback` bars before it.",
        default=None,
    )
    volatility_lookback: Lookback = parameter(
        "Bars the volatility halt averages over.", unit="bars", default=20
    )
    cancel_entries: bool = parameter(
        "Cancel the session's working entry orders when a breaker trips (exits keep working).",
        default=True,
    )


class Scaling(StrictModel):
    """Automated position scaling (opt-in): a multiplier on order quantities that steps up
    after a run of good trading days and down on a breach, never past the limits."""

    enabled: bool = parameter("Scale order quantities by the multiplier.", default=False)
    initial: Positive = parameter("The multiplier to start at.", default=Decimal(1))
    step: Positive = parameter("How much one step moves the multiplier.", default=Decimal("0.25"))
    minimum: Positive = parameter("The multiplier never goes below this.", default=Decimal("0.25"))
    maximum: Positive = parameter("The multiplier never goes above this.", default=Decimal(2))
    window_days: Count = parameter(
        "Trading days of daily returns a step up looks back over.", unit="days", default=5
    )
    min_sharpe: _Number = parameter(
        "Step up when the window's annualised Sharpe ratio is at least this …",
        default=Decimal(1),
    )
    max_drawdown_pct: Percent = parameter(
        "… and its drawdown at most this (percent); a day beyond it steps down.",
        unit="%", default=Decimal(5),
    )  # fmt: skip

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        if not self.minimum <= self.initial <= self.maximum:
            raise ValueError("scaling: minimum ≤ initial ≤ maximum must hold")
        return self


class RiskSettings(StrictModel):
    """Every risk rule of a session, by group; an empty document sets no rule."""

    limits: Limits = Field(default_factory=Limits)
    hours: Hours = Field(default_factory=Hours)
    symbols: Symbols = Field(default_factory=Symbols)
    safeguards: Safeguards = Field(default_factory=Safeguards)
    breakers: Breakers = Field(default_factory=Breakers)
    scaling: Scaling = Field(default_factory=Scaling)

    @classmethod
    def read(cls, value: object, root: str = "risk") -> RiskSettings:
        """``value`` (JSON: a mapping, or ``None`` for no rules) read as settings.

        Raises:
            InvalidRequest: naming the path of what is wrong, e.g.
                ``risk.limits.max_order_qty: must be positive, got -1``.
        """
        if value is None:
            return cls()
        if isinstance(value, RiskSettings):
            return value
        try:
            return cls.model_validate(value)
        except ValidationError as error:
            raise invalid_request(error, root) from None

    def merged(self, changes: Mapping[str, Any], root: str = "risk") -> RiskSettings:
        """These settings with ``changes`` (a partial document) applied group by group:
        a group's keys replace that group's, others are kept; ``null`` turns a rule off.

        Raises:
            InvalidRequest: naming the path of what is wrong.
        """
        current = self.to_json()
        for group, values in changes.items():
            if isinstance(values, Mapping) and isinstance(current.get(group), dict):
                current[group] = {**current[group], **values}
            else:
                current[group] = values
        return RiskSettings.read(current, root)

    def to_json(self) -> dict[str, Any]:
        """The settings as JSON (decimals as strings), as stored and journaled."""
        return self.model_dump(mode="json")

    def active_rules(self) -> list[str]:
        """The names (``group.rule``) of the rules that are set."""
        names = []
        for group in ("limits", "safeguards", "breakers"):
            values = getattr(self, group)
            for name, field in type(values).model_fields.items():
                value = getattr(values, name)
                if value is not None and field.default is None:
                    names.append(f"{group}.{name}")
        hours, symbols = self.hours, self.symbols
        if hours.regular_hours_only:
            names.append("hours.regular_hours_only")
        if hours.start is not None or hours.end is not None:
            names.append("hours.window")
        if hours.blackouts:
            names.append("hours.blackouts")
        if symbols.enabled is not None:
            names.append("symbols.enabled")
        if symbols.disabled:
            names.append("symbols.disabled")
        if not symbols.allow_short:
            names.append("symbols.allow_short")
        if self.scaling.enabled:
            names.append("scaling")
        return names


#: Settings with no rule set: what a session without risk settings runs under.
NO_RULES = RiskSettings()

__all__ = [
    "NO_RULES",
    "Blackout",
    "Breakers",
    "Hours",
    "Limits",
    "RiskSettings",
    "Safeguards",
    "Scaling",
    "Symbols",
]
