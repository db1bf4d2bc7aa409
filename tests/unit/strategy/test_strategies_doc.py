"""docs/strategies.md documents every built-in and every parameter with its real default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperbroker.strategy.registry import BUILTIN_STRATEGIES

PAGE = Path(__file__).resolve().parents[3] / "docs" / "strategies.md"


def section(name: str) -> str:
    text = PAGE.read_text()
    start = text.index(f"\n## {name}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


@pytest.mark.parametrize("name", sorted(BUILTIN_STRATEGIES))
def test_strategies_doc_lists_each_parameter_with_its_default(name: str) -> None:
    body = section(name)
    rows = {
        match[1]: match[2].strip().strip("`")
        for match in re.finditer(r"^\| `(\w+)` \| [^|]* \| ([^|]*) \|", body, flags=re.MULTILINE)
    }
    for field_name, field in BUILTIN_STRATEGIES[name].Params.model_fields.items():
        assert f"`{field_name}`" in body, f"{name}: {field_name} is not documented"
        if field_name in rows:
            assert rows[field_name] == str(field.default), f"{name}: default of {field_name}"
    assert f"--strategy {name}" in body  # a command line that runs it
