"""/v1/sessions/{id}/report and /divergence through the real application, on SQLite and
PostgreSQL: the downloads and their headers, the JSON's exact money, the CSV parts, the
matching of two sessions of one strategy, and the refusals."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from tests.api.conftest import Api
from tests.waiting import wait_for

from paperbroker.analytics.report import SECTIONS

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}
UNKNOWN = "00000000-0000-4000-8000-000000000000"
TWO_MONTHS = {"duration": 60 * 24 * 60}


def ran(api: Api, **fields: Any) -> str:
    """A session of the SMA strategy, two months into its period."""
    session = api.create_session(strategy=SMA, **fields)
    moved = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json=TWO_MONTHS, auth=api.alice
    )
    assert moved.status_code == 200, moved.text
    return str(session["id"])


def report(api: Api, sid: str, **params: str) -> Any:
    return api.client.get(f"/v1/sessions/{sid}/report", params=params, auth=api.alice)


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        self.links += [str(v) for k, v in attrs if k in ("src", "href") and v]


def test_the_html_tearsheet_is_a_self_contained_download(api: Api) -> None:
    sid = ran(api)
    response = report(api, sid, benchmark="MSFT")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="session-{sid[:8]}-report.html"'
    page = response.text
    parser = Ids()
    parser.feed(page)
    assert [i for i in parser.ids if i in SECTIONS] == list(SECTIONS)
    assert parser.links == []
    assert "http://" not in page
    assert "https://" not in page
    assert "buy and hold MSFT" in page
    assert page.startswith("<!DOCTYPE html>")
    assert page.endswith("</html>")


def test_the_json_report_has_exact_money_and_ends_at_the_final_equity(api: Api) -> None:
    sid = ran(api)
    response = report(api, sid, format="json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"].endswith('-report.json"')
    document = json.loads(response.text, parse_float=Decimal)
    assert document["final_equity"] == document["equity"][-1]["v"]
    assert document["metrics"]["final_equity"] == document["final_equity"]
    metrics = api.client.get(f"/v1/sessions/{sid}/metrics", auth=api.alice).json()
    assert Decimal(metrics["metrics"]["final_equity"]) == Decimal(document["final_equity"])
    assert len(document["trades"]) == len(metrics["trades"]) >= 1
    assert [t["pnl"] for t in document["trades"]] == [t["pnl"] for t in metrics["trades"]]
    assert document["config"]["strategy"] == "sma_crossover"
    assert document["config"]["params"]["fast"] == 2
    for fill in document["fills"]:
        assert isinstance(fill["price"], str)
        assert str(Decimal(fill["price"])) == fill["price"]  # exact, no float round trip
    fills = api.client.get(
        f"/v1/sessions/{sid}/report", params={"format": "csv", "part": "fills"}, auth=api.alice
    )
    rows = list(csv.DictReader(io.StringIO(fills.text)))
    assert [r["price"] for r in rows] == [f["price"] for f in document["fills"]]


def test_each_csv_part_parses_with_its_header(api: Api) -> None:
    sid = ran(api)
    headers = {
        "metrics": ["metric", "value"],
        "equity": ["time", "equity"],
        "trades": ["symbol", "direction", "qty", "entry_time"],
        "fills": ["id", "order_id", "account_id", "symbol"],
    }
    document = report(api, sid, format="json").json()
    for part, head in headers.items():
        response = report(api, sid, format="csv", part=part)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"].endswith(f'-{part}.csv"')
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0][: len(head)] == head
        if part == "equity":
            assert rows[-1] == [document["equity"][-1]["t"], document["final_equity"]]
        if part == "metrics":
            assert dict(rows[1:])["final_equity"] == document["final_equity"]


def test_a_report_refuses_what_it_cannot_have(api: Api) -> None:
    sid = ran(api)
    theirs = api.create_session(auth=api.bob)["id"]
    assert report(api, UNKNOWN).status_code == 404
    assert report(api, theirs).status_code == 404
    unknown = report(api, sid, benchmark="NOSUCH")
    assert unknown.status_code == 422
    assert "benchmark" in unknown.json()["message"]
    assert report(api, sid, format="pdf").status_code == 422
    assert report(api, sid, format="csv", part="orders").status_code == 422


def test_a_session_at_its_start_has_an_empty_report(api: Api) -> None:
    sid = api.create_session(strategy=SMA)["id"]
    document = report(api, sid, format="json").json()
    assert document["equity"] == []
    assert document["final_equity"] is None
    assert document["metrics"] == {}
    assert report(api, sid).status_code == 200


def test_divergence_matches_two_runs_of_one_strategy(api: Api) -> None:
    ideal = ran(api, execution={"preset": "ideal"})
    costly = ran(api, execution={"preset": "equities_realistic"})
    response = api.client.get(
        f"/v1/sessions/{costly}/divergence", params={"against": ideal}, auth=api.alice
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["session_id"] == costly
    assert found["against_id"] == ideal
    assert found["matched"], found
    totals = found["totals"]
    assert totals["matched"] == len(found["matched"])
    assert totals["only_in_session"] == len(found["only_in_session"])
    for pair in found["matched"]:
        assert pair["side"] in ("buy", "sell")
        assert pair["symbol"] == "AAPL"
        assert Decimal(pair["price_diff"]) == Decimal(pair["price_a"]) - Decimal(pair["price_b"])
        assert Decimal(pair["slippage_b"]) == 0  # the ideal run pays no slippage
    assert Decimal(totals["pnl_diff"]) == Decimal(totals["pnl_a"]) - Decimal(totals["pnl_b"])
    assert any(e.startswith("fills differ in price") for e in found["explanations"])
    # A session against itself agrees on everything.
    same = ran(api, execution={"preset": "ideal"})
    agreed = api.client.get(
        f"/v1/sessions/{same}/divergence", params={"against": ideal}, auth=api.alice
    ).json()
    assert agreed["only_in_session"] == agreed["only_in_against"] == []
    assert all(Decimal(m["price_diff"]) == 0 for m in agreed["matched"])
    assert all(Decimal(m["delay_seconds"]) == 0 for m in agreed["matched"])
    assert agreed["explanations"] == [
        "the runs agree: every order matched at the same price, quantity and time"
    ]


def test_divergence_refuses_another_keys_session_and_itself(api: Api) -> None:
    mine = ran(api)
    theirs = api.create_session(auth=api.bob)["id"]
    url = f"/v1/sessions/{mine}/divergence"
    assert api.client.get(url, params={"against": theirs}, auth=api.alice).status_code == 404
    assert api.client.get(url, params={"against": UNKNOWN}, auth=api.alice).status_code == 404
    assert api.client.get(url, params={"against": mine}, auth=api.alice).status_code == 422
    assert api.client.get(url, params={"against": "nope"}, auth=api.alice).status_code == 422
    assert api.client.get(url, auth=api.alice).status_code == 422
    other = f"/v1/sessions/{theirs}/divergence"
    assert api.client.get(other, params={"against": mine}, auth=api.alice).status_code == 404


def test_a_running_paper_session_has_a_report_and_a_divergence(api: Api) -> None:
    feed = {"type": "synthetic", "seed": 3, "interval_seconds": 0.05}
    body = {"symbols": ["AAA"], "feed": feed, "execution": {"preset": "ideal"},
            "strategy": {"name": "sma_crossover", "params": {"fast": 2, "slow": 4}}}  # fmt: skip
    made = [
        api.client.post("/api/paper-trading/sessions", json=body, auth=api.alice).json()["id"]
        for _ in range(2)
    ]

    def filled(sid: str) -> bool:
        document = report(api, sid, format="json").json()
        return bool(document["fills"])

    wait_for(lambda: all(filled(sid) for sid in made), "both paper sessions' first fill")
    paper, twin = made
    page = report(api, paper)
    assert page.status_code == 200
    assert 'id="trades-on-price"' in page.text
    document = report(api, paper, format="json").json()
    assert document["config"]["type"] == "paper"
    assert document["final_equity"] == (document["equity"][-1]["v"] if document["equity"] else None)
    found = api.client.get(
        f"/v1/sessions/{paper}/divergence", params={"against": twin}, auth=api.alice
    )
    assert found.status_code == 200, found.text
    assert found.json()["explanations"]


def test_a_session_with_one_equity_sample_has_a_tearsheet(api: Api) -> None:
    sid = api.create_session(strategy=SMA)["id"]
    api.client.post(f"/v1/sessions/{sid}/time/advance", auth=api.alice)
    assert len(report(api, sid, format="json").json()["equity"]) == 1
    page = report(api, sid)
    assert page.status_code == 200, page.text
    assert 'id="equity"' in page.text
