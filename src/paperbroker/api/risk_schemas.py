"""The JSON of a session's risk layer on /v1: what the risk routes read and answer.

The rules themselves have one schema, :class:`~paperbroker.risk.settings.RiskSettings`:
a session's ``risk`` at creation, the ``settings`` of a change or an
override, and the ``settings``/``effective`` of the view are all that
document. A change is partial: the groups and rules it names change, the
others stay; ``null`` turns a rule off. Money is a decimal string, times
RFC 3339 UTC; percentages are percent (``5`` is 5 %).

An invalid rule is a 422 whose message and ``field`` name its path
(``risk.limits.max_order_qty: must be positive, got -1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Final, Literal, Self

from pydantic import Field, PlainValidator, model_validator

from paperbroker.api.decimals import Minutes, Percentage
from paperbroker.api.errors import ApiError
from paperbroker.api.formats import decimal_text, text_or_none, time_text
from paperbroker.api.responses import ResponseModel
from paperbroker.api.schemas import PrintableText, RequestModel, Rfc3339Time
from paperbroker.core.clock import datetime_to_ns
from paperbroker.risk.settings import RiskSettings
from paperbroker.services.risk import (
    AuditEntry,
    AuditPage,
    EmergencyFailure,
    EmergencyOutcome,
    OverviewRow,
    RiskState,
)

#: The longest reason an action takes (it is journaled and audited with it).
MAX_REASON: Final = 500


def _partial(value: object) -> dict[str, Any]:
    # A partial document: the service merges it into the session's settings, which
    # reads the result whole (settings.limits.x: ...); here only its form is checked.
    if not isinstance(value, Mapping):
        raise ApiError(422, "settings: must be an object", details={"field": "settings"})
    groups = set(RiskSettings.model_fields)
    for group in value:
        if group not in groups:
            raise ApiError(
                422,
                f"settings.{str(group)[:64]}: not a group of the risk settings "
                f"({', '.join(sorted(groups))})",
                details={"field": f"settings.{str(group)[:64]}"},
            )
    return dict(value)


#: A change to a session's risk settings: the groups and rules it names.
RiskChanges = Annotated[
    dict[str, Any], PlainValidator(_partial, json_schema_input_type=RiskSettings)
]
Reason = Annotated[PrintableText, Field(max_length=MAX_REASON)]


class RiskChange(RequestModel):
    """Body of ``PATCH /v1/sessions/{sessionId}/risk``."""

    settings: RiskChanges = Field(
        description="The groups and rules to change; the others stay. `null` turns a rule off.",
        examples=[{"limits": {"max_position_qty": "100"}, "breakers": {"daily_loss": "2000"}}],
    )
    reason: Reason = Field(
        min_length=1, description="Why: journaled and audited with the change.",
        examples=["tighter limits before earnings"],
    )  # fmt: skip


class RiskOverrideCreate(RequestModel):
    """Body of ``POST /v1/sessions/{sessionId}/risk/override``: rules that replace the
    session's for a while, then lapse by themselves."""

    settings: RiskChanges = Field(
        description="The rules in force until the override lapses, over the session's own.",
        examples=[{"limits": {"max_position_qty": "500"}}],
    )
    until: Rfc3339Time | None = Field(
        default=None, description="The session time it lapses at (RFC 3339)."
    )
    minutes: Minutes | None = Field(
        default=None, description="Or: it lapses this many minutes of session time from now."
    )
    reason: Reason = Field(min_length=1, description="Why: journaled and audited.")

    @model_validator(mode="after")
    def _one_end(self) -> Self:
        if (self.until is None) == (self.minutes is None):
            raise ValueError("give until or minutes, one of them")
        return self

    @property
    def until_ns(self) -> int | None:
        return None if self.until is None else datetime_to_ns(self.until)


class ReasonBody(RequestModel):
    """Body of an action that needs only a reason (a breaker's reset)."""

    reason: Reason = Field(min_length=1, description="Why: journaled and audited.")


#: The controls (:data:`~paperbroker.services.risk.EMERGENCY_ACTIONS`).
EmergencyAction = Literal["cancel_all", "close_all", "kill", "reduce", "tighten_stops"]


class EmergencyRequest(RequestModel):
    """Body of the emergency controls: what to do, and why.

    ``cancel_all`` cancels every working order; ``close_all`` closes every
    position at market; ``kill`` does both and halts new entries until the
    ``kill_switch`` breaker is reset; ``reduce`` cuts every position by
    ``percent``; ``tighten_stops`` moves every protective stop ``percent``
    closer to the price.
    """

    action: EmergencyAction
    percent: Percentage | None = Field(
        default=None, examples=["50"],
        description="For `reduce` and `tighten_stops` (required there): how much, in percent.",
    )  # fmt: skip
    reason: Reason = Field(default="", description="Why: journaled and audited.")


