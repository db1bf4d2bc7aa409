"""The compiled hot path: used only while its build is current, and all of it or none.

Under ``CI=true`` the build is required: the suite then runs, and so tests,
the compiled modules users run after ``make env``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from paperbroker import _native

SWITCH_OFF = {**os.environ, _native.SWITCH: "0"}


def _where(module: str, env: dict[str, str]) -> str:
    """The file ``module`` is imported from in a fresh interpreter."""
    code = f"import {module} as m; print(m.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="a local checkout may be unbuilt")
def test_ci_runs_the_compiled_hot_path() -> None:
    assert _native.why_not_current() is None
    assert _native.compiled()
    for module in _native.MODULES:
        assert _where(module, dict(os.environ)) == _native.extension_path(module)


def test_the_switch_runs_every_module_from_source() -> None:
    code = "; ".join(
        [
            "import importlib, paperbroker._native as n",
            "files = [importlib.import_module(m).__file__ for m in n.MODULES]",
            "print(files == [n.source_path(m) for m in n.MODULES])",
            "print(n.compiled())",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=SWITCH_OFF, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "False"]


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A tree with the modules' sources, empty extension files and a current manifest
    (and no switch set in the environment)."""
    monkeypatch.delenv(_native.SWITCH, raising=False)
    root = tmp_path / "src"
    sources = {}
    for module in _native.MODULES:
        source = Path(_native.source_path(module, str(root)))
        source.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_native.source_path(module), source)
        Path(_native.extension_path(module, str(root))).write_bytes(b"")
        sources[str(source.relative_to(root))] = _native.fingerprint(str(source))
    manifest = root / "paperbroker" / "_native.json"
    record = {"abi": _native.abi(), "modules": list(_native.MODULES), "sources": sources}
    manifest.write_text(json.dumps(record))
    return root, manifest


def _why(built: tuple[Path, Path]) -> str | None:
    root, manifest = built
    return _native.why_not_current(str(manifest), str(root))


def test_a_current_build_is_used(built: tuple[Path, Path]) -> None:
    assert _why(built) is None


def test_a_source_with_a_new_time_but_the_same_text_keeps_the_build(
    built: tuple[Path, Path],
) -> None:
    root, _ = built
    source = Path(_native.source_path("paperbroker.engine.kernel", str(root)))
    os.utime(source, ns=(1, 1))  # a fresh checkout of the same text
    assert _why(built) is None


def test_an_edited_source_stops_the_build(built: tuple[Path, Path]) -> None:
    root, _ = built
    source = Path(_native.source_path("paperbroker.venue.venue", str(root)))
    text = source.read_text()
    source.write_text(text.replace("def ", "def  ", 1))  # same size would need the digest
    assert _why(built) == "paperbroker/venue/venue.py changed since the build"
    source.write_text(text[:-1] + "#")  # the same size, another text
    os.utime(source, ns=(2, 2))
    assert _why(built) == "paperbroker/venue/venue.py changed since the build"


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda record: record.update(abi="cpython-399 .so"), "another interpreter"),
        (lambda record: record["modules"].pop(), "module list"),
    ],
)
def test_another_interpreter_or_module_list_stops_the_build(
    built: tuple[Path, Path], spoil: Callable[[dict[str, Any]], object], reason: str
) -> None:
    _, manifest = built
    record = json.loads(manifest.read_text())
    spoil(record)
    manifest.write_text(json.dumps(record))
    assert reason in (_why(built) or "")


def test_a_missing_extension_or_manifest_stops_the_build(built: tuple[Path, Path]) -> None:
    root, manifest = built
    Path(_native.extension_path("paperbroker.model.order", str(root))).unlink()
    assert _why(built) == "an extension module is missing"
    manifest.unlink()
    assert _why(built) == "not built"


def test_the_switch_stops_even_a_current_build(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(_native.SWITCH, "0")
    assert _why(built) == f"{_native.SWITCH}=0"
