"""Strategies from installed packages: entry points in the group ``paperbroker.strategies``.

Each test installs real distributions for itself: a ``*.dist-info`` directory
with ``METADATA`` and ``entry_points.txt`` beside the package's source, in a
temporary directory put on ``sys.path``, which is all ``importlib.metadata``
reads for an installed wheel.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from paperbroker.cli import app
from paperbroker.core.errors import InvalidRequest
from paperbroker.engine.backtest import Backtest
from paperbroker.strategy import Momentum
from paperbroker.strategy.registry import available_strategies, resolve_strategy

GOOD_SOURCE = '''\
from pydantic import Field

from paperbroker import Strategy, StrategyParams


class ChannelParams(StrategyParams):
    window: int = Field(5, ge=2, description="bars in the channel")


class Channel(Strategy):
    """Buys one share and holds it."""

    name = "channel"
    Params = ChannelParams

    def on_bar(self, bar):
        if not self.ctx.position(bar.symbol).qty and not self.ctx.open_orders():
            self.ctx.buy(bar.symbol, 1)


def not_a_strategy():
    return 1
'''

_unique = itertools.count()
Install = Callable[..., str]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """``install(dist, {name: "attr"}, source)``: a distribution whose module is ``source``.

    Returns the module's name (unique per call, so no test sees another's import).
    All of a test's distributions share one directory on ``sys.path``.
    """
    site = tmp_path / "site"
    site.mkdir()
    before = set(sys.modules)

    def make(dist: str, points: dict[str, str], source: str) -> str:
        module = f"pb_ep_test_{next(_unique)}"
        (site / f"{module}.py").write_text(source)
        info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        lines = [f"{name} = {module}{':' + attr if attr else ''}" for name, attr in points.items()]
        (info / "entry_points.txt").write_text(
            "[paperbroker.strategies]\n" + "\n".join(lines) + "\n"
        )
        return module

    monkeypatch.syspath_prepend(str(site))
    yield make
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_entry_point_resolves_by_name_and_runs(install: Install, build: Any) -> None:
    module = install("pb-channel", {"channel": "Channel"}, GOOD_SOURCE)
    cls = resolve_strategy("channel")
    assert (cls.__name__, cls.__module__) == ("Channel", module)
    series = build.series([(10.0, 10.5, 9.5, 10.0)] * 3)
    result = Backtest(series, cls, params={"window": 3}, execution="ideal").run()
    assert [int(f.qty) for f in result.fills] == [1]
    with pytest.raises(InvalidRequest, match="'window'"):
        Backtest(series, cls, params={"window": 1})


def test_entry_point_listed_with_its_package_and_parameters(install: Install) -> None:
    install("pb-channel", {"channel": "Channel"}, GOOD_SOURCE)
    listings = {entry.name: entry for entry in available_strategies()}
    assert listings["channel"].origin == "pb-channel"
    assert listings["momentum"].origin == "built-in"
    out = CliRunner().invoke(app, ["strategies", "list"]).stdout
    for expected in ("channel (package pb-channel)", "bars in the channel", "momentum"):
        assert expected in out
    run = CliRunner().invoke(
        app,
        [
            "backtest",
            "--strategy",
            "channel",
            "--symbols",
            "IBM",
            "--start",
            "2010-01-01",
            "--end",
            "2010-01-31",
            "--json",
        ],
    )
    assert run.exit_code == 0, run.stderr
    assert '"strategy": "channel"' in run.stdout


def test_entry_point_import_error_names_package_entry_point_file_and_line(
    install: Install,
) -> None:
    module = install("pb-broken", {"broken": "Broken"}, "import math\n\nvalue = 1 / 0\n")
    with pytest.raises(InvalidRequest) as raised:
        resolve_strategy("broken")
    message = str(raised.value)
    for expected in ("'broken'", "pb-broken", f"{module}.py:3", "ZeroDivisionError"):
        assert expected in message, message


def test_entry_point_failing_import_inside_package_names_the_user_line(install: Install) -> None:
    module = install("pb-missing", {"missing": "X"}, "\n\nimport no_such_module_here\n")
    with pytest.raises(InvalidRequest) as raised:
        resolve_strategy("missing")
    message = str(raised.value)
    assert f"{module}.py:3" in message, message
    assert "ModuleNotFoundError" in message
    # A library that fails when the package calls it: the package's line, not the library's.
    module = install("pb-json", {"json_fail": "X"}, 'import json\n\nx = json.loads("{bad")\n')
    with pytest.raises(InvalidRequest) as raised:
        resolve_strategy("json_fail")
    assert f"{module}.py:3: JSONDecodeError" in str(raised.value), str(raised.value)


def test_entry_point_syntax_error_names_file_and_line(install: Install) -> None:
    module = install("pb-syntax", {"syntax": "S"}, "x = 1\ndef broken(:\n")
    with pytest.raises(InvalidRequest) as raised:
        resolve_strategy("syntax")
    message = str(raised.value)
    assert f"{module}.py:2: syntax error" in message, message


def test_entry_point_missing_class_or_not_a_strategy_is_refused(install: Install) -> None:
    module = install(
        "pb-odd", {"nothing": "Nothing", "func": "not_a_strategy", "bare": ""}, GOOD_SOURCE
    )
    with pytest.raises(InvalidRequest, match=rf"pb-odd.*{module}\.py has no attribute 'Nothing'"):
        resolve_strategy("nothing")
    line = GOOD_SOURCE.splitlines().index("def not_a_strategy():") + 1
    with pytest.raises(InvalidRequest, match=rf"{module}\.py:{line}: .* not a Strategy subclass"):
        resolve_strategy("func")
    with pytest.raises(InvalidRequest, match="not a Strategy class"):
        resolve_strategy("bare")


def test_builtin_name_wins_over_entry_point(install: Install) -> None:
    install("pb-shadow", {"momentum": "Channel"}, GOOD_SOURCE)
    assert resolve_strategy("momentum") is Momentum
    assert [e.origin for e in available_strategies() if e.name == "momentum"] == ["built-in"]


def test_same_name_from_two_packages_is_ambiguous(install: Install) -> None:
    install("pb-one", {"twin": "Channel"}, GOOD_SOURCE)
    install("pb-two", {"twin": "Channel"}, GOOD_SOURCE)
    with pytest.raises(InvalidRequest, match="several packages: pb-one, pb-two"):
        resolve_strategy("twin")


def test_unknown_name_lists_entry_points_and_broken_ones_are_listed(install: Install) -> None:
    install("pb-channel", {"channel": "Channel"}, GOOD_SOURCE)
    install("pb-broken", {"broken": "Broken"}, "value = 1 / 0\n")
    with pytest.raises(InvalidRequest, match=r"unknown strategy 'nope'.*broken.*channel"):
        resolve_strategy("nope")
    broken = next(e for e in available_strategies() if e.name == "broken")
    assert broken.strategy is None
    assert "ZeroDivisionError" in (broken.error or "")
    result = CliRunner().invoke(app, ["strategies"])  # the bare command lists too
    assert result.exit_code == 0
    assert "cannot be loaded" in result.stdout
    assert "channel" in result.stdout
