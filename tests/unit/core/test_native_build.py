"""native/build.py: what a build records, and when it builds again (without compiling)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from paperbroker import _native

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("native_build", ROOT / "native" / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_manifest_covers_the_modules_and_the_project_modules_they_import(
    build: ModuleType,
) -> None:
    read = {str(path.relative_to(ROOT / "src")) for path in build.sources()}
    assert {f"{m.replace('.', '/')}.py" for m in _native.MODULES} <= read
    # The kernel imports the events and the risk guard (not compiled): their types count.
    assert {"paperbroker/model/events.py", "paperbroker/risk/guard.py"} <= read
    assert all(name.startswith("paperbroker/") for name in read)  # nothing outside the project


def test_a_failed_build_is_not_tried_again_for_the_same_sources(
    build: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "FAILED", tmp_path / "failed.json")
    record = build.manifest(build.sources())
    assert not build._failed_before(record)
    (tmp_path / "failed.json").write_text(json.dumps(record))
    assert build._failed_before(record)
    edited = json.loads(json.dumps(record))
    edited["sources"]["paperbroker/engine/kernel.py"][2] = "0" * 64
    assert not build._failed_before(edited)  # an edit tries again
