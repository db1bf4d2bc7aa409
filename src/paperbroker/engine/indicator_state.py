"""How a strategy's registered indicators are written into a checkpoint, and set back.

An indicator's visible series is what the strategy has seen of it: one value
per bar of its instrument so far. Two kinds, restored differently:

* over a backtest's data (bars fixed from the start), the series is a prefix of
  the indicator computed once over the whole history at registration, a pure
  function of the bars: the checkpoint keeps only which instrument it belongs
  to, and the restore cuts the prefix again from the recomputed values;
* over a live feed (bars still arriving), each value was computed as its bar
  closed, over the bars up to it: the checkpoint keeps those values, exactly
  (their bytes), because computing them all at once over the history may
  differ in the last bit from computing them one bar at a time.

The strategy registers its indicators again when the restored kernel starts
(in the same order, at the same places); the restore then checks that they
are the ones the checkpoint names, and sets each series to what it was.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

import numpy as np

from paperbroker.core.snapshot import CheckpointMismatch, pack_array, unpack_array
from paperbroker.strategy.indicators import LiveValues

if TYPE_CHECKING:
    from paperbroker.strategy.indicators import Series

#: An indicator's value per bar row: precomputed (history) or computed on demand (live).
IndicatorValues: TypeAlias = "array[float] | LiveValues"


class Registered(NamedTuple):
    """One indicator a strategy registered: its instrument, its visible series, its values."""

    instrument: int
    visible: Series
    values: IndicatorValues


def indicators_to_state(registered: Sequence[Registered]) -> list[dict[str, Any]]:
    """Each indicator in registration order: its instrument, and a live one's values."""
    return [
        {
            "index": item.instrument,
            "length": len(item.visible),
            "values": pack_array(np.array(item.visible, dtype=np.float64))
            if isinstance(item.values, LiveValues)
            else None,
        }
        for item in registered
    ]


def indicators_from_state(
    registered: Sequence[Registered], state: list[dict[str, Any]], seen: Sequence[int]
) -> None:
    """Set the series of the indicators registered again to what :func:`indicators_to_state`
    wrote (``seen``: how many bars of each instrument have closed).

    Raises:
        CheckpointMismatch: if the strategy registered other indicators than the
            checkpoint's, or a series does not fit the bars.
    """
    if len(state) != len(registered):
        raise CheckpointMismatch(
            f"the strategy registered {len(registered)} indicators, the checkpoint has {len(state)}"
        )
    for item, written in zip(registered, state, strict=True):
        length = int(written["length"])
        live = isinstance(item.values, LiveValues)
        if item.instrument != int(written["index"]) or live != (written["values"] is not None):
            raise CheckpointMismatch("the strategy's indicators differ from the checkpoint's")
        if length != seen[item.instrument]:
            raise CheckpointMismatch("an indicator's series does not fit the bars seen")
        if isinstance(item.values, LiveValues):
            values = array("d", unpack_array(written["values"]).astype(np.float64).tolist())
        else:
            values = item.values[:length]
        if len(values) != length:
            raise CheckpointMismatch("an indicator's series does not fit the bars seen")
        item.visible[:] = values