# -- answers ------------------------------------------------------------------------


class OverridePublic(ResponseModel):
    """Rules in force over the session's own until ``until`` (session time)."""

    settings: RiskSettings
    until: str


class BreakerPublic(ResponseModel):
    """A circuit breaker: whether it tripped, when, and what it saw."""

    name: str = Field(examples=["daily_loss"])
    tripped: bool
    tripped_at: str | None = Field(description="The session time it tripped.")
    value: str | None
    limit: str | None
    message: str


class UsagePublic(ResponseModel):
    """How much of a limit is used: ``value`` against ``limit`` (``ratio`` 1 is the limit)."""

    rule: str = Field(examples=["limits.max_gross_exposure"])
    value: str
    limit: str
    ratio: str


class ExposurePositionPublic(ResponseModel):
    """A position as the risk layer sees it."""

    symbol: str
    qty: str
    value: str = Field(description="Signed market value.")
    weight_pct: str = Field(description="Absolute value in percent of equity.")
    sector: str | None
    days_to_exit: str | None = Field(
        description="Days of average volume (the `volume_lookback` bars) closing it would take."
    )
    stop_price: str | None = Field(description="Its protective stop's price, if it has one.")
    stop_distance_pct: str | None
    held_over_close: bool = Field(description="Whether it is held over the market's close.")


class SectorPublic(ResponseModel):
    sector: str
    gross: str
    pct: str | None
    limit_pct: str | None


class ExposurePublic(ResponseModel):
    """The session's exposure, all accounts summed."""

    equity: str
    gross: str
    net: str
    gross_pct: str | None
    net_pct: str | None
    positions: list[ExposurePositionPublic]
    sectors: list[SectorPublic]


class CorrelationPublic(ResponseModel):
    """Correlations of the held symbols' returns, and how many independent bets they make."""

    symbols: list[str]
    matrix: list[list[str | None]]
    effective_bets: str | None


class GapRiskPublic(ResponseModel):
    """What is held over the close (exposed to a gap at the next open)."""

    overnight_exposure: str
    pct: str | None


class DenialPublic(ResponseModel):
    """An order the risk layer refused."""

    ts: str
    order_id: str
    symbol: str
    rule: str = Field(examples=["limits.max_position_qty"])
    limit: str
    value: str
    message: str


class ScalingPublic(ResponseModel):
    enabled: bool
    multiplier: str


class RiskView(ResponseModel):
    """A session's risk: its rules, what is in force now, breakers, usage and exposure."""

    session_id: str
    settings: RiskSettings = Field(description="The session's own rules.")
    effective: RiskSettings = Field(description="What is enforced now (an override applied).")
    override: OverridePublic | None
    halted: bool = Field(description="Whether new entries are halted (a breaker tripped).")
    breakers: list[BreakerPublic]
    usage: list[UsagePublic]
    exposure: ExposurePublic
    correlation: CorrelationPublic
    gap_risk: GapRiskPublic
    denials: list[DenialPublic] = Field(description="The latest denials, newest last.")
    scaling: ScalingPublic

    @classmethod
    def of(cls, state: RiskState) -> RiskView:
        snapshot, report = state.snapshot, state.report
        exposure = report.exposure
        override = state.override
        return cls(
            session_id=state.session_id,
            settings=state.settings,
            effective=state.effective,
            override=None
            if override is None
            else OverridePublic(settings=override[0], until=time_text(override[1])),
            halted=snapshot.halted,
            breakers=[
                BreakerPublic(
                    name=b.name,
                    tripped=b.tripped,
                    tripped_at=None if not b.tripped or b.ts is None else time_text(b.ts),
                    value=b.value or None,
                    limit=b.limit or None,
                    message=b.message,
                )
                for b in snapshot.breakers
            ],
            usage=[
                UsagePublic(
                    rule=u.rule,
                    value=decimal_text(u.value),
                    limit=decimal_text(u.limit),
                    ratio=decimal_text(u.ratio),
                )
                for u in report.usage
            ],
            exposure=ExposurePublic(
                equity=decimal_text(exposure.equity),
                gross=decimal_text(exposure.gross),
                net=decimal_text(exposure.net),
                gross_pct=text_or_none(exposure.gross_pct),
                net_pct=text_or_none(exposure.net_pct),
                positions=[
                    ExposurePositionPublic(
                        symbol=p.symbol,
                        qty=decimal_text(p.qty),
                        value=decimal_text(p.value),
                        weight_pct=decimal_text(p.weight_pct),
                        sector=p.sector,
                        days_to_exit=_float_text(p.days_to_exit),
                        stop_price=text_or_none(p.stop_price),
                        stop_distance_pct=text_or_none(p.stop_distance_pct),
                        held_over_close=p.held_over_close,
                    )
                    for p in exposure.positions
                ],
                sectors=[
                    SectorPublic(
                        sector=s.sector,
                        gross=decimal_text(s.gross),
                        pct=text_or_none(s.pct),
                        limit_pct=text_or_none(s.limit_pct),
                    )
                    for s in report.sectors
                ],
            ),
            correlation=CorrelationPublic(
                symbols=list(report.correlation.symbols),
                matrix=[[_float_text(c) for c in row] for row in report.correlation.matrix],
                effective_bets=_float_text(report.correlation.effective_bets),
            ),
            gap_risk=GapRiskPublic(
                overnight_exposure=decimal_text(report.gap_risk.overnight_exposure),
                pct=text_or_none(report.gap_risk.pct),
            ),
            denials=[
                DenialPublic(
                    ts=time_text(d.ts),
                    order_id=d.order_id,
                    symbol=d.symbol,
                    rule=d.rule,
                    limit=d.limit,
                    value=d.value,
                    message=d.message,
                )
                for d in snapshot.denials
            ],
            scaling=ScalingPublic(
                enabled=state.effective.scaling.enabled,
                multiplier=decimal_text(snapshot.multiplier),
            ),
        )


