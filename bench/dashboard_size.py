"""What the dashboard's build makes a browser download: its initial JavaScript and its lazy chunks.

The initial JavaScript is what the browser must load before the first render:
the entry script ``index.html`` names (``<script type="module" src>``), every
script it preloads (``<link rel="modulepreload">``, which Vite writes for the
entry's static imports) and, to be sure none is missed, every chunk those
import statically (``import … from "./x.js"``), transitively. Each file counts
with the size a server sends: its precompressed ``.gz`` copy if the build has
one, else its gzip at level 9.

Every other script is loaded on demand (``import("./x.js")``: a page, the
charts, the flow graph). Each one the build imports dynamically is reported
with what a first visit to it adds: the chunk and the chunks it imports
statically that are not loaded already (by the initial set and, for a chunk a
page imports on demand, by that page).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

#: A static import or re-export at a statement's start, in minified or formatted code:
#: ``import{a as b}from"./c.js";``, ``import"./d.js";``, ``export*from"./e.js"``.
_STATIC = re.compile(
    r"""(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"'\s]+\.m?js)["']"""
)
#: A dynamic import: ``import("./f.js")`` (or with backticks, as Vite writes it). The
#: file names Vite's preload helper lists (``__vite__mapDeps``) are not imports.
_DYNAMIC = re.compile(r"""\bimport\(\s*["'`]([^"'`\s]+\.m?js)["'`]\s*\)""")
#: A chunk's name before its content hash: ``SessionsPage-Bx1_k9.js`` → ``SessionsPage``.
_HASHED = re.compile(r"^(?P<name>.+?)[-.][\w-]{6,}\.m?js$")


class _Index(HTMLParser):
    """The entry scripts, module preloads and stylesheets an ``index.html`` names."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.preloads: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and values.get("type") == "module" and values.get("src"):
            self.scripts.append(values["src"])
        elif tag == "link":
            rel = values.get("rel", "").split()
            if "modulepreload" in rel and values.get("href"):
                self.preloads.append(values["href"])
            elif "stylesheet" in rel and values.get("href"):
                self.styles.append(values["href"])


@dataclass(frozen=True)
class Chunk:
    """One file of the build: its path from the build's root, raw and gzipped bytes."""

    path: str
    raw: int
    gzipped: int


@dataclass
class LazyChunk:
    """A chunk loaded on demand, and what a first visit to it adds to the initial set."""

    name: str
    chunk: Chunk
    #: The chunk and its static imports not loaded already.
    adds: list[Chunk] = field(default_factory=list)
    #: The lazy chunk that imports it (``None``: the initial set does).
    via: str | None = None

    @property
    def gzipped(self) -> int:
        return sum(c.gzipped for c in self.adds)


@dataclass
class BuildSize:
    """The initial JavaScript (and CSS) of a build and its lazily loaded chunks."""

    root: Path
    initial: list[Chunk]
    css: list[Chunk]
    lazy: list[LazyChunk]
    #: Scripts of the build neither in the initial set nor reached by a dynamic import.
    other: list[Chunk]

    @property
    def initial_gzipped(self) -> int:
        return sum(c.gzipped for c in self.initial)

    @property
    def initial_raw(self) -> int:
        return sum(c.raw for c in self.initial)

    @property
    def css_gzipped(self) -> int:
        return sum(c.gzipped for c in self.css)


def _relative(reference: str, importer: str | None = None) -> str:
    """``reference`` (a URL path or a relative import) as a path from the build's root."""
    path = urlsplit(reference).path
    if path.startswith("/"):
        return path.lstrip("/")
    base = importer.rsplit("/", 1)[0] if importer and "/" in importer else ""
    parts: list[str] = base.split("/") if base else []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _chunk(root: Path, path: str) -> Chunk:
    data = (root / path).read_bytes()
    packed = root / f"{path}.gz"
    if packed.is_file():
        gzipped = packed.stat().st_size
    else:
        gzipped = len(gzip.compress(data, compresslevel=9, mtime=0))
    return Chunk(path, len(data), gzipped)


def static_imports(code: str) -> list[str]:
    """The modules ``code`` imports (or re-exports) statically, in order, once each."""
    return list(dict.fromkeys(_STATIC.findall(code)))


def dynamic_imports(code: str) -> list[str]:
    """The modules ``code`` imports on demand (``import("…")``), in order, once each."""
    return list(dict.fromkeys(_DYNAMIC.findall(code)))


def chunk_name(path: str) -> str:
    """A chunk's name without its directory and content hash."""
    file = path.rsplit("/", 1)[-1]
    match = _HASHED.match(file)
    return match.group("name") if match else file.rsplit(".", 1)[0]


def _closure(root: Path, starts: list[str], seen: set[str]) -> list[str]:
    """``starts`` and every script they import statically, transitively, not in ``seen``."""
    order: list[str] = []
    stack = list(reversed(starts))
    while stack:
        path = stack.pop()
        if path in seen or not (root / path).is_file():
            continue
        seen.add(path)
        order.append(path)
        code = (root / path).read_text(errors="replace")
        stack.extend(reversed([_relative(ref, path) for ref in static_imports(code)]))
    return order


def measure(root: Path) -> BuildSize:
    """The sizes of the build in ``root`` (the directory of its ``index.html``)."""
    index = _Index()
    index.feed((root / "index.html").read_text())
    entries = [_relative(src) for src in [*index.scripts, *index.preloads]]
    missing = [path for path in entries if not (root / path).is_file()]
    if not index.scripts or missing:
        raise ValueError(f"{root / 'index.html'}: no entry script, or missing {missing}")
    loaded: set[str] = set()
    initial = [_chunk(root, path) for path in _closure(root, entries, loaded)]
    css = [_chunk(root, _relative(href)) for href in index.styles]

    # Breadth first from the initial set: each chunk imported on demand adds what its
    # importer (and what loaded that) has not loaded already.
    lazy: list[LazyChunk] = []
    reached = set(loaded)
    queue: list[tuple[str, frozenset[str], str | None]] = [
        (c.path, frozenset(loaded), None) for c in initial
    ]
    done: set[str] = set()
    while queue:
        importer, context, via = queue.pop(0)
        if importer in done:
            continue
        done.add(importer)
        code = (root / importer).read_text(errors="replace")
        for ref in dynamic_imports(code):
            path = _relative(ref, importer)
            if path in context or path in done or not (root / path).is_file():
                continue
            adds = [_chunk(root, p) for p in _closure(root, [path], set(context))]
            lazy.append(LazyChunk(chunk_name(path), _chunk(root, path), adds, via))
            inner = context | {c.path for c in adds}
            for chunk in adds:
                reached.add(chunk.path)
                queue.append((chunk.path, inner, chunk_name(path)))
    scripts = sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.suffix in (".js", ".mjs")
    )
    other = [_chunk(root, p) for p in scripts if p not in reached]
    return BuildSize(root, initial, css, lazy, other)
