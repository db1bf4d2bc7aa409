"""The settings the docs name are the server's: every ``PAPERBROKER_*`` in the README and
docs/ is a setting, and docs/operations.md lists each one with its default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperbroker.settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SETTINGS = {ENV_PREFIX + name.upper(): field for name, field in Settings.model_fields.items()}
#: Variables the docs name that are not the server's, each with the file that reads it.
NOT_SETTINGS = {
    "PAPERBROKER_URL": ROOT / "web" / "vite.config.ts",  # the dashboard's dev server's API
    "PAPERBROKER_SCREENSHOTS": ROOT / "tests" / "e2e" / "dashboard.py",  # the browser tests'
    # The crash points' test facility, and how many crash rounds the tests run.
    "PAPERBROKER_CRASH_AT": ROOT / "src" / "paperbroker" / "core" / "crashpoints.py",
    "PAPERBROKER_CRASH_ROUNDS": ROOT / "tests" / "reliability" / "test_live_crash_points.py",
    # Runs the compiled hot path from source (any process that imports paperbroker).
    "PAPERBROKER_NATIVE": ROOT / "src" / "paperbroker" / "_native.py",
}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_setting_the_docs_name_exists(page: Path) -> None:
    named = set(re.findall(r"PAPERBROKER_[A-Z_]+[A-Z]", page.read_text())) - set(NOT_SETTINGS)
    assert named <= set(SETTINGS), named - set(SETTINGS)


@pytest.mark.parametrize("name", sorted(NOT_SETTINGS))
def test_the_variables_that_are_not_settings_are_read_where_the_docs_say(name: str) -> None:
    assert name not in SETTINGS
    assert name in NOT_SETTINGS[name].read_text()


def test_operations_lists_every_setting_with_its_default() -> None:
    text = (ROOT / "docs" / "operations.md").read_text()
    table = text.split("## Running the server")[1].split("\n\n| setting |")[1].split("\n\n")[0]
    rows = {}
    for line in table.splitlines()[2:]:
        names, default = line.split(" | ")[0:2]
        for name in re.findall(r"PAPERBROKER_[A-Z_]+[A-Z]", names):
            rows[name] = default.strip("` ")
    assert set(rows) == set(SETTINGS)
    for name, field in SETTINGS.items():
        default = field.default
        if default is None or default == "":
            assert rows[name] == "(none)", name
        else:
            shown = str(default).lower() if isinstance(default, bool) else str(default)
            assert rows[name] in (shown, f"./{shown}"), name
