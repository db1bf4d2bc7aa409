"""The dashboard's pages in Chromium, timed from inside the page.

Every page is opened in a new browser context (no cache, no storage), signed
in by a script that runs before the app's (the key in ``sessionStorage``, as
the sign-in page leaves it). The same script watches the page on every
animation frame and records, with ``performance.now()`` (milliseconds since
the navigation started), the first frame in which each thing it waits for is
in the page and laid out with a size: that frame is the one that paints it.
It also records the frame intervals (``requestAnimationFrame`` timestamps)
while a measurement asks for them, and every long task (over 50 ms) the
browser reports (``PerformanceObserver``, type ``longtask``).

Nothing is added to the app: it is the production build the server serves.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench.chromium import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

VIEWPORT = {"width": 1440, "height": 900}

#: What the pages wait for, as JavaScript tests run on every frame.
WATCHES = {
    # A row of data (not a spacer) in a table's body.
    "row": """() => [...document.querySelectorAll("tbody tr:not([aria-hidden])")].some(
        (tr) => tr.querySelector("td") !== null && tr.getBoundingClientRect().height > 0)""",
    # A chart: a canvas lightweight-charts drew into a labelled image.
    "chart": """() => [...document.querySelectorAll("[role=img] canvas")].some(
        (c) => c.width > 0 && c.getBoundingClientRect().height > 0)""",
    # A row of the fills table.
    "fills": """() => { const t = window.__benchFind.fills();
        return t !== null && [...t.querySelectorAll("tbody tr:not([aria-hidden])")].some(
        (tr) => tr.querySelector("td") !== null && tr.getBoundingClientRect().height > 0); }""",
}

INIT = """
(() => {
  sessionStorage.setItem("paperbroker.key", %(key)s);
  const bench = { marks: {}, frames: [], recording: false, longTasks: [] };
  window.__bench = bench;
  // The tables a measurement scrolls: the first one with rows, and the fills table.
  window.__benchFind = {
    table: () => document.querySelector("table:has(tbody tr td)"),
    fills: () => {
      for (const el of document.querySelectorAll("[aria-label]")) {
        if (!/^fills\\b/i.test(el.getAttribute("aria-label"))) continue;
        const table = el.tagName === "TABLE" ? el : el.querySelector("table");
        if (table !== null) return table;
      }
      return null;
    },
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (error) { bench.noLongTasks = String(error); }
  const watches = %(watches)s;
  let last = null;
  const tick = (now) => {
    if (bench.recording && last !== null) bench.frames.push(now - last);
    last = now;
    for (const [name, test] of Object.entries(watches)) {
      if (!(name in bench.marks)) {
        try { if (test()) bench.marks[name] = performance.now(); } catch (error) {}
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""

#: Scrolls the scrollable ancestor of the table ``__benchFind[find]`` finds to its end, one
#: screen per frame (or more, to be there in ``most`` frames), recording the frames meanwhile.
#: Each step shows rows that were not in the page: the most work a scroll can ask for.
SCROLL = """
async ({ find, most }) => {
  const target = window.__benchFind[find]();
  if (target === null) return { error: "nothing to scroll" };
  let box = target;
  while (box !== null && !(box.scrollHeight > box.clientHeight + 1
      && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
  if (box === null) return { error: "no scrollable box around it" };
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const bench = window.__bench;
  await frame();
  bench.frames = []; bench.recording = true;
  const began = performance.now();
  let steps = 0;
  const by = Math.max(box.clientHeight, Math.ceil(box.scrollHeight / most));
  while (box.scrollTop + box.clientHeight < box.scrollHeight - 1) {
    box.scrollTop += by; steps += 1;
    await frame();
  }
  for (let i = 0; i < 10; i++) await frame();
  bench.recording = false;
  const rows = [...target.querySelectorAll("tbody tr[aria-rowindex]")];
  const lastRow = rows.length ? Number(rows[rows.length - 1].getAttribute("aria-rowindex")) : null;
  return {
    steps, by, height: box.scrollHeight, viewport: box.clientHeight,
    seconds: (performance.now() - began) / 1000, frames: bench.frames,
    longTasks: bench.longTasks.filter(([start]) => start >= began),
    lastRow, rowCount: Number(target.getAttribute("aria-rowcount")) || null,
  };
}
"""


@dataclass
class Frames:
    """Frame intervals (ms) and long tasks (start, ms) during one interaction."""

    frames: list[float] = field(default_factory=list)
    long_tasks: list[tuple[float, float]] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""
    #: CPU seconds the page's main thread used meanwhile (Chromium's ``ThreadTime``), and
    #: how long its tasks, scripts, style recalculations and layouts ran.
    cpu: dict[str, float] = field(default_factory=dict)

    def quantile(self, q: float) -> float:
        if not self.frames:
            return float("nan")
        ordered = sorted(self.frames)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def longest_task(self) -> float:
        return max((d for _, d in self.long_tasks), default=0.0)


@dataclass
class Load:
    """One page load: the marks (ms from navigation start) and what the page fetched."""

    marks: dict[str, float]
    fcp: float | None
    requests: dict[str, float]
    long_tasks: list[tuple[float, float]]


#: Chromium's main-thread counters (``Performance.getMetrics``), in seconds.
COUNTERS = ("ThreadTime", "TaskDuration", "ScriptDuration", "RecalcStyleDuration", "LayoutDuration")


class Counters:
    """The page's main-thread counters between :meth:`start` and :meth:`stop`."""

    def __init__(self, page: Page) -> None:
        self.session = page.context.new_cdp_session(page)
        self.session.send("Performance.enable")
        self.before: dict[str, float] = {}

    def read(self) -> dict[str, float]:
        metrics = self.session.send("Performance.getMetrics")["metrics"]
        return {m["name"]: float(m["value"]) for m in metrics if m["name"] in COUNTERS}

    def start(self) -> None:
        self.before = self.read()

    def stop(self) -> dict[str, float]:
        after = self.read()
        return {name: after[name] - self.before.get(name, 0.0) for name in after}


def launch(playwright: Any) -> Browser:
    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium is not installed at {CHROMIUM} (make chromium installs it)")
    browser: Browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    return browser


@contextmanager
def page_for(browser: Browser, key: str) -> Iterator[Page]:
    """A page in a new context, signed in with ``key`` and watched by :data:`INIT`."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    try:
        watches = "{" + ",".join(f"{json.dumps(k)}: {v}" for k, v in WATCHES.items()) + "}"
        context.add_init_script(INIT % {"key": json.dumps(key), "watches": watches})
        yield context.new_page()
    finally:
        context.close()


def load(page: Page, url: str, wait_for: list[str], timeout_ms: float = 120_000) -> Load:
    """Open ``url`` and wait until every mark in ``wait_for`` is recorded."""
    page.goto(url, wait_until="commit")
    condition = " && ".join(f"({json.dumps(m)} in window.__bench.marks)" for m in wait_for)
    page.wait_for_function(f"() => window.__bench !== undefined && {condition}", timeout=timeout_ms)
    found = page.evaluate(
        """() => ({
        marks: window.__bench.marks,
        fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
        requests: performance.getEntriesByType("resource").map((e) => [e.name, e.startTime,
            e.responseEnd, e.decodedBodySize]),
        longTasks: window.__bench.longTasks,
    })"""
    )
    requests: dict[str, float] = {}
    for name, start, end, size in found["requests"]:
        path = name.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        requests[f"/{path}"] = end - start
        requests[f"/{path} bytes"] = size
    return Load(
        marks={k: float(v) for k, v in found["marks"].items()},
        fcp=found["fcp"],
        requests=requests,
        long_tasks=[(float(s), float(d)) for s, d in found["longTasks"]],
    )


def scroll(page: Page, find: str, most: int = 300) -> Frames:
    """Scroll the box around the table ``find`` (``table``: the first with rows, or
    ``fills``) to its end."""
    counters = Counters(page)
    counters.start()
    found = page.evaluate(SCROLL, {"find": find, "most": most})
    cpu = counters.stop()
    if "error" in found:
        raise RuntimeError(f"could not scroll: {found['error']}")
    note = f"{found['steps']} steps of {found['by']:,} px, {found['viewport']} px shown"
    if found["lastRow"] is not None and found["rowCount"]:
        shown = "yes" if found["lastRow"] == found["rowCount"] else f"NO ({found['lastRow']})"
        note += f"; last row shown: {shown}"
    return Frames(
        frames=[float(f) for f in found["frames"]],
        long_tasks=[(float(s), float(d)) for s, d in found["longTasks"]],
        seconds=float(found["seconds"]),
        note=note,
        cpu=cpu,
    )


def wheel(page: Page, selector: str, notches: list[int], pause_ms: float = 16) -> Frames:
    """Turn the mouse wheel over the first ``selector`` (positive notches: down, zooming a
    chart out), one notch of 100 px at a time, recording the frames meanwhile."""
    target = page.locator(selector).first
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    if box is None:
        raise RuntimeError(f"{selector} is not shown")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    counters = Counters(page)
    counters.start()
    began = page.evaluate(
        """() => new Promise((resolve) => requestAnimationFrame(() => {
        window.__bench.frames = []; window.__bench.recording = true;
        resolve(performance.now()); }))"""
    )
    for notch in notches:
        page.mouse.wheel(0, 100 * notch)
        page.wait_for_timeout(pause_ms)
    found = page.evaluate(
        """async (began) => {
        for (let i = 0; i < 10; i++) await new Promise((r) => requestAnimationFrame(r));
        const b = window.__bench; b.recording = false;
        return { frames: b.frames, seconds: (performance.now() - began) / 1000,
                 longTasks: b.longTasks.filter(([s]) => s >= began) };
    }""",
        began,
    )
    cpu = counters.stop()
    return Frames(
        frames=[float(f) for f in found["frames"]],
        long_tasks=[(float(s), float(d)) for s, d in found["longTasks"]],
        seconds=float(found["seconds"]),
        note=f"{len(notches)} wheel notches",
        cpu=cpu,
    )


def summary(values: list[float]) -> tuple[float, float, float]:
    """Minimum, median and maximum."""
    return min(values), statistics.median(values), max(values)
