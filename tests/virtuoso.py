"""A throwaway Virtuoso (Debian's `virtuoso-opensource`) for the tests: its own folder,
free ports, stopped by its PID; skipped, saying why, where `virtuoso-t` is not installed.

Its protected endpoints are used, as an organisation's server would be: the Graph Store at
``/sparql-graph-crud-auth`` and SPARQL Update at ``/sparql-auth``, both behind HTTP Digest
authentication (user ``dba``); queries go to the public ``/sparql``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = {isql_port}
DisableUnixSocket  = 1
CheckpointInterval = 60
CaseMode           = 2
DirsAllowed        = ., {d}
NumberOfBuffers    = 20000
MaxDirtyBuffers    = 15000
MaxQueryMem        = 256M
ThreadsPerQuery    = 2

[HTTPServer]
ServerPort         = {http_port}
ServerRoot         = {d}
ServerThreads      = 10
MaxClientConnections = 10
EnabledGzipContent = 0
Charset            = UTF-8

[SPARQL]
ResultSetMaxRows           = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
"""

CREDENTIALS = {"ACCORDS_ENDPOINT_USER": "dba", "ACCORDS_ENDPOINT_PASSWORD": "dba"}


class Virtuoso:
    def __init__(self, folder: Path, isql_port: int, http_port: int) -> None:
        self.folder, self.isql_port, self.http_port = folder, isql_port, http_port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return self.base + "/sparql"

    def publish_args(self) -> list[str]:
        return [
            "publish",
            "--store", self.base + "/sparql-graph-crud-auth",
            "--update", self.base + "/sparql-auth",
            "--query-endpoint", self.query_url,
        ]  # fmt: skip

    def start(self) -> None:
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            INI.format(d=self.folder, isql_port=self.isql_port, http_port=self.http_port)
        )
        self.process = subprocess.Popen(
            ["virtuoso-t", "+foreground", "+configfile", str(ini)],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                log = self.folder / "virtuoso.log"
                raise RuntimeError(log.read_text() if log.exists() else "virtuoso-t exited")
            try:
                urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2).read()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def virtuoso_or_skip(folder: Path) -> Virtuoso:
    """A started Virtuoso (publish to it with :data:`CREDENTIALS` in the environment)."""
    if shutil.which("virtuoso-t") is None:
        pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
    from test_endpoint import free_port

    running = Virtuoso(folder, free_port(), free_port())
    running.start()
    return running
