"""`accords serve` under hostile requests, over real sockets: SERVICE and LOAD refused with
the CLI's guard, a runaway query stopped, bodies bounded, malformed requests answered (never
a dropped connection or a traceback), other sites' pages kept out (foreign Host, cross-site
writes) while ``accords publish`` still writes, and SIGTERM as clean as Ctrl-C.

One server for the module (the curated graph, writable so that updates reach the guard, a
2 s query timeout) in front of a two-page site: the pages are not what is tested here."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest
from listener import listening
from test_service import REPRODUCERS, WHY, spell

from accords_kg.graph.store import Store
from accords_kg.publishing import publish
from accords_kg.sparql import endpoint
from accords_kg.web import serve
from accords_kg.web.engine import free_port

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def tiny_site(folder: Path) -> Path:
    folder.mkdir()
    (folder / "index.html").write_text("<!doctype html><title>index</title>\n")
    (folder / "404.html").write_text("<!doctype html><title>404</title>\n")
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, curated: Store) -> Iterator[serve.Running]:
    site = tiny_site(tmp_path_factory.mktemp("hostile") / "site")
    with serve.running(curated, port=0, writable=True, site=site, timeout=2) as running:
        yield running


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[bytes]]]:
    with listening() as found:
        yield found


def send(server: serve.Running, request: urllib.request.Request) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except HTTPError as error:
        return error.code, error.read()


def raw(server: serve.Running, data: bytes, wait: float = 15) -> bytes:
    """Send bytes as they are (``Host: HOST`` naming the server); everything the server says
    until it closes."""
    netloc = server.url.removeprefix("http://")
    host, port = netloc.rsplit(":", 1)
    data = data.replace(b"Host: HOST\r\n", b"Host: %s\r\n" % netloc.encode())
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(data)
        said = b""
        while chunk := sock.recv(65536):
            said += chunk
    return said


def transports(server: serve.Running, query: str) -> Iterator[urllib.request.Request]:
    """The three ways the protocol carries a query."""
    yield urllib.request.Request(server.url + "/query?" + urlencode({"query": query}))
    form = urlencode({"query": query}).encode()
    yield urllib.request.Request(server.url + "/query", data=form, method="POST")
    yield urllib.request.Request(
        server.url + "/query", data=query.encode(), method="POST",
        headers={"Content-Type": "application/sparql-query"},
    )  # fmt: skip


# ---------------------------------------------------------------------------
# The guard
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("template", [r[1] for r in REPRODUCERS], ids=[r[0] for r in REPRODUCERS])
def test_service_is_refused_by_the_server_and_reaches_nothing(
    server: serve.Running, listener: tuple[str, list[bytes]], template: str
) -> None:
    url, seen = listener
    seen.clear()
    for request in transports(server, spell(template, url)):
        status, body = send(server, request)
        assert status in (400, 403), body
        assert any(word.encode() in body for word in WHY), body
    assert seen == []


def test_a_plain_query_still_answers(server: serve.Running) -> None:
    ask = "ASK { <https://w3id.org/accords-kg/id/region/32> ?p ?o }"
    for request in transports(server, ask):
        request.add_header("Accept", "application/sparql-results+json")
        assert send(server, request) == (200, b'{"head":{},"boolean":true}')


def test_what_is_checked_is_what_runs(
    server: serve.Running, listener: tuple[str, list[bytes]]
) -> None:
    """Two queries in one request, or one in the URL and one in the body: which one would
    Oxigraph run? Neither: refused."""
    url, seen = listener
    seen.clear()
    evil = spell(REPRODUCERS[0][1], url)
    twice = urlencode([("query", "ASK {}"), ("query", evil)])
    assert send(server, urllib.request.Request(f"{server.url}/query?{twice}"))[0] == 400
    both = urllib.request.Request(
        f"{server.url}/query?{urlencode({'query': 'ASK {}'})}", data=evil.encode(),
        method="POST", headers={"Content-Type": "application/sparql-query"},
    )  # fmt: skip
    assert send(server, both)[0] == 400
    latin = urllib.request.Request(f"{server.url}/query?query=ASK%20%7B%E9%7D")
    assert send(server, latin)[0] == 400
    assert seen == []


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <{u}>",
        "load silent <{u}> into graph <http://example.org/g>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <{u}> { ?s ?p ?o } }",
        "INSERT { ?s ?p ?o } WHERE { ?x ?y 1SERVICE <{u}> { ?s ?p ?o } }",
    ],
)
def test_updates_that_reach_out_are_refused(
    server: serve.Running, listener: tuple[str, list[bytes]], update: str
) -> None:
    url, seen = listener
    seen.clear()
    text = update.replace("{u}", url)
    for body, media in [
        (text.encode(), "application/sparql-update"),
        (urlencode({"update": text}).encode(), "application/x-www-form-urlencoded"),
    ]:
        request = urllib.request.Request(
            server.url + "/update", data=body, method="POST", headers={"Content-Type": media}
        )
        status, said = send(server, request)
        assert status in (400, 403), said
    assert seen == []


def test_a_runaway_query_is_stopped(server: serve.Running) -> None:
    """Past its time (2 s here) and the grace, a 504 and Oxigraph restarted: the core is free
    again, and the server answers the next query."""
    before, process = server.engine.restarts, server.process
    status, body = send(server, next(transports(server, RUNAWAY)))
    assert status == 504 and b"ran past 2 s" in body
    assert server.engine.restarts == before + 1
    assert process.poll() is not None  # the busy process is gone
    request = next(transports(server, "ASK {}"))
    request.add_header("Accept", "application/sparql-results+json")
    assert send(server, request) == (200, b'{"head":{},"boolean":true}')


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------

GET = b"GET %s HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n"
POST = b"POST /query HTTP/1.1\r\nHost: HOST\r\nContent-Type: application/sparql-query\r\n"
MALFORMED = [
    ("nul", GET % b"/%00", 400),
    ("nul-in-name", GET % b"/index%00.html", 400),
    ("control", GET % b"/a%01b", 400),
    ("long-segment", GET % (b"/" + b"a" * 300), 400),
    ("long-path", GET % (b"/a" * 3000), 404),
    ("length-abc", POST + b"Content-Length: abc\r\n\r\nASK{}", 400),
    ("length-negative", POST + b"Content-Length: -5\r\n\r\nASK{}", 400),
    ("length-list", POST + b"Content-Length: 5, 5\r\n\r\nASK{}", 400),
    ("length-twice", POST + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nASK{}", 400),
    ("length-huge", POST + b"Content-Length: 400000000\r\n\r\nASK{}", 413),
    ("chunked", POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nASK{}\r\n0\r\n\r\n", 411),
    ("put-page", b"PUT /index.html HTTP/1.1\r\nHost: HOST\r\nContent-Length: 0\r\n\r\n", 405),
]


@pytest.mark.parametrize(("request_bytes", "status"), [m[1:] for m in MALFORMED],
                         ids=[m[0] for m in MALFORMED])  # fmt: skip
def test_a_malformed_request_gets_an_answer(
    server: serve.Running, request_bytes: bytes, status: int
) -> None:
    said = raw(server, request_bytes)
    assert said.startswith(b"HTTP/1.1 %d " % status), said[:200]
    assert said.count(b"HTTP/1.1 ") == 1
    assert b"Traceback" not in said


#: Paths that are no IRI once decoded (a space, ``>``, ``{``, ``"``, a lone ``%``).
NOT_IRIS = [b"/id/a%20b", b"/id/a%3Eb", b"/id/a%7Bb", b"/id/a%22b", b"/id/a%25"]


@pytest.mark.parametrize("path", NOT_IRIS, ids=[p.decode() for p in NOT_IRIS])
@pytest.mark.parametrize(
    ("suffix", "accept"), [(b"", b"text/turtle"), (b"?format=ttl", b"*/*"), (b"", b"text/html")]
)
def test_a_path_that_is_no_iri_is_not_found(
    server: serve.Running, path: bytes, suffix: bytes, accept: bytes
) -> None:
    """Its description asked for, it reached Oxigraph's IRI parser, which raised: the
    connection dropped. Now a 404, as for any resource the graph does not describe."""
    head = b"GET %s%s HTTP/1.1\r\nHost: HOST\r\nAccept: %s\r\nConnection: close\r\n\r\n"
    said = raw(server, head % (path, suffix, accept))
    assert said.startswith(b"HTTP/1.1 404 "), said[:200]
    assert said.count(b"HTTP/1.1 ") == 1 and b"<title>404</title>" in said


class Failing(serve.Front):
    """A front with a defect nobody foresaw: what the handler's last resort is for (a defect
    found is fixed, so none can stay in the code for a test to reach)."""

    def get(self, target: str, accept: str | None) -> serve.Answer:
        raise KeyError("a defect")


def test_an_unforeseen_error_is_a_500_and_its_traceback_stays_in_the_log(
    server: serve.Running, curated: Store, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    handler = serve.make_handler(Failing(tiny_site(tmp_path / "site"), curated), server.engine)
    httpd = serve.Listener(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        failing = serve.Running(f"http://127.0.0.1:{httpd.server_address[1]}", server.engine)
        said = raw(failing, GET % b"/index.html")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert said.startswith(b"HTTP/1.1 500 ") and said.count(b"HTTP/1.1 ") == 1
    assert b"Traceback" not in said and b"a defect" not in said
    logged = capfd.readouterr().err
    assert logged.count("Traceback") == 1 and "KeyError: 'a defect'" in logged
    assert "GET '/index.html'" in logged


def test_a_big_body_is_refused_unread(server: serve.Running) -> None:
    """400 MB announced, 1 MB sent: the answer comes without the rest being read (before,
    the front read it all into memory first)."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        head = POST.replace(b"HOST", f"{host}:{port}".encode())
        sock.sendall(head + b"Content-Length: 400000000\r\n\r\n")
        sock.sendall(b"#" * (1 << 20))
        said = sock.recv(4096)
    assert said.startswith(b"HTTP/1.1 413 ")


