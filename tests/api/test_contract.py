"""The OpenAPI document declares every query value by its one type, and every rule."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

from paperbroker.api.contract import RULES
from paperbroker.api.params import SYMBOLS_PATTERN, TIMEFRAME_PATTERN

#: Query values by name, and what their schema must say (all the routes that take them).
TIMES = {"start", "end", "after", "until", "since"}


def _schemas(parameter: dict[str, Any]) -> list[dict[str, Any]]:
    schema = parameter["schema"]
    options = schema.get("anyOf", [schema])
    flat = []
    for option in options:
        flat.extend(option.get("anyOf", [option]))
    return [option for option in flat if option.get("type") != "null"]


def test_every_symbol_list_time_and_timeframe_in_a_query_has_its_one_schema(api: Api) -> None:
    seen = set()
    for path, methods in api.app.openapi()["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                name, schemas = parameter["name"], _schemas(parameter)
                where = f"{method.upper()} {path} {name}"
                if name == "symbols":
                    assert schemas[0]["pattern"] == SYMBOLS_PATTERN, where
                elif name in TIMES:
                    formats = {schema.get("format") for schema in schemas}
                    assert "date-time" in formats, where
                    assert formats <= {"date-time", "date"}, where
                elif name == "timeframe" and "/stocks/" in path:
                    assert schemas[0]["pattern"] == TIMEFRAME_PATTERN, where
                else:
                    continue
                seen.add(name)
    assert seen == {"symbols", "timeframe"} | TIMES


def test_a_rule_beyond_the_schema_is_only_in_a_422_and_says_itself(api: Api) -> None:
    ruled = 0
    for methods in api.app.openapi()["paths"].values():
        for operation in methods.values():
            for status, response in operation["responses"].items():
                if RULES in response:
                    assert status == "422"
                    assert all(rule in response["description"] for rule in response[RULES])
                    ruled += 1
    assert ruled > 0
