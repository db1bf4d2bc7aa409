"""A loopback HTTP proxy that loses one answer: the request reaches the broker, its
response never reaches the client (the connection drops), as when a network fails
after sending. Plain HTTP/1.1 with ``Content-Length`` bodies, which is all the
adapter's REST calls use."""

from __future__ import annotations

import contextlib
import socket
import threading


def _read_message(conn: socket.socket, buffer: bytearray) -> bytes | None:
    """One HTTP message (head and Content-Length body) from ``conn``; None at its end."""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    head_end = buffer.index(b"\r\n\r\n") + 4
    length = 0
    for line in bytes(buffer[:head_end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(buffer) < head_end + length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    message = bytes(buffer[: head_end + length])
    del buffer[: head_end + length]
    return message


class DroppingProxy:
    """Forwards to ``127.0.0.1:upstream_port``; the first request whose first line starts
    with ``drop`` (``b"POST /v2/orders "``) is forwarded and answered upstream, and the
    client's connection is then closed without the answer."""

    def __init__(self, upstream_port: int, drop: bytes) -> None:
        self.upstream_port = upstream_port
        self.drop = drop
        self.dropped = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        client_buffer, upstream_buffer = bytearray(), bytearray()
        try:
            while True:
                request = _read_message(conn, client_buffer)
                if request is None:
                    return
                upstream.sendall(request)
                response = _read_message(upstream, upstream_buffer)
                if response is None:
                    return
                if not self.dropped and request.startswith(self.drop):
                    self.dropped += 1
                    return  # the broker did it; the client never hears
                conn.sendall(response)
        except OSError:
            return
        finally:
            upstream.close()
            conn.close()


class Relay:
    """A byte relay to ``127.0.0.1:upstream_port`` (HTTP and websockets alike) that the
    test can cut: :meth:`cut` drops every connection and refuses new ones (the
    network is down) until :meth:`resume`."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._down = False
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cut(self) -> None:
        with self._lock:
            self._down = True
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._open.clear()

    def resume(self) -> None:
        with self._lock:
            self._down = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        with contextlib.suppress(OSError):
            self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._down:
                    conn.close()
                    continue
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
                except OSError:
                    conn.close()
                    continue
                self._open |= {conn, upstream}
            for source, target in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
