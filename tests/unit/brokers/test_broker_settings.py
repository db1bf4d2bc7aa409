"""A live session's broker settings: one schema, errors naming their path, never a secret."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperbroker.broker.settings import BrokerSettings
from paperbroker.core.errors import InvalidRequest

CREDENTIAL = "0b5e2f7a-3c1d-4e8f-9a6b-2d4c6e8f0a1b"


def test_defaults_are_alpacas_paper_endpoint_adopting_differences() -> None:
    settings = BrokerSettings.read({"credentials_id": CREDENTIAL})
    assert settings.to_json() == {
        "type": "alpaca", "endpoint": "paper", "base_url": None, "credentials_id": CREDENTIAL,
        "reconcile": {"policy": "adopt", "interval_seconds": 60},
    }  # fmt: skip
    assert not settings.real_money
    assert settings.url == "https://paper-api.alpaca.markets"
    assert settings.name == "alpaca-paper"


def test_the_live_endpoint_is_real_money_and_halts_on_a_difference_by_default() -> None:
    settings = BrokerSettings.read({"endpoint": "live", "credentials_id": "server"})
    assert settings.real_money
    assert settings.reconcile.policy == "halt"
    assert settings.url == "https://api.alpaca.markets"
    chosen = BrokerSettings.read(
        {"endpoint": "live", "credentials_id": "server", "reconcile": {"policy": "adopt"}}
    )
    assert chosen.reconcile.policy == "adopt"


def test_stored_settings_read_back_the_same() -> None:
    settings = BrokerSettings.read(
        {"endpoint": "custom", "base_url": "http://127.0.0.1:5001/", "credentials_id": CREDENTIAL,
         "reconcile": {"interval_seconds": 5}}
    )  # fmt: skip
    assert settings.base_url == "http://127.0.0.1:5001"
    assert BrokerSettings.read(settings.to_json()) == settings


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"endpoint": "custom"}, "broker.base_url: required for the custom endpoint"),
        ({"base_url": "http://x"}, "broker.base_url: only for the custom endpoint, not paper"),
        ({"endpoint": "custom", "base_url": "ftp://x"}, "broker.base_url: must be an http(s) URL"),
        ({"endpoint": "custom", "base_url": "https://api.alpaca.markets"},
         "broker.base_url: is Alpaca's live trading API: use endpoint live"),
        ({"endpoint": "demo"}, "broker.endpoint: must be one of paper, live, custom"),
        ({"credentials_id": "mine"}, "broker.credentials_id: must be a stored credential's id"),
        ({"reconcile": {"interval_seconds": 4}}, "broker.reconcile.interval_seconds"),
        ({"reconcile": {"policy": "ignore"}}, "broker.reconcile.policy: must be one of adopt"),
        ({"secret_key": "x"}, "broker.secret_key"),
        ({"type": "ibkr"}, "broker.type"),
    ],
)  # fmt: skip
def test_invalid_settings_name_their_path(values: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest) as raised:
        BrokerSettings.read({"credentials_id": CREDENTIAL, **values})
    assert str(raised.value).startswith(message), raised.value


def test_missing_settings_and_credentials_are_named() -> None:
    with pytest.raises(InvalidRequest, match=r"^broker: required"):
        BrokerSettings.read(None)
    with pytest.raises(InvalidRequest, match=r"^broker\.credentials_id: required"):
        BrokerSettings.read({})


@pytest.mark.parametrize(
    ("choice", "endpoint", "url"),
    [
        ("alpaca-paper", "paper", "https://paper-api.alpaca.markets"),
        ("alpaca-live", "live", "https://api.alpaca.markets"),
        ("http://127.0.0.1:5001", "custom", "http://127.0.0.1:5001"),
    ],
)
def test_a_command_lines_broker_choice(choice: str, endpoint: str, url: str) -> None:
    settings = BrokerSettings.of_choice(choice, "server")
    assert (settings.endpoint, settings.url) == (endpoint, url)


def test_an_unknown_command_line_choice_is_refused() -> None:
    with pytest.raises(InvalidRequest, match=r"^--broker: one of alpaca-paper"):
        BrokerSettings.of_choice("ibkr", "server")


@given(
    endpoint=st.sampled_from(["paper", "live", "custom"]),
    port=st.integers(1, 65535),
    policy=st.none() | st.sampled_from(["adopt", "halt"]),
    interval=st.integers(5, 86_400),
    credential=st.uuids().map(str) | st.just("server"),
)
def test_settings_read_back_as_stored_and_only_live_is_real_money(
    endpoint: str, port: int, policy: str | None, interval: int, credential: str
) -> None:
    reconcile: dict[str, Any] = {"interval_seconds": interval}
    if policy is not None:
        reconcile["policy"] = policy
    values: dict[str, Any] = {"endpoint": endpoint, "credentials_id": credential,
                              "reconcile": reconcile}  # fmt: skip
    if endpoint == "custom":
        values["base_url"] = f"http://127.0.0.1:{port}"
    settings = BrokerSettings.read(values)
    stored = settings.to_json()
    assert BrokerSettings.read(stored) == settings
    assert json.loads(json.dumps(stored)) == stored
    assert settings.real_money == (endpoint == "live")
    expected = policy or ("halt" if endpoint == "live" else "adopt")
    assert stored["reconcile"] == {"policy": expected, "interval_seconds": interval}
