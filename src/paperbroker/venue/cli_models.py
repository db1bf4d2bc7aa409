"""Execution models from the command line's short forms, read into the execution schema.

``--commission per_share:0.005:1:10``, ``--slippage-bps 5`` and ``--execution
NAME`` are shorthands for specs of :mod:`paperbroker.venue.schema`: each is
turned into the spec's JSON and read by the same schema as the API's
requests, so a bad number is refused with the same words.
"""

from __future__ import annotations

from typing import Any

from paperbroker.core.errors import InvalidRequest
from paperbroker.venue.commission import FeeModel
from paperbroker.venue.execution import ExecutionConfig, build
from paperbroker.venue.schema import (
    PRESETS,
    FeeSpec,
    FixedBpsSlippageSpec,
    NoSlippageSpec,
    SlippageSpec,
)
from paperbroker.venue.schema_base import read_model
from paperbroker.venue.slippage import SlippageModel

_COMMISSION_FORMS = "none, percent:RATE, per_share:RATE[:MIN[:MAX]] or fixed:AMOUNT"
#: The positional arguments of each commission short form, by model.
_COMMISSION_ARGUMENTS: dict[str, tuple[tuple[str, ...], int]] = {
    "none": ((), 0),
    "percent": (("rate",), 1),
    "per_share": (("per_share", "minimum", "maximum"), 1),
    "fixed": (("amount",), 1),
}


def commission_spec(text: str) -> FeeSpec:
    """``none``, ``percent:0.001``, ``per_share:0.005:1:10`` or ``fixed:1`` as a fee spec.

    Raises:
        InvalidRequest: for any other form, or a bad number (naming it,
            e.g. ``commission.rate: must be a number, got 'x'``).
    """
    kind, *args = [part.strip() for part in text.split(":")]
    kind = kind.lower()
    names, required = _COMMISSION_ARGUMENTS.get(kind, ((), 1))
    if not required <= len(args) <= len(names):
        raise InvalidRequest(f"commission {text!r} is not one of {_COMMISSION_FORMS}")
    fields: dict[str, Any] = {"model": kind, **dict(zip(names, args, strict=False))}
    spec: FeeSpec = read_model(FeeSpec, fields, "commission")
    return spec


def slippage_spec(bps: str) -> SlippageSpec:
    """Fixed slippage of ``bps`` basis points as a slippage spec (``0``: none).

    Raises:
        InvalidRequest: if ``bps`` is not a number from 0 to below 10,000.
    """
    spec: FixedBpsSlippageSpec = read_model(FixedBpsSlippageSpec, {"bps": bps.strip()}, "slippage")
    return spec if spec.bps else NoSlippageSpec()


def parse_commission(text: str) -> FeeModel:
    """The fee model of a ``--commission`` short form (see :func:`commission_spec`)."""
    model: FeeModel = build(commission_spec(text))
    return model


def parse_slippage(bps: str) -> SlippageModel:
    """The slippage model of a ``--slippage-bps`` value (see :func:`slippage_spec`)."""
    model: SlippageModel = build(slippage_spec(bps))
    return model


def parse_execution(name: str) -> ExecutionConfig:
    """The execution preset named by a ``--execution`` flag (any case), with seed 0.

    Raises:
        InvalidRequest: if ``name`` is not one of the presets (the message lists them).
    """
    key = name.strip().lower()
    if key not in PRESETS:
        raise InvalidRequest(f"execution preset {name!r} is not one of {', '.join(PRESETS)}")
    return ExecutionConfig.from_json({"preset": key})
