"""Execution models from short text specs, as the CLI and config files write them."""

from __future__ import annotations

from paperbroker.core.errors import InvalidRequest
from paperbroker.model.values import to_decimal
from paperbroker.venue.commission import (
    CommissionModel,
    FixedCommission,
    NoCommission,
    PercentCommission,
    PerShareCommission,
)
from paperbroker.venue.execution import PRESETS, ExecutionConfig, preset
from paperbroker.venue.slippage import FixedBpsSlippage, NoSlippage, SlippageModel

_COMMISSION_FORMS = "none, percent:RATE, per_share:RATE[:MIN[:MAX]] or fixed:AMOUNT"


def parse_commission(spec: str) -> CommissionModel:
    """``none``, ``percent:0.001``, ``per_share:0.005:1:10`` or ``fixed:1``.

    Raises:
        InvalidRequest: for any other form or a bad number.
    """
    kind, *args = [part.strip() for part in spec.split(":")]
    kind = kind.lower()
    if kind == "none" and not args:
        return NoCommission()
    if kind == "percent" and len(args) == 1:
        return PercentCommission(args[0])
    if kind == "per_share" and 1 <= len(args) <= 3:
        return PerShareCommission(
            args[0],
            minimum=args[1] if len(args) > 1 else "0",
            maximum=args[2] if len(args) > 2 else None,
        )
    if kind == "fixed" and len(args) == 1:
        return FixedCommission(args[0])
    raise InvalidRequest(f"commission {spec!r} is not one of {_COMMISSION_FORMS}")


def parse_slippage(bps: str) -> SlippageModel:
    """Fixed slippage of ``bps`` basis points (``0`` for none).

    Raises:
        InvalidRequest: if ``bps`` is not a non-negative number.
    """
    value = to_decimal(bps, field="slippage bps")
    return NoSlippage() if not value else FixedBpsSlippage(value)


def parse_execution(name: str) -> ExecutionConfig:
    """The execution preset named by a ``--execution`` flag (any case), with seed 0.

    Raises:
        InvalidRequest: if ``name`` is not one of the presets (the message lists them).
    """
    key = name.strip().lower()
    if key not in PRESETS:
        raise InvalidRequest(f"execution preset {name!r} is not one of {', '.join(PRESETS)}")
    return preset(key)
