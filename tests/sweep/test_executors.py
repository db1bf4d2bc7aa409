"""The same sweep gives the same results in process, on a local pool and on Dask; the bars
reach each worker once."""

from __future__ import annotations

import pytest
from tests.sweep.conftest import sma_spec

from paperbroker.core.errors import InvalidRequest
from paperbroker.data.series import BarSeries
from paperbroker.sweep.executor import DaskExecutor, LocalPool
from paperbroker.sweep.runner import TaskResult
from paperbroker.sweep.sweeper import best_of, prepare, run_sweep, walk_forward_report


def _run(bars: dict[str, BarSeries], executor: object, **changes: object) -> list[TaskResult]:
    results = run_sweep(prepare(sma_spec(**changes), bars), executor, lambda _r: None)  # type: ignore[arg-type]
    return sorted(results, key=lambda r: r.idx)


@pytest.fixture(scope="module")
def in_process(bars: dict[str, BarSeries]) -> list[TaskResult]:
    return _run(bars, LocalPool(1))


def test_in_process_every_combination_runs_and_refusals_are_results(
    in_process: list[TaskResult],
) -> None:
    assert [r.idx for r in in_process] == list(range(9))
    refused = [r for r in in_process if r.error is not None]
    assert [r.params for r in refused] == [
        {"fast": 40, "slow": 20}, {"fast": 40, "slow": 30}, {"fast": 40, "slow": 40},
    ]  # fmt: skip
    assert all(r.score is None and r.fills_digest == "" for r in refused)
    ran = [r for r in in_process if r.error is None]
    assert all(r.score == r.metrics["total_return"] for r in ran)
    assert len({r.fills_digest for r in ran}) == len(ran)
    best = best_of(in_process)
    assert best is not None
    assert best.score == max(r.score for r in ran if r.score is not None)


def test_a_pool_of_two_gives_the_in_process_results_and_loads_the_bars_once_per_worker(
    bars: dict[str, BarSeries], in_process: list[TaskResult]
) -> None:
    pooled = _run(bars, LocalPool(2))
    assert all(a.same_as(b) for a, b in zip(in_process, pooled, strict=True))
    assert len({r.worker for r in pooled}) <= 2
    assert {r.loads for r in pooled} == {1}


def test_a_dask_cluster_gives_the_in_process_results_and_loads_the_bars_once_per_worker(
    bars: dict[str, BarSeries], in_process: list[TaskResult]
) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = _run(bars, DaskExecutor(client=client))
    assert all(a.same_as(b) for a, b in zip(in_process, remote, strict=True))
    assert len({r.worker for r in remote}) <= 2
    assert {r.loads for r in remote} == {1}


def test_an_unreachable_scheduler_is_an_invalid_request() -> None:
    pytest.importorskip("distributed")
    with pytest.raises(InvalidRequest, match="Dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:1")


def test_walk_forward_runs_each_folds_best_out_of_sample_and_reports_both(
    bars: dict[str, BarSeries],
) -> None:
    results = _run(bars, LocalPool(1), walk_forward={"folds": 2, "in_sample": 0.7})
    out = [r for r in results if r.window.phase == "out_of_sample"]
    assert [(r.idx, r.fold) for r in out] == [(18, 0), (19, 1)]
    for r in out:
        chosen = best_of(x for x in results if x.fold == r.fold and x.window.phase == "in_sample")
        assert chosen is not None
        assert r.params == chosen.params
    report = walk_forward_report(results, "total_return")
    assert report is not None
    assert [f["fold"] for f in report["folds"]] == [0, 1]
    ins = [f["in_sample_annual_return"] for f in report["folds"]]
    outs = [f["out_of_sample_annual_return"] for f in report["folds"]]
    assert report["efficiency"] == pytest.approx((sum(outs) / 2) / (sum(ins) / 2))