def test_a_chunked_body_is_not_read_as_a_second_request(server: serve.Running) -> None:
    inner = b"GET /index.html HTTP/1.1\r\nHost: HOST\r\n\r\n"
    smuggled = b"GET / HTTP/1.1\r\nHost: HOST\r\nTransfer-Encoding: chunked\r\n\r\n"
    smuggled += b"%x\r\n%s\r\n0\r\n\r\n" % (len(inner), inner)
    said = raw(server, smuggled)
    assert said.startswith(b"HTTP/1.1 411 ")
    assert said.count(b"HTTP/1.1 ") == 1


def test_a_body_on_a_page_request_closes_the_connection(server: serve.Running) -> None:
    inner = b"GET /index.html HTTP/1.1\r\nHost: HOST\r\n\r\n"
    said = raw(server, b"GET / HTTP/1.1\r\nHost: HOST\r\nContent-Length: %d\r\n\r\n%s" % (
        len(inner), inner))  # fmt: skip
    assert said.startswith(b"HTTP/1.1 200 ") and said.count(b"HTTP/1.1 ") == 1


def test_the_listen_backlog_takes_a_burst(server: serve.Running) -> None:
    """``ss`` shows a listening socket's backlog as its Send-Q (it was 5)."""
    if shutil.which("ss") is None:
        pytest.skip("`ss` (iproute2) is not installed: cannot read the backlog")
    port = server.url.rsplit(":", 1)[1]
    lines = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True,
                           text=True, check=True).stdout.split("\n")  # fmt: skip
    backlogs = {int(line.split()[2]) for line in lines if line.strip()}
    assert backlogs == {serve.Listener.request_queue_size} and min(backlogs) >= 128


