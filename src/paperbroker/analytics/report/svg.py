"""Small inline SVG charts for the tearsheet: lines, an area, a heatmap, a histogram.

Every chart is one ``<svg>`` element with its data drawn in user units of a
fixed view box, so a report needs no script, no stylesheet from elsewhere
and no font files: it opens offline. Texts (labels, titles, tooltips) are
escaped here; callers pass plain strings. Coordinates are rounded to 0.1
units, which keeps a year of minute samples small once thinned
(:func:`thin`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

WIDTH: Final = 720
HEIGHT: Final = 240
_PAD_LEFT: Final = 64
_PAD_RIGHT: Final = 12
_PAD_TOP: Final = 12
_PAD_BOTTOM: Final = 28
#: The most points a line keeps: more is invisible at this width.
MAX_POINTS: Final = 1500
PALETTE: Final = ("#1f6feb", "#d4582a", "#2da44e", "#8250df", "#bf8700", "#cf222e",
                  "#0a7b83", "#6e7781", "#a8356f", "#4b6bfb")  # fmt: skip
_NS_PER_SECOND: Final = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart: its label, its x (epoch ns) and y values, its colour."""

    label: str
    xs: Sequence[int]
    ys: Sequence[float]
    color: str = PALETTE[0]


@dataclass(frozen=True, slots=True)
class Marker:
    """A point marked on a chart: an entry (``up``: a triangle up) or an exit (down)."""

    x: int
    y: float
    up: bool
    title: str


def text(value: object) -> str:
    """``value`` as text safe inside an element or a quoted attribute."""
    return html.escape(str(value), quote=True)


def thin(
    xs: Sequence[int], ys: Sequence[float], limit: int = MAX_POINTS
) -> tuple[list[int], list[float]]:
    """At most ``limit`` points of a line, evenly spaced, the first and last kept."""
    n = len(xs)
    if n <= limit:
        return list(xs), list(ys)
    step = (n - 1) / (limit - 1)
    picks = sorted({round(i * step) for i in range(limit)})
    return [xs[i] for i in picks], [ys[i] for i in picks]


class _Frame:
    """Maps data (x in ns, y) to the view box of a plot."""

    def __init__(self, x_lo: float, x_hi: float, y_lo: float, y_hi: float) -> None:
        x_lo, x_hi = _widened(float(x_lo), float(x_hi))
        y_lo, y_hi = _widened(float(y_lo), float(y_hi))
        self.x_lo, self.x_hi, self.y_lo, self.y_hi = x_lo, x_hi, y_lo, y_hi
        self.width = WIDTH - _PAD_LEFT - _PAD_RIGHT
        self.height = HEIGHT - _PAD_TOP - _PAD_BOTTOM

    def x(self, value: float) -> float:
        return _PAD_LEFT + (value - self.x_lo) / (self.x_hi - self.x_lo) * self.width

    def y(self, value: float) -> float:
        return _PAD_TOP + (self.y_hi - value) / (self.y_hi - self.y_lo) * self.height

    def axes(self, y_format: str, x_is_time: bool = True) -> list[str]:
        parts = [
            f'<rect x="{_PAD_LEFT}" y="{_PAD_TOP}" width="{self.width}" height="{self.height}" '
            'class="plot"/>'
        ]
        for i in range(5):
            value = self.y_lo + (self.y_hi - self.y_lo) * i / 4
            y = _r(self.y(value))
            parts.append(
                f'<line x1="{_PAD_LEFT}" y1="{y}" x2="{WIDTH - _PAD_RIGHT}" y2="{y}" class="grid"/>'
                f'<text x="{_PAD_LEFT - 4}" y="{y}" class="tick" text-anchor="end" '
                f'dominant-baseline="middle">{text(format(value, y_format))}</text>'
            )
        for i in range(5):
            value = self.x_lo + (self.x_hi - self.x_lo) * i / 4
            label = _date(int(value)) if x_is_time else format(value, ".3g")
            anchor = "start" if i == 0 else "end" if i == 4 else "middle"
            parts.append(
                f'<text x="{_r(self.x(value))}" y="{HEIGHT - 8}" class="tick" '
                f'text-anchor="{anchor}">{text(label)}</text>'
            )
        return parts


def _widened(lo: float, hi: float) -> tuple[float, float]:
    """``(lo, hi)``, widened around a single value so that ``hi - lo > 0`` in floats (a
    time in epoch ns is ~1e18: adding 1 to it changes nothing)."""
    if hi > lo:
        return lo, hi
    pad = max(abs(lo) * 1e-6, 1.0)
    return lo - pad, hi + pad


