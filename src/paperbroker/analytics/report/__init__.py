"""Reports of a run: a self-contained HTML tearsheet and JSON/CSV exports.

Build a :class:`ReportData` (:func:`from_backtest` for a backtest's result;
:mod:`paperbroker.services.reports` for a server's session), then
:func:`render_html`, :func:`to_json` or :func:`to_csv`.
"""

from __future__ import annotations

from paperbroker.analytics.report.data import Benchmark, PricePath, ReportData, from_backtest
from paperbroker.analytics.report.exports import PARTS, Part, to_csv, to_document, to_json
from paperbroker.analytics.report.html import SECTIONS, render_html

__all__ = [
    "PARTS",
    "SECTIONS",
    "Benchmark",
    "Part",
    "PricePath",
    "ReportData",
    "from_backtest",
    "render_html",
    "to_csv",
    "to_document",
    "to_json",
]
