"""Signing in and out of the dashboard, and its theme, in Chromium against a real server."""

from __future__ import annotations

from typing import Any

import pytest
from bench.server_process import ServerProcess
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_wrong_key_is_refused_and_the_right_one_opens_the_system_page(
    dashboard_server: ServerProcess, tab_factory: Any
) -> None:
    assert dashboard_server.admin_key is not None
    key_id, secret = dashboard_server.admin_key.split(":", 1)
    tab = tab_factory(dashboard_server, signed_in=False)
    page = tab.page
    tab.goto("/sessions")
    tab.heading("Sign in to paperbroker")

    page.get_by_label("API key (KEY_ID:SECRET)").fill(f"{key_id}:not-the-secret")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That key was not accepted")

    page.get_by_label("API key (KEY_ID:SECRET)").fill(dashboard_server.admin_key)
    page.get_by_role("button", name="Sign in").click()
    # Back where the visit began, signed in and live.
    tab.heading("Sessions")
    expect(page).to_have_url(f"{dashboard_server.base_url}/sessions")
    tab.live()
    page.get_by_role("link", name="System").click()
    tab.heading("System control")

    page.get_by_role("button", name="Sign out").click()
    tab.heading("Sign in to paperbroker")
    assert page.evaluate("sessionStorage.getItem('paperbroker.key')") is None
    page.reload()
    tab.heading("Sign in to paperbroker")  # the key is gone for good, not just hidden

    assert [url for url in tab.requests if secret in url or "not-the-secret" in url] == []
    assert [line for line in tab.console if secret in line or "not-the-secret" in line] == []
    assert tab.errors == []


def test_the_theme_is_kept_across_a_reload(
    dashboard_server: ServerProcess, tab_factory: Any
) -> None:
    tab = tab_factory(dashboard_server, theme="light")
    page = tab.page
    tab.goto("/")
    tab.heading("System control")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")

    page.get_by_role("button", name="Switch to dark theme").click()
    expect(page.get_by_role("button", name="Switch to light theme")).to_be_visible()
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light

    page.reload()
    tab.heading("System control")
    expect(page.get_by_role("button", name="Switch to light theme")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == dark
    assert page.evaluate("localStorage.getItem('paperbroker.theme')") == "dark"
