"""The engine's hot path compiled to C, and the guard that keeps a stale build out.

``make env`` compiles :data:`MODULES` (the kernel's bar loop and every step of an
order's life: entry, checks, venue, fills, books) with mypyc, the compiler of
the mypy project: the same type-checked Python source becomes C extension
modules beside it (``kernel.cpython-311-x86_64-linux-gnu.so`` next to
``kernel.py``), which Python imports in its place.  Nothing about the code
changes but its speed; a checkout or an install without a build runs the same
modules from source.

An extension module found beside its source is only used while the build is
current.  The build writes a manifest (``_native.json``): the interpreter it
compiled for, the modules, and every source it read (those modules and the
project's modules they import) with its size, time and SHA-256.  The first
import of one of the modules checks it, and if a source changed since (or the
interpreter differs, or ``PAPERBROKER_NATIVE=0`` is set), every module of the
group loads from source instead: an edit takes effect at once, at the
interpreter's speed, until the next build.  The group goes together because
compiled modules call each other's functions directly in C.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

#: What the build compiles, as one group.
MODULES: tuple[str, ...] = (
    "paperbroker.core.fsm",
    "paperbroker.core.ids",
    "paperbroker.engine.kernel",
    "paperbroker.engine.order_desk",
    "paperbroker.engine.order_entry",
    "paperbroker.engine.pretrade",
    "paperbroker.model.order",
    "paperbroker.model.position",
    "paperbroker.model.values",
    "paperbroker.portfolio.claims",
    "paperbroker.portfolio.portfolio",
    "paperbroker.venue.bar_view",
    "paperbroker.venue.book",
    "paperbroker.venue.fill_maker",
    "paperbroker.venue.venue",
)
#: Set to ``0`` to run every module from source (a profiler or a debugger sees them).
SWITCH = "PAPERBROKER_NATIVE"
#: The directory that holds the ``paperbroker`` package (``src/`` in a checkout).
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(ROOT, "paperbroker", "_native.json")


def abi() -> str:
    """The interpreter an extension module is built for."""
    import sysconfig

    return f"{sys.implementation.cache_tag} {sysconfig.get_config_var('EXT_SUFFIX')}"


def source_path(module: str, root: str = ROOT) -> str:
    return os.path.join(root, *module.split(".")) + ".py"


def extension_path(module: str, root: str = ROOT) -> str:
    import sysconfig

    return os.path.join(root, *module.split(".")) + str(sysconfig.get_config_var("EXT_SUFFIX"))


def fingerprint(path: str) -> list[object]:
    """A source as the manifest records it: ``[size, mtime_ns, sha256]``."""
    import hashlib

    stat = os.stat(path)
    with open(path, "rb") as file:
        digest = hashlib.sha256(file.read()).hexdigest()
    return [stat.st_size, stat.st_mtime_ns, digest]


def why_not_current(manifest: str = MANIFEST, root: str = ROOT) -> str | None:
    """Why the compiled modules under ``root`` must not be used now (the switch, or
    :func:`stale_because`); ``None`` if they may be."""
    if os.environ.get(SWITCH, "1") == "0":
        return f"{SWITCH}=0"
    return stale_because(manifest, root)


def status() -> str:
    """How the hot path runs in this process, for people: compiled, or from source and why."""
    reason = why_not_current()
    return "compiled (mypyc)" if reason is None else f"from source ({reason})"


def stale_because(manifest: str = MANIFEST, root: str = ROOT) -> str | None:
    """Why the build under ``root`` is not current; ``None`` if it is.

    Only the first import of a compiled module asks (not ``import paperbroker``):
    it reads the manifest and stats each source, and reads a source again only
    if its size or time moved (a fresh checkout of the same text).
    """
    import json

    try:
        with open(manifest, encoding="utf-8") as file:
            built = json.load(file)
    except (OSError, ValueError):
        return "not built"
    if built.get("abi") != abi() or tuple(built.get("modules", ())) != MODULES:
        return "built for another interpreter or module list"
    for relative, (size, mtime_ns, digest) in built["sources"].items():
        path = os.path.join(root, relative)
        try:
            stat = os.stat(path)
        except OSError:
            return f"{relative} is gone"
        if stat.st_size == size and stat.st_mtime_ns == mtime_ns:
            continue
        if stat.st_size != size or fingerprint(path)[2] != digest:
            return f"{relative} changed since the build"
    if not all(os.path.isfile(extension_path(module, root)) for module in MODULES):
        return "an extension module is missing"
    return None


class _Guard:
    """A meta-path finder that loads :data:`MODULES` from source unless the build is current.

    It decides at the first import of one of them and answers every later one
    the same way.
    """

    def __init__(self) -> None:
        self.reason: str | None = None
        self._decided = False

    def decide(self) -> str | None:
        if not self._decided:
            self.reason = why_not_current()
            self._decided = True
        return self.reason

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in _NAMES or self.decide() is None:
            return None  # not one of them, or compiled and current: the usual finders
        import importlib.util

        return importlib.util.spec_from_file_location(fullname, source_path(fullname))


_NAMES = frozenset(MODULES)
_guard = _Guard()


def install() -> None:
    """Put the guard first on ``sys.meta_path`` (once)."""
    if _guard not in sys.meta_path:
        sys.meta_path.insert(0, _guard)


def compiled() -> bool:
    """Whether the engine's hot path runs compiled in this process."""
    return _guard.decide() is None
