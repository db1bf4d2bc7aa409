"""Helpers for error messages about a data source (a file and its columns)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from paperbroker.core.errors import InvalidRequest


def first_null(array: pa.Array, column: str, source: str) -> None:
    """Raise if ``array`` has a missing value, naming the source, column and row.

    Raises:
        InvalidRequest: at the first null (rows count from 1).
    """
    if array.null_count:
        row = int(np.argmax(array.is_null().to_numpy(zero_copy_only=False))) + 1
        raise InvalidRequest(f"{source}: column {column} row {row}: missing value")


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (a parser's error is often long)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
