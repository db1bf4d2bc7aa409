"""Packages whose names are imported on first use: every name resolves, importing is cheap."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

LAZY = [
    "paperbroker",
    "paperbroker.api",
    "paperbroker.data",
    "paperbroker.session",
    "paperbroker.store",
]


@pytest.mark.parametrize("package", LAZY)
def test_every_exported_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)  # an AttributeError for a name mapped to the wrong module
        assert vars(module)[name] is value  # kept, so it is looked up once
    with pytest.raises(AttributeError, match=f"module '{package}' has no attribute 'Nope'"):
        module.Nope  # noqa: B018 (the access is the test)


def test_star_import_and_from_import_still_work() -> None:
    namespace: dict[str, object] = {}
    exec("from paperbroker import *", namespace)
    from paperbroker import Backtest, SmaCrossover

    assert namespace["Backtest"] is Backtest
    assert namespace["SmaCrossover"] is SmaCrossover


def test_importing_the_packages_loads_no_heavy_module() -> None:
    probe = (
        "import json, sys\n"
        + "".join(f"import {package}\n" for package in LAZY)
        + "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert not loaded & {"numpy", "pandas", "pyarrow", "pydantic", "sqlalchemy", "fastapi"}
