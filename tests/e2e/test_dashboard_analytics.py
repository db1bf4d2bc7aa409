"""History, compare, reports, templates and sweeps in Chromium against a real server.

Two backtests run to their end through the API before the browser opens:
the History page lists both, two picked rows open side by side on the
Compare page (metrics and equity curves); a session's "Download report"
saves a self-contained HTML tearsheet; "Save as template" adds a template
the Templates page lists; a 2x2 grid launched from the Sweeps page runs to
completed and shows its heatmap; an A/B test's page opens on its first
arm's account, its fills and its equity, and switches to the other arm's.
``PAPERBROKER_SCREENSHOTS`` keeps the pictures (history.png, compare.png,
sweep.png, ab-session.png) as test_dashboard_pages.py does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bench.server_process import ServerProcess, call
from playwright.sync_api import expect
from tests.e2e.dashboard import (
    UUID,
    Tab,
    api,
    assert_no_sideways_scroll,
    describe,
    run_axe,
    screenshots_dir,
    serve,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.browser

START = "2012-01-03T14:30:00Z"
END = "2012-03-30T21:00:00Z"
IDEAL = {"preset": "ideal"}
#: A sweep runs in worker processes of its own: give it time on a busy machine.
SWEEP_MS = 120_000


@dataclass(frozen=True)
class World:
    server: ServerProcess
    fast: str
    slow: str
    shots: Path


def _backtest(server: ServerProcess, name: str, fast: int, slow: int) -> str:
    """A backtest of the SMA crossover run to its end; its id once its summary is stored."""
    session: str = api(
        server,
        "POST",
        "/v1/sessions",
        {
            "name": name,
            "startTime": START,
            "endTime": END,
            "initialCash": "100000",
            "execution": IDEAL,
            "strategy": {
                "name": "sma_crossover",
                "params": {"fast": fast, "slow": slow},
                "symbols": ["AAPL"],
            },
        },
    )["id"]
    api(server, "POST", f"/v1/sessions/{session}/time/advance", {"targetTime": END})
    wait_for(
        lambda: call(server, "GET", f"/v1/sessions/{session}/summary")[0] == 200,
        f"the summary of {name}",
    )
    return session


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    for server in serve(tmp_path_factory.mktemp("analytics")):
        fast = _backtest(server, "sma-fast-2012", 3, 10)
        slow = _backtest(server, "sma-slow-2012", 10, 30)
        yield World(server, fast, slow, screenshots_dir(tmp_path_factory))


def _accessible(tab: Tab, world: World, name: str) -> None:
    """Photograph the page as it is, and check it with axe."""
    tab.page.mouse.move(0, 0)
    tab.page.screenshot(path=world.shots / f"{name}.png", animations="disabled")
    violations = run_axe(tab.page)
    assert violations == [], describe(violations)


def test_history_picks_two_sessions_and_compares_them(world: World, tab_factory: Any) -> None:
    tab = tab_factory(world.server)
    page = tab.page
    tab.goto("/history")
    tab.heading("History")
    table = page.get_by_role("table", name="Past sessions")
    expect(table.get_by_role("link", name="sma-fast-2012")).to_be_visible()
    expect(table.get_by_role("link", name="sma-slow-2012")).to_be_visible()
    tab.live()
    page.get_by_role("checkbox", name="Select sma-fast-2012").check()
    page.get_by_role("checkbox", name="Select sma-slow-2012").check()
    _accessible(tab, world, "history")
    assert_no_sideways_scroll(page)

    page.get_by_role("button", name="Compare (2)").click()
    expect(page).to_have_url(re.compile(rf"/compare\?sessions={UUID},{UUID}$"))
    tab.heading("Compare")
    metrics = page.get_by_role("table", name="Metrics side by side")
    expect(metrics.get_by_role("columnheader", name="sma-fast-2012")).to_be_visible()
    expect(metrics.get_by_role("columnheader", name="sma-slow-2012")).to_be_visible()
    expect(metrics.get_by_role("rowheader", name="Sharpe ratio")).to_be_visible()
    chart = page.get_by_role("img", name="Equity curves of sma-fast-2012, sma-slow-2012")
    expect(chart.locator("canvas").first).to_be_visible()
    legend = page.get_by_role("list", name="Chart legend")
    expect(legend).to_contain_text("sma-fast-2012")
    expect(legend).to_contain_text("sma-slow-2012")
    _accessible(tab, world, "compare")
    assert tab.errors == []


def test_a_session_downloads_its_report_and_saves_a_template(
    world: World, tab_factory: Any
) -> None:
    tab = tab_factory(world.server)
    page = tab.page
    tab.goto(f"/sessions/{world.fast}")
    tab.heading("sma-fast-2012")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download report").click()
    download = info.value
    assert download.suggested_filename.endswith(".html"), download.suggested_filename
    html = Path(download.path()).read_text(encoding="utf-8")
    assert "sma-fast-2012" in html
    # Self-contained: nothing is loaded from elsewhere (scripts, styles, images, fonts).
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"""(?:url\(|@import)\s*["']?(?:https?:)?//""", html, re.IGNORECASE)

    page.get_by_role("button", name="Save as template").click()
    dialog = page.get_by_role("dialog", name="Save as template")
    dialog.get_by_label("Name").fill("fast-sma-template")
    dialog.get_by_role("button", name="Save template").click()
    expect(dialog).to_be_hidden()

    tab.goto("/templates")
    tab.heading("Templates")
    templates = page.get_by_role("table", name="Templates")
    row = templates.get_by_role("row").filter(has_text="fast-sma-template")
    expect(row).to_be_visible()
    expect(row).to_contain_text("sma_crossover")
    expect(templates.get_by_text("Built-in").first).to_be_visible()
    assert tab.errors == []


def test_an_ab_test_page_shows_each_arms_account(world: World, tab_factory: Any) -> None:
    server = world.server
    arm = {"name": "sma_crossover", "symbols": ["AAPL"]}
    session: str = api(
        server,
        "POST",
        "/v1/sessions",
        {
            "name": "ab-2012",
            "startTime": START,
            "endTime": END,
            "initialCash": "100000",
            "execution": IDEAL,
            "strategies": [
                {**arm, "params": {"fast": 3, "slow": 10}},
                {**arm, "params": {"fast": 2, "slow": 6}},
            ],
            "mode": "ab",
        },
    )["id"]
    api(server, "POST", f"/v1/sessions/{session}/time/advance", {"targetTime": END})
    arms = api(server, "GET", f"/v1/sessions/{session}/arms")["arms"]
    counts = []
    for one in arms:
        path = f"/v1/trading/accounts/{one['account_id']}/fills?limit=500"
        listed = api(server, "GET", path, session=session)
        counts.append(len(listed))
    assert all(count > 0 for count in counts), counts

    tab = tab_factory(server)
    page = tab.page
    tab.goto(f"/sessions/{session}")
    tab.heading("ab-2012")
    choice = page.get_by_role("combobox", name="Account")
    expect(choice).to_have_text("a (sma_crossover)")
    fills = page.get_by_role("region", name="Fills")
    expect(fills.get_by_role("table", name="Fills")).to_be_visible()
    expect(fills).not_to_contain_text("No fills yet")
    expect(page.get_by_text(re.compile(rf"for {counts[0]} AAPL fills?"))).to_be_visible()
    chart = page.get_by_role("img", name="Equity and drawdown over the session")
    expect(chart.locator("canvas").first).to_be_visible()
    expect(page.get_by_text("the chosen account's: a (sma_crossover)", exact=False)).to_be_visible()
    _accessible(tab, world, "ab-session")

    choice.click()
    page.get_by_role("option", name="b (sma_crossover)").click()
    expect(choice).to_have_text("b (sma_crossover)")
    expect(page.get_by_text(re.compile(rf"for {counts[1]} AAPL fills?"))).to_be_visible()
    expect(page.get_by_text("the chosen account's: b (sma_crossover)", exact=False)).to_be_visible()
    choice.click()
    page.get_by_role("option", name="default").click()
    expect(fills).to_contain_text("No fills yet")
    assert tab.errors == []


def test_a_tiny_grid_sweep_runs_from_the_sweeps_page_to_its_heatmap(
    world: World, tab_factory: Any
) -> None:
    tab = tab_factory(world.server)
    page = tab.page
    tab.goto("/sweeps")
    tab.heading("Sweeps")
    form = page.get_by_role("form", name="Launch a sweep")
    form.get_by_label("Name").first.fill("tiny-grid")
    form.get_by_role("combobox", name="Strategy").click()
    page.get_by_role("option", name="sma_crossover", exact=True).click()
    form.get_by_label("Symbols").fill("AAPL")
    page.get_by_role("option", name="AAPL", exact=True).click()
    form.get_by_label("Start").fill("2012-01-03")
    form.get_by_label("End").fill("2012-02-29")
    ranges = form.get_by_role("group", name="Parameter ranges")
    for name, low, high, step in (("Fast", "3", "5", "2"), ("Slow", "10", "20", "10")):
        ranges.get_by_role("checkbox", name=name, exact=True).check()
        ranges.get_by_label(f"{name} min").fill(low)
        ranges.get_by_label(f"{name} max").fill(high)
        ranges.get_by_label(f"{name} step").fill(step)
    expect(form.get_by_role("status")).to_have_text("4 combinations")
    form.get_by_role("button", name="Launch sweep").click()

    expect(page).to_have_url(re.compile(rf"/sweeps/{UUID}$"))
    tab.heading("tiny-grid")
    expect(page.get_by_text("4 of 4 runs")).to_be_visible(timeout=SWEEP_MS)
    expect(page.get_by_role("main").get_by_text("completed", exact=True)).to_be_visible(
        timeout=SWEEP_MS
    )
    heatmap = page.get_by_role("table", name="Heatmap of score by slow and fast")
    expect(heatmap.get_by_role("row")).to_have_count(3)  # the header and one row per slow
    expect(heatmap.get_by_role("columnheader")).to_have_count(3)  # the corner and one per fast
    results = page.get_by_role("table", name="Sweep results")
    expect(results.get_by_role("row")).to_have_count(5)
    tab.live()
    _accessible(tab, world, "sweep")

    tab.goto("/sweeps")
    sweeps = page.get_by_role("table", name="Sweeps")
    row = sweeps.get_by_role("row").filter(has=page.get_by_role("link", name="tiny-grid"))
    expect(row).to_contain_text("completed")
    expect(row.get_by_role("progressbar", name="Progress of tiny-grid")).to_have_attribute(
        "aria-valuenow", "100"
    )
    assert tab.errors == []
