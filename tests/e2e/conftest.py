"""Browser tests: the system's Chromium, driven by Playwright (which never downloads a browser).

Without Chromium at ``/usr/bin/chromium`` they are skipped with the reason,
except under ``CI=true``, where they fail: CI installs it (``make chromium``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from bench.chromium import CHROMIUM, CHROMIUM_ARGS
from bench.server_process import ServerProcess
from tests.e2e.dashboard import serve, tab_factory

__all__ = ["tab_factory"]

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module, not session: Playwright's sync API keeps its event loop running in the
    # worker's thread while it is started, and asyncio.run() in any later test of that
    # worker would refuse to start ("cannot be called from a running event loop").
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (make chromium installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def dashboard_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server per test module, serving the built dashboard (tests/e2e/dashboard.py)."""
    yield from serve(tmp_path_factory.mktemp("dashboard"))
