"""A real local listener that records every connection made to it: a hostile query must
leave it untouched. Any TCP connection counts, HTTP or not."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Record(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.settimeout(2)
        try:
            first = self.request.recv(200)
        except OSError:
            first = b""
        self.server.seen.append(first)  # type: ignore[attr-defined]
        self.request.sendall(b"HTTP/1.1 500 Nope\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@contextmanager
def listening() -> Iterator[tuple[str, list[bytes]]]:
    """``(url, seen)``: the listener's base URL and the first bytes of each connection."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Record)
    server.daemon_threads = True
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", server.seen  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
