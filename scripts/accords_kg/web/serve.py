"""``accords serve``: the pages, the resources by their IRIs' paths, and a SPARQL endpoint.

Two processes behind one port:

- an Oxigraph server (PyPI package ``oxigraph``) with the dataset — each layer in its named
  graph, the union of the layers in the default graph (so that a triple stated in two
  layers matches once) — loaded with ``oxigraph load`` into a fresh folder and listening on
  an internal port of 127.0.0.1, read-only unless ``writable``;
- in front, a small threaded HTTP server (:class:`Handler`) that refuses a ``Host`` not its
  own and a write from another site's page (:mod:`origin`), passes ``/query``, ``/update``
  and ``/store`` to Oxigraph through :mod:`proxy` — never as they came: the one query or
  update a request carries, checked by the CLI's guard (no SERVICE, no LOAD), is what is
  sent, bodies bounded, a query stopped past its time —, and answers everything else from
  the static site (:class:`Front`; :mod:`site`, built at start unless one is given):

  - a resource's path (``/id/person/xavier-bertrand``, ``/role/president``, ``/ontology``)
    is negotiated on ``Accept`` (q-values honoured, ``Vary: Accept``): ``text/html`` → its
    page, ``text/turtle``, ``application/ld+json``, ``application/n-triples`` → its
    description (:mod:`describe`); nothing acceptable → the page. ``?format=ttl|jsonld|nt|html``
    or the file's own name (``….ttl``) choose without negotiating;
  - a resource the site has no page for, but the loaded graph describes (a commune of the
    territorial layer), still answers in RDF; in HTML, and for anything unknown (a path that
    is no IRI too), the 404 page;
  - ``HEAD`` answers the headers of ``GET``.
"""

from __future__ import annotations

import http.client
import http.server
import mimetypes
import posixpath
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox

from ..graph.store import Store
from ..progress import Progress
from ..publishing.describe import RDF_FORMATS, describe, serialise
from . import origin, proxy
from . import site as site_builder
from .engine import Engine, ServerError, oxigraph_command
from .negotiate import choose


def nquads(store: Store) -> bytes:
    """The dataset as N-Quads: layers in named graphs, their union in the default graph (as
    the embedded store keeps them)."""
    return store.oxigraph().dump(format=ox.RdfFormat.N_QUADS)


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


#: Paths forwarded to Oxigraph (SPARQL 1.1 Protocol and Graph Store Protocol).
SPARQL_PATHS = ("/query", "/update", "/store")
HTML = "text/html"
OFFERS = [HTML, "application/xhtml+xml", *(f.media_type for f in RDF_FORMATS)]
_BY_NAME = {f.extension.lstrip("."): f for f in RDF_FORMATS}
_BY_MEDIA = {f.media_type: f for f in RDF_FORMATS}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "trailer"}
#: What a Graph Store request passes on to Oxigraph (its length is set by the front).
_STORE_HEADERS = {"accept", "content-type"}
#: Seconds a query may run (Oxigraph's ``--timeout-s``), and the front's wait beyond it.
TIMEOUT = 60.0
GRACE = 5.0
#: Sent with every page and file of the site. The site has no script: a browser is told to
#: run none, so that a link the pages should never hold (``javascript:``) could not run
#: in the endpoint's origin either; nothing is loaded from elsewhere, nothing frames it.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}
#: Longest name of one path segment on the file systems the site lives on.
NAME_MAX = 255


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
        try:
            candidate = (self.site / relative).resolve()
            inside = candidate == self.site or self.site in candidate.parents
            return candidate if inside and candidate.is_file() else None
        except (OSError, ValueError):  # a path the file system cannot name: not a file here
            return None

    def _missing(self, vary: bool = False) -> Answer:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if vary:
            headers["Vary"] = "Accept"
        return Answer(404, self.not_found, headers)

    def get(self, target: str, accept: str | None) -> Answer:
        """The answer to ``GET target`` with this ``Accept`` header."""
        parts = urlsplit(target)
        path = posixpath.normpath(unquote(parts.path) or "/")
        if _unusable(path):
            message = b"bad path: a NUL or control character, or a name over 255 bytes\n"
            return Answer(400, message, {"Content-Type": "text/plain; charset=utf-8"})
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


def _unusable(path: str) -> bool:
    """Whether a decoded path has a character no file name has (NUL, controls) or a segment
    longer than a file name can be."""
    if any(ord(c) < 0x20 or c == "\x7f" for c in path):
        return True
    return any(len(part.encode("utf-8", "surrogateescape")) > NAME_MAX for part in path.split("/"))


def _content_type(path: Path) -> str:
    for fmt in RDF_FORMATS:
        if path.suffix == fmt.extension:
            return f"{fmt.media_type}; charset=utf-8"
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


