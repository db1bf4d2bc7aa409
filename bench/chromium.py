"""The system's Chromium, as the browser tests and the dashboard benchmark launch it.

Playwright drives Debian's ``chromium`` (``make chromium`` installs it) and
never downloads a browser of its own.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
#: Headless, and quiet: no sandbox (it runs as root in CI), no GPU, none of Chromium's own
#: traffic (QUIC, component updates, sync, background networking), which a machine
#: without the internet would refuse many times a second.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
