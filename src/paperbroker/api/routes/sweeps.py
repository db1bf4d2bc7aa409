"""``/v1/sweeps``: parameter sweeps run in the background, their progress and results.

A sweep runs one backtest per parameter combination (a grid, or seeded random
samples), optionally walk-forward, on the server's market data; the creating
key owns it (another key's sweep is a 404). See docs/sweeps.md.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, status
from pydantic import Field, model_validator

from paperbroker.analytics.metrics import Metrics
from paperbroker.api.access import Owner
from paperbroker.api.contract import answers
from paperbroker.api.decimals import CashAmount
from paperbroker.api.formats import time_text
from paperbroker.api.responses import ResponseModel, SessionPublic
from paperbroker.api.routes.session_metrics import MetricsPublic, ratio
from paperbroker.api.schemas import (
    ExecutionChoice,
    PrintableText,
    RequestModel,
    Rfc3339Time,
    Symbol,
)
from paperbroker.core.clock import datetime_to_ns
from paperbroker.services.sessions import SessionService
from paperbroker.services.sweeps import Heatmap, SweepService, SweepView
from paperbroker.store.sweeps import StoredResult
from paperbroker.sweep.spec import MAX_RANGE_VALUES, MAX_TASKS, Objective, SweepSpec, read_spec
from paperbroker.venue.execution import ExecutionConfig

router = APIRouter(prefix="/v1/sweeps", tags=["sweeps"])

#: The most workers a server's sweep may ask for.
MAX_WORKERS = 16
MAX_PAGE = 1000
_DEFAULT_CASH = Decimal(100_000)


def _sweeps(request: Request) -> SweepService:
    sweeps = getattr(request.app.state, "sweeps", None)
    if not isinstance(sweeps, SweepService):
        raise TypeError("the application has no sweep service: see api.routes.sweeps.install")
    return sweeps


Sweeps = Annotated[SweepService, Depends(_sweeps)]
SweepIdPath = Annotated[str, Path(alias="sweepId", max_length=64, description="The sweep's id.")]


# -- requests ------------------------------------------------------------------------
ParamValue = int | float | str | bool | None


class SpaceValues(RequestModel):
    """The values a parameter takes."""

    values: list[ParamValue] = Field(min_length=1, max_length=MAX_RANGE_VALUES)


class SpaceRange(RequestModel):
    """``min`` to ``max`` inclusive by ``step`` (default 1 for an integer parameter)."""

    min: float
    max: float
    step: float | None = Field(default=None, gt=0)


class WalkForwardCreate(RequestModel):
    """``folds`` rolling windows, ``in_sample`` of each for choosing the parameters."""

    folds: int = Field(ge=1, le=50)
    in_sample: float = Field(gt=0, lt=1)
    anchored: bool = Field(
        default=False, description="Every in-sample window starts at the period's start."
    )


class SweepCreate(RequestModel):
    """Body of ``POST /v1/sweeps``."""

    name: PrintableText | None = Field(default=None, min_length=1, max_length=200)
    strategy: str = Field(min_length=1, max_length=300, examples=["sma_crossover"])
    symbols: list[Symbol] = Field(min_length=1, max_length=50, examples=[["SPY"]])
    startTime: Rfc3339Time
    endTime: Rfc3339Time
    initialCash: CashAmount = Field(default=_DEFAULT_CASH)
    execution: ExecutionChoice = Field(default=None, description="As a session's.")
    method: Literal["grid", "random"] = "grid"
    space: dict[str, SpaceValues | SpaceRange] = Field(
        min_length=1,
        max_length=20,
        examples=[{"fast": {"min": 5, "max": 20, "step": 5}, "slow": {"values": [30, 50]}}],
    )
    samples: int | None = Field(default=None, ge=1, le=MAX_TASKS)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    objective: Objective = "sharpe"
    walk_forward: WalkForwardCreate | None = None
    workers: int = Field(default=1, ge=1, le=MAX_WORKERS)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.endTime <= self.startTime:
            raise ValueError("endTime must be after startTime")
        if self.method == "random" and self.samples is None:
            raise ValueError("a random sweep needs samples")
        return self

    def to_spec(self) -> SweepSpec:
        """The sweep's specification (times in epoch ns, execution in its JSON form).

        Raises:
            InvalidRequest: for what the specification refuses beyond this schema.
        """
        execution = None if self.execution is None else ExecutionConfig.from_json(self.execution)
        return read_spec(
            {
                "name": self.name,
                "strategy": self.strategy,
                "symbols": list(self.symbols),
                "start_ns": datetime_to_ns(self.startTime),
                "end_ns": datetime_to_ns(self.endTime),
                "initial_cash": self.initialCash,
                "execution": None if execution is None else execution.to_json(),
                "method": self.method,
                "space": {k: v.model_dump(exclude_none=True) for k, v in self.space.items()},
                "samples": self.samples,
                "seed": self.seed,
                "objective": self.objective,
                "walk_forward": None
                if self.walk_forward is None
                else self.walk_forward.model_dump(),
                "workers": self.workers,
            }
        )


# -- answers -------------------------------------------------------------------------
class SweepWindowPublic(ResponseModel):
    phase: Literal["full", "in_sample", "out_of_sample"]
    start: str
    end: str


class SweepResultPublic(ResponseModel):
    idx: int
    fold: int
    params: dict[str, Any]
    window: SweepWindowPublic
    score: str | None = Field(description="The objective, a decimal string (null: undefined).")
    metrics: MetricsPublic | None = Field(
        description="The run's metrics, as GET /v1/sessions/{id}/metrics writes them; null when "
        "it did not run."
    )
    fills_digest: str
    error: str | None = Field(description="Why it did not run (a combination refused).")

    @classmethod
    def of(cls, result: StoredResult) -> SweepResultPublic:
        window = result.window
        return cls(
            idx=result.idx,
            fold=result.fold,
            params=result.params,
            window=SweepWindowPublic(
                phase=window["phase"],
                start=time_text(int(window["start_ns"])),
                end=time_text(int(window["end_ns"])),
            ),
            score=None if result.score is None else ratio(result.score),
            metrics=MetricsPublic.of(Metrics.from_dict(result.metrics)) if result.metrics else None,
            fills_digest=result.fills_digest,
            error=result.error,
        )


class SweepPublic(ResponseModel):
    id: str
    name: str
    strategy: str
    status: Literal["queued", "running", "completed", "failed", "cancelled"]
    total: int
    done: int
    eta_seconds: str | None = Field(description="Seconds left, estimated (null: not yet known).")
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    spec: dict[str, Any]
    best: SweepResultPublic | None
    walk_forward: dict[str, Any] | None = Field(
        description="Per fold: the best in-sample parameters, their in-sample and "
        "out-of-sample objective and annualized return; and the walk-forward efficiency."
    )

    @classmethod
    def of(cls, view: SweepView) -> SweepPublic:
        r = view.record
        return cls(
            id=r.id,
            name=r.name,
            strategy=r.strategy,
            status=r.status,  # type: ignore[arg-type]  # one of the five
            total=r.total,
            done=r.done,
            eta_seconds=None if view.eta_seconds is None else ratio(round(view.eta_seconds, 1)),
            created_at=time_text(r.created_at),
            started_at=None if r.started_at is None else time_text(r.started_at),
            finished_at=None if r.finished_at is None else time_text(r.finished_at),
            error=r.error,
            spec=r.spec,
            best=None if view.best is None else SweepResultPublic.of(view.best),
            walk_forward=view.walk_forward,
        )


class SweepsPublic(ResponseModel):
    items: list[SweepPublic]


class SweepResultsPublic(ResponseModel):
    items: list[SweepResultPublic]
    total: int


class HeatmapAxis(ResponseModel):
    name: str
    values: list[Any]


class HeatmapPublic(ResponseModel):
    x: HeatmapAxis
    y: HeatmapAxis
    metric: str
    cells: list[list[str | None]] = Field(
        description="cells[i][j]: the best value with y = y.values[i] and x = x.values[j]."
    )

    @classmethod
    def of(cls, heatmap: Heatmap) -> HeatmapPublic:
        return cls(
            x=HeatmapAxis(name=heatmap.x, values=heatmap.x_values),
            y=HeatmapAxis(name=heatmap.y, values=heatmap.y_values),
            metric=heatmap.metric,
            cells=[[None if v is None else ratio(v) for v in row] for row in heatmap.cells],
        )


# -- routes --------------------------------------------------------------------------
@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="createSweep",
    summary="Start a parameter sweep",
    responses=answers(
        rules=[
            "a known strategy and symbols with bars in the period",
            "every swept parameter the strategy's, each value of its type and in its bounds",
            "a step for a float range of a grid",
            f"at most {MAX_TASKS:,} backtests",
        ]
    ),
)
def create_sweep(body: SweepCreate, caller: Owner, sweeps: Sweeps) -> SweepPublic:
    """Check the sweep and start it in the background: ``202`` with the sweep ``queued``
    or ``running``; follow it with ``GET /v1/sweeps/{sweepId}`` or the ``sweeps`` topic of
    ``/ws``."""
    return SweepPublic.of(sweeps.create(caller.key_id, body.to_spec()))


@router.get("", operation_id="listSweeps", summary="List your sweeps")
def list_sweeps(caller: Owner, sweeps: Sweeps) -> SweepsPublic:
    """The caller's sweeps, newest first."""
    return SweepsPublic(items=[SweepPublic.of(v) for v in sweeps.list(caller.key_id)])