class Handler(http.server.BaseHTTPRequestHandler):
    """The request handler: SPARQL paths to :attr:`engine` through the guard of :mod:`proxy`,
    the rest to :attr:`front`; a foreign ``Host`` or a write from another site's page refused
    (:mod:`origin`). A malformed request gets a 4xx answer, an unforeseen error a 500 (its
    traceback on stderr, never to the client): never a dropped connection. A query that
    outruns :attr:`query_timeout` gets a 504 and is stopped. Bound by :func:`make_handler`."""

    server_version = "accords-kg"
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a connection may stay silent (a slow client holds a thread)
    front: Front
    engine: Engine
    writable = False
    query_timeout = TIMEOUT
    answered = False  # whether this request's status line has been sent
    chunking = False  # whether the answer under way is sent in chunks

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the command prints where it listens, not every request

    def send_response(self, code: int, message: str | None = None) -> None:
        self.answered = True
        super().send_response(code, message)

    def _handle(self) -> None:
        self.answered = False
        try:
            self._route()
        except proxy.Refused as refusal:
            self._refuse(refusal.status, str(refusal))
        except ConnectionError:  # the client left: nobody to answer
            self.close_connection = True
        except Exception:
            self._fail()

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _handle

    def _route(self) -> None:
        length = proxy.body_length(self.headers)
        self._check_caller()
        path = urlsplit(self.path).path
        if path in SPARQL_PATHS:
            self._sparql(path, length)
        elif self.command not in ("GET", "HEAD"):
            raise proxy.Refused(405, "GET, HEAD")
        else:
            self._page(length)

    def _check_caller(self) -> None:
        """Refuse a ``Host`` that is not this server, and a write from another site's page."""
        bound, port = self.server.server_address[:2]
        allowed = origin.names(str(bound), self.connection.getsockname()[0], int(port))
        origin.check_host(self.headers.get_all("Host") or [], allowed)
        if self.command not in ("GET", "HEAD"):
            origin.check_origin(self.headers.get_all("Origin") or [], allowed)

    def _fail(self) -> None:
        """An error nobody foresaw: its traceback on stderr, once; a 500 without it, unless
        the answer was under way (then the connection is cut, so the client sees it short)."""
        self.close_connection = True
        sys.stderr.write(f"accords serve: {self.command} {self.path!r}\n{traceback.format_exc()}")
        if not self.answered:
            with suppress(OSError):  # the client may be gone too
                self._refuse(500, "internal error, see the server's log / erreur interne")

    def _send(self, answer: Answer, body: bool = True) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if body:
            self.wfile.write(answer.body)

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True  # its body, if any, is left unread
        text = f"{message}\n".encode()
        headers = {"Content-Type": "text/plain; charset=utf-8", "Connection": "close"}
        self._send(Answer(status, text, headers), body=self.command != "HEAD")
        self.wfile.flush()
        _linger(self.connection)

    def _page(self, length: int) -> None:
        self.close_connection = self.close_connection or length > 0
        answer = self.front.get(self.path, self.headers.get("Accept"))
        answer.headers.update(PAGE_HEADERS)
        self._send(answer, body=self.command == "GET")

    def _sparql(self, path: str, length: int) -> None:
        if self.command not in ("GET", "HEAD", "POST") and path != "/store":
            raise proxy.Refused(405, "GET, POST")
        if self.command not in ("GET", "HEAD") and not self.writable and path != "/query":
            raise proxy.Refused(
                403, "read-only server: start it with --writable / serveur en lecture seule"
            )
        if path == "/store":
            self._store(length)
        else:
            self._operation(path.lstrip("/"), length)

    def _store(self, length: int) -> None:
        """The Graph Store Protocol: no query to check; an upload says it is RDF, and is
        streamed, never held."""
        content_type = self.headers.get("Content-Type") or ""
        if self.command in ("PUT", "POST") and not proxy.rdf_media(content_type):
            raise proxy.Refused(415, "an upload is sent as an RDF type / type RDF requis")
        kept = {k: v for k, v in self.headers.items() if k.lower() in _STORE_HEADERS}
        body = proxy.Limited(self.rfile, length) if length else None
        if length:
            kept["Content-Length"] = str(length)
        self._forward((self.command, self.path, kept, body))

    def _operation(self, kind: str, length: int) -> None:
        """A query or an update: read whole (bounded), checked, and only its text sent on."""
        if length > proxy.MAX_BODY:
            raise proxy.Refused(413, f"body over {proxy.MAX_BODY} bytes / corps trop gros")
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type") or ""
        forms = not self.headers.get_all("Origin")  # see proxy._update_request
        operation = proxy.operation(kind, self.command, self.path, content_type, body, forms)
        operation.check()
        headers = {"Content-Type": f"application/sparql-{kind}; charset=utf-8"}
        if self.headers["Accept"]:
            headers["Accept"] = self.headers["Accept"]
        self._forward(("POST", operation.target(), headers, operation.text.encode("utf-8")))

    def _forward(self, request: proxy.Request) -> None:
        self.chunking = False
        query = request[1].startswith("/query")
        seen = self.engine.restarts
        try:  # a query has its time and a grace; an upload or update takes what it takes
            limit = self.query_timeout + GRACE if query else None
            proxy.forward(self.engine.address, request, self._respond, limit)
            if self.chunking:
                self.wfile.write(b"0\r\n\r\n")
        except (TimeoutError, OSError) as exc:
            self._stopped(exc, query, seen)

    def _respond(self, status: int, headers: list[tuple[str, str]]) -> Callable[[bytes], None]:
        """Send Oxigraph's status and headers; where to write its body."""
        self.send_response(status)
        sized = any(k.lower() == "content-length" for k, _ in headers)
        for name, value in headers:  # the front's own Server and Date stand
            if name.lower() not in _HOP_BY_HOP | {"server", "date"}:
                self.send_header(name, value)
        self.chunking = not sized and self.command != "HEAD"
        if self.chunking:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.command == "HEAD":
            return lambda data: None
        return self._chunk if self.chunking else self.wfile.write

    def _stopped(self, exc: OSError, query: bool, seen: int) -> None:
        """A forward that failed: a query past its time stops Oxigraph (begun or not, since
        Oxigraph may send the head, then compute); the client gets a 504 or 502, or, if the
        answer was under way, a cut connection, so that it sees the answer short."""
        self.close_connection = True
        overran = isinstance(exc, TimeoutError) and query
        if overran:
            self.engine.restart(seen)
        if self.answered:
            return
        if overran:
            message = f"the query ran past {self.query_timeout:g} s: stopped / requête arrêtée"
            self._refuse(504, message)
        else:
            self._refuse(502, f"SPARQL server unreachable / injoignable: {exc}")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))