def _r(value: float) -> str:
    return f"{value:.1f}"


def _date(ns: int) -> str:
    return datetime.fromtimestamp(ns / _NS_PER_SECOND, tz=UTC).strftime("%Y-%m-%d")


def _svg(title: str, body: Sequence[str], width: int = WIDTH, height: int = HEIGHT) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" '
        f'role="img" class="chart"><title>{text(title)}</title>{"".join(body)}</svg>'
    )


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def _path(frame: _Frame, xs: Sequence[int], ys: Sequence[float]) -> str:
    points = [
        f"{'M' if i == 0 else 'L'}{_r(frame.x(x))},{_r(frame.y(y))}"
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    ]
    return "".join(points)


def _legend(series: Sequence[Series]) -> list[str]:
    parts = []
    for i, line in enumerate(series):
        x = _PAD_LEFT + 8 + 150 * i
        parts.append(
            f'<rect x="{x}" y="{_PAD_TOP + 6}" width="10" height="10" fill="{text(line.color)}"/>'
            f'<text x="{x + 14}" y="{_PAD_TOP + 15}" class="legend">{text(line.label)}</text>'
        )
    return parts


def line_chart(
    title: str,
    series: Sequence[Series],
    *,
    y_format: str = ",.0f",
    markers: Sequence[Marker] = (),
    zero_line: bool = False,
) -> str:
    """Lines over time (each :class:`Series` thinned to :data:`MAX_POINTS`), with a
    legend when there are several, and optional entry/exit ``markers``."""
    drawn = [(s, *thin(s.xs, s.ys)) for s in series if len(s.xs)]
    xs = [x for _, line_xs, _ in drawn for x in line_xs] + [m.x for m in markers]
    ys = _finite([y for _, _, line_ys in drawn for y in line_ys] + [m.y for m in markers])
    if not xs or not ys:
        return _svg(title, [f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
                            'class="empty">no data</text>'])  # fmt: skip
    lo, hi = min(ys), max(ys)
    if zero_line:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    margin = (hi - lo) * 0.05
    frame = _Frame(min(xs), max(xs), lo - margin, hi + margin)
    body = frame.axes(y_format)
    if zero_line:
        zero = _r(frame.y(0.0))
        body.append(
            f'<line x1="{_PAD_LEFT}" y1="{zero}" x2="{WIDTH - _PAD_RIGHT}" y2="{zero}" '
            'class="zero"/>'
        )
    for line, line_xs, line_ys in drawn:
        body.append(
            f'<path d="{_path(frame, line_xs, line_ys)}" fill="none" '
            f'stroke="{text(line.color)}" stroke-width="1.5">'
            f"<title>{text(line.label)}</title></path>"
        )
    for marker in markers:
        x, y = frame.x(marker.x), frame.y(marker.y)
        tip = (x, y + 1) if marker.up else (x, y - 1)
        base = 7 if marker.up else -7
        body.append(
            f'<polygon points="{_r(tip[0])},{_r(tip[1])} {_r(x - 5)},{_r(y + base)} '
            f'{_r(x + 5)},{_r(y + base)}" class="{"entry" if marker.up else "exit"}">'
            f"<title>{text(marker.title)}</title></polygon>"
        )
    if len(drawn) > 1:
        body.extend(_legend([line for line, _, _ in drawn]))
    return _svg(title, body)


