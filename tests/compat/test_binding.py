"""Choosing the session: keys bound to an account, and the /sessions/{id} prefix."""

from __future__ import annotations

import httpx2
from tests.compat.conftest import Bot


def test_a_bound_key_is_listed_without_its_secret(bot: Bot) -> None:
    response = bot.v1("GET", f"/v1/sessions/{bot.session_id}/keys")
    assert response.status_code == 200
    (listed,) = response.json()
    assert listed["key_id"] == bot.key[0]
    assert listed["secret"] is None
    assert listed["account_id"] == bot.account_id


def test_an_unbound_key_on_plain_v2_is_told_how_to_bind(bot: Bot) -> None:
    response = httpx2.get(
        f"{bot.server.url}/v2/account",
        headers={"APCA-API-KEY-ID": bot.owner[0], "APCA-API-SECRET-KEY": bot.owner[1]},
    )
    assert response.status_code == 403
    assert response.json()["code"] == 40310000
    assert "not bound" in response.json()["message"]