@router.get("/{sweepId}", operation_id="getSweep", summary="Read a sweep")
def get_sweep(sweep_id: SweepIdPath, caller: Owner, sweeps: Sweeps) -> SweepPublic:
    """Its status, progress (``done`` of ``total``, ``eta_seconds``) and best result."""
    return SweepPublic.of(sweeps.get(caller.key_id, sweep_id))


@router.get("/{sweepId}/results", operation_id="listSweepResults", summary="A sweep's results")
def list_results(
    sweep_id: SweepIdPath,
    caller: Owner,
    sweeps: Sweeps,
    sort: Annotated[Literal["score", "idx"], Query()] = "score",
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_TASKS * 2)] = 0,
) -> SweepResultsPublic:
    """A page of its results; by score, results without one come last."""
    page, total = sweeps.results(
        caller.key_id, sweep_id, sort=sort, descending=order == "desc", limit=limit, offset=offset
    )
    return SweepResultsPublic(items=[SweepResultPublic.of(r) for r in page], total=total)


@router.get(
    "/{sweepId}/heatmap",
    operation_id="getSweepHeatmap",
    summary="A metric over two swept parameters",
    responses=answers(rules=["x and y given, two different swept parameters"]),
)
def heatmap(
    sweep_id: SweepIdPath,
    caller: Owner,
    sweeps: Sweeps,
    x: Annotated[str | None, Query(min_length=1, max_length=100, description="Required.")] = None,
    y: Annotated[str | None, Query(min_length=1, max_length=100, description="Required.")] = None,
    metric: Annotated[
        str | None,
        Query(min_length=1, max_length=100, description="A metric's name (default: the score)."),
    ] = None,
) -> HeatmapPublic:
    """Each cell is the best value over the other parameters (out-of-sample runs left out)."""
    return HeatmapPublic.of(sweeps.heatmap(caller.key_id, sweep_id, x, y, metric))


