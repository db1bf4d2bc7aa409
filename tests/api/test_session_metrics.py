"""/v1/sessions/{id}/metrics through the real application: the metrics over the portfolio
history's own valuation, the execution quality of the session's view, the round trips."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.conftest import Api

SMA = {"name": "sma_crossover", "params": {"fast": 2, "slow": 5}, "symbols": ["AAPL"]}
UNKNOWN_ACCOUNT = "00000000-0000-4000-8000-000000000000"


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def metrics(api: Api, session_id: str, **params: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(
        api.client.get(f"/v1/sessions/{session_id}/metrics", params=params, auth=api.alice)
    )
    return found


def test_a_session_at_its_start_has_no_metrics_yet(api: Api) -> None:
    session = api.create_session(strategy=SMA)
    found = metrics(api, session["id"])
    assert found["metrics"] is None
    assert found["trades"] == []
    assert found["samples"] == 0
    assert found["average_trade_duration_seconds"] is None
    assert found["account_id"] == session["default_account_id"]
    assert found["execution_quality"] == session["execution_quality"]


def test_metrics_value_the_account_as_its_portfolio_history_does(api: Api) -> None:
    session = api.create_session(strategy=SMA)
    sid = session["id"]
    ok(api.client.post(f"/v1/sessions/{sid}/time/advance", json={"duration": 60 * 24 * 60},
                       auth=api.alice))  # fmt: skip
    found = metrics(api, sid)
    history = ok(
        api.client.get(
            f"/sessions/{sid}/v2/account/portfolio/history",
            params={"timeframe": "1D", "period": "3M"},
            auth=api.alice,
        )
    )
    result = found["metrics"]
    assert Decimal(result["final_equity"]) == Decimal(str(history["equity"][-1]))
    assert found["samples"] >= 20
    assert result["initial_cash"] == "100000"
    assert Decimal(result["total_return"]) == (
        Decimal(result["final_equity"]) / Decimal(100_000) - 1
    ).quantize(Decimal(result["total_return"]))
    assert Decimal(result["max_drawdown"]) <= 0
    # The trade log: round trips of the account's fills, consistent with the counts.
    trades = found["trades"]
    closed = [t for t in trades if t["exit_time"] is not None]
    assert result["num_trades"] == len(closed) >= 1
    assert result["num_open_trades"] == len(trades) - len(closed)
    for trade in closed:
        assert Decimal(trade["pnl"]) == Decimal(trade["gross_pnl"]) - Decimal(trade["fees"])
        assert Decimal(trade["holding_seconds"]) > 0
        assert trade["entry_time"] < trade["exit_time"]
    durations = [Decimal(t["holding_seconds"]) for t in closed]
    assert Decimal(found["average_trade_duration_seconds"]) == sum(durations) // len(durations)
    # The execution quality is the session view's, the same schema.
    view = ok(api.client.get(f"/v1/sessions/{sid}", auth=api.alice))
    assert found["execution_quality"] == view["execution_quality"]
    # Everything comes back the same from the journal.
    api.restart()
    assert metrics(api, sid) == found


def test_metrics_of_another_account_and_of_an_unknown_one(api: Api) -> None:
    session = api.create_session(execution={"preset": "ideal"})
    other = api.create_account(session["id"])
    book = (session["id"], other["id"])
    order = {"symbol": "IBM", "side": "buy", "qty": 3, "type": "market"}
    assert api.trading("POST", *book, "/orders", json=order).status_code == 200
    ok(api.client.post(f"/v1/sessions/{session['id']}/time/advance",
                       json={"duration": 60 * 24 * 5}, auth=api.alice))  # fmt: skip
    found = metrics(api, session["id"], accountId=other["id"])
    assert found["account_id"] == other["id"]
    [trade] = found["trades"]
    assert (trade["symbol"], trade["qty"], trade["exit_time"]) == ("IBM", "3", None)
    assert found["metrics"]["num_open_trades"] == 1
    assert metrics(api, session["id"])["trades"] == []  # the default account did nothing
    response = api.client.get(
        f"/v1/sessions/{session['id']}/metrics",
        params={"accountId": UNKNOWN_ACCOUNT},
        auth=api.alice,
    )
    assert response.status_code == 404
    assert response.json()["code"] == 40410000


def advanced(api: Api, minutes: int = 60 * 24 * 60) -> str:
    session = api.create_session(strategy=SMA)
    sid: str = session["id"]
    ok(api.client.post(f"/v1/sessions/{sid}/time/advance", json={"duration": minutes},
                       auth=api.alice))  # fmt: skip
    return sid


def test_metrics_against_a_benchmark_and_a_risk_free_rate(api: Api) -> None:
    sid = advanced(api)
    plain = metrics(api, sid)["metrics"]
    assert (plain["alpha"], plain["beta"], plain["benchmark_return"]) == (None, None, None)
    assert plain["risk_free_rate"] == "0"
    # Every metric of the contract is there, ratios as decimal strings or null.
    for name in ("annualized_return", "calmar", "omega", "recovery_seconds", "var_95", "var_99",
                 "es_95", "es_99", "expectancy", "avg_win", "avg_loss", "largest_win",
                 "largest_loss", "longest_win_streak", "longest_loss_streak", "trades_per_day",
                 "avg_holding_seconds", "turnover", "slippage_cost", "fill_ratio",
                 "avg_slippage_bps", "avg_latency_seconds"):  # fmt: skip
        assert name in plain
    assert Decimal(plain["es_95"]) <= Decimal(plain["var_95"])
    # IBM is not the session's symbol: its bars come from the server's market data.
    against = metrics(api, sid, benchmark="IBM", risk_free_rate="0.02")["metrics"]
    assert against["risk_free_rate"] == "0.02"
    assert against["beta"] is not None
    assert against["alpha"] is not None
    assert against["benchmark_return"] is not None
    assert Decimal(against["sharpe"]) < Decimal(plain["sharpe"])  # the rate is subtracted
    assert against["total_return"] == plain["total_return"]
    # The session's own symbol works as well, in any case.
    own = metrics(api, sid, benchmark="aapl")["metrics"]
    assert own["benchmark_return"] is not None


def test_trades_carry_their_mae_and_mfe(api: Api) -> None:
    found = metrics(api, advanced(api))
    assert found["trades"]
    for trade in found["trades"]:
        assert Decimal(trade["mae"]) <= 0 <= Decimal(trade["mfe"])


def test_the_server_default_risk_free_rate_applies_when_none_is_asked(api: Api) -> None:
    sid = advanced(api, 60 * 24 * 20)
    api.server.service.risk_free_rate = 0.03
    assert metrics(api, sid)["metrics"]["risk_free_rate"] == "0.03"
    assert metrics(api, sid, risk_free_rate="0")["metrics"]["risk_free_rate"] == "0"


def test_bad_benchmark_or_rate_is_a_422(api: Api) -> None:
    sid = advanced(api, 60 * 24 * 5)
    for params in ({"benchmark": "NOPE"}, {"benchmark": "bad symbol!"},
                   {"risk_free_rate": "abc"}, {"risk_free_rate": "-1"},
                   {"risk_free_rate": "nan"}, {"risk_free_rate": "2"}):  # fmt: skip
        response = api.client.get(f"/v1/sessions/{sid}/metrics", params=params, auth=api.alice)
        assert response.status_code == 422, (params, response.text)
        assert set(response.json()) >= {"code", "message"}
