"""``python -m bench``: run every engine x dataset x fee, each in a fresh process.

Options: ``--datasets A,B --fees 0,0.001 --engines
paperbroker,paperbroker-user,backtesting.py,backtrader --repeat N`` (median of N runs)
``--quick`` (100k bars for A, 10 x 10k for B).  ``paperbroker`` runs the built-in
``SmaCrossover``; ``paperbroker-user`` the same workload written as a user writes it
(:mod:`bench.user_style`).  Prints one table per dataset and fee, each paperbroker
engine against backtesting.py beneath it, and writes ``bench/results/latest.json``.
Then the order path's cost (``bench.order_path``, ``--order-path-repeat`` turns;
0 skips it) and the paper load check (``bench.paper_load``) for
``--paper-load-seconds`` (300; 30 with ``--quick``; 0 skips it).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import WORKLOAD
from bench.compare import Divergence, divergences, record_from_json
from bench.run_one import ENGINES, engine_name
from bench.workload import SLEEVE_DEFINITION, equity_matches, get_dataset
from paperbroker import _native

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
REFERENCE = "paperbroker"
#: paperbroker's engines, each also set against this peer beneath the table.
OURS = ("paperbroker", "paperbroker-user")
PEER = "backtesting.py"


@dataclass
class Cell:
    """All runs of one engine on one dataset and fee, and how they compare."""

    engine: str
    dataset: str
    fee: float
    runs: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    trades_file: Path | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.runs)

    def median(self, key: str) -> float:
        return float(statistics.median(float(r[key]) for r in self.runs))

    @property
    def bars(self) -> int:
        return int(self.runs[0]["bars"])

    @property
    def seconds(self) -> float:
        return self.median("seconds")

    @property
    def bars_per_sec(self) -> float:
        return self.bars / self.seconds

    @property
    def rss(self) -> float:
        return self.median("peak_rss_mb")

    @property
    def trades(self) -> int:
        return int(self.runs[0]["trades"])

    @property
    def final_equity(self) -> Decimal:
        return Decimal(self.runs[0]["final_equity"])

    @property
    def digest(self) -> str:
        return str(self.runs[0]["trades_digest"])


def fee_label(fee: float) -> str:
    return "0" if fee == 0 else f"{fee * 100:g}%"


def run_cell(cell: Cell, *, repeat: int, quick: bool) -> None:
    tag = f"{cell.dataset}_{cell.fee:g}_{cell.engine}"
    cell.trades_file = RESULTS / "trades" / f"{tag}.json"
    for i in range(repeat):
        command = [
            sys.executable, "-m", "bench.run_one",
            "--engine", cell.engine, "--dataset", cell.dataset, "--fee", repr(cell.fee),
            "--trades-out", str(cell.trades_file),
        ]  # fmt: skip
        if quick:
            command.append("--quick")
        label = f"[{cell.dataset} fee={fee_label(cell.fee)} {cell.engine} {i + 1}/{repeat}]"
        print(f"{label} running ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            cell.error = (done.stderr.strip().splitlines() or ["failed"])[-1]
            print(f"{label} FAILED: {done.stderr}", file=sys.stderr, flush=True)
            return
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["wall_seconds"] = wall
        cell.runs.append(result)
        print(
            f"{label} {result['seconds']:.2f} s timed, {wall:.1f} s wall, "
            f"{result['peak_rss_mb']:.0f} MB",
            file=sys.stderr,
            flush=True,
        )
    digests = {r["trades_digest"] for r in cell.runs}
    equities = {r["final_equity"] for r in cell.runs}
    if len(digests) > 1 or len(equities) > 1:
        cell.error = "repeated runs disagree with each other"


@dataclass
class Comparison:
    engine: str
    trades_match: bool
    equity_match: bool
    equity_delta: Decimal
    divergences: list[Divergence]


def compare(reference: Cell, peer: Cell, symbols: int) -> Comparison:
    assert reference.trades_file is not None
    assert peer.trades_file is not None
    ours = [record_from_json(r) for r in json.loads(reference.trades_file.read_text())]
    theirs = [record_from_json(r) for r in json.loads(peer.trades_file.read_text())]
    found = divergences(ours, theirs, fee=peer.fee, symbols=symbols)
    return Comparison(
        engine=peer.engine,
        trades_match=not found and reference.trades == peer.trades,
        equity_match=equity_matches(reference.final_equity, peer.final_equity),
        equity_delta=peer.final_equity - reference.final_equity,
        divergences=found,
    )


def render_table(title: str, cells: list[Cell], comparisons: dict[str, Comparison]) -> list[str]:
    headers = [
        "engine", "bars/s", "peak RSS", "trades", "final equity",
        "pb speed x", "pb RSS x", "trades match", "equity match",
    ]  # fmt: skip
    reference = next((c for c in cells if c.engine == REFERENCE and c.ok), None)
    rows: list[list[str]] = []
    for cell in cells:
        if not cell.ok:
            rows.append([cell.engine, "error", "", "", cell.error or "", "", "", "", ""])
            continue
        row = [
            cell.engine,
            f"{cell.bars_per_sec:,.0f}",
            f"{cell.rss:,.0f} MB",
            f"{cell.trades:,}",
            f"{cell.final_equity.quantize(Decimal('0.01')):,}",
        ]
        comparison = comparisons.get(cell.engine)
        if cell.engine == REFERENCE or reference is None or comparison is None:
            row += ["-", "-", "(reference)" if cell.engine == REFERENCE else "-", "-"]
        else:
            row += [
                f"{reference.bars_per_sec / cell.bars_per_sec:.2f}x",
                f"{reference.rss / cell.rss:.2f}x",
                "yes" if comparison.trades_match else "NO",
                "yes" if comparison.equity_match else f"NO ({comparison.equity_delta:+.2f})",
            ]
        rows.append(row)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    right = {1, 2, 3, 4, 5, 6}

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    out = [title, line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    for comparison in comparisons.values():
        for d in comparison.divergences:
            out.append(f"  note ({comparison.engine}): {d.explain(comparison.engine)}")
    return out


def against_peer(cells: list[Cell], symbols: int) -> list[tuple[Cell, Cell, Comparison]]:
    """Each paperbroker engine that ran, its :data:`PEER` cell and how their trades compare."""
    peer = next((c for c in cells if c.engine == PEER and c.ok), None)
    if peer is None:
        return []
    return [(c, peer, compare(c, peer, symbols)) for c in cells if c.engine in OURS and c.ok]


def render_against_peer(found: list[tuple[Cell, Cell, Comparison]]) -> list[str]:
    """One line per paperbroker engine: its speed and RSS over the peer's, and agreement."""
    out = []
    for ours, peer, comparison in found:
        equity = "yes" if comparison.equity_match else f"NO ({comparison.equity_delta:+.2f})"
        out.append(
            f"  {ours.engine} vs {peer.engine}: {ours.bars_per_sec / peer.bars_per_sec:.2f}x "
            f"the bars/s, {ours.rss / peer.rss:.2f}x the peak RSS; trades match "
            f"{'yes' if comparison.trades_match else 'NO'}, equity match {equity}"
        )
        if ours.engine != REFERENCE:  # the reference's notes are in the table already
            out += [f"    note: {d.explain(peer.engine)}" for d in comparison.divergences]
    return out


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "paperbroker hot path": _native.status()}
    for name in ("paperbroker", "backtesting", "backtrader", "pandas", "numpy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def parse_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--datasets", default="A,B", help="comma-separated: A,B")
    parser.add_argument("--fees", default="0,0.001", help="comma-separated fee rates")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines")
    parser.add_argument("--repeat", type=int, default=1, help="runs per cell; the median counts")
    parser.add_argument("--quick", action="store_true", help="100k bars for A, 10 x 10k for B")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument(
        "--order-path-repeat", type=int, default=3,
        help="turns of bench.order_path, each keeps its fastest (0 skips it)",
    )  # fmt: skip
    parser.add_argument(
        "--paper-load-seconds", type=float, default=None,
        help="how long bench.paper_load measures (default 300, 30 with --quick; 0 skips it)",
    )  # fmt: skip
    args = parser.parse_args(argv)

    datasets = [get_dataset(name, quick=args.quick) for name in parse_list(args.datasets)]
    fees = [float(f) for f in parse_list(args.fees)]
    engines = [engine_name(e) for e in parse_list(args.engines)]
    # paperbroker is the reference every peer is compared with: run it first.
    engines = sorted(set(engines), key=ENGINES.index)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    print(WORKLOAD.strip())
    print()
    print(f"paperbroker's hot path: {_native.status()}")
    print()
    print(SLEEVE_DEFINITION)
    print()
    report: list[str] = []
    records: list[dict[str, Any]] = []
    for dataset in datasets:
        for fee in fees:
            cells = [Cell(engine, dataset.name, fee) for engine in engines]
            for cell in cells:
                run_cell(cell, repeat=args.repeat, quick=args.quick)
            reference = next((c for c in cells if c.engine == REFERENCE and c.ok), None)
            comparisons = {
                c.engine: compare(reference, c, dataset.symbols)
                for c in cells
                if reference is not None and c.ok and c.engine != REFERENCE
            }
            title = f"Dataset {dataset.name}: {dataset.describe()}; fee {fee_label(fee)}"
            versus = against_peer(cells, dataset.symbols)
            table = render_table(title, cells, comparisons) + render_against_peer(versus)
            print("\n".join(table) + "\n", flush=True)
            report += [*table, ""]
            peer_of = {ours.engine: (ours, peer, c) for ours, peer, c in versus}
            for cell in cells:
                comparison = comparisons.get(cell.engine)
                versus_peer = peer_of.get(cell.engine)
                records.append(
                    {
                        "dataset": dataset.name,
                        "dataset_description": dataset.describe(),
                        "fee": fee,
                        "engine": cell.engine,
                        "error": cell.error,
                        "runs": cell.runs,
                        "median": None
                        if not cell.ok
                        else {
                            "seconds": cell.seconds,
                            "bars_per_sec": cell.bars_per_sec,
                            "peak_rss_mb": cell.rss,
                        },
                        "vs_paperbroker": None
                        if comparison is None or reference is None
                        else {
                            "speed_ratio": reference.bars_per_sec / cell.bars_per_sec,
                            "rss_ratio": reference.rss / cell.rss,
                            "trades_match": comparison.trades_match,
                            "equity_match": comparison.equity_match,
                            "equity_delta": str(comparison.equity_delta),
                            "divergences": [d.explain(cell.engine) for d in comparison.divergences],
                        },
                        "vs_backtesting_py": None
                        if versus_peer is None
                        else {
                            "speed_ratio": cell.bars_per_sec / versus_peer[1].bars_per_sec,
                            "rss_ratio": cell.rss / versus_peer[1].rss,
                            "trades_match": versus_peer[2].trades_match,
                            "equity_match": versus_peer[2].equity_match,
                        },
                    }
                )

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "generated_at": datetime.now(UTC).isoformat(),
                "platform": platform.platform(),
                "versions": versions(),
                "quick": args.quick,
                "repeat": args.repeat,
                "workload": WORKLOAD.strip(),
                "sleeves": SLEEVE_DEFINITION,
                "results": records,
                "tables": report,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    failed = any(r["error"] for r in records)
    if args.order_path_repeat > 0:
        print("", flush=True)
        command = [
            sys.executable, "-m", "bench.order_path", "--repeat", str(args.order_path_repeat),
            *(["--bars", "50000"] if args.quick else []),
        ]  # fmt: skip
        failed |= subprocess.run(command, cwd=ROOT, check=False).returncode != 0
    paper_load = args.paper_load_seconds
    if paper_load is None:
        paper_load = 30.0 if args.quick else 300.0
    if paper_load > 0:
        print(f"\npaper load ({paper_load:g} s) ...", flush=True)
        command = [sys.executable, "-m", "bench.paper_load", "--seconds", repr(paper_load)]
        failed |= subprocess.run(command, cwd=ROOT, check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
