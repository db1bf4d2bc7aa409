"""Order submit -> acknowledgement latency over HTTP, at a fixed rate.

A real ``paperbroker serve`` on SQLite (WAL, ``synchronous=FULL``: every
acknowledgement waits for its journal commit to reach the disk), one session,
one keep-alive client sending market orders at a fixed 200 orders/s for 60 s
(open loop: a late request is sent at once, and its lateness is not hidden).
Reports p50/p99/max latency and errors.  Target: p99 <= 20 ms, 0 errors.

It measures the same flow through the Alpaca-compatible ``POST /v2/orders``
(a key bound to the session, APCA headers, Alpaca's order JSON) on the same
server, and prints the /v2 figures as ratios of the /v1 ones: the price of
compatibility.

Run with ``python -m bench.submit_latency [--rate 200] [--seconds 60] [--api v1|v2|both]``.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.server_process import ServerProcess, call

TARGET_P99_MS = 20.0


def measure(
    server: ServerProcess, rate: float, seconds: float, api: str = "v1"
) -> tuple[list[float], int]:
    """Latencies (ms) of every acknowledged submit through ``api``, and the number of errors."""
    status, session = call(
        server, "POST", "/v1/sessions",
        {"startTime": "2005-01-03T14:30:00Z", "endTime": "2012-12-31T21:00:00Z",
         "initialCash": "1000000000"},
    )  # fmt: skip
    assert status == 201, session
    # Enough cash for every order: the benchmark measures acknowledgements, not refusals.
    status, account = call(
        server, "POST", "/v1/accounts", {"initialCash": "1000000000"}, session=session["id"]
    )
    assert status == 200, account
    assert server.admin_key is not None
    headers = {
        "Authorization": "Basic " + base64.b64encode(server.admin_key.encode()).decode(),
        "Content-Type": "application/json",
        "X-Session-Id": session["id"],
    }
    path = f"/v1/trading/accounts/{account['id']}/orders"
    order = {"symbol": "AAPL", "side": "buy", "qty": "1", "type": "market"}
    if api == "v2":  # a key bound to the same account, as an Alpaca bot would use
        status, bound = call(
            server, "POST", f"/v1/sessions/{session['id']}/keys", {"accountId": account["id"]}
        )
        assert status == 201, bound
        headers = {
            "APCA-API-KEY-ID": bound["key_id"],
            "APCA-API-SECRET-KEY": bound["secret"],
            "Content-Type": "application/json",
        }
        path = "/v2/orders"
        order["time_in_force"] = "day"
    body = json.dumps(order)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    latencies: list[float] = []
    errors = 0
    interval = 1.0 / rate
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        due = start + n * interval
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        sent = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - sent) * 1000)
        if response.status != 200:
            errors += 1
    connection.close()
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--api", choices=["v1", "v2", "both"], default="both")
    args = parser.parse_args()
    apis = ["v1", "v2"] if args.api == "both" else [args.api]
    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as workdir:
        server = ServerProcess(f"sqlite:///{Path(workdir) / 'latency.db'}")
        server.start()
        try:
            for api in apis:
                latencies, errors = measure(server, args.rate, args.seconds, api)
                results[api] = report(api, latencies, errors, args.rate, args.seconds)
        finally:
            server.stop()
    if len(results) == 2:
        (p50_v1, p99_v1), (p50_v2, p99_v2) = results["v1"], results["v2"]
        print(f"/v2 against /v1: p50 {p50_v2 / p50_v1:.2f}x, p99 {p99_v2 / p99_v1:.2f}x")


def report(
    api: str, latencies: list[float], errors: int, rate: float, seconds: float
) -> tuple[float, float]:
    """Print one API's figures; return its (p50, p99) in ms."""
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    verdict = "meets" if p99 <= TARGET_P99_MS and not errors else "MISSES"
    print(
        f"/{api} submit -> ack at {rate:g}/s for {seconds:g} s: {len(ordered)} orders, "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {ordered[-1]:.2f} ms, {errors} errors "
        f"({verdict} the p99 <= {TARGET_P99_MS:g} ms, 0 errors target)"
    )
    return p50, p99


if __name__ == "__main__":
    main()