# ---------------------------------------------------------------------------
# Signals
# ---------------------------------------------------------------------------


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found |= {int(child) for child in text}
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


def test_sigterm_stops_oxigraph_and_removes_the_temporary_folder(tmp_path: Path) -> None:
    if not Path("/proc/self/task").is_dir():
        pytest.skip("needs /proc to find the server's children")
    site = tiny_site(tmp_path / "site")
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "accords_kg.cli", "serve", "--port", str(port),
         "--territories", "none", "--site", str(site)],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(temp)},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "Ctrl-C" not in (line := process.stderr.readline()):
            assert line and time.monotonic() < deadline, "the server did not start"
        engines = children(process.pid)
        assert engines and all(alive(pid) for pid in engines)
        assert [p.name for p in temp.iterdir() if p.name.startswith("accords-kg-serve-")]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
    assert not any(alive(pid) for pid in engines)
    assert list(temp.iterdir()) == []
    assert "stopped / arrêté (SIGTERM)" in process.stderr.read()


def test_a_graph_store_upload_is_streamed_through(server: serve.Running) -> None:
    """Writable: a Graph Store PUT reaches Oxigraph whole (streamed, not held), and reads
    back; an update without SERVICE or LOAD runs."""
    graph = "http://example.org/hostile-upload"
    line = '<http://example.org/s{0}> <http://example.org/p> "{0}" .\n'
    triples = "".join(line.format(i) for i in range(20000))
    put = urllib.request.Request(
        f"{server.url}/store?graph={graph}", data=triples.encode(), method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )  # fmt: skip
    assert send(server, put)[0] in (201, 204)
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    request = next(transports(server, count))
    request.add_header("Accept", "text/csv")
    assert send(server, request) == (200, b"n\r\n20000\r\n")
    drop = urllib.request.Request(
        server.url + "/update", data=f"DROP GRAPH <{graph}>".encode(), method="POST",
        headers={"Content-Type": "application/sparql-update"},
    )  # fmt: skip
    assert send(server, drop)[0] == 204
    assert send(server, request) == (200, b"n\r\n0\r\n")


def test_pages_are_served_with_a_policy_that_runs_no_script(server: serve.Running) -> None:
    with urllib.request.urlopen(server.url + "/", timeout=30) as answer:
        policy = answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert policy.startswith("default-src 'none';") and "script-src" not in policy


# ---------------------------------------------------------------------------
# Other sites' pages: DNS rebinding, cross-site writes
# ---------------------------------------------------------------------------

STILL_THERE = "ASK { <https://w3id.org/accords-kg/id/region/32> ?p ?o }"


