"""Package attributes imported on first use (PEP 562), so importing a package stays cheap.

``import paperbroker.cli`` must not pay for NumPy, SQLAlchemy or FastAPI, yet
``from paperbroker import Backtest`` must keep working. A package lists its
public names with the module each lives in and sets::

    __getattr__ = lazy_attributes(__name__, {"Backtest": "paperbroker.engine.backtest"})

and imports the same names under ``if TYPE_CHECKING:`` for type checkers.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_attributes(package: str, names: Mapping[str, str]) -> Callable[[str], object]:
    """The module ``__getattr__`` of ``package``: each of ``names`` is imported from its
    module when first read (and then kept in the package, so it is read once)."""
    modules = dict(names)

    def __getattr__(name: str) -> object:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
