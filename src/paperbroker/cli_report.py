"""``paperbroker report SESSION`` and ``paperbroker compare S1 S2 …``, from the machine the
server runs on.

Both read the server's database (the settings', or ``--db URL``) through the
use cases the API serves (:mod:`paperbroker.services.reports`,
:mod:`paperbroker.services.compare`), as the key that owns the session: a
session is restored from its journal and valued as of its current time; no
play loop or feed runs here. ``report`` writes the HTML tearsheet, the JSON
document and the CSV parts where it is told to (and prints the metrics);
``compare`` prints the sessions' metrics side by side.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from paperbroker.cli_sessions import JsonOption, _Db, _errors, _out, escape

if TYPE_CHECKING:
    from paperbroker.analytics.report import ReportData

DbOption = Annotated[
    str | None,
    typer.Option("--db", metavar="URL", help="The server's database (default: the settings')."),
]
BenchmarkOption = Annotated[
    str | None,
    typer.Option("--benchmark", metavar="SYMBOL", help="Compare with buy-and-hold of a symbol."),
]


@contextmanager
def _database(url: str | None) -> Iterator[_Db]:
    from paperbroker.cli_common import _database
    from paperbroker.settings import load_settings

    settings = load_settings() if url is None else load_settings(database_url=url)
    with _database(settings) as factory:
        db = _Db(settings, factory)
        try:
            yield db
        finally:
            if db._service is not None:
                db._service.shutdown()


def report(
    session_id: Annotated[str, typer.Argument(metavar="SESSION", help="The session's id.")],
    html: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", help="Write the HTML tearsheet.")
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", metavar="FILE", help="Write the JSON document.")
    ] = None,
    csv_dir: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            metavar="DIR",
            help="Write metrics.csv, trades.csv, fills.csv, equity.csv into DIR.",
        ),
    ] = None,
    benchmark: BenchmarkOption = None,
    db_url: DbOption = None,
) -> None:
    """A session's report: an HTML tearsheet that opens offline, a JSON document, CSV files.

    Without --html, --json or --csv it prints the session's metrics.
    """
    with _errors():
        from paperbroker.analytics.report import PARTS, render_html, to_csv, to_json
        from paperbroker.services.reports import session_report

        with _database(db_url) as db:
            record = db.record(session_id)
            data = session_report(db.service, record.owner_key_id, record.id, benchmark=benchmark)
        out = _out()
        written = []
        if html is not None:
            html.write_text(render_html(data), encoding="utf-8")
            written.append(html)
        if json_file is not None:
            json_file.write_text(to_json(data), encoding="utf-8")
            written.append(json_file)
        if csv_dir is not None:
            csv_dir.mkdir(parents=True, exist_ok=True)
            for part in PARTS:
                target = csv_dir / f"{part}.csv"
                target.write_text(to_csv(data, part), encoding="utf-8")
                written.append(target)
        if not written:
            _print_metrics(data)
        for path in written:
            out.print(f"wrote {escape(str(path))}")


def _print_metrics(data: ReportData) -> None:
    from rich.table import Table

    from paperbroker.analytics.report.labels import format_metric, label

    table = Table(title=escape(f"{data.title}, {data.period}"), title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in data.metrics.items():
        table.add_row(escape(label(name)), escape(format_metric(name, value)))
    out = _out()
    if not data.metrics:
        out.print("No metrics yet: the session has no equity sample.")
        return
    out.print(table)


def compare(
    session_ids: Annotated[
        list[str], typer.Argument(metavar="SESSION", help="2 to 10 sessions of one owner.")
    ],
    benchmark: BenchmarkOption = None,
    db_url: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sessions side by side: every metric, one column per session (and the returns in the
    benchmark's up, down and flat months when one is given)."""
    with _errors():
        from paperbroker.services.compare import compare as compare_sessions
        from paperbroker.services.compare import parse_ids

        ids = parse_ids(",".join(session_ids))
        with _database(db_url) as db:
            records = [db.record(sid) for sid in ids]
            owner = records[0].owner_key_id
            found = compare_sessions(
                db.service, owner, [r.id for r in records], benchmark=benchmark
            )
    columns = [
        (str(item.report.config["session_id"]), str(item.report.config["name"]), item.report)
        for item in found.sessions
    ]
    if as_json:
        typer.echo(json.dumps({
            "sessions": [{"session_id": sid, "name": name, "metrics": dict(r.metrics)}
                         for sid, name, r in columns],
            "regimes": [{"regime": regime, "sessions": values} for regime, values in found.regimes],
        }, indent=2, default=str))  # fmt: skip
        return
    from rich.table import Table

    from paperbroker.analytics.report.labels import format_metric, label

    table = Table(title="Sessions compared", title_justify="left")
    table.add_column("metric")
    for sid, name, _ in columns:
        table.add_column(escape(f"{name}\n{sid[:8]}"), justify="right")
    names: list[str] = []
    for _, _, r in columns:
        names += [n for n in r.metrics if n not in names]
    for name in names:
        table.add_row(
            escape(label(name)),
            *(escape(format_metric(name, r.metrics.get(name))) for _, _, r in columns),
        )
    for regime, values in found.regimes:
        table.add_row(
            escape(f"return in {regime} months"),
            *(escape(format_metric("total_return", values.get(sid))) for sid, _, _ in columns),
        )
    _out().print(table)
