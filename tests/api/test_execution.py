"""Each session's execution models and account settings over HTTP, and across restarts.

A session is created with an ``execution`` object (a preset, a seed, models
to replace) and an ``account`` object (cash or margin); both are stored with
it, shown by ``GET /v1/sessions/{id}``, and rebuilt exactly when the server
restarts. Sessions stored before sessions had either replay as they ran:
on the ideal venue with a cash account.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from tests.api.conftest import END, START, Api

from paperbroker.core.clock import datetime_to_ns
from paperbroker.model.enums import OrderSide
from paperbroker.session import SessionRuntime, SessionSpec
from paperbroker.store.db import session_factory
from paperbroker.store.journal import Journal
from paperbroker.store.sessions_repo import SessionsRepo
from paperbroker.venue.execution import DEFAULT_PRESET, PRESETS, preset
from paperbroker.venue.schema import SLOTS

from .conftest import market


def session_of(api: Api, session_id: str) -> dict[str, Any]:
    response = api.client.get(f"/v1/sessions/{session_id}", auth=api.alice)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def advance_to(api: Api, session_id: str, target: str) -> None:
    path = f"/v1/sessions/{session_id}/time/advance"
    response = api.client.post(path, json={"targetTime": target}, auth=api.alice)
    assert response.status_code == 200, response.text


def place(api: Api, session_id: str, account_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.trading("POST", session_id, account_id, "/orders", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_session_without_execution_runs_the_default_preset_with_a_cash_account(
    api: Api,
) -> None:
    session = api.create_session()
    assert DEFAULT_PRESET == "equities_realistic"
    assert session["execution"] == preset(DEFAULT_PRESET, 0).to_json()
    assert session["account"] == {"type": "cash", "leverage": "1", "intraday_leverage": "1"}
    assert session["execution_quality"] == {
        "fills": 0, "orders": 0, "ordered_qty": "0", "filled_qty": "0", "fill_ratio": None,
        "slippage_cost": "0", "slippage_bps": None, "average_latency_ms": None, "fees": "0",
    }  # fmt: skip


@pytest.mark.parametrize("name", PRESETS)
def test_session_with_each_preset_shows_its_effective_models(api: Api, name: str) -> None:
    session = api.create_session(execution={"preset": name, "seed": 3})
    assert session["execution"] == preset(name, 3).to_json()
    assert session_of(api, session["id"])["execution"] == preset(name, 3).to_json()


def test_session_with_overrides_keeps_the_rest_of_its_preset(api: Api) -> None:
    execution = {
        "preset": "equities_realistic",
        "seed": 7,
        "slippage": [{"model": "half_spread", "spread_bps": 4}, {"model": "sqrt_impact"}],
        "latency": {"model": "none"},
    }
    shown = api.create_session(execution=execution)["execution"]
    base = preset("equities_realistic", 7).to_json()
    assert (shown["preset"], shown["seed"], shown["latency"]) == (
        "equities_realistic",
        7,
        {"model": "none"},
    )
    assert shown["slippage"]["parts"][0] == {"model": "half_spread", "spread_bps": "4"}
    assert (shown["fees"], shown["fill_quantity"]) == (base["fees"], base["fill_quantity"])
    listed = api.client.get("/v1/sessions", auth=api.alice).json()
    assert [s["execution"] for s in listed] == [shown]


@pytest.mark.parametrize(
    ("execution", "named"),
    [
        ({"preset": "nope"}, "execution.preset: unknown preset 'nope'"),
        ({"seed": -1}, "execution.seed"),
        ({"seed": "x"}, "execution.seed"),
        ({"slippage": {"model": "fixed_bps", "bps": -1}}, "execution.slippage.bps"),
        ({"latency": {"model": "foo"}}, "execution.latency: unknown model 'foo'"),
        ({"latency": {"model": "jittered", "base_ms": "NaN"}}, "execution.latency.base_ms"),
        ({"fees": {"model": "per_share"}}, "execution.fees.per_share"),
        ({"fill_quantity": {"model": "volume_participation", "max_share": 2}}, "max_share"),
        ({"intrabar": "sideways"}, "execution.intrabar"),
        ({"preset": None}, "execution.intrabar: required"),
        ({"colour": "red"}, "execution.colour: unknown key"),
        ("ideal", "field execution"),
        ([{"preset": "ideal"}], "field execution"),
    ],
)
def test_bad_execution_is_422_naming_the_path(api: Api, execution: Any, named: str) -> None:
    body = {"startTime": START, "endTime": END, "execution": execution}
    response = api.client.post("/v1/sessions", json=body, auth=api.alice)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == 42210000
    assert named in response.json()["message"]
    assert api.client.get("/v1/sessions", auth=api.alice).json() == []  # nothing was created


@pytest.mark.parametrize(
    ("per_share", "message"),
    [
        ("9" * 40, f"must be below 1000000000, got {'9' * 40}"),
        ("1e999999999", "must be below 1000000000, got 1e999999999"),
        (" 1 ", "must be a number, got ' 1 '"),
        ("\u0661", "must be a number, got '\u0661'"),
    ],
)
def test_a_number_no_model_needs_is_422_not_a_failure(
    api: Api, per_share: str, message: str
) -> None:
    execution = {"fees": {"model": "per_share", "per_share": per_share}}
    body = {"startTime": START, "endTime": END, "execution": execution}
    response = api.client.post("/v1/sessions", json=body, auth=api.alice)
    assert response.status_code == 422, response.text
    assert response.json()["message"] == f"execution.fees.per_share: {message}"


@pytest.mark.parametrize(
    ("path", "body"),
    [("/v1/sessions", "SessionCreate"), ("/api/paper-trading/sessions", "PaperSessionCreate")],
)
def test_openapi_shows_the_execution_schema_with_every_model(
    api: Api, path: str, body: str
) -> None:
    document = api.app.openapi()
    schemas = document["components"]["schemas"]
    request = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    assert request["schema"]["$ref"] == f"#/components/schemas/{body}"
    execution = schemas[body]["properties"]["execution"]
    assert execution["anyOf"][0] == {"$ref": "#/components/schemas/ExecutionSpec"}
    spec = schemas["ExecutionSpec"]
    assert list(spec["properties"]) == ["preset", "seed", "intrabar", "fill_timing", *SLOTS[1:]]
    timing = spec["properties"]["fill_timing"]
    assert timing["default"] == "next_bar"
    assert schemas["FillTiming"]["enum"] == ["next_bar", "signal_close"]
    latency = spec["properties"]["latency"]["anyOf"][0]
    assert latency["discriminator"] == {
        "propertyName": "model",
        "mapping": {
            "none": "#/components/schemas/ZeroLatencySpec",
            "jittered": "#/components/schemas/JitteredLatencySpec",
        },
    }
    jittered = schemas["JitteredLatencySpec"]
    assert jittered["required"] == ["model", "base_ms"]
    assert jittered["properties"]["base_ms"]["x-unit"] == "ms"
    assert jittered["properties"]["base_ms"]["minimum"] == 0
    fees = spec["properties"]["fees"]["anyOf"][0]["discriminator"]["mapping"]
    assert set(fees) == {"none", "percent", "per_share", "fixed", "maker_taker", "regulatory",
                         "schedule"}  # fmt: skip
    assert all(ref.removeprefix("#/components/schemas/") in schemas for ref in fees.values())


@pytest.mark.parametrize(
    ("account", "shown"),
    [
        ({"type": "cash"}, ("cash", "1", "1")),
        ({"type": "margin"}, ("margin", "2", "4")),
        ({"type": "margin", "leverage": "2", "intradayLeverage": "4"}, ("margin", "2", "4")),
        ({"type": "margin", "leverage": 3}, ("margin", "3", "3")),
        ({"type": "margin", "intradayLeverage": "6"}, ("margin", "2", "6")),
        ({"type": "cash", "leverage": 1}, ("cash", "1", "1")),
    ],
)
def test_account_settings_are_shown_as_effective_multipliers(
    api: Api, account: dict[str, Any], shown: tuple[str, str, str]
) -> None:
    session = api.create_session(account=account)
    assert tuple(session["account"].values()) == shown
    assert tuple(session_of(api, session["id"])["account"].values()) == shown


@pytest.mark.parametrize(
    ("account", "named"),
    [
        ({"type": "gold"}, "account.type"),
        ({"type": "cash", "leverage": 2}, "account.leverage: a cash account cannot use leverage"),
        ({"type": "cash", "intradayLeverage": 4}, "account.intradayLeverage"),
        ({"type": "margin", "leverage": "0.5"}, "account.leverage"),
        ({"type": "margin", "leverage": "1e9"}, "account.leverage"),
        ({"type": "margin", "leverage": 4, "intradayLeverage": 2}, "account.intradayLeverage"),
        ({"type": "margin", "margin": True}, "account.margin"),
        ("margin", "field account"),
    ],
)
def test_bad_account_is_422_naming_the_field(api: Api, account: Any, named: str) -> None:
    body = {"startTime": START, "endTime": END, "account": account}
    response = api.client.post("/v1/sessions", json=body, auth=api.alice)
    assert response.status_code == 422, response.text
    assert named in response.json()["message"]


def test_margin_account_has_reg_t_buying_power_and_may_sell_short(api: Api) -> None:
    session = api.create_session(account={"type": "margin"}, execution={"preset": "ideal"})
    account = api.create_account(session["id"])  # every account of the session is margin
    assert account["buying_power"] == "400000"  # 4 x 100,000 while the market is open
    short = place(api, session["id"], account["id"], {
        "symbol": "MSFT", "side": "sell", "qty": 100, "type": "market"
    })  # fmt: skip
    assert short["status"] == "accepted"
    advance_to(api, session["id"], "2012-01-03T14:31:00Z")
    positions = api.trading("GET", session["id"], account["id"], "/positions").json()
    assert [(p["symbol"], p["qty"], p["side"]) for p in positions] == [("MSFT", "-100", "short")]


def test_execution_quality_reports_the_costs_of_the_session(api: Api) -> None:
    session = api.create_session()  # equities_realistic: fees, slippage, latency
    account = api.create_account(session["id"])
    buy = place(api, session["id"], account["id"], {
        "symbol": "AAPL", "side": "buy", "qty": 100, "type": "market"
    })  # fmt: skip
    advance_to(api, session["id"], "2012-01-04T14:30:00Z")
    filled = api.trading("GET", session["id"], account["id"], f"/orders/{buy['id']}").json()
    assert filled["status"] == "filled"
    quality = session_of(api, session["id"])["execution_quality"]
    assert (quality["fills"], quality["orders"]) == (1, 1)
    assert (quality["ordered_qty"], quality["filled_qty"], quality["fill_ratio"]) == (
        "100",
        "100",
        "1.0000",
    )
    assert quality["fees"] == "1.00"  # 100 x 0.005 is below the 1.00 minimum
    assert Decimal(quality["slippage_cost"]) > 0
    assert Decimal(quality["slippage_bps"]) > 0
    assert 30 <= Decimal(quality["average_latency_ms"]) <= 70  # 50 +- 20 ms


def test_ideal_session_has_no_costs(api: Api) -> None:
    session = api.create_session(execution={"preset": "ideal"})
    account = api.create_account(session["id"])
    place(api, session["id"], account["id"], {
        "symbol": "AAPL", "side": "buy", "qty": 100, "type": "market"
    })  # fmt: skip
    advance_to(api, session["id"], "2012-01-03T14:31:00Z")
    quality = session_of(api, session["id"])["execution_quality"]
    assert quality["fills"] == 1
    assert (quality["slippage_cost"], quality["slippage_bps"], quality["fees"]) == ("0", "0", "0")
    assert quality["average_latency_ms"] == "0"


def trade(api: Api, session_id: str, account_id: str) -> None:
    """A few days of orders on a seeded venue with random partial fills."""
    for symbol, qty in (("AAPL", 200), ("MSFT", 700), ("IBM", 200)):
        place(api, session_id, account_id, {
            "symbol": symbol, "side": "buy", "qty": qty, "type": "market", "time_in_force": "gtc"
        })  # fmt: skip
    advance_to(api, session_id, "2012-01-05T21:01:00Z")


def fills_of(api: Api, session_id: str, account_id: str) -> list[tuple[str, ...]]:
    orders = api.trading("GET", session_id, account_id, "/orders", params={"status": "all"})
    return [
        (o["symbol"], o["status"], o["filled_qty"], str(o["filled_avg_price"]), o["updated_at"])
        for o in orders.json()
    ]


def test_restart_restores_the_execution_and_replays_identically(api: Api) -> None:
    # Every bar fills a seeded random fraction of what is left (the draws depend
    # on the order ids, so the fractions differ from run to run but must replay).
    execution = {"preset": "alpaca_paper", "seed": 11, "fill_quantity": {
        "model": "random_partial", "probability": "1", "seed": 11,
    }}  # fmt: skip
    account_settings = {"type": "margin", "leverage": "2", "intradayLeverage": "3"}
    session = api.create_session(execution=execution, account=account_settings)
    account = api.create_account(session["id"])
    trade(api, session["id"], account["id"])
    before, fills = session_of(api, session["id"]), fills_of(api, session["id"], account["id"])
    assert all(f[1] == "partially_filled" for f in fills)  # the seeded draws were used

    api.restart()  # the journal must replay, draw for draw, or the session would not load

    assert session_of(api, session["id"]) == before  # execution, account, quality, clock, P&L
    assert fills_of(api, session["id"], account["id"]) == fills
    # The restored venue is the same one: it carries on drawing partial fills.
    place(api, session["id"], account["id"], {
        "symbol": "GOOG", "side": "buy", "qty": 50, "type": "market", "time_in_force": "gtc"
    })  # fmt: skip
    advance_to(api, session["id"], "2012-01-10T21:01:00Z")
    carried_on, fills = session_of(api, session["id"]), fills_of(api, session["id"], account["id"])
    quality = carried_on["execution_quality"]
    assert quality["fills"] > quality["orders"]  # in pieces: partial fills

    api.restart()

    assert session_of(api, session["id"]) == carried_on
    assert fills_of(api, session["id"], account["id"]) == fills


def test_session_stored_without_execution_restores_as_ideal_with_a_cash_account(
    api: Api,
) -> None:
    # A session as the server stored it before sessions had execution settings.
    factory = session_factory(api.server.engine)
    owner = api.alice[0]
    start = datetime_to_ns(datetime.fromisoformat(START))
    end = datetime_to_ns(datetime.fromisoformat(END))
    record = SessionsRepo(factory).create(
        owner, name="old", simulation_start=start, simulation_end=end,
        config=json.dumps({"initial_cash": "100000", "playback_speed": 1.0}),
    )  # fmt: skip
    journal = Journal(factory)
    old = SessionRuntime(SessionSpec(record.id, start, end, Decimal(100_000)), market(), journal)
    account = old.default_account_id
    old.submit_order(account, "AAPL", OrderSide.BUY, 10)
    old.advance_to(start + 60 * 10**9)
    price = old.books(account).positions["AAPL"].avg_price

    api.restart()

    session = session_of(api, record.id)
    assert session["execution"] == preset("ideal").to_json()
    assert session["account"] == {"type": "cash", "leverage": "1", "intraday_leverage": "1"}
    assert session["current_time"] == "2012-01-03T14:31:00Z"
    [position] = api.trading("GET", record.id, account, "/positions").json()
    assert (position["qty"], Decimal(position["avg_entry_price"])) == ("10", price)
    assert session["execution_quality"]["fills"] == 1


def test_signal_close_session_fills_at_the_close_and_replays_after_a_restart(api: Api) -> None:
    session = api.create_session(execution={"preset": "ideal", "fill_timing": "signal_close"})
    assert session_of(api, session["id"])["execution"]["fill_timing"] == "signal_close"
    account = api.create_account(session["id"])
    advance_to(api, session["id"], "2012-01-03T21:00:00Z")  # the first daily close
    order = place(api, session["id"], account["id"], {
        "symbol": "AAPL", "side": "buy", "qty": 10, "type": "market"
    })  # fmt: skip
    aapl = market().series("AAPL")
    assert aapl is not None
    row = int(np.searchsorted(aapl.ts, datetime_to_ns(datetime.fromisoformat("2012-01-03T21:00Z"))))
    close = aapl.close[row]
    assert (order["status"], Decimal(order["filled_avg_price"])) == (
        "filled",
        Decimal(repr(float(close))).quantize(Decimal("0.01")),
    )
    limit = place(api, session["id"], account["id"], {
        "symbol": "AAPL", "side": "buy", "qty": 10, "type": "limit", "limit_price": "1000"
    })  # fmt: skip
    assert limit["status"] == "accepted"  # a limit waits for the next bar
    advance_to(api, session["id"], "2012-01-04T21:00:00Z")
    before, fills = session_of(api, session["id"]), fills_of(api, session["id"], account["id"])

    api.restart()  # the journal replays the fill at the close, or the session would not load

    assert session_of(api, session["id"]) == before
    assert fills_of(api, session["id"], account["id"]) == fills
