"""``/api/paper-trading``: paper sessions on a live or replayed feed, and their trading.

Paper sessions are sessions like any other (the ``/v1`` verbs work on them
too); this surface creates them on a feed around a strategy or a pipeline,
lists them with their feed's health, steers them one by one or all at once,
and trades their default account.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Self

from fastapi import APIRouter, Query, status
from pydantic import Field, model_validator

from paperbroker.agents.pipeline import standard_pipeline
from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.decimals import CashAmount
from paperbroker.api.deps import Service, SessionIdPath
from paperbroker.api.errors import accepted_or_refused
from paperbroker.api.formats import time_text
from paperbroker.api.responses import (
    InvalidFieldBody,
    OrderPublic,
    PositionPublic,
    ResponseModel,
    SessionPublic,
)
from paperbroker.api.risk_fields import RiskChoice
from paperbroker.api.routes import ORDER_REFUSALS, SESSION_RULES
from paperbroker.api.routes.ab_tests import check_arms
from paperbroker.api.routes.catalog import check_strategy
from paperbroker.api.schemas import (
    _MAX_NAME,
    ExecutionChoice,
    MultiStrategyFields,
    OrderCreate,
    OrderStatusFilter,
    PrintableText,
    RequestModel,
    Symbol,
    upper_symbols,
)
from paperbroker.core.errors import NotFound
from paperbroker.services.paper import FeedView
from paperbroker.services.sessions import SessionService
from paperbroker.services.views import SessionView
from paperbroker.session.lifecycle import SessionState

router = APIRouter(prefix="/api/paper-trading", tags=["paper trading"])


class StrategyRef(RequestModel):
    name: str = Field(min_length=1, max_length=300, examples=["sma_crossover"])
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"fast": 10, "slow": 30}])


class FedSessionCreate(RequestModel):
    """What a session fed in real time is created with: paper and live sessions."""

    name: PrintableText | None = Field(default=None, min_length=1, max_length=_MAX_NAME)
    symbols: list[Symbol] = Field(min_length=1, max_length=50, examples=[["AAPL", "MSFT"]])
    strategy: str | StrategyRef | None = Field(
        default=None, description="A strategy name, or `{name, params}`: the standard pipeline."
    )
    agents: list[dict[str, Any]] | None = Field(
        default=None, description="An explicit pipeline (see docs/agents.md)."
    )
    feed: dict[str, Any] | None = Field(
        default=None,
        examples=[{"type": "replay", "speed": 60}, {"type": "synthetic", "seed": 7}],
        description="`{type: replay|synthetic|alpaca, ...}` (docs/operations.md); default replay.",
    )
    risk: RiskChoice = Field(
        default=None, description="The session's risk rules (docs/risk.md); default: none."
    )
    checkpoint_interval_seconds: float | None = Field(
        default=None, gt=0, le=86_400,
        description="Seconds between the session's checkpoints (docs/recovery.md); default: "
        "the server's `PAPERBROKER_CHECKPOINT_INTERVAL_SECONDS`.",
    )  # fmt: skip

    @model_validator(mode="after")
    def _strategy_or_agents(self) -> Self:
        if self.strategy is not None and self.agents is not None:
            raise ValueError("give strategy or agents, not both")
        return self

    def pipeline(self) -> list[dict[str, Any]] | None:
        if self.agents is not None:
            return upper_symbols(self.agents)
        if self.strategy is None:
            return None
        ref = StrategyRef(name=self.strategy) if isinstance(self.strategy, str) else self.strategy
        return standard_pipeline(ref.name, ref.params, self.symbols, strategy_files=False)

    def check_strategy(self) -> None:
        """A strategy's parameters as it takes them (422 naming ``strategy.params.<name>``)."""
        if isinstance(self.strategy, StrategyRef):
            check_strategy(self.strategy.name, self.strategy.params)


class PaperSessionCreate(MultiStrategyFields, FedSessionCreate):
    """Body of ``POST /api/paper-trading/sessions``."""

    initial_cash: CashAmount = Field(default=Decimal(100_000))
    execution: ExecutionChoice = Field(
        default=None, examples=[{"preset": "equities_realistic"}],
        description="The execution models (default: `equities_realistic`, seed 0).",
    )  # fmt: skip

    @model_validator(mode="after")
    def _arms_alone(self) -> Self:
        self.check_arms(self.strategy, self.agents)
        return self

    def pipeline(self) -> list[dict[str, Any]] | None:
        plan = self.arms_plan(self.initial_cash, self.symbols)
        return super().pipeline() if plan is None else plan.agents

    def default_cash(self) -> Decimal:
        """The default account's cash (an A/B's arms take their shares of ``initial_cash``)."""
        plan = self.arms_plan(self.initial_cash, self.symbols)
        return self.initial_cash if plan is None else plan.default_cash


class FeedPublic(ResponseModel):
    type: str
    connected: bool
    last_bar_at: str | None
    bars: int
    reconnects: int
    stale_seconds: float
    stale: bool
    last_error: str | None

    @classmethod
    def of(cls, view: FeedView) -> FeedPublic:
        return cls(
            type=view.type, connected=view.connected,
            last_bar_at=None if view.last_bar_at is None else time_text(view.last_bar_at),
            bars=view.bars, reconnects=view.reconnects, stale_seconds=round(view.stale_seconds, 3),
            stale=view.stale, last_error=view.last_error,
        )  # fmt: skip


