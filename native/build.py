"""Compile the engine's hot path with mypyc, unless the build in place is current.

    .venv/bin/python native/build.py            # what `make env` runs
    .venv/bin/python native/build.py --force    # build again even if current

The modules are listed in ``src/paperbroker/_native.py``, which also explains
how a stale build is kept out.  This script compiles them into ``build/native``
(mypyc type-checks them first, with the project's mypy settings), puts each
extension module beside its source, and writes the manifest of the sources it
read last, so that a half-finished build is never taken for current.  A
machine without a C compiler gets a warning and runs everything from source.

It never imports ``paperbroker``: the package's extension modules may be
loaded by the process that replaces them, so it loads ``_native.py`` by path,
and each extension module is replaced by a rename (a process that has the old
one mapped keeps it).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import shutil
import sys
import sysconfig
import time
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
BUILD = HERE.parent / "build" / "native"
#: The sources of a build that failed: the same sources are not tried again without --force.
FAILED = BUILD / "failed.json"


def _load_native() -> ModuleType:
    path = SRC / "paperbroker" / "_native.py"
    spec = importlib.util.spec_from_file_location("_paperbroker_native", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


native = _load_native()


def _module_file(name: str) -> Path | None:
    """The source of a ``paperbroker`` module (a package's ``__init__.py``), if there is one."""
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def sources() -> list[Path]:
    """The compiled modules and every project module they import: what mypyc reads of them."""
    found: set[Path] = set()
    for module in native.MODULES:
        path = Path(native.source_path(module))
        found.add(path)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            for name in names:
                if name == "paperbroker" or name.startswith("paperbroker."):
                    file = _module_file(name)
                    if file is not None:
                        found.add(file)
    return sorted(found)


def manifest(paths: list[Path]) -> dict[str, object]:
    return {
        "abi": native.abi(),
        "modules": list(native.MODULES),
        "sources": {str(p.relative_to(SRC)): native.fingerprint(str(p)) for p in paths},
    }


def current(paths: list[Path]) -> bool:
    """Whether the build in place is current and read exactly these sources."""
    try:
        built = json.loads(Path(native.MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    listed = {str(p.relative_to(SRC)) for p in paths}
    return set(built.get("sources", {})) == listed and native.stale_because() is None


def compile_modules() -> list[Path]:
    """Build every module into ``BUILD``; return the extension modules made."""
    from mypyc.build import mypycify  # the build's own dependencies, imported only to build
    from setuptools import Distribution  # type: ignore[import-untyped]

    BUILD.mkdir(parents=True, exist_ok=True)
    os.environ["MYPY_CACHE_DIR"] = str(BUILD / "mypy-cache")  # apart from `make typecheck`'s
    previous = Path.cwd()
    os.chdir(SRC)  # mypyc names modules after their paths from here
    try:
        extensions = mypycify(
            [str(Path(native.source_path(m)).relative_to(SRC)) for m in native.MODULES],
            opt_level="3",
            multi_file=True,  # several C files: the compiler runs on both cores
            target_dir=str(BUILD / "c"),
            group_name="paperbroker",
        )
        dist = Distribution({"name": "paperbroker-native", "ext_modules": extensions})
        command = dist.get_command_obj("build_ext")
        command.build_lib = str(BUILD / "lib")
        command.build_temp = str(BUILD / "temp")
        command.parallel = os.cpu_count() or 1
        dist.run_command("build_ext")
    finally:
        os.chdir(previous)
    return sorted((BUILD / "lib").rglob("*" + str(sysconfig.get_config_var("EXT_SUFFIX"))))


def install(built: list[Path]) -> None:
    """Put each extension module beside its source, each by one rename."""
    for path in built:
        target = SRC / path.relative_to(BUILD / "lib")
        staging = target.with_name(f".{target.name}.new")
        shutil.copyfile(path, staging)
        os.replace(staging, target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="build even if current")
    args = parser.parse_args()
    paths = sources()
    if not args.force and current(paths):
        return 0
    record = manifest(paths)  # the sources as they are now: an edit during the build shows
    if not args.force and _failed_before(record):
        print(
            "warning: the compiled build of these sources failed; paperbroker runs from "
            "source (native/build.py --force tries again)",
            file=sys.stderr,
        )
        return 0
    Path(native.MANIFEST).unlink(missing_ok=True)  # until it is finished, it is not current
    started = time.perf_counter()
    print(f"compiling the engine's hot path ({len(native.MODULES)} modules) with mypyc ...")
    try:
        built = compile_modules()
    except (Exception, SystemExit) as error:  # a compiler missing or failing: from source
        BUILD.mkdir(parents=True, exist_ok=True)
        FAILED.write_text(json.dumps(record))
        first = (str(error).splitlines() or [type(error).__name__])[0]
        print(
            f"warning: the compiled build failed ({first[:300]}); paperbroker runs from source",
            file=sys.stderr,
        )
        return 0
    FAILED.unlink(missing_ok=True)
    install(built)
    Path(native.MANIFEST).write_text(json.dumps(record, indent=1) + "\n")
    print(f"compiled in {time.perf_counter() - started:.0f} s")
    return 0


def _failed_before(record: dict[str, object]) -> bool:
    """Whether a build of exactly these sources, for this interpreter, failed before."""
    try:
        return bool(json.loads(FAILED.read_text()) == record)
    except (OSError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(main())
