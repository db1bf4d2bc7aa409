"""The pipeline of a multi-strategy session: several strategies, one data feed and clock.

Two modes (docs/ab-tests.md):

- ``ab``: each strategy (an *arm*) trades its own account, opened when the
  session is created with ``initial cash × weight`` (cents rounded down);
  the session's default account keeps the rest, ``initial cash − Σ arm
  cash`` (0 when the weights sum to 1, as the default equal weights do).
- ``shared``: every strategy trades the default account, which holds all the
  initial cash; each sizes its orders against its sleeve of it
  (:mod:`paperbroker.agents.sleeve`), by the allocation rule.

Weights: a strategy without one shares what the others leave equally, so by
default each of ``n`` strategies weighs ``1/n``; given weights must be in
(0, 1] and sum to at most 1. Labels default to ``a``, ``b``, ``c``…
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from typing import Any, Final, Literal

from paperbroker.agents.sleeve import AllocationRule
from paperbroker.core.errors import InvalidRequest
from paperbroker.strategy.registry import resolve_strategy

Mode = Literal["ab", "shared"]
MIN_ARMS: Final = 2
MAX_ARMS: Final = 8
_CENT: Final = Decimal("0.01")
#: Places a default weight keeps (1/3 is 0.333333333).
_WEIGHT_STEP: Final = Decimal("1e-9")


@dataclass(frozen=True)
class Arm:
    """One strategy of a multi-strategy session, as a client asks for it."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    symbols: Sequence[str] = ()
    weight: Decimal | None = None
    label: str | None = None


@dataclass(frozen=True)
class ArmsPlan:
    """The pipeline's agents and the cash of the default account."""

    agents: list[dict[str, Any]]
    default_cash: Decimal
    weights: list[Decimal]
    labels: list[str]


def arm_weights(given: Sequence[Decimal | None]) -> list[Decimal]:
    """Each arm's weight: the given ones, and the rest shared equally by those without.

    Raises:
        InvalidRequest: for a weight outside (0, 1], given weights over 1 in sum, or
            nothing left for the arms without one.
    """
    for weight in given:
        if weight is not None and not 0 < weight <= 1:
            raise InvalidRequest(f"a strategy's weight must be in (0, 1], got {weight}")
    fixed = sum((w for w in given if w is not None), Decimal(0))
    if fixed > 1:
        raise InvalidRequest(f"the strategies' weights must sum to at most 1, got {fixed}")
    missing = sum(1 for w in given if w is None)
    if not missing:
        return [w for w in given if w is not None]
    share = ((1 - fixed) / missing).quantize(_WEIGHT_STEP, rounding=ROUND_DOWN).normalize()
    if share <= 0:
        raise InvalidRequest("the given weights leave nothing for the strategies without one")
    return [share if w is None else w for w in given]


def arm_labels(arms: Sequence[Arm]) -> list[str]:
    """Each arm's label (``a``, ``b``, … by default).

    Raises:
        InvalidRequest: for two arms with the same label.
    """
    labels = [arm.label or string.ascii_lowercase[i] for i, arm in enumerate(arms)]
    if len(set(labels)) != len(labels):
        raise InvalidRequest(f"the strategies' labels must be unique, got {labels}")
    return labels


def arms_pipeline(
    arms: Sequence[Arm],
    *,
    mode: Mode,
    allocation: AllocationRule,
    initial_cash: Decimal,
    symbols: Sequence[str] = (),
    strategy_files: bool = False,
) -> ArmsPlan:
    """The agents of data → strategies → risk → execution for ``arms`` (see the module doc).

    ``symbols`` are the session's (a paper session's), the default of an arm
    that names none.

    Raises:
        InvalidRequest: for too few or too many arms, bad weights or labels, or a
            strategy that cannot be found.
    """
    if not MIN_ARMS <= len(arms) <= MAX_ARMS:
        raise InvalidRequest(f"give {MIN_ARMS} to {MAX_ARMS} strategies, got {len(arms)}")
    weights = arm_weights([arm.weight for arm in arms])
    labels = arm_labels(arms)
    sentiment = any(resolve_strategy(a.name, files=strategy_files).uses_sentiment for a in arms)
    arm_symbols = [list(arm.symbols or symbols) for arm in arms]
    every = [] if any(not s for s in arm_symbols) else list({s: 0 for a in arm_symbols for s in a})
    agents: list[dict[str, Any]] = [{"type": "data", "name": "data", "symbols": every}]
    if sentiment:
        agents.append({"type": "sentiment", "name": "sentiment"})
    spent = Decimal(0)
    for index, (arm, weight, label) in enumerate(zip(arms, weights, labels, strict=True)):
        config: dict[str, Any] = {"strategy": arm.name, "params": dict(arm.params), "label": label}
        if mode == "ab":
            cash = (initial_cash * weight).quantize(_CENT, rounding=ROUND_DOWN)
            spent += cash
            config.update(account=index + 1, account_cash=str(cash))
        else:
            config.update(weight=str(weight), allocation=allocation)
        agents.append(
            {"type": "strategy", "name": f"strategy-{index + 1}", "symbols": arm_symbols[index],
             "config": config}
        )  # fmt: skip
    agents += [{"type": "risk", "name": "risk"}, {"type": "execution", "name": "execution"}]
    return ArmsPlan(agents, initial_cash - spent, weights, labels)