@router.delete(
    "/{sweepId}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteSweep",
    summary="Cancel a sweep, or delete a finished one",
)
def delete_sweep(sweep_id: SweepIdPath, caller: Owner, sweeps: Sweeps) -> None:
    sweeps.delete(caller.key_id, sweep_id)


@router.post(
    "/{sweepId}/results/{idx}/session",
    status_code=status.HTTP_201_CREATED,
    operation_id="createSessionFromSweepResult",
    summary="A backtest session with a result's parameters",
    responses=answers(rules=["a result that ran (no error)"]),
)
def session_from_result(
    sweep_id: SweepIdPath,
    idx: Annotated[int, Path(ge=0, le=MAX_TASKS * 2)],
    caller: Owner,
    sweeps: Sweeps,
) -> SessionPublic:
    """A new backtest session running the strategy with that result's parameters over its
    window, run to its end."""
    return SessionPublic.of(sweeps.session_from(caller.key_id, sweep_id, idx))


def install(app: FastAPI, service: SessionService, *, resume: bool = False) -> SweepService:
    """Mount ``/v1/sweeps`` on ``app`` with one :class:`SweepService`; with ``resume``,
    resume the sweeps a previous run of the server left under way."""
    sweeps = SweepService(service)
    app.state.sweeps = sweeps
    app.include_router(router)
    if resume:
        sweeps.resume_all()
    return sweeps
