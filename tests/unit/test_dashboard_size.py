"""bench.dashboard_size: which scripts of a build count as the dashboard's initial JavaScript."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from bench.dashboard_size import chunk_name, dynamic_imports, measure, static_imports

INDEX = """<!doctype html>
<html lang="en"><head>
<link rel="icon" type="image/svg+xml" href="/favicon.svg" />
<script type="module" crossorigin src="/assets/index-Dg1O5AJv.js"></script>
<link rel="modulepreload" crossorigin href="/assets/vendor-Ab12Cd34.js">
<link rel="stylesheet" crossorigin href="/assets/index-Zz99Yy88.css">
</head><body><div id="root"></div></body></html>
"""

# As Vite writes them: minified static imports at the top, dynamic imports with backticks
# through its preload helper, and a list of file names that imports nothing.
FILES = {
    "index-Dg1O5AJv.js": 'import{a as e}from"./vendor-Ab12Cd34.js";import"./polyfill-Qq11Rr22.js";'
    "const m=[`assets/SessionPage-Xx11Yy22.js`,`assets/charts-Cc33Dd44.js`];"
    "const p=()=>e(()=>import(`./SessionsPage-Ss55Tt66.js`),[]),"
    "q=()=>e(()=>import(`./SessionPage-Xx11Yy22.js`),m);" + "x" * 500,
    "vendor-Ab12Cd34.js": "export const a=1;" + "v" * 3000,
    "polyfill-Qq11Rr22.js": "window.p=1;",
    "SessionsPage-Ss55Tt66.js": 'import{a}from"./index-Dg1O5AJv.js";export default a;',
    "SessionPage-Xx11Yy22.js": 'import{a}from"./index-Dg1O5AJv.js";'
    'import{c as d}from"./charts-Cc33Dd44.js";export default d;',
    "charts-Cc33Dd44.js": "export const c=2;" + "c" * 2000,
    "unused-Uu77Vv88.js": "export{};",
    "index-Zz99Yy88.css": "body{margin:0}",
}


def gz(text: str) -> int:
    return len(gzip.compress(text.encode(), compresslevel=9, mtime=0))


@pytest.fixture
def build(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    for name, text in FILES.items():
        (tmp_path / "assets" / name).write_text(text)
    return tmp_path


def test_the_initial_set_is_the_entry_its_preloads_and_their_static_imports(build: Path) -> None:
    size = measure(build)
    initial = ["index-Dg1O5AJv.js", "vendor-Ab12Cd34.js", "polyfill-Qq11Rr22.js"]
    assert sorted(c.path for c in size.initial) == sorted(f"assets/{n}" for n in initial)
    assert size.initial_gzipped == sum(gz(FILES[n]) for n in initial)
    assert size.initial_raw == sum(len(FILES[n]) for n in initial)
    assert [c.path for c in size.css] == ["assets/index-Zz99Yy88.css"]


def test_each_lazy_chunk_counts_what_a_first_visit_adds(build: Path) -> None:
    lazy = {z.name: z for z in measure(build).lazy}
    assert sorted(lazy) == ["SessionPage", "SessionsPage"]
    assert [c.path for c in lazy["SessionsPage"].adds] == ["assets/SessionsPage-Ss55Tt66.js"]
    session = ["SessionPage-Xx11Yy22.js", "charts-Cc33Dd44.js"]
    assert [c.path for c in lazy["SessionPage"].adds] == [f"assets/{n}" for n in session]
    assert lazy["SessionPage"].gzipped == sum(gz(FILES[n]) for n in session)
    assert [c.path for c in measure(build).other] == ["assets/unused-Uu77Vv88.js"]


def test_a_precompressed_copy_counts_as_sent(build: Path) -> None:
    (build / "assets" / "vendor-Ab12Cd34.js.gz").write_bytes(b"z" * 7)
    vendor = next(c for c in measure(build).initial if c.path.endswith("vendor-Ab12Cd34.js"))
    assert vendor.gzipped == 7


def test_imports_are_told_apart() -> None:
    code = (
        'import{a as b}from"./x-1.js";export*from"./y-2.js";const s="import z";import("./w-3.js")'
    )
    assert static_imports(code) == ["./x-1.js", "./y-2.js"]
    assert dynamic_imports(code) == ["./w-3.js"]
    assert chunk_name("assets/SessionsPage-D8G81W_z.js") == "SessionsPage"
    assert chunk_name("assets/index-DgNO5AJv.js") == "index"


def test_a_build_without_its_entry_script_is_refused(build: Path) -> None:
    (build / "assets" / "vendor-Ab12Cd34.js").unlink()
    with pytest.raises(ValueError, match=r"vendor-Ab12Cd34\.js"):
        measure(build)


REAL = Path(__file__).resolve().parents[2] / "src" / "paperbroker" / "dashboard"
APP = Path(__file__).resolve().parents[2] / "web" / "src" / "App.tsx"


@pytest.mark.skipif(not (REAL / "index.html").is_file(), reason="no web build (make web)")
def test_the_real_build_has_its_entry_initial_and_every_page_lazy() -> None:
    size = measure(REAL)
    entry = re.search(
        r'<script type="module"[^>]*src="/([^"]+)"', (REAL / "index.html").read_text()
    )
    assert entry is not None
    assert size.initial[0].path == entry.group(1)
    assert 0 < size.initial_gzipped < size.initial_raw
    pages = set(re.findall(r'import\("\./pages/[^"]+/(\w+)"\)', APP.read_text()))
    assert pages, "App.tsx imports its pages lazily"
    assert pages <= {z.name for z in size.lazy}
    assert not {z.chunk.path for z in size.lazy} & {c.path for c in size.initial}
