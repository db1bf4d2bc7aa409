"""A sweep expanded into tasks: one backtest each, a parameter set on one window.

A grid is the Cartesian product of every parameter's values, in the order the
space names them (the last varies fastest). A random sweep draws ``samples``
combinations with a generator seeded by the spec's ``seed``: from the grid
without replacement when every parameter has a finite list of values (at most
the grid's size), else each parameter independently (a float range without a
step uniformly between its bounds). The same spec always plans the same tasks.

With walk-forward, the period splits into ``folds`` windows (see
:class:`~paperbroker.sweep.spec.WalkForward`); the in-sample tasks of every fold
are planned here, the out-of-sample runs once the best parameters of each fold
are known (:func:`out_of_sample_tasks`).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from paperbroker.core.errors import InvalidRequest
from paperbroker.sweep.spec import MAX_TASKS, ParamValue, SweepSpec, ValueRange, WalkForward

Phase = Literal["full", "in_sample", "out_of_sample"]
FULL: Final = "full"
IN_SAMPLE: Final = "in_sample"
OUT_OF_SAMPLE: Final = "out_of_sample"


@dataclass(frozen=True, slots=True)
class Window:
    """The bars a task runs on: those closing in ``[start_ns, end_ns]``."""

    phase: str
    start_ns: int
    end_ns: int


@dataclass(frozen=True, slots=True)
class Task:
    """One backtest of a sweep. ``idx`` is unique in the sweep; ``fold`` 0 without walk-forward."""

    idx: int
    fold: int
    params: dict[str, Any]
    window: Window


def combinations(
    spec: SweepSpec, values: dict[str, list[ParamValue] | None]
) -> list[dict[str, Any]]:
    """The parameter sets of ``spec``, given each parameter's checked values.

    Raises:
        InvalidRequest: for more than :data:`MAX_TASKS` combinations.
    """
    names = list(values)
    if spec.method == "grid":
        lists = [values[n] or [] for n in names]
        total = 1
        for column in lists:
            total *= len(column)
        if total > MAX_TASKS:
            raise InvalidRequest(f"the grid has {total:,} combinations, over {MAX_TASKS:,}")
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*lists)]
    samples = spec.samples or 1
    rng = random.Random(spec.seed)  # noqa: S311 - a seeded draw, not security
    finite = [values[n] for n in names]
    if all(column is not None for column in finite):
        lists = [column or [] for column in finite]
        sizes = [len(column) for column in lists]
        total = 1
        for size in sizes:
            total *= size
        picks = sorted(rng.sample(range(total), min(samples, total)))
        return [_nth(names, lists, sizes, pick) for pick in picks]
    out: list[dict[str, Any]] = []
    for _ in range(samples):
        combo: dict[str, Any] = {}
        for name in names:
            drawn = values[name]
            if drawn is not None:
                combo[name] = drawn[rng.randrange(len(drawn))]
            else:
                dimension = spec.space[name]
                assert isinstance(dimension, ValueRange)
                combo[name] = rng.uniform(dimension.min, dimension.max)
        out.append(combo)
    return out


def _nth(
    names: list[str], lists: list[list[ParamValue]], sizes: list[int], n: int
) -> dict[str, Any]:
    combo: dict[str, Any] = {}
    for name, column, size in zip(reversed(names), reversed(lists), reversed(sizes), strict=True):
        n, i = divmod(n, size)
        combo[name] = column[i]
    return {name: combo[name] for name in names}


def folds(start_ns: int, end_ns: int, walk: WalkForward) -> list[tuple[Window, Window]]:
    """Each fold's in-sample and out-of-sample windows over ``[start_ns, end_ns]``.

    Rolling: a window is ``span / (1 + (folds - 1) * (1 - in_sample))`` long
    and the windows slide by their out-of-sample part, the last ending at
    ``end_ns``. Anchored: the same out-of-sample windows, each in-sample from
    ``start_ns``. An out-of-sample window starts 1 ns after its in-sample end:
    the two never share a bar, nor do two out-of-sample windows.

    Raises:
        InvalidRequest: if a window would be shorter than 2 ns.
    """
    span = end_ns - start_ns
    length = span / (1 + (walk.folds - 1) * (1 - walk.in_sample))
    oos = length * (1 - walk.in_sample)
    # Each window ends where the next one's in-sample part does: one rounding for both.
    splits = [start_ns + round(k * oos + length * walk.in_sample) for k in range(walk.folds)]
    out: list[tuple[Window, Window]] = []
    for k in range(walk.folds):
        window_start = start_ns + round(k * oos)
        split = splits[k]
        window_end = end_ns if k == walk.folds - 1 else splits[k + 1]
        if split - window_start < 2 or window_end - split < 2:
            raise InvalidRequest("walk_forward: the period is too short for that many folds")
        is_start = start_ns if walk.anchored else window_start
        out.append(
            (Window(IN_SAMPLE, is_start, split), Window(OUT_OF_SAMPLE, split + 1, window_end))
        )
    return out


def tasks(
    spec: SweepSpec, combos: Sequence[dict[str, Any]], start_ns: int, end_ns: int
) -> list[Task]:
    """The tasks to run first: every combination on the full window, or on each fold's
    in-sample window (fold-major: fold 0's combinations, then fold 1's, ...)."""
    if spec.walk_forward is None:
        window = Window(FULL, start_ns, end_ns)
        return [Task(i, 0, dict(c), window) for i, c in enumerate(combos)]
    planned: list[Task] = []
    for fold, (in_sample, _) in enumerate(folds(start_ns, end_ns, spec.walk_forward)):
        first = len(planned)
        planned += [Task(first + i, fold, dict(c), in_sample) for i, c in enumerate(combos)]
    if len(planned) > MAX_TASKS:
        raise InvalidRequest(f"the sweep has {len(planned):,} backtests, over {MAX_TASKS:,}")
    return planned


def out_of_sample_tasks(
    spec: SweepSpec, start_ns: int, end_ns: int, best: dict[int, dict[str, Any]], first_idx: int
) -> list[Task]:
    """The out-of-sample run of each fold's best parameters (``best``: by fold), numbered
    from ``first_idx`` on; a fold without a best (every run failed) has none."""
    assert spec.walk_forward is not None
    windows = folds(start_ns, end_ns, spec.walk_forward)
    out: list[Task] = []
    for fold, (_, oos) in enumerate(windows):
        if fold in best:
            out.append(Task(first_idx + len(out), fold, dict(best[fold]), oos))
    return out


def total_tasks(spec: SweepSpec, combos: int) -> int:
    """How many backtests the sweep runs at most (with walk-forward: one more per fold)."""
    if spec.walk_forward is None:
        return combos
    return (combos + 1) * spec.walk_forward.folds
