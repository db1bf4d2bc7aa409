"""The tearsheet's SVG helpers: well-formed, scaled into their view box, escaped, thinned."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from paperbroker.analytics.report import svg

DAY = 86_400 * 1_000_000_000


def parsed(chart: str) -> ET.Element:
    return ET.fromstring(chart)


def coordinates(chart: str) -> list[tuple[float, float]]:
    path = parsed(chart).find("path")
    assert path is not None
    return [
        (float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", path.get("d", ""))
    ]


def test_a_line_spans_the_plot_and_rises_upwards() -> None:
    chart = svg.line_chart(
        "Equity", [svg.Series("equity", [0, DAY, 2 * DAY], [100.0, 150.0, 200.0])]
    )
    points = coordinates(chart)
    assert len(points) == 3
    (x0, y0), _, (x2, y2) = points
    assert x0 < x2
    assert y2 < y0
    for x, y in points:
        assert 0 <= x <= svg.WIDTH
        assert 0 <= y <= svg.HEIGHT
    assert parsed(chart).findtext("title") == "Equity"


def test_texts_are_escaped() -> None:
    lines = [svg.Series("a&b", [0, DAY], [1.0, 2.0]), svg.Series("<c>", [0, DAY], [2.0, 1.0])]
    chart = svg.line_chart('<script>"x"</script>', lines)
    assert "<script>" not in chart
    root = parsed(chart)  # well-formed
    assert root.findtext("title") == '<script>"x"</script>'
    assert "a&amp;b" in chart
    assert "&lt;c&gt;" in chart


def test_no_data_draws_a_note_not_an_error() -> None:
    assert "no data" in svg.line_chart("Empty", [])
    assert "no data" in svg.histogram("Empty", [])
    assert "no data" in svg.area_chart("Empty", [], [])


def test_markers_are_triangles_with_their_tooltips() -> None:
    chart = svg.line_chart(
        "AAPL", [svg.Series("AAPL", [0, DAY], [10.0, 12.0])],
        markers=[svg.Marker(0, 10.0, True, "entry"), svg.Marker(DAY, 12.0, False, "exit")],
    )  # fmt: skip
    polygons = parsed(chart).findall("polygon")
    assert [p.get("class") for p in polygons] == ["entry", "exit"]
    assert [p.findtext("title") for p in polygons] == ["entry", "exit"]


def test_a_drawdown_area_closes_at_zero() -> None:
    chart = svg.area_chart("Drawdown", [0, DAY, 2 * DAY], [0.0, -0.5, 0.0])
    d = parsed(chart).find("path")
    assert d is not None
    assert d.get("d", "").endswith("Z")


def test_the_heatmap_colours_gains_green_losses_red_and_leaves_gaps_blank() -> None:
    chart = svg.heatmap("Monthly", ["2012"], ["Jan", "Feb", "Mar"], [[0.02, -0.01, None]])
    cells = list(parsed(chart).findall("rect"))
    assert cells[0].get("fill", "").startswith("rgba(45,164,78")
    assert cells[1].get("fill", "").startswith("rgba(207,34,46")
    assert cells[2].get("fill") == "#f6f8fa"
    labels = [t.text for t in parsed(chart).findall("text") if t.get("class") == "cell"]
    assert labels == ["2.0%", "-1.0%", None]


def test_the_histogram_counts_every_value_once() -> None:
    values = [-0.02, -0.01, 0.0, 0.0, 0.01, 0.03]
    chart = svg.histogram("Returns", values, bins=5)
    counts = [int(r.findtext("title") or 0) for r in parsed(chart).findall("rect")[1:]]
    assert sum(counts) == len(values)


@given(st.integers(2, 10_000), st.integers(2, 2_000))
def test_thinning_keeps_the_ends_and_at_most_the_limit(n: int, limit: int) -> None:
    xs = list(range(n))
    thin_x, thin_y = svg.thin(xs, [float(x) for x in xs], limit)
    assert len(thin_x) == len(thin_y) <= max(limit, 2)
    assert thin_x[0] == 0
    assert thin_x[-1] == n - 1
    assert thin_x == sorted(set(thin_x))


def test_a_sparkline_is_a_small_polyline() -> None:
    chart = svg.sparkline([1.0, 2.0, 1.5, 3.0], width=100, height=20)
    line = parsed(chart).find("polyline")
    assert line is not None
    assert len(line.get("points", "").split()) == 4


@given(
    st.lists(
        st.tuples(st.integers(0, 4 * 10**18), st.floats(-1e12, 1e12, allow_nan=False)),
        min_size=1,
        max_size=30,
        unique_by=lambda p: p[0],
    )
)
def test_any_line_even_of_one_point_stays_inside_the_view_box(
    points: list[tuple[int, float]],
) -> None:
    points.sort()
    xs, ys = [x for x, _ in points], [y for _, y in points]
    chart = svg.line_chart("Any", [svg.Series("any", xs, ys)], zero_line=True)
    for x, y in coordinates(chart):
        assert 0 <= x <= svg.WIDTH
        assert 0 <= y <= svg.HEIGHT
    assert "no data" not in svg.area_chart("Any", xs, [min(y, 0.0) for y in ys])
    assert "no data" not in svg.histogram("Any", ys)