def arm_accounts(agents: Sequence[Mapping[str, Any]] | None) -> list[Decimal]:
    """The cash of each account a pipeline's strategies ask to be opened with the session
    (``account_cash``), in account order (account 1 first).

    Raises:
        InvalidRequest: if those accounts are not numbered 1, 2, … in order.
    """
    configs = [
        spec.get("config")
        for spec in agents or ()
        if isinstance(spec, Mapping) and spec.get("type") == "strategy"
    ]
    wanted = [
        (config.get("account"), config["account_cash"])
        for config in configs
        if isinstance(config, Mapping) and config.get("account_cash") is not None
    ]
    numbers = [number for number, _ in wanted]
    if numbers != list(range(1, len(wanted) + 1)):
        raise InvalidRequest(
            "strategies with account_cash must trade accounts 1, 2, … in order, "
            f"got accounts {numbers}"
        )
    try:
        return [Decimal(str(cash)) for _, cash in wanted]
    except ArithmeticError:
        raise InvalidRequest("account_cash must be a decimal amount") from None


@dataclass(frozen=True)
class ArmsRequest:
    """What :func:`arms_pipeline` was asked for: the arms, the mode, the allocation rule
    and the session's whole initial cash."""

    arms: list[Arm]
    mode: Mode
    allocation: AllocationRule
    initial_cash: Decimal


#: Places of a weight read back from an arm's cash: fine enough that the cash it gives
#: again, rounded down to the cent, is the cash it was (for any amount a session takes).
_READ_BACK_STEP: Final = Decimal("1e-20")


def arms_request(agents: Sequence[Mapping[str, Any]], default_cash: Decimal) -> ArmsRequest | None:
    """The request :func:`arms_pipeline` made ``agents`` (and left ``default_cash`` in the
    default account) from, or ``None`` for a pipeline it did not make.

    An ``ab`` arm's weight comes back from its account's cash as ``cash / initial cash``,
    rounded up at 20 places: the pipeline it gives is ``agents`` again (checked), with the
    same cash in every account, though the weight may read differently from the one given.
    """
    strategies = [a for a in agents if isinstance(a, Mapping) and a.get("type") == "strategy"]
    configs = [a.get("config") or {} for a in strategies]
    if len(strategies) < MIN_ARMS or any(c.get("label") is None for c in configs):
        return None
    mode: Mode = "ab" if all(c.get("account_cash") is not None for c in configs) else "shared"
    try:
        cash = [Decimal(str(c["account_cash"])) for c in configs] if mode == "ab" else []
        initial = default_cash + sum(cash, Decimal(0))
        if mode == "ab":
            # An arm opened with nothing (a weight too small for a cent) reads back as the
            # smallest weight, which again gives it nothing.
            weights = [
                max(
                    (c / initial).quantize(_READ_BACK_STEP, rounding=ROUND_CEILING), _READ_BACK_STEP
                )
                for c in cash
            ]
        else:
            weights = [Decimal(str(c["weight"])) for c in configs]
        allocation: AllocationRule = (
            "fixed" if mode == "ab" else configs[0].get("allocation", "fixed")
        )
        arms = [
            Arm(str(c["strategy"]), dict(c.get("params") or {}), list(a.get("symbols") or []),
                weight, str(c["label"]))
            for a, c, weight in zip(strategies, configs, weights, strict=True)
        ]  # fmt: skip
        again = arms_pipeline(arms, mode=mode, allocation=allocation, initial_cash=initial)
    except (ArithmeticError, KeyError, InvalidRequest, TypeError, ValueError):
        return None
    if again.agents != list(agents) or again.default_cash != default_cash:
        return None
    return ArmsRequest(arms, mode, allocation, initial)
