"""A backtest from the wizard to its first fill, in Chromium against a real server.

The wizard creates it; on its page an order goes in through the order form,
the clock moves a day, and the fill shows in the orders table, as a marker
on the chart and in the activity feed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from bench.server_process import ServerProcess
from playwright.sync_api import Page, expect
from tests.e2e.dashboard import Tab

pytestmark = pytest.mark.browser


def create_in_the_wizard(tab: Tab) -> str:
    """A backtest of sma_crossover (fast 5) on AAPL in Q1 2012; the new session's id."""
    page = tab.page
    tab.goto("/sessions/new")
    tab.heading("New session")
    page.get_by_role("button", name="Backtest").click()
    page.get_by_role("button", name="Next").click()

    page.get_by_role("button", name="sma_crossover").click()
    parameters = page.get_by_role("region", name="Parameters of sma_crossover")
    parameters.get_by_label(re.compile("^fast", re.IGNORECASE)).fill("5")
    page.get_by_role("button", name="Next").click()

    symbols = page.get_by_label("Symbols")
    symbols.fill("AAPL")
    page.get_by_role("option", name=re.compile("^AAPL")).click()
    page.get_by_label("Start (UTC)").fill("2012-01-03")
    page.get_by_label("End (UTC, included)").fill("2012-03-30")
    page.get_by_label("Initial balance").fill("250000")
    page.get_by_label("Execution preset").click()
    page.get_by_role("option", name=re.compile("^ideal")).click()
    page.get_by_label("Session name").fill("wizard-sma")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("region", name="Risk")).to_be_visible()  # no rules: optional
    page.get_by_role("button", name="Next").click()

    review = page.get_by_role("table", name="Review")
    expect(review).to_contain_text("sma_crossover")
    expect(review).to_contain_text("AAPL")
    return tab.create_session("wizard-sma")


def markers_caption(page: Page) -> Any:
    """The chart's words for its markers ("N markers for M AAPL fills …")."""
    return page.get_by_text(re.compile(r"\d+ markers? for \d+ AAPL fills?"))


def test_a_backtest_made_in_the_wizard_fills_an_order_from_its_page(
    dashboard_server: ServerProcess, tab_factory: Any
) -> None:
    tab = tab_factory(dashboard_server)
    page = tab.page
    session_id = create_in_the_wizard(tab)
    tab.live()

    expect(markers_caption(page)).to_have_text(re.compile("^0 markers for 0 AAPL fills"))

    order_form = page.get_by_role("form", name="Submit order")
    order_form.get_by_label("Quantity").fill("7")
    order_form.get_by_role("button", name="Submit order").click()
    orders = page.get_by_role("region", name="Orders")
    expect(orders.get_by_role("row").filter(has_text="AAPL")).to_have_count(1)

    page.get_by_role("button", name="Advance 1 day").click()
    orders.get_by_role("tab", name="Past").click()
    filled = orders.get_by_role("row").filter(has_text="AAPL")
    expect(filled).to_have_count(1)
    expect(filled).to_contain_text("filled")
    expect(filled).to_contain_text("7")
    expect(markers_caption(page)).to_have_text(re.compile("^1 marker for 1 AAPL fill "))
    fills = page.get_by_role("region", name="Fills")
    expect(fills.get_by_role("row").filter(has_text="AAPL")).to_have_count(1)

    page.get_by_role("link", name="Activity").click()
    tab.heading("Activity")
    feed = page.get_by_role("table", name="Activity events, newest first")
    fill_rows = feed.get_by_role("row").filter(has_text=re.compile(r"buy 7 AAPL filled"))
    expect(fill_rows).to_have_count(1)
    expect(fill_rows).to_contain_text("wizard-sma")
    assert session_id in (fill_rows.get_by_role("link").get_attribute("href") or "")
    assert tab.errors == []
