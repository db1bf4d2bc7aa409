"""The web dashboard's performance: what it downloads, and how fast its pages show and scroll.

``python -m bench.dashboard`` (after ``make web``) measures the production build
the server serves:

- **Initial JavaScript**: the gzipped bytes of the entry script and every
  script it loads before the first render (``bench.dashboard_size``).
  Target: 350 kB. Each lazily loaded chunk (a page, the charts, the flow
  graph) is listed with what a first visit to it adds.
- **The sessions page**: a real ``paperbroker serve`` on a SQLite database
  holding ``--sessions`` sessions (50), Chromium on loopback, ``--runs``
  loads (5) each in a new browser context: the time from the navigation's
  start to the first row of the table on screen. Target: 1 s (the median).
- **With many sessions** (``--many-sessions``, 5,000): ``GET /v1/sessions``
  timed by a client (the first call after the server's start, which may
  wait for sessions to be restored, then warm), the page's time to its
  first row, and the table scrolled to its end one screen per frame: frame
  intervals and long tasks (over 50 ms).
- **A session with many fills** (``--fills``, 20,000): ``/sessions/{id}``
  until its price chart and its fills table are on screen, then the fills
  table scrolled to its end and the chart zoomed in and out with the mouse
  wheel, with frame intervals and long tasks.

Times are measured in the page (``bench.dashboard_browser``). The databases
are made once and kept (``bench.dashboard_data``); the first run takes minutes
more. ``--quick`` is a smoke run (20 and 300 sessions, 1,000 fills, 2 loads).
Results go to ``bench/results/dashboard.json``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.dashboard_browser import Frames, launch, load, page_for, scroll, summary, wheel
from bench.dashboard_data import Database, discard, fills_db, sessions_db
from bench.dashboard_size import BuildSize, chunk_name, measure
from bench.server_process import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "src" / "paperbroker" / "dashboard"
RESULTS = ROOT / "bench" / "results"
INITIAL_JS_TARGET_KB = 350.0
FIRST_ROW_TARGET_MS = 1000.0
LONG_TASK_MS = 50.0


# -- printing -----------------------------------------------------------------------
def table(headers: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        cells = zip(values, widths, strict=True)
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(cells)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def kb(size: int) -> str:
    return f"{size / 1000:,.1f} kB"


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def verdict(value: float, target: float) -> str:
    return "meets" if value <= target else "MISSES"


def size_report(size: BuildSize) -> tuple[str, dict[str, Any]]:
    rows = [[c.path, kb(c.raw), kb(c.gzipped), "initial"] for c in size.initial]
    rows += [[c.path, kb(c.raw), kb(c.gzipped), "initial (CSS)"] for c in size.css]
    rows.append(["initial JavaScript", kb(size.initial_raw), kb(size.initial_gzipped), ""])
    for lazy in size.lazy:
        extra = [chunk_name(c.path) for c in lazy.adds if c.path != lazy.chunk.path]
        note = "on demand" + ("" if lazy.via is None else f" by {lazy.via}")
        if extra:
            more = f" and {len(extra) - 4} more" if len(extra) > 4 else ""
            note += f", with {', '.join(extra[:4])}{more}"
        rows.append([lazy.chunk.path, kb(lazy.chunk.raw), kb(lazy.gzipped), note])
    rows += [[c.path, kb(c.raw), kb(c.gzipped), "not imported"] for c in size.other]
    gz = size.initial_gzipped / 1000
    headers = ["file", "raw", "gzip -9 (with what it adds)", "loaded"]
    text = table(headers, rows, {1, 2})
    text += (
        f"\ninitial JavaScript {gz:,.1f} kB gzipped: "
        f"{verdict(gz, INITIAL_JS_TARGET_KB)} the {INITIAL_JS_TARGET_KB:g} kB target"
    )
    record = {
        "initial_js_gzip_bytes": size.initial_gzipped,
        "initial_js_raw_bytes": size.initial_raw,
        "initial": [asdict(c) for c in size.initial],
        "css": [asdict(c) for c in size.css],
        "lazy": [
            {
                "name": z.name,
                "via": z.via,
                "gzip_bytes": z.gzipped,
                "adds": [asdict(c) for c in z.adds],
            }
            for z in size.lazy
        ],
        "meets_target": gz <= INITIAL_JS_TARGET_KB,
    }
    return text, record


def frames_row(label: str, frames: Frames) -> list[str]:
    long = [d for _, d in frames.long_tasks if d > LONG_TASK_MS]
    cpu = frames.cpu.get("ThreadTime", float("nan")) * 1000 / max(1, len(frames.frames))
    return [
        label,
        f"{len(frames.frames):,}",
        f"{frames.quantile(0.5):.1f} ms",
        f"{frames.quantile(0.95):.1f} ms",
        f"{max(frames.frames, default=float('nan')):.0f} ms",
        f"{len(long)}",
        f"{max(long, default=0):.0f} ms",
        f"{cpu:.1f} ms",
        f"{frames.seconds:.1f} s",
    ]


FRAME_HEADERS = [
    "interaction", "frames", "p50", "p95", "max", "long tasks", "longest", "CPU/frame", "took",
]  # fmt: skip


def frames_record(frames: Frames) -> dict[str, Any]:
    return {
        "frames": len(frames.frames),
        "p50_ms": frames.quantile(0.5),
        "p95_ms": frames.quantile(0.95),
        "max_ms": max(frames.frames, default=None),
        "long_tasks": [[s, d] for s, d in frames.long_tasks],
        "seconds": frames.seconds,
        "note": frames.note,
        "main_thread": frames.cpu,
    }


# -- the server ---------------------------------------------------------------------
#: The build the servers serve (``--build``).
SERVED = {"build": BUILD}


@contextmanager
def serving(database: Database) -> Iterator[ServerProcess]:
    workdir = Path(tempfile.mkdtemp(prefix="pb-dashboard-server-"))
    env = {
        "PAPERBROKER_DATA_DIR": str(workdir / "data"),
        "PAPERBROKER_LOG_DIR": str(workdir / "logs"),
        "PAPERBROKER_LOG_LEVEL": "WARNING",
        "PAPERBROKER_DASHBOARD_DIR": str(SERVED["build"]),
    }
    server = ServerProcess(f"sqlite:///{database.path}", env=env)
    server.start(timeout=180)
    try:
        yield server
    finally:
        server.stop()
        discard(database)


def get(server: ServerProcess, path: str, key: str, timeout: float = 1800) -> tuple[float, Any]:
    """Seconds a GET took (to the last byte) and its decoded answer."""
    token = base64.b64encode(key.encode()).decode()
    request = urllib.request.Request(
        server.base_url + path, headers={"Authorization": f"Basic {token}"}
    )
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return time.perf_counter() - began, json.loads(raw)


# -- the measurements ---------------------------------------------------------------
def page_loads(
    browser: Any, server: ServerProcess, key: str, path: str, marks: list[str], runs: int
) -> list[dict[str, Any]]:
    # A first load, not counted: a server starts its warm-up (market data, restores) at
    # its first request, and the measurement is of a server that has been running.
    with page_for(browser, key) as page:
        load(page, server.base_url + path, marks)
    loads = []
    for i in range(runs):
        with page_for(browser, key) as page:
            found = load(page, server.base_url + path, marks)
        shown = ", ".join(f"{m} {found.marks[m]:.0f} ms" for m in marks)
        print(f"  [{path} {i + 1}/{runs}] {shown}", file=sys.stderr, flush=True)
        loads.append(asdict(found))
    return loads


def load_rows(label: str, loads: list[dict[str, Any]], marks: list[str]) -> list[list[str]]:
    rows = []
    for mark in marks:
        low, mid, high = summary([run["marks"][mark] for run in loads])
        rows.append([f"{label}: {mark}", f"{len(loads)}", ms(low), ms(mid), ms(high)])
    fcps = [run["fcp"] for run in loads if run["fcp"] is not None]
    if fcps:
        low, mid, high = summary(fcps)
        rows.append(spread(f"{label}: first contentful paint", fcps))
    return rows


def spread(label: str, values: list[float]) -> list[str]:
    """A row: ``label``, how many values, their minimum, median and maximum (ms)."""
    return [label, f"{len(values)}", *map(ms, summary(values))]


def sessions_page(browser: Any, count: int, runs: int) -> tuple[list[list[str]], dict[str, Any]]:
    database = sessions_db(count)
    with serving(database) as server:
        cold, listed = get(server, "/v1/sessions", database.key)
        loads = page_loads(browser, server, database.key, "/sessions", ["row"], runs)
    first_rows = [run["marks"]["row"] for run in loads]
    record = {"sessions": len(listed), "first_list_s": cold, "loads": loads}
    record["first_row_median_ms"] = statistics.median(first_rows)
    return load_rows(f"/sessions ({len(listed):,} sessions)", loads, ["row"]), record


def many_sessions(
    browser: Any, count: int, runs: int
) -> tuple[list[list[str]], list[list[str]], dict[str, Any]]:
    database = sessions_db(count)
    with serving(database) as server:
        cold, listed = get(server, "/v1/sessions", database.key)
        warm = [get(server, "/v1/sessions", database.key)[0] for _ in range(5)]
        size = len(json.dumps(listed))
        loads = page_loads(browser, server, database.key, "/sessions", ["row"], runs)
        with page_for(browser, database.key) as page:
            load(page, server.base_url + "/sessions", ["row"])
            scrolled = scroll(page, "table")
    label = f"/sessions ({len(listed):,} sessions)"
    in_page = [run["requests"].get("/v1/sessions") for run in loads]
    request_rows = [
        spread(f"GET /v1/sessions, first after the start ({size / 1e6:.1f} MB)", [cold * 1e3]),
        spread("GET /v1/sessions, warm (client)", [w * 1e3 for w in warm]),
    ]
    if all(v is not None for v in in_page):
        times = [float(v) for v in in_page if v is not None]
        request_rows.append(spread("GET /v1/sessions, in the page", times))
    rows = request_rows + load_rows(label, loads, ["row"])
    record = {
        "sessions": len(listed),
        "list_bytes": size,
        "first_list_s": cold,
        "warm_list_s": warm,
        "loads": loads,
        "scroll": frames_record(scrolled),
    }
    return rows, [frames_row(f"scroll {label} ({scrolled.note})", scrolled)], record


def fills_page(
    browser: Any, fills: int, runs: int
) -> tuple[list[list[str]], list[list[str]], dict[str, Any]]:
    database = fills_db(fills)
    with serving(database) as server:
        restored, _ = get(server, f"/v1/sessions/{database.session_id}", database.key)
        _, total = count_fills(server, database)
        path = f"/sessions/{database.session_id}"
        marks = ["chart", "fills"]
        loads = page_loads(browser, server, database.key, path, marks, runs)
        with page_for(browser, database.key) as page:
            load(page, server.base_url + path, marks)
            scrolled = scroll(page, "fills")
            zoomed = wheel(page, "[role=img] canvas", [-1] * 15 + [1] * 30)
    label = f"/sessions/{{id}} ({total:,} fills)"
    rows = [spread("GET /v1/sessions/{id}, first after the start (its restore)", [restored * 1e3])]
    rows += load_rows(label, loads, marks)
    frame_rows = [
        frames_row(f"scroll the fills table ({scrolled.note})", scrolled),
        frames_row(f"zoom the price chart ({zoomed.note})", zoomed),
    ]
    record = {
        "fills": total,
        "restore_s": restored,
        "loads": loads,
        "scroll": frames_record(scrolled),
        "zoom": frames_record(zoomed),
    }
    return rows, frame_rows, record


def count_fills(server: ServerProcess, database: Database) -> tuple[str, int]:
    """The session's account and its fills, paged through (the fills route needs the
    session named in ``X-Session-Id``)."""
    assert database.session_id is not None
    _, view = get(server, f"/v1/sessions/{database.session_id}", database.key)
    account = view["default_account_id"]
    token = base64.b64encode(database.key.encode()).decode()
    total, after = 0, None
    while True:
        query = "?limit=500" + ("" if after is None else f"&page_token={after}")
        request = urllib.request.Request(
            f"{server.base_url}/v1/trading/accounts/{account}/fills{query}",
            headers={"Authorization": f"Basic {token}", "X-Session-Id": database.session_id},
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            page = json.loads(response.read())
        total += len(page)
        if len(page) < 500:
            return account, total
        after = page[-1]["id"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__)
    parser.add_argument("--sessions", type=int, default=50, help="sessions for the paint target")
    parser.add_argument("--many-sessions", type=int, default=5000, help="sessions to scroll")
    parser.add_argument("--fills", type=int, default=20_000, help="fills of the one session")
    parser.add_argument("--runs", type=int, default=5, help="page loads per case")
    parser.add_argument("--quick", action="store_true", help="a smoke run: small, 2 loads each")
    parser.add_argument("--out", type=Path, default=RESULTS / "dashboard.json")
    parser.add_argument(
        "--build", type=Path, default=BUILD, help="the build to measure and serve (make web's)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.many_sessions, args.fills, args.runs = 20, 300, 1000, 2
    if not (args.build / "index.html").is_file():
        parser.error(f"no build at {args.build}: run make web")
    SERVED["build"] = args.build.resolve()

    print(f"load average before: {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    size_text, size_record = size_report(measure(args.build))
    print("The build (what a browser downloads)")
    print(size_text + "\n", flush=True)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            headers = ["measure (from the navigation's start)", "runs", "min", "median", "max"]
            rows, small = sessions_page(browser, args.sessions, args.runs)
            print(table(headers, rows, {1, 2, 3, 4}), flush=True)
            more_rows, scroll_rows, many = many_sessions(browser, args.many_sessions, args.runs)
            print(table(headers, more_rows, {1, 2, 3, 4}), flush=True)
            print(table(FRAME_HEADERS, scroll_rows, {1, 2, 3, 4, 5, 6, 7, 8}), flush=True)
            fill_rows, fill_frames, fills = fills_page(browser, args.fills, args.runs)
        finally:
            browser.close()

    print("\nPages on loopback (Chromium, a new context each load)")
    print(table(headers, rows + more_rows + fill_rows, {1, 2, 3, 4}))
    first_row = small["first_row_median_ms"]
    print(
        f"first row of /sessions, median {first_row:,.0f} ms: "
        f"{verdict(first_row, FIRST_ROW_TARGET_MS)} the {FIRST_ROW_TARGET_MS:g} ms target\n"
    )
    print("Frames while interacting (requestAnimationFrame intervals; long tasks > 50 ms)")
    print(table(FRAME_HEADERS, scroll_rows + fill_frames, {1, 2, 3, 4, 5, 6, 7, 8}))
    print(f"load average after: {os.getloadavg()[0]:.2f}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "generated_at": datetime.now(UTC).isoformat(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "quick": args.quick,
        "build": size_record,
        "sessions_page": small,
        "many_sessions": many,
        "fills_page": fills,
    }
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
