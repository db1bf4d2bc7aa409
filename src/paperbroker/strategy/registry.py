"""Finding strategies by name: built-ins, or a class in a Python file."""

from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path

from paperbroker.core.errors import InvalidRequest
from paperbroker.strategy.base import Strategy
from paperbroker.strategy.builtin import BuyAndHold, SmaCrossover

BUILTIN_STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls for cls in (SmaCrossover, BuyAndHold)
}


def resolve_strategy(spec: str) -> type[Strategy]:
    """Turn ``sma_crossover`` or ``path/to/file.py:ClassName`` into a strategy class.

    Raises:
        InvalidRequest: for an unknown name, a missing file or class, or a file
            that fails to import (the message names the file and line).
    """
    if spec in BUILTIN_STRATEGIES:
        return BUILTIN_STRATEGIES[spec]
    if ":" not in spec:
        known = ", ".join(sorted(BUILTIN_STRATEGIES))
        raise InvalidRequest(
            f"unknown strategy {spec!r}: use one of {known} or path/to/file.py:ClassName"
        )
    path_text, _, class_name = spec.rpartition(":")
    return _load_from_file(Path(path_text), class_name)


def _load_from_file(path: Path, class_name: str) -> type[Strategy]:
    if not path.is_file():
        raise InvalidRequest(f"strategy file {path} does not exist")
    module_name = f"paperbroker_user_strategy_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise InvalidRequest(f"strategy file {path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        raise InvalidRequest(f"{path}:{error.lineno}: syntax error: {error.msg}") from None
    except Exception as error:  # a user file may raise anything; report where
        line = _user_line(error, path)
        raise InvalidRequest(f"{path}:{line}: {type(error).__name__}: {error}") from None
    candidate = getattr(module, class_name, None)
    if not (isinstance(candidate, type) and issubclass(candidate, Strategy)):
        raise InvalidRequest(f"{path} has no Strategy subclass named {class_name!r}")
    return candidate


def _user_line(error: BaseException, path: Path) -> int | str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == path]
    return frames[-1].lineno or "?" if frames else "?"
