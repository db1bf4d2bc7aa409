"""/api/agents through the real application: read, start, stop, configure, metrics, logs.

Commands on agents are journaled: a restart brings every agent back as it was.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.api.conftest import END, IDEAL, Api

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}
SENTINEL = "SENTINEL-agent-logs-3b9e"


def agents_by_name(api: Api, auth: Any = None) -> dict[str, dict[str, Any]]:
    response = api.client.get("/api/agents", auth=auth or api.alice)
    assert response.status_code == 200, response.text
    return {a["name"]: a for a in response.json()}


def advance(api: Api, session: dict[str, Any], target: str) -> None:
    response = api.client.post(
        f"/v1/sessions/{session['id']}/time/advance", json={"targetTime": target}, auth=api.alice
    )
    assert response.status_code == 200, response.text


def post(api: Api, path: str, auth: Any = None) -> Any:
    return api.client.post(path, auth=auth or api.alice)


def test_agents_are_listed_read_and_hidden_from_other_keys(api: Api) -> None:
    session = api.create_session(strategy=SMA, execution=IDEAL)
    api.create_session()  # traded by hand: no agents
    agents = agents_by_name(api)
    assert sorted(agents) == ["data", "execution", "risk", "strategy"]
    strategy = agents["strategy"]
    assert (strategy["type"], strategy["status"], strategy["session_id"]) == (
        "strategy", "running", session["id"],
    )  # fmt: skip
    assert strategy["config"] == {"strategy": "sma_crossover", "params": {"fast": 2, "slow": 5}}
    assert strategy["symbols"] == ["AAPL"]
    one = api.client.get(f"/api/agents/{strategy['id']}", auth=api.alice)
    assert one.json() == strategy
    assert agents_by_name(api, api.bob) == {}
    for path in ("", "/metrics", "/logs"):
        response = api.client.get(f"/api/agents/{strategy['id']}{path}", auth=api.bob)
        assert response.status_code == 404, path
    assert post(api, f"/api/agents/{strategy['id']}/stop", api.bob).status_code == 404


def test_stop_and_start_and_the_409s_that_name_the_state(api: Api) -> None:
    session = api.create_session(strategy=SMA, execution=IDEAL)
    strategy = agents_by_name(api)["strategy"]
    stopped = post(api, f"/api/agents/{strategy['id']}/stop")
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["status"] == "stopped"
    again = post(api, f"/api/agents/{strategy['id']}/stop")
    assert again.status_code == 409
    assert "in state stopped" in again.json()["message"]
    advance(api, session, "2012-02-15T21:00:00Z")
    assert agents_by_name(api)["strategy"]["metrics"].get("intents", 0) == 0  # it heard nothing
    assert post(api, f"/api/agents/{strategy['id']}/start").json()["status"] == "running"
    advance(api, session, END)
    assert agents_by_name(api)["strategy"]["metrics"]["intents"] > 0
    completed = post(api, f"/api/agents/{strategy['id']}/stop")
    assert completed.status_code == 409
    assert "completed" in completed.json()["message"]


def test_configuration_metrics_and_a_restart_that_keeps_them(api: Api) -> None:
    session = api.create_session(strategy=SMA, execution=IDEAL)
    risk = agents_by_name(api)["risk"]
    bad = api.client.patch(f"/api/agents/{risk['id']}/config", json={"max_qty": 1}, auth=api.alice)
    assert bad.status_code == 422
    assert "max_qty" in bad.json()["message"]
    limited = api.client.patch(
        f"/api/agents/{risk['id']}/config", json={"max_order_qty": "1"}, auth=api.alice
    )
    assert limited.status_code == 200, limited.text
    assert limited.json()["config"]["max_order_qty"] == "1"
    advance(api, session, END)
    metrics = api.client.get(f"/api/agents/{risk['id']}/metrics", auth=api.alice).json()
    assert metrics["denied"] > 0
    assert metrics.get("approved", 0) == 0
    before = agents_by_name(api)
    logs = {
        name: api.client.get(
            f"/api/agents/{agent['id']}/logs", params={"lines": 10_000}, auth=api.alice
        ).json()["lines"]
        for name, agent in before.items()
    }
    assert logs["risk"]

    api.restart()  # agents come back from the journal as they were
    assert agents_by_name(api) == before
    for name, agent in before.items():  # replaying the journal logs nothing twice
        after = api.client.get(
            f"/api/agents/{agent['id']}/logs", params={"lines": 10_000}, auth=api.alice
        ).json()["lines"]
        assert after == logs[name], name
    reset = post(api, f"/api/agents/{risk['id']}/metrics/reset")
    assert reset.status_code == 409  # the session is completed: nothing changes any more


def test_logs_are_read_filtered_and_downloaded(api: Api) -> None:
    session = api.create_session(
        strategy=SMA, execution=IDEAL,
    )  # fmt: skip
    risk = agents_by_name(api)["risk"]
    api.client.patch(f"/api/agents/{risk['id']}/config", json={"max_order_qty": "1"},
                     auth=api.alice)  # fmt: skip
    advance(api, session, END)
    lines = api.client.get(f"/api/agents/{risk['id']}/logs", auth=api.alice).json()["lines"]
    assert any("denied buy" in line["text"] for line in lines)
    warnings = api.client.get(
        f"/api/agents/{risk['id']}/logs", params={"level": "warning", "lines": 2}, auth=api.alice
    ).json()["lines"]
    assert len(warnings) == 2
    assert {line["level"] for line in warnings} == {"WARNING"}
    system = api.client.get(f"/system/agents/{risk['id']}/logs?lines=100", auth=api.alice)
    assert system.json()["lines"] == lines
    download = api.client.get(f"/api/agents/{risk['id']}/logs/download", auth=api.alice)
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert "denied buy" in download.text


def test_since_filters_every_log_route_at_any_offset(api: Api) -> None:
    session = api.create_session(strategy=SMA, execution=IDEAL)
    risk = agents_by_name(api)["risk"]
    api.client.patch(f"/api/agents/{risk['id']}/config", json={"max_order_qty": "1"},
                     auth=api.alice)  # fmt: skip
    advance(api, session, END)
    everything = api.client.get(f"/api/agents/{risk['id']}/logs", auth=api.alice).json()["lines"]
    assert everything
    assert all(line["time"][-6] in "+-" for line in everything)  # stamped with their offset
    for path in (f"/api/agents/{risk['id']}/logs", f"/system/agents/{risk['id']}/logs",
                 f"/api/agents/{risk['id']}/logs/download"):  # fmt: skip
        since_2000 = api.client.get(path, params={"since": "2000-01-01T00:00:00Z"}, auth=api.alice)
        assert since_2000.status_code == 200, since_2000.text
        later = api.client.get(path, params={"since": "2262-01-01T05:00:00+05:00"}, auth=api.alice)
        assert later.status_code == 200, later.text
        if path.endswith("download"):
            assert since_2000.text.splitlines() == [line["text"] for line in everything]
            assert later.text == ""
        else:
            assert since_2000.json()["lines"] == everything
            assert later.json()["lines"] == []
        naive = api.client.get(path, params={"since": "2000-01-01T00:00:00"}, auth=api.alice)
        assert naive.status_code == 422
        assert "since" in naive.json()["message"]
        # Beyond what nanoseconds count: held there, "from the beginning" and "to the end".
        first = api.client.get(path, params={"since": "1900-01-01T00:00:00Z"}, auth=api.alice)
        last = api.client.get(path, params={"since": "9999-01-01T00:00:00Z"}, auth=api.alice)
        assert (first.status_code, last.status_code) == (200, 200), first.text + last.text
        assert first.content == since_2000.content
        assert last.content == later.content


TRAVERSALS = [
    "..",
    "../..",
    "../secret",
    "../secret.log",
    "..%2fsecret",
    "%2e%2e%2fsecret",
    "%2e%2e/%2e%2e/secret",
    "..%252fsecret",
    "..%5csecret",
    "..\\secret",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "....//secret",
    "..;/secret",
    "%00",
    "secret%00.log",
    "~",
    "~root",
    "secret",
    "secret.log",
    "*",
    ".",
    "./secret",
    "file:%2f%2f%2fetc%2fpasswd",
    "%c0%ae%c0%ae%c0%afsecret",
    "..%c0%afsecret",
    "%u002e%u002e%u2215secret",
    "C:%5csecret",
    "\\\\host\\share",
    "%5c%5chost%5cshare",
    "agent-logs/../secret",
    "logs%2f..%2f..%2fsecret",
    "00000000-0000-4000-8000-000000000000/../../secret",
    "00000000-0000-4000-8000-00000000000",
    "00000000-0000-4000-8000-0000000000000",
    "00000000000040008000000000000000",
    "{00000000-0000-4000-8000-000000000000}",
    "urn:uuid:00000000-0000-4000-8000-000000000000",
    "00000000-0000-4000-8000-000000000000.log",
    "00000000-0000-4000-8000-000000000000%2f..",
    "00000000-0000-4000-8000-000000000000%00",
    "A" * 300,
    "%",
    "%%",
    "%zz",
    "\u2024\u2024",
    "..%e2%80%a8secret",
    "$(cat secret)",
    "`cat secret`",
    "|cat secret",
    ";cat secret",
]


def test_log_traversal_payloads_never_leak_a_file(api: Api, tmp_path: Any) -> None:
    (tmp_path / "secret").write_text(SENTINEL)
    (tmp_path / "secret.log").write_text(SENTINEL)
    (tmp_path / "agent-logs").mkdir(exist_ok=True)
    (tmp_path / "agent-logs" / "secret.log").write_text(SENTINEL)
    assert len(TRAVERSALS) >= 50
    for payload in TRAVERSALS:
        for template in ("/api/agents/{}/logs", "/api/agents/{}/logs/download",
                         "/system/agents/{}/logs"):  # fmt: skip
            for text in (payload, quote(payload, safe="")):
                response = api.client.get(template.format(text), auth=api.alice)
                assert SENTINEL not in response.text, payload
                if response.headers["content-type"].startswith("text/html"):
                    # The client resolved the dots to a path outside the API (``/logs``):
                    # the dashboard's page (or its not-built page) answers it, and holds no file.
                    assert not response.url.path.startswith(("/api/", "/system/")), payload
                    continue
                assert 400 <= response.status_code < 500, (payload, response.status_code)


def test_news_is_posted_at_the_session_time_and_reaches_the_data_agent(api: Api) -> None:
    session = api.create_session(strategy=SMA, execution=IDEAL)
    body = {"symbols": ["aapl"], "headline": "Supplier reports a fire at a key plant"}
    posted = api.client.post(f"/v1/sessions/{session['id']}/news", json=body, auth=api.alice)
    assert posted.status_code == 201, posted.text
    assert posted.json() == {
        "time": session["current_time"], "symbols": ["AAPL"],
        "headline": "Supplier reports a fire at a key plant", "source": "",
    }  # fmt: skip
    assert agents_by_name(api)["data"]["metrics"]["news"] == 1
    api.restart()  # replayed from the journal
    assert agents_by_name(api)["data"]["metrics"]["news"] == 1

    plain = api.create_session()  # no pipeline: the journal keeps it all the same
    assert (
        api.client.post(f"/v1/sessions/{plain['id']}/news", json=body, auth=api.alice).status_code
        == 201
    )
    for bad in ({"symbols": [], "headline": "x"}, {"symbols": ["A/B"], "headline": "x"},
                {"symbols": ["AAPL"], "headline": ""}):  # fmt: skip
        response = api.client.post(f"/v1/sessions/{session['id']}/news", json=bad, auth=api.alice)
        assert response.status_code == 422, bad
    stranger = api.client.post(f"/v1/sessions/{session['id']}/news", json=body, auth=api.bob)
    assert stranger.status_code == 404
    advance(api, session, END)
    done = api.client.post(f"/v1/sessions/{session['id']}/news", json=body, auth=api.alice)
    assert done.status_code == 409
