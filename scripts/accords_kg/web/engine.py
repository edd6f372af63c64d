"""The Oxigraph server behind ``accords serve``: started on an internal port of 127.0.0.1,
waited for, restarted when a query outruns its time, stopped.

Oxigraph's own ``--timeout-s`` is cooperative: a streamed SELECT stops near its time, but
an aggregate or an ORDER BY over a large join keeps a core busy for many times longer, long
after the client left (measured: a 2 s timeout, a COUNT over a four-way join of 1,263
triples still running a minute later). A query still running at its time plus a grace —
whether its answer has begun or not: Oxigraph may send the head, then compute — is therefore
stopped the only way there is: the process is restarted on the same database (an answer
under way is cut short; queries then running fail with 502; the data are on disk, untouched).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from ..errors import AccordsError


class ServerError(AccordsError):
    """The Oxigraph server could not be started (exit 6)."""

    exit_code = 6


def oxigraph_command() -> str:
    """The ``oxigraph`` executable installed beside this Python, or on the PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise ServerError("the `oxigraph` server is not installed: pip install oxigraph")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Engine:
    """One Oxigraph server process at a time, on a fixed internal port."""

    def __init__(self, database: Path, log: Path, writable: bool, timeout: float) -> None:
        self.port = free_port()
        self.log = log
        mode = "serve" if writable else "serve-read-only"
        self.command = [
            oxigraph_command(), mode, "--location", str(database),
            "--bind", f"127.0.0.1:{self.port}", "--timeout-s", str(max(1, round(timeout))),
        ]  # fmt: skip
        self.lock = threading.Lock()
        self.restarts = 0  # how many times a runaway query was stopped
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = False

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the process and wait until it answers a query."""
        with self.log.open("ab") as log:  # its messages name the internal port, not the one
            self.process = subprocess.Popen(self.command, stdout=log, stderr=log)  # to use
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = self.log.read_text(errors="replace").strip()[-500:]
                code = self.process.returncode
                raise ServerError(f"oxigraph stopped at start (exit {code}): {said}")
            try:
                url = f"http://{self.address}/query?query=ASK%7B%7D"
                urllib.request.urlopen(url, timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        raise ServerError("oxigraph did not answer within 60 s")

    def stop(self) -> None:
        """End the process: SIGTERM, then SIGKILL after 10 s."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self, seen: int) -> None:
        """Stop a runaway query by restarting, unless another request did since ``seen``
        (the value of :attr:`restarts` when its query was sent)."""
        with self.lock:
            if self.restarts != seen or self.stopping:
                return
            self.restarts += 1
            self.stop()
            self.start()

    def close(self) -> None:
        with self.lock:
            self.stopping = True
            self.stop()

    def wait(self) -> int:
        """Block until the process ends other than by a restart; its exit status."""
        while True:
            process = self.process
            assert process is not None
            code = process.wait()
            with self.lock:  # a restart holds the lock until the new process answers
                if self.process is process or self.stopping:
                    return code
