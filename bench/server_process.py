"""A real ``paperbroker serve`` in a subprocess on a free loopback port (tests and benchmarks)."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CLI = Path(sys.executable).with_name("paperbroker")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """Start, kill (SIGKILL, mid-flight) and restart a server on one database.

    ``env`` adds to (or overrides) the environment the server runs in;
    ``log_dir``, if given, is its ``PAPERBROKER_LOG_DIR`` (the agents' log files).
    """

    def __init__(
        self,
        database_url: str,
        *,
        env: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.database_url = database_url
        self.env = dict(env or {})
        if log_dir is not None:
            self.env["PAPERBROKER_LOG_DIR"] = str(log_dir)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.admin_key: str | None = None
        self.output: list[str] = []
        self._child: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 60.0) -> None:
        env = {**os.environ, **self.env, "PAPERBROKER_DATABASE_URL": self.database_url}
        child = subprocess.Popen(
            [str(CLI), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._child = child
        threading.Thread(target=self._collect, args=(child,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if child.poll() is not None:
                raise RuntimeError(f"server exited early:\n{''.join(self.output)}")
            try:
                urllib.request.urlopen(f"{self.base_url}/v1/assets", timeout=1)
            except urllib.error.HTTPError:
                return  # any HTTP answer (401 here) means it is serving
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not start in {timeout} s:\n{''.join(self.output)}")

    @property
    def pid(self) -> int | None:
        """The running server's process id (``None`` before a start or once it has exited)."""
        if self._child is None or self._child.poll() is not None:
            return None
        return self._child.pid

    @property
    def returncode(self) -> int | None:
        """How the last server process ended (``-9``: killed by SIGKILL); ``None`` while
        it runs or before a start."""
        return None if self._child is None else self._child.poll()

    def _collect(self, child: subprocess.Popen[str]) -> None:
        assert child.stdout is not None
        with child.stdout:  # closed when the server's output ends
            for line in child.stdout:
                self.output.append(line)
                if line.startswith("admin key: ") and self.admin_key is None:
                    self.admin_key = line.removeprefix("admin key: ").strip()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine loses power."""
        if self._child is not None and self._child.poll() is None:
            self._child.send_signal(signal.SIGKILL)
            self._child.wait(timeout=15)

    def stop(self) -> None:
        if self._child is not None and self._child.poll() is None:
            self._child.send_signal(signal.SIGTERM)
            try:
                self._child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def call(
    server: ServerProcess,
    method: str,
    path: str,
    body: Any = None,
    *,
    session: str | None = None,
    timeout: float = 10.0,
) -> tuple[int, Any]:
    """One authenticated JSON request; returns (status, decoded body or None)."""
    assert server.admin_key is not None
    headers = {
        "Authorization": "Basic " + base64.b64encode(server.admin_key.encode()).decode(),
        "Content-Type": "application/json",
    }
    if session is not None:
        headers["X-Session-Id"] = session
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        server.base_url + path, data=data, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None