def still_there(server: serve.Running) -> bool:
    request = next(transports(server, STILL_THERE))
    request.add_header("Accept", "application/sparql-results+json")
    return send(server, request) == (200, b'{"head":{},"boolean":true}')


def with_host(host: bytes, path: bytes = b"/") -> bytes:
    return b"GET %s HTTP/1.1\r\n%sConnection: close\r\n\r\n" % (path, host)


@pytest.mark.parametrize("path", [b"/", b"/query?query=ASK%7B%7D"], ids=["page", "query"])
def test_a_host_that_is_not_this_server_is_refused(server: serve.Running, path: bytes) -> None:
    """DNS rebinding: evil.example made to resolve to 127.0.0.1 reads the server as its own
    origin; the Host it names gives it away — reads refused too."""
    port = server.url.rsplit(":", 1)[1].encode()
    foreign = [b"evil.example", b"evil.example:" + port, b"localhost", b"localhost:1"]
    foreign += [b"127.0.0.1:" + port + b"@evil.example", b"localhost:" + port + b"/x"]
    for host in foreign:
        said = raw(server, with_host(b"Host: %s\r\n" % host, path))
        assert said.startswith(b"HTTP/1.1 421 "), (host, said[:200])
    for headers in [b"", b"Host: localhost:%s\r\nHost: evil.example\r\n" % port]:
        assert raw(server, with_host(headers, path)).startswith(b"HTTP/1.1 400 ")
    for host in [b"localhost", b"LocalHost", b"127.0.0.1", b"[::1]"]:
        said = raw(server, with_host(b"Host: %s:%s\r\n" % (host, port), path))
        assert said.startswith(b"HTTP/1.1 200 "), (host, said[:200])


def write(server: serve.Running, path: str, body: bytes, media: str, **headers: str) -> int:
    request = urllib.request.Request(server.url + path, data=body, method="POST")
    request.add_header("Content-Type", media)
    for name, value in headers.items():
        request.add_header(name, value)
    return send(server, request)[0]


FORM = "application/x-www-form-urlencoded"
DROP_ALL = urlencode({"update": "DROP ALL"}).encode()


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://localhost:1", "https://{netloc}",
               "http://{netloc}/page", "http://{netloc}@evil.example"],
)  # fmt: skip
def test_a_page_of_another_site_cannot_write(server: serve.Running, origin: str) -> None:
    """A form on any page may POST ``update=DROP ALL`` without asking (a CORS "simple"
    request); the browser names the page's origin: refused, whatever the body's type."""
    origin = origin.format(netloc=server.url.removeprefix("http://"))
    assert write(server, "/update", DROP_ALL, FORM, Origin=origin) == 403
    assert write(server, "/update", b"DROP ALL", "application/sparql-update", Origin=origin) == 403
    assert write(server, "/store?default", b"", "text/turtle", Origin=origin) == 403
    assert still_there(server)


def test_what_a_browser_can_send_without_asking_does_not_write(server: serve.Running) -> None:
    """The types a cross-site page may POST without a preflight (form, text/plain) carry no
    update, even from the server's own origin (none of its pages sends one); Oxigraph would
    read a text/plain upload as N-Triples."""
    own = server.url
    assert write(server, "/update", DROP_ALL, FORM, Origin=own) == 415
    assert write(server, "/update?" + DROP_ALL.decode(), b"", "text/plain") == 415
    assert (
        write(server, "/update?" + DROP_ALL.decode(), b"DROP ALL", "application/sparql-update")
        == 400
    )
    triple = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
    assert write(server, "/store?default", triple, "text/plain") == 415
    assert write(server, "/store?default", triple, FORM) == 415
    assert still_there(server)
    insert = b"INSERT DATA { GRAPH <http://example.org/own> { <http://example.org/s> a 1 } }"
    assert write(server, "/update", insert, "application/sparql-update", Origin=own) == 204
    assert (
        write(
            server, "/update", b"DROP GRAPH <http://example.org/own>", "application/sparql-update"
        )
        == 204
    )


def test_accords_publish_still_writes_to_serve(server: serve.Running, curated: Store) -> None:
    """``accords publish`` sends its updates as a form (SPARQLWrapper), with no Origin, and
    its uploads as N-Triples: both pass, and the graphs are the curated layers."""
    urls = publish.Endpoints.from_store(server.url + "/store")
    counts = publish.publish(curated, urls)
    text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    found = {str(g): int(n) for g, n in endpoint.query(urls.query, text).rows}
    published = {g: n for g, n in found.items() if g.startswith(publish.GRAPH_BASE)}
    assert published == {iri: n for iri, n in counts.items() if iri}
    assert published == {publish.GRAPH_BASE + name: len(curated.stored_layer(name))
                         for name in curated.layer_names()}  # fmt: skip
    default = endpoint.query(urls.query, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert int(default.rows[0][0]) == len(curated) == counts[""]
