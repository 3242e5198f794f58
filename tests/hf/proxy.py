"""A small TCP proxy in front of a live server, for what only the wire shows: which requests
the client made (with their Range headers and answers), and a download cut off mid-body.

One request per connection (it asks both sides for `Connection: close`), which is all the
Hugging Face client needs and keeps the bookkeeping exact."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Exchange:
    method: str
    path: str
    range: str | None
    status: int
    sent: int = 0  # request body bytes (what an upload costs on the wire)


class RecordingProxy:
    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.log: list[Exchange] = []
        self.cut: tuple[str, int] | None = None  # (path suffix, body bytes to let through)
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def close(self) -> None:
        self._listener.close()

    def requests(self, *, path_contains: str = "") -> list[Exchange]:
        with self._lock:
            return [e for e in self.log if path_contains in e.path]

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            head, body = _read_head(conn)
            if not head:
                return
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = [line for line in lines[1:] if line]
            length = _header(headers, "content-length")
            body = bytearray(body)  # appends in place: a large upload is not copied per chunk
            while length and len(body) < int(length):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                body += chunk
            request = _with_close(lines[0], headers).encode("latin-1") + bytes(body)
            response = _exchange(self.upstream, request)
            reply_head, _, reply_body = response.partition(b"\r\n\r\n")
            reply_lines = reply_head.decode("latin-1").split("\r\n")
            status = int(reply_lines[0].split(" ")[1])
            with self._lock:
                exchange = Exchange(method, target, _header(headers, "range"), status, len(body))
                self.log.append(exchange)
                cut = self.cut
                cutting = bool(cut and method == "GET" and target.endswith(cut[0]))
                if cutting:
                    self.cut = None  # only the first matching download is cut
            reply = _with_close(reply_lines[0], reply_lines[1:]).encode("latin-1")
            conn.sendall(reply + (reply_body[: cut[1]] if cutting and cut else reply_body))


def _read_head(conn: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b"", b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _header(lines: list[str], name: str) -> str | None:
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def _with_close(first: str, headers: list[str]) -> str:
    kept = [h for h in headers if h.partition(":")[0].strip().lower() != "connection"]
    return "\r\n".join([first, *kept, "Connection: close", "", ""])


def _exchange(upstream: tuple[str, int], request: bytes) -> bytes:
    with socket.create_connection(upstream) as out:
        out.sendall(request)
        chunks = []
        while chunk := out.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)