class PaperSessionPublic(SessionPublic):
    """A paper session: the session, its symbols and its feed's health.

    On this surface ``status`` is the lifecycle state (``running``, ``paused``,
    …), as ``state`` is; ``/v1`` keeps its coarse ``active``/``completed``.
    """

    status: str = Field(json_schema_extra={"enum": [s.value for s in SessionState]})
    feed: FeedPublic | None

    @classmethod
    def of_paper(cls, view: SessionView, service: SessionService, owner: str) -> PaperSessionPublic:
        feed = service.feed_view(owner, view.id)
        return cls(
            **{**SessionPublic.of(view).model_dump(), "status": view.state},
            feed=None if feed is None else FeedPublic.of(feed),
        )


class BulkResult(ResponseModel):
    """What a verb did to each session: its new state, or the error."""

    results: dict[str, str]


def session_of_type(service: SessionService, owner: str, session_id: str, kind: str) -> SessionView:
    """The owner's session of type ``kind`` (``paper``, ``live``); NotFound for any other."""
    view = service.get(owner, session_id)
    if view.type != kind:
        raise NotFound(f"{kind} session {session_id} not found")
    return view


def _paper(service: SessionService, owner: str, session_id: str) -> SessionView:
    return session_of_type(service, owner, session_id, "paper")


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    operation_id="createPaperSession",
    summary="Create and start a paper session",
    responses=answers(rules=SESSION_RULES, body=InvalidFieldBody),
)
def create(body: PaperSessionCreate, caller: Owner, service: Service) -> PaperSessionPublic:
    """The session runs at once (``running``) on its feed, its pipeline trading. A strategy
    parameter its strategy refuses is a 422 whose ``field`` names it (``strategy.params.fast``).
    """
    body.check_strategy()
    check_arms(body.strategies)
    view = service.create_paper(
        caller.key_id, name=body.name, symbols=body.symbols, pipeline=body.pipeline(),
        initial_cash=body.default_cash(), execution=body.execution, feed=body.feed,
        risk=body.risk, checkpoint_interval=body.checkpoint_interval_seconds,
    )  # fmt: skip
    return PaperSessionPublic.of_paper(view, service, caller.key_id)


@router.get(
    "/sessions", operation_id="listPaperSessions", summary="List paper sessions",
)  # fmt: skip
def list_sessions(caller: Owner, service: Service) -> list[PaperSessionPublic]:
    return [
        PaperSessionPublic.of_paper(view, service, caller.key_id)
        for view in service.paper_sessions(caller.key_id)
    ]


@router.post(
    "/sessions/pause-all", operation_id="pauseAllPaperSessions",
    summary="Pause every running paper session",
)  # fmt: skip
def pause_all(caller: Owner, service: Service) -> BulkResult:
    return BulkResult(results=service.pause_all(caller.key_id))


@router.post(
    "/sessions/resume-all", operation_id="resumeAllPaperSessions",
    summary="Resume every paused paper session",
)  # fmt: skip
def resume_all(caller: Owner, service: Service) -> BulkResult:
    return BulkResult(results=service.resume_all(caller.key_id))


@router.get(
    "/sessions/{sessionId}", operation_id="getPaperSession", summary="Read a paper session",
)  # fmt: skip
def get_session(session_id: SessionIdPath, caller: Owner, service: Service) -> PaperSessionPublic:
    return PaperSessionPublic.of_paper(
        _paper(service, caller.key_id, session_id), service, caller.key_id
    )


def _verb(name: str, summary: str, doc: str) -> None:
    def handler(session_id: SessionIdPath, caller: Owner, service: Service) -> PaperSessionPublic:
        _paper(service, caller.key_id, session_id)
        verb = {"stop": service.stop, "pause": service.suspend, "resume": service.resume}[name]
        return PaperSessionPublic.of_paper(verb(caller.key_id, session_id), service, caller.key_id)

    handler.__doc__ = doc
    router.post(
        f"/sessions/{{sessionId}}/{name}", operation_id=f"{name}PaperSession", summary=summary,
        name=f"paper_{name}",
    )(handler)  # fmt: skip


_verb("stop", "Stop a paper session", "Cancel its orders, close its positions, end it.")
_verb("pause", "Pause a paper session", "Trading halts; prices keep coming. 409 unless running.")
_verb("resume", "Resume a paper session", "Trading again. 409 unless paused or in error.")


@router.get(
    "/{sessionId}/positions", operation_id="listPaperPositions",
    summary="A paper session's positions",
)  # fmt: skip
def positions(session_id: SessionIdPath, caller: Owner, service: Service) -> list[PositionPublic]:
    view = _paper(service, caller.key_id, session_id)
    held = service.positions(caller.key_id, session_id, view.default_account_id)
    return [PositionPublic.of(p) for p in held]


@router.get(
    "/{sessionId}/orders", operation_id="listPaperOrders", summary="A paper session's orders",
)  # fmt: skip
def orders(
    session_id: SessionIdPath,
    caller: Owner,
    service: Service,
    status_filter: Annotated[OrderStatusFilter, Query(alias="status")] = "all",
) -> list[OrderPublic]:
    """Oldest first, in the order the journal holds them."""
    view = _paper(service, caller.key_id, session_id)
    listed = service.orders(caller.key_id, session_id, view.default_account_id, status_filter)
    return [OrderPublic.of(o) for o in listed]


@router.post(
    "/{sessionId}/orders", operation_id="submitPaperOrder", summary="Submit an order",
    responses=ORDER_REFUSALS,
)  # fmt: skip
def submit(
    session_id: SessionIdPath, body: OrderCreate, caller: Owner, service: Service
) -> OrderPublic:
    """An order for the session's default account; 409 while the session is paused."""
    view = _paper(service, caller.key_id, session_id)
    order = service.submit_order(caller.key_id, session_id, view.default_account_id,
                                 body.to_request())  # fmt: skip
    return OrderPublic.of(accepted_or_refused(order))
