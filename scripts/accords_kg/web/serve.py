"""``accords serve``: the pages, the resources by their IRIs' paths, and a SPARQL endpoint.

Two processes behind one port:

- an Oxigraph server (PyPI package ``oxigraph``) with the dataset — each layer in its named
  graph, the union of the layers in the default graph (so that a triple stated in two
  layers matches once) — loaded with ``oxigraph load`` into a fresh folder and listening on
  an internal port of 127.0.0.1, read-only unless ``writable``;
- in front, a small threaded HTTP server (:class:`Front`) that forwards ``/query``,
  ``/update`` and ``/store`` to it unchanged, and answers everything else from the static
  site (:mod:`site`, built at start unless one is given):

  - a resource's path (``/id/person/xavier-bertrand``, ``/role/president``, ``/ontology``)
    is negotiated on ``Accept`` (q-values honoured, ``Vary: Accept``): ``text/html`` → its
    page, ``text/turtle``, ``application/ld+json``, ``application/n-triples`` → its
    description (:mod:`describe`); nothing acceptable → the page. ``?format=ttl|jsonld|nt|html``
    or the file's own name (``….ttl``) choose without negotiating;
  - a resource the site has no page for, but the loaded graph describes (a commune of the
    territorial layer), still answers in RDF; in HTML, and for anything unknown, the 404 page;
  - ``HEAD`` answers the headers of ``GET``.
"""

from __future__ import annotations

import http.client
import http.server
import mimetypes
import posixpath
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from rdflib import Dataset, URIRef

from ..errors import AccordsError
from ..graph.store import Store
from ..progress import Progress
from ..publishing.describe import RDF_FORMATS, describe, serialise
from ..publishing.publish import graphs
from . import site as site_builder
from .negotiate import choose


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


def nquads(store: Store) -> bytes:
    """The dataset as N-Quads: layers in named graphs, their union in the default graph."""
    dataset = Dataset()
    for iri, graph in graphs(store).items():
        target = dataset.default_graph if not iri else dataset.graph(URIRef(iri))
        for triple in graph:
            target.add(triple)
    return dataset.serialize(format="nquads", encoding="utf-8")


def load(store: Store, location: Path) -> None:
    """Load the dataset into an Oxigraph database folder."""
    with tempfile.NamedTemporaryFile(suffix=".nq") as dump:
        dump.write(nquads(store))
        dump.flush()
        done = subprocess.run(
            [oxigraph_command(), "load", "--location", str(location), "--file", dump.name],
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise ServerError(f"oxigraph load failed: {done.stderr.strip()[:500]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: Paths forwarded to Oxigraph (SPARQL 1.1 Protocol and Graph Store Protocol).
SPARQL_PATHS = ("/query", "/update", "/store")
HTML = "text/html"
OFFERS = [HTML, "application/xhtml+xml", *(f.media_type for f in RDF_FORMATS)]
_BY_NAME = {f.extension.lstrip("."): f for f in RDF_FORMATS}
_BY_MEDIA = {f.media_type: f for f in RDF_FORMATS}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "trailer"}


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]


class Front:
    """What the front server answers, as a plain object that tests can call directly."""

    def __init__(self, site: Path, store: Store) -> None:
        self.site = site.resolve()
        self.store = store
        self.not_found = (self.site / "404.html").read_bytes()

    def _file(self, relative: str) -> Path | None:
        candidate = (self.site / relative).resolve()
        inside = candidate == self.site or self.site in candidate.parents
        return candidate if inside and candidate.is_file() else None

    def _missing(self, vary: bool = False) -> Answer:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if vary:
            headers["Vary"] = "Accept"
        return Answer(404, self.not_found, headers)

    def get(self, target: str, accept: str | None) -> Answer:
        """The answer to ``GET target`` with this ``Accept`` header."""
        parts = urlsplit(target)
        path = posixpath.normpath(unquote(parts.path) or "/")
        wanted = parse_qs(parts.query).get("format", [None])[0]
        if path in ("/", "/."):
            path = "/index.html"
        relative = path.lstrip("/")
        if ".." in relative.split("/"):
            return self._missing()
        found = self._file(relative)
        if found is not None:  # a file of the site, by its own name
            if found.name.startswith("."):
                return self._missing()
            return Answer(200, found.read_bytes(), {"Content-Type": _content_type(found)})
        if wanted is not None:
            media = HTML if wanted == "html" else getattr(_BY_NAME.get(wanted), "media_type", None)
            if media is None:
                return self._missing()
        else:
            media = choose(accept, OFFERS)
        headers = {"Vary": "Accept"}
        if media in _BY_MEDIA:
            fmt = _BY_MEDIA[media]
            page = self._file(relative + fmt.extension)
            if page is not None:
                body = page.read_bytes()
                headers["Content-Location"] = "/" + relative + fmt.extension
            else:  # described by the graph, without a page of the site
                iri = site_builder.SITE_BASE + relative
                graph = describe(self.store, iri)
                if len(graph) == 0:
                    return self._missing(vary=True)
                body = serialise(graph, fmt)
            headers["Content-Type"] = f"{media}; charset=utf-8"
            return Answer(200, body, headers)
        page = self._file(relative + ".html")
        if page is None:
            return self._missing(vary=True)
        headers["Content-Type"] = "text/html; charset=utf-8"
        headers["Content-Location"] = "/" + relative + ".html"
        return Answer(200, page.read_bytes(), headers)