def area_chart(title: str, xs: Sequence[int], ys: Sequence[float], *, color: str = "#cf222e",
               y_format: str = ".1%") -> str:  # fmt: skip
    """A filled area between zero and the values (a drawdown curve, ≤ 0)."""
    line_xs, line_ys = thin(xs, ys)
    values = _finite(line_ys)
    if not line_xs or not values:
        return line_chart(title, [])
    frame = _Frame(line_xs[0], line_xs[-1], min(min(values), 0.0), max(max(values), 0.0))
    body = frame.axes(y_format)
    zero = _r(frame.y(0.0))
    outline = _path(frame, line_xs, line_ys)
    body.append(
        f'<path d="{outline}L{_r(frame.x(line_xs[-1]))},{zero}L{_r(frame.x(line_xs[0]))},{zero}Z" '
        f'fill="{text(color)}" fill-opacity="0.35" stroke="{text(color)}" stroke-width="1"/>'
    )
    return _svg(title, body)


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Sequence[Sequence[float | None]],
    *,
    cell_format: str = ".1%",
) -> str:
    """A table of coloured cells (green above zero, red below, stronger further from
    zero), each with its value; an empty cell (``None``) stays blank."""
    cell_w, cell_h, left, top = 52, 22, 48, 20
    width = left + cell_w * len(columns) + 4
    height = top + cell_h * len(rows) + 4
    scale = max((abs(v) for row in cells for v in row if v is not None and math.isfinite(v)),
                default=0.0) or 1.0  # fmt: skip
    body = [
        f'<text x="{left + cell_w * j + cell_w / 2}" y="{top - 6}" class="tick" '
        f'text-anchor="middle">{text(name)}</text>'
        for j, name in enumerate(columns)
    ]
    for i, (name, row) in enumerate(zip(rows, cells, strict=True)):
        y = top + cell_h * i
        body.append(
            f'<text x="{left - 6}" y="{y + cell_h / 2}" class="tick" text-anchor="end" '
            f'dominant-baseline="middle">{text(name)}</text>'
        )
        for j, value in enumerate(row):
            x = left + cell_w * j
            if value is None or not math.isfinite(value):
                fill, label = "#f6f8fa", ""
            else:
                strength = min(abs(value) / scale, 1.0)
                hue = "45,164,78" if value >= 0 else "207,34,46"
                fill = f"rgba({hue},{0.15 + 0.75 * strength:.2f})"
                label = format(value, cell_format)
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}">'
                f"<title>{text(name + ' ' + columns[j] + ': ' + (label or '-'))}</title></rect>"
                f'<text x="{x + cell_w / 2 - 1}" y="{y + cell_h / 2}" class="cell" '
                f'text-anchor="middle" dominant-baseline="middle">{text(label)}</text>'
            )
    return _svg(title, body, width, height)


def histogram(title: str, values: Sequence[float], *, bins: int = 40,
              x_format: str = ".1%") -> str:  # fmt: skip
    """The distribution of ``values`` in ``bins`` equal bins, with a line at zero."""
    data = _finite(values)
    if not data:
        return line_chart(title, [])
    lo, hi = min(data), max(data)
    if hi <= lo:
        lo, hi = lo - 0.005, hi + 0.005
    counts = [0] * bins
    for value in data:
        counts[min(int((value - lo) / (hi - lo) * bins), bins - 1)] += 1
    frame = _Frame(lo, hi, 0.0, max(counts) * 1.05)
    body = frame.axes(",.0f", x_is_time=False)
    # Replace the numeric x ticks with formatted returns.
    body = [part for part in body if f'y="{HEIGHT - 8}"' not in part]
    for i in range(5):
        value = lo + (hi - lo) * i / 4
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        body.append(
            f'<text x="{_r(frame.x(value))}" y="{HEIGHT - 8}" class="tick" '
            f'text-anchor="{anchor}">{text(format(value, x_format))}</text>'
        )
    width = (hi - lo) / bins
    for i, count in enumerate(counts):
        if not count:
            continue
        x0, x1 = frame.x(lo + i * width), frame.x(lo + (i + 1) * width)
        y = frame.y(count)
        body.append(
            f'<rect x="{_r(x0)}" y="{_r(y)}" width="{_r(max(x1 - x0 - 1, 0.5))}" '
            f'height="{_r(frame.y(0) - y)}" class="bar"><title>{count}</title></rect>'
        )
    if lo < 0 < hi:
        x = _r(frame.x(0.0))
        body.append(
            f'<line x1="{x}" y1="{_PAD_TOP}" x2="{x}" y2="{HEIGHT - _PAD_BOTTOM}" class="zero"/>'
        )
    return _svg(title, body)


def sparkline(values: Sequence[float], *, width: int = 160, height: int = 32,
              color: str = PALETTE[0]) -> str:  # fmt: skip
    """A tiny line of ``values`` without axes (for a notebook summary)."""
    _, ys = thin(list(range(len(values))), values, limit=width * 2)
    data = _finite(ys)
    if len(data) < 2:
        return f'<svg width="{width}" height="{height}"></svg>'
    lo, hi = min(data), max(data)
    span = (hi - lo) or 1.0
    step = (width - 2) / (len(ys) - 1)
    points = " ".join(
        f"{_r(1 + i * step)},{_r(height - 1 - (y - lo) / span * (height - 2))}"
        for i, y in enumerate(ys)
        if math.isfinite(y)
    )
    return (
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>equity</title>'
        f'<polyline points="{points}" fill="none" stroke="{text(color)}" stroke-width="1.5"/></svg>'
    )
