"""An agent's logs on the agent flow page, in Chromium against a real server."""

from __future__ import annotations

from typing import Any

import pytest
from bench.server_process import ServerProcess
from playwright.sync_api import expect
from tests.e2e.dashboard import api

pytestmark = pytest.mark.browser


def test_an_agents_log_opens_in_a_drawer_and_its_search_filters_the_lines(
    dashboard_server: ServerProcess, tab_factory: Any
) -> None:
    session = api(
        dashboard_server,
        "POST",
        "/v1/sessions",
        {
            "name": "agents-logs",
            "startTime": "2012-01-03T14:30:00Z",
            "endTime": "2012-03-30T21:00:00Z",
            "strategy": {"name": "sma_crossover", "symbols": ["AAPL"]},
        },
    )
    tab = tab_factory(dashboard_server)
    page = tab.page
    tab.goto(f"/sessions/{session['id']}/agents")
    tab.heading("Agent flow")
    card = page.get_by_role("region", name="Agent strategy")
    # Stopped and started again: its log says "running", "stopped", "running".
    card.get_by_role("button", name="Stop strategy").click()
    page.get_by_role("dialog", name="Stop agent 'strategy'?").get_by_role(
        "button", name="Stop agent"
    ).click()
    expect(card.get_by_role("button", name="Start strategy")).to_be_enabled()
    card.get_by_role("button", name="Start strategy").click()
    expect(card.get_by_role("button", name="Stop strategy")).to_be_enabled()

    card.get_by_role("button", name="Logs of strategy").click()
    drawer = page.get_by_role("heading", name="Log of strategy (strategy)")
    expect(drawer).to_be_visible()
    log = page.get_by_role("log", name="Log lines")
    expect(log).to_contain_text("stopped")
    expect(log.get_by_text("running")).to_have_count(2)

    page.get_by_label("Search").fill("stopped")
    expect(log.get_by_text("running")).to_have_count(0)
    expect(log).to_contain_text("stopped")
    page.get_by_label("Search").fill("")
    expect(log.get_by_text("running")).to_have_count(2)

    page.get_by_role("button", name="Close the log").click()
    expect(drawer).to_be_hidden()
    assert tab.errors == []