def make_handler(
    front: Front, engine: Engine, writable: bool = False, timeout: float = TIMEOUT
) -> type[Handler]:
    """:class:`Handler` bound to this front and engine; a query may run ``timeout`` s."""
    bound = {"front": front, "engine": engine, "writable": writable, "query_timeout": timeout}
    return type("BoundHandler", (Handler,), bound)


class Listener(http.server.ThreadingHTTPServer):
    """The front's socket: a thread per connection, and a backlog for bursts (the default of
    5 makes a burst's extra connections wait a second for a retried SYN)."""

    request_queue_size = 128


def _linger(connection: socket.socket, most: int = 1 << 21, seconds: float = 2.0) -> None:
    """Close our side, then read and drop what the client is still sending (up to ``most``
    bytes, ``seconds``): closing on unread data would reset the connection, and the client
    could lose the answer that says why."""
    try:
        connection.shutdown(socket.SHUT_WR)
        connection.settimeout(seconds)
        deadline = time.monotonic() + seconds
        while most > 0 and time.monotonic() < deadline and (data := connection.recv(65536)):
            most -= len(data)
    except OSError:
        pass


@dataclass
class Running:
    """A started server: where it listens, and the Oxigraph engine behind it."""

    url: str
    engine: Engine

    @property
    def query_url(self) -> str:
        return self.url + "/query"

    @property
    def process(self) -> subprocess.Popen[bytes]:
        """The Oxigraph process now running (a new one after each restart)."""
        assert self.engine.process is not None
        return self.engine.process

    def wait(self) -> int:
        """Block until the Oxigraph process ends (Ctrl-C interrupts); its exit status."""
        return self.engine.wait()


@contextmanager
def running(
    store: Store,
    bind: str = "127.0.0.1",
    port: int = 7878,
    writable: bool = False,
    site: Path | None = None,
    timeout: float = TIMEOUT,
) -> Iterator[Running]:
    """The server with the dataset and the site (built into a temporary folder unless
    ``site`` is given), stopped and cleaned up on exit. A query may run ``timeout`` seconds."""
    stages = Progress("serve")
    with tempfile.TemporaryDirectory(prefix="accords-kg-serve-") as folder:
        if site is None:
            stages(0, 3, "site")
            site = site_builder.build(store, Path(folder) / "site").out
        try:
            httpd = Listener((bind, port), http.server.BaseHTTPRequestHandler)
        except OSError as exc:
            raise ServerError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}") from None
        database = Path(folder) / "db"
        stages(1, 3, "loading Oxigraph / chargement")
        load(store, database)
        stages(2, 3, "starting / démarrage")
        engine = Engine(database, Path(folder) / "oxigraph.log", writable, timeout)
        serving = None
        try:
            engine.start()
            stages(3, 3)
            httpd.RequestHandlerClass = make_handler(Front(site, store), engine, writable, timeout)
            serving = threading.Thread(target=httpd.serve_forever, daemon=True)
            serving.start()
            host = f"[{bind}]" if ":" in bind else bind
            yield Running(f"http://{host}:{httpd.server_address[1]}", engine)
        finally:
            if serving is not None:  # shutdown() waits for a loop that must have started
                httpd.shutdown()
            httpd.server_close()
            engine.close()