def _float_text(value: float | None) -> str | None:
    """A statistic (a correlation, days of volume) as a decimal string of 6 places at most."""
    if value is None:
        return None
    return decimal_text(Decimal(f"{value:.6f}").normalize())


class EmergencyResult(ResponseModel):
    """What an emergency control did to a session: the orders it canceled and submitted."""

    session_id: str
    action: str
    canceled: list[str]
    submitted: list[str]
    message: str

    @classmethod
    def of(cls, done: EmergencyOutcome) -> EmergencyResult:
        outcome = done.outcome
        return cls(
            session_id=done.session_id, action=outcome.action,
            canceled=list(outcome.canceled), submitted=list(outcome.submitted),
            message=outcome.message,
        )  # fmt: skip


class EmergencyFailed(ResponseModel):
    """A session the control could not act on, and why (the error's code and message)."""

    session_id: str
    code: int
    message: str

    @classmethod
    def of(cls, failure: EmergencyFailure) -> EmergencyFailed:
        return cls(session_id=failure.session_id, code=failure.code, message=failure.message)


class EmergencyAllResult(ResponseModel):
    """What an emergency control did to every session of the key."""

    results: list[EmergencyResult]
    failed: list[EmergencyFailed]


class RiskOverviewRow(ResponseModel):
    """One session's risk at a glance."""

    session_id: str
    name: str
    type: str
    state: str
    halted: bool
    tripped: list[str] = Field(description="The breakers that tripped.")
    gross: str
    net: str
    equity: str
    max_usage_ratio: str | None = Field(description="The most used limit's ratio (1: at it).")
    denials_today: int = Field(description="Orders denied since the session's day began.")

    @classmethod
    def of(cls, row: OverviewRow) -> RiskOverviewRow:
        return cls(
            session_id=row.session_id, name=row.name, type=row.type, state=row.state,
            halted=row.halted, tripped=list(row.tripped), gross=decimal_text(row.gross),
            net=decimal_text(row.net), equity=decimal_text(row.equity),
            max_usage_ratio=text_or_none(row.max_usage_ratio), denials_today=row.denials_today,
        )  # fmt: skip


class RiskOverview(ResponseModel):
    """The risk of every session of the key."""

    sessions: list[RiskOverviewRow]


class AuditEntryPublic(ResponseModel):
    """One risk action: who took it, when (wall time), what, why, and how it went."""

    id: int = Field(description="Its place in the key's audit trail (newer: larger).")
    at: str = Field(description="The wall time it was taken (RFC 3339).")
    session_id: str | None
    by: str = Field(description="The id of the key that took it.")
    by_name: str = Field(description="That key's label.")
    action: str
    params: dict[str, Any]
    reason: str
    outcome: str = Field(json_schema_extra={"enum": ["ok", "failed"]})
    message: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryPublic:
        return cls(
            id=entry.id, at=time_text(entry.at), session_id=entry.session_id, by=entry.by,
            by_name=entry.by_name, action=entry.action, params=dict(entry.params),
            reason=entry.reason, outcome=entry.outcome, message=entry.message,
        )  # fmt: skip


class AuditPagePublic(ResponseModel):
    """A page of the audit trail, newest first; ``next`` is the ``before`` of the next page."""

    entries: list[AuditEntryPublic]
    next: int | None

    @classmethod
    def of(cls, page: AuditPage) -> AuditPagePublic:
        return cls(entries=[AuditEntryPublic.of(e) for e in page.entries], next=page.next)
