"""Finding strategies: built-ins, installed packages' entry points, or a class in a Python file.

A package makes its strategies available by name with an entry point in the
group ``paperbroker.strategies``; in its ``pyproject.toml``::

    [project.entry-points."paperbroker.strategies"]
    breakout = "my_package.strategies:Breakout"

Built-in names come first: an entry point with a built-in's name is ignored.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import traceback
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from paperbroker.core.errors import InvalidRequest
from paperbroker.strategy.base import Strategy
from paperbroker.strategy.builtin import BuyAndHold, SmaCrossover
from paperbroker.strategy.mean_reversion import MeanReversion
from paperbroker.strategy.momentum import Momentum
from paperbroker.strategy.pump import PumpDetection
from paperbroker.strategy.sentiment_momentum import SentimentMomentum

BUILTIN_STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (
        SmaCrossover, BuyAndHold, Momentum, MeanReversion, PumpDetection, SentimentMomentum,
    )
}  # fmt: skip

#: The entry-point group installed packages register their strategies in.
ENTRY_POINT_GROUP = "paperbroker.strategies"


@dataclass(frozen=True)
class StrategyListing:
    """One strategy available by name: its class, or why it cannot be loaded."""

    name: str
    #: ``built-in`` or the distribution that provides it.
    origin: str
    strategy: type[Strategy] | None
    error: str | None = None


def resolve_strategy(spec: str, *, files: bool = True) -> type[Strategy]:
    """Turn ``sma_crossover``, an entry-point name or ``path/to/file.py:ClassName`` into a class.

    Names are looked up among the built-ins first, then among the entry points
    of the group ``paperbroker.strategies`` of the installed distributions.
    With ``files=False`` (a server's sessions: a request must never make the
    server run a file) only names resolve.

    Raises:
        InvalidRequest: for an unknown name, a name two distributions provide,
            a missing file or class, or a file or entry point that fails to
            load (the message names the distribution, entry point, file and line).
    """
    if spec in BUILTIN_STRATEGIES:
        return BUILTIN_STRATEGIES[spec]
    if ":" not in spec:
        found = [ep for ep in _entry_points() if ep.name == spec]
        if not found:
            known = ", ".join(sorted({*BUILTIN_STRATEGIES, *(ep.name for ep in _entry_points())}))
            # A file is offered only where one may be run: not to a server's requests.
            files_too = " or path/to/file.py:ClassName" if files else ""
            raise InvalidRequest(f"unknown strategy {spec[:128]!r}: use one of {known}{files_too}")
        if len(found) > 1:
            providers = ", ".join(sorted(_distribution(ep) for ep in found))
            raise InvalidRequest(f"strategy {spec!r} is provided by several packages: {providers}")
        return load_entry_point(found[0])
    if not files:
        raise InvalidRequest(
            f"strategy {spec[:128]!r}: a server's sessions run strategies by name only; "
            f"install yours as a package with an entry point in the {ENTRY_POINT_GROUP!r} group"
        )
    path_text, _, class_name = spec.rpartition(":")
    return _load_from_file(Path(path_text), class_name)


def available_strategies() -> list[StrategyListing]:
    """Every strategy available by name: built-ins, then entry points, each sorted by name.

    An entry point that fails to load is listed with its error instead of a class.
    """
    listings = [
        StrategyListing(name, "built-in", cls) for name, cls in sorted(BUILTIN_STRATEGIES.items())
    ]
    for ep in sorted(_entry_points(), key=lambda e: (e.name, _distribution(e))):
        if ep.name in BUILTIN_STRATEGIES:
            continue  # shadowed by the built-in of that name
        try:
            listings.append(StrategyListing(ep.name, _distribution(ep), load_entry_point(ep)))
        except InvalidRequest as error:
            listings.append(StrategyListing(ep.name, _distribution(ep), None, str(error)))
    return listings


def load_entry_point(ep: EntryPoint) -> type[Strategy]:
    """Import the class an entry point names and check that it is a :class:`Strategy`.

    Raises:
        InvalidRequest: naming the distribution, the entry point and the file
            and line where loading failed.
    """
    where = f"entry point {ep.name!r} ({ep.value}) of package {_distribution(ep)}"
    try:
        module = importlib.import_module(ep.module)
    except SyntaxError as error:
        raise InvalidRequest(
            f"{where}: {error.filename}:{error.lineno}: syntax error: {error.msg}"
        ) from None
    except Exception as error:  # a package may raise anything on import; report where
        file, line = _origin(error, ep.module)
        raise InvalidRequest(f"{where}: {file}:{line}: {type(error).__name__}: {error}") from None
    module_file = getattr(module, "__file__", None) or ep.module
    if not ep.attr:
        raise InvalidRequest(f"{where}: names module {module_file}, not a Strategy class")
    target: object = module
    for attribute in ep.attr.split("."):
        if not hasattr(target, attribute):
            raise InvalidRequest(f"{where}: {module_file} has no attribute {ep.attr!r}")
        target = getattr(target, attribute)
    if not (isinstance(target, type) and issubclass(target, Strategy)):
        raise InvalidRequest(
            f"{where}: {_defined_at(target, module_file)}: {ep.attr} is not a Strategy subclass"
        )
    return target


def _entry_points() -> list[EntryPoint]:
    return list(entry_points(group=ENTRY_POINT_GROUP))


def _distribution(ep: EntryPoint) -> str:
    dist = ep.dist
    return dist.name if dist is not None else "(unknown)"


def _origin(error: BaseException, module: str) -> tuple[str, int | str]:
    """The file and line an import failed at.

    The deepest frame in the entry point's own package, if any (the line that
    called into a library which then failed), else the deepest frame outside
    the import machinery.
    """
    package = module.partition(".")[0]
    own: tuple[str, int | str] | None = None
    other: tuple[str, int | str] | None = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        file = frame.f_code.co_filename
        name = str(frame.f_globals.get("__name__", ""))
        if name == package or name.startswith(package + "."):
            own = (file, line)
        elif not file.startswith("<frozen") and not name.startswith(("importlib", __name__)):
            other = (file, line)
    return own or other or ("?", "?")


def _defined_at(target: object, fallback: str) -> str:
    try:
        file = inspect.getsourcefile(target)  # type: ignore[arg-type]
        _, line = inspect.getsourcelines(target)  # type: ignore[arg-type]
    except (TypeError, OSError):
        return fallback
    return f"{file}:{line}"


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
