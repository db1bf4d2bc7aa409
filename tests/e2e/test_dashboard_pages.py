"""Every page of the dashboard, in both themes: accessible (axe-core) and photographed.

A real server holds real data: a backtest part-way through with its
strategy's fills and an order of its own, a paper session running and one
paused. Each page is loaded in each theme at 1440x900, saved as a PNG
(``PAPERBROKER_SCREENSHOTS`` names the directory, relative to the
repository; by default a temporary one, so a test run writes nothing into
the tree), and checked with axe-core: no ``serious`` or ``critical``
violation. axe runs in the page through the browser's debugging protocol,
which the page's Content-Security-Policy does not govern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bench.server_process import ServerProcess
from playwright.sync_api import expect
from tests.e2e.dashboard import (
    Tab,
    Theme,
    api,
    assert_no_sideways_scroll,
    describe,
    run_axe,
    screenshots_dir,
    serve,
)

pytestmark = pytest.mark.browser

START = "2012-01-03T14:30:00Z"
END = "2012-06-29T21:00:00Z"


@dataclass(frozen=True)
class World:
    server: ServerProcess
    backtest: str
    paper: str
    shots: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    for server in serve(tmp_path_factory.mktemp("pages")):
        backtest = api(
            server,
            "POST",
            "/v1/sessions",
            {
                "name": "sma-aapl-2012",
                "startTime": START,
                "endTime": END,
                "initialCash": "100000",
                "strategy": {
                    "name": "sma_crossover",
                    "params": {"fast": 5, "slow": 20},
                    "symbols": ["AAPL"],
                },
                "risk": {
                    "limits": {"max_position_qty": "200", "max_gross_exposure": "60000"},
                    "safeguards": {"stop_loss_pct": "10"},
                    "breakers": {"daily_loss": "5000", "max_drawdown_pct": "20"},
                },
            },
        )["id"]
        # Three months of the strategy's trading, with orders of one's own every two weeks.
        for week in range(6):
            api(server, "POST", f"/v1/sessions/{backtest}/time/advance", {"duration": 14 * 1440})
            side, qty = ("buy", "20") if week % 2 == 0 else ("sell", "10")
            order = {"symbol": "AAPL", "side": side, "qty": qty, "type": "market"}
            api(server, "POST", f"/sessions/{backtest}/v2/orders", order)
        api(server, "POST", f"/v1/sessions/{backtest}/time/advance", {"duration": 1440})
        paper = api(
            server,
            "POST",
            "/api/paper-trading/sessions",
            {
                "name": "walk-aapl",
                "symbols": ["AAPL"],
                "strategy": {"name": "sma_crossover", "params": {"fast": 3, "slow": 8}},
                "feed": {"type": "synthetic", "seed": 7, "interval_seconds": 2},
            },
        )["id"]
        replay = api(
            server,
            "POST",
            "/api/paper-trading/sessions",
            {
                "name": "replay-msft",
                "symbols": ["MSFT"],
                "feed": {"type": "replay", "speed": 1440, "start": START},
            },
        )["id"]
        api(server, "POST", f"/api/paper-trading/sessions/{replay}/pause")
        yield World(server, backtest, paper, screenshots_dir(tmp_path_factory))


@dataclass(frozen=True)
class Page:
    """A page: where it is, and what shows once its data is in."""

    name: str
    path: Callable[[World], str]
    ready: Callable[[Tab], None]
    signed_in: bool = True


def _sessions_ready(tab: Tab) -> None:
    expect(tab.page.get_by_role("link", name="sma-aapl-2012")).to_be_visible()
    expect(tab.page.get_by_role("link", name="walk-aapl")).to_be_visible()


def _session_ready(tab: Tab) -> None:
    tab.heading("sma-aapl-2012")
    caption = tab.page.get_by_text(re.compile(r"\d+ markers? for \d+ AAPL fills?"))
    expect(caption).not_to_have_text(re.compile("^0 markers"))
    for chart in (
        "AAPL candles with the account's fills",
        "Equity and drawdown over the session",
    ):
        # The charts' code loads on demand: drawn once their canvas is there.
        expect(tab.page.get_by_role("img", name=chart).locator("canvas").first).to_be_visible()


def _agents_ready(tab: Tab) -> None:
    tab.heading("Agent flow")
    expect(tab.page.get_by_role("region", name="Agent strategy")).to_be_visible()


def _activity_ready(tab: Tab) -> None:
    tab.heading("Activity")
    feed = tab.page.get_by_role("table", name="Activity events, newest first")
    expect(feed.get_by_role("row").nth(1)).to_be_visible()  # the header, then an event


def _risk_ready(tab: Tab) -> None:
    tab.heading("Risk")
    expect(tab.page.get_by_role("table", name="Risk by session")).to_contain_text("sma-aapl-2012")
    audit = tab.page.get_by_role("region", name="Audit")
    expect(audit.get_by_text(re.compile("^No risk command yet"))).to_be_visible()


def _wizard_ready(tab: Tab) -> None:
    tab.heading("New session")
    picker = tab.page.get_by_role("combobox", name="Start from template")
    expect(picker).to_be_enabled()  # the templates have come


def _system_ready(tab: Tab) -> None:
    tab.heading("System control")
    expect(tab.page.get_by_role("region", name="Active sessions")).to_contain_text("2")


PAGES = [
    Page("signin", lambda w: "/signin", lambda t: t.heading("Sign in to paperbroker"), False),
    Page("system", lambda w: "/", _system_ready),
    Page("sessions", lambda w: "/sessions", _sessions_ready),
    Page("session", lambda w: f"/sessions/{w.backtest}", _session_ready),
    Page("agents", lambda w: f"/sessions/{w.backtest}/agents", _agents_ready),
    Page("wizard", lambda w: "/sessions/new", _wizard_ready),
    Page("activity", lambda w: "/activity", _activity_ready),
    Page("risk", lambda w: "/risk", _risk_ready),
]


def check(tab: Tab, world: World, name: str) -> list[dict[str, Any]]:
    """Photograph the page as it is, then run axe on it."""
    tab.page.screenshot(path=world.shots / f"{name}.png", animations="disabled")
    return run_axe(tab.page)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_each_page_is_accessible_in_both_themes(
    world: World, tab_factory: Any, page: Page, theme: Theme
) -> None:
    tab = tab_factory(world.server, signed_in=page.signed_in, theme=theme)
    tab.goto(page.path(world))
    page.ready(tab)
    if page.signed_in:
        tab.live()
    tab.page.mouse.move(0, 0)  # no hover state in the picture
    violations = check(tab, world, f"{page.name}-{theme}")
    assert violations == [], describe(violations)
    assert_no_sideways_scroll(tab.page)
    assert tab.errors == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_each_wizard_step_is_accessible(world: World, tab_factory: Any, theme: Theme) -> None:
    tab = tab_factory(world.server, theme=theme)
    page = tab.page
    tab.goto("/sessions/new")
    tab.heading("New session")
    found: dict[str, list[dict[str, Any]]] = {}
    page.get_by_role("button", name="Paper").click()
    found["type"] = run_axe(page)
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="sma_crossover").click()
    expect(page.get_by_role("region", name="Parameters of sma_crossover")).to_be_visible()
    found["strategy"] = check(tab, world, f"wizard-strategy-{theme}")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Symbols").fill("AAPL")
    page.get_by_role("option", name=re.compile("^AAPL")).click()
    found["trading"] = check(tab, world, f"wizard-trading-{theme}")
    page.get_by_role("button", name="Next").click()
    risk = page.get_by_role("region", name="Risk")
    risk.get_by_label("Max position (qty)").fill("100")
    risk.get_by_label("Stop loss (%)").fill("5")
    risk.get_by_label("Daily loss ($)").fill("2000")
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    found["risk"] = check(tab, world, f"wizard-risk-{theme}")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("table", name="Review")).to_be_visible()
    found["review"] = check(tab, world, f"wizard-review-{theme}")
    failures = {step: describe(v) for step, v in found.items() if v}
    assert failures == {}, "\n".join(f"{step}:\n{text}" for step, text in failures.items())