def _content_type(path: Path) -> str:
    for fmt in RDF_FORMATS:
        if path.suffix == fmt.extension:
            return f"{fmt.media_type}; charset=utf-8"
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def make_handler(front: Front, upstream: str) -> type[http.server.BaseHTTPRequestHandler]:
    """The request handler: SPARQL paths to ``upstream`` (host:port), the rest to ``front``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "accords-kg"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the command prints where it listens, not every request

        def _sparql(self) -> bool:
            path = urlsplit(self.path).path
            return any(path == p or path.startswith(p + "/") for p in SPARQL_PATHS)

        def _send(self, answer: Answer, body: bool = True) -> None:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if body:
                self.wfile.write(answer.body)

        def _proxy(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length) if length else None
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in _HOP_BY_HOP and k.lower() != "host"
            }
            connection = http.client.HTTPConnection(upstream, timeout=300)
            try:
                connection.request(self.command, self.path, body=payload, headers=headers)
                reply = connection.getresponse()
                data = reply.read()
                kept = {
                    k: v
                    for k, v in reply.getheaders()
                    if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"
                }
                self._send(Answer(reply.status, data, kept), body=self.command != "HEAD")
            except OSError as exc:
                message = f"SPARQL server unreachable / serveur SPARQL injoignable: {exc}\n"
                self._send(Answer(502, message.encode(), {"Content-Type": "text/plain"}))
            finally:
                connection.close()

        def do_GET(self) -> None:
            if self._sparql():
                self._proxy()
            else:
                self._send(front.get(self.path, self.headers.get("Accept")))

        def do_HEAD(self) -> None:
            if self._sparql():
                self._proxy()
            else:
                self._send(front.get(self.path, self.headers.get("Accept")), body=False)

        def do_POST(self) -> None:
            if self._sparql():
                self._proxy()
            else:
                self._send(Answer(405, b"", {"Allow": "GET, HEAD"}))

        do_PUT = do_POST
        do_DELETE = do_POST

    return Handler


@dataclass
class Running:
    """A started server: where it listens, and the Oxigraph process behind it."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    def wait(self) -> int:
        """Block until the Oxigraph process ends (Ctrl-C interrupts); its exit status."""
        return self.process.wait()


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace").strip()[-500:]
            raise ServerError(f"oxigraph stopped at start (exit {process.returncode}): {said}")
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise ServerError(f"oxigraph did not answer within {seconds:g} s")


@contextmanager
def running(
    store: Store,
    bind: str = "127.0.0.1",
    port: int = 7878,
    writable: bool = False,
    site: Path | None = None,
) -> Iterator[Running]:
    """The server with the dataset and the site (built into a temporary folder unless
    ``site`` is given), stopped and cleaned up on exit."""
    stages = Progress("serve")
    with tempfile.TemporaryDirectory(prefix="accords-kg-serve-") as folder:
        if site is None:
            stages(0, 3, "site")
            site = site_builder.build(store, Path(folder) / "site").out
        try:
            httpd = http.server.ThreadingHTTPServer(
                (bind, port), http.server.BaseHTTPRequestHandler
            )
        except OSError as exc:
            raise ServerError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from None
        database = Path(folder) / "db"
        stages(1, 3, "loading Oxigraph / chargement")
        load(store, database)
        stages(2, 3, "starting / démarrage")
        internal = free_port()
        mode = "serve" if writable else "serve-read-only"
        log = (Path(folder) / "oxigraph.log").open("wb")  # its own messages name the
        process = subprocess.Popen(  # internal port, which is not the one to use
            [oxigraph_command(), mode, "--location", str(database),
             "--bind", f"127.0.0.1:{internal}"],
            stdout=log,
            stderr=log,
        )  # fmt: skip
        serving = None
        try:
            httpd.RequestHandlerClass = make_handler(Front(site, store), f"127.0.0.1:{internal}")
            _wait_for(f"http://127.0.0.1:{internal}", process, Path(log.name))
            stages(3, 3)
            serving = threading.Thread(target=httpd.serve_forever, daemon=True)
            serving.start()
            host = f"[{bind}]" if ":" in bind else bind
            yield Running(f"http://{host}:{httpd.server_address[1]}", process)
        finally:
            if serving is not None:  # shutdown() waits for a loop that must have started
                httpd.shutdown()
            httpd.server_close()
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
