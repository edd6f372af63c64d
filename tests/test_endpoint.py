"""A real Oxigraph server: publish, query every saved query through it and embedded, fail
cleanly when it is down, slow or broken; and a reproducible release with its description."""

from __future__ import annotations

import hashlib
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef

from accords_kg.cli import main
from accords_kg.graph.store import Store
from accords_kg.publishing import publish
from accords_kg.publishing.release import release
from accords_kg.sparql import endpoint, saved, transport
from accords_kg.sparql.endpoint import EndpointError
from accords_kg.web.engine import free_port
from accords_kg.web.serve import oxigraph_command
from conftest import ROOT

ID = "https://w3id.org/accords-kg/id/"


class Server:
    """``oxigraph serve`` on 127.0.0.1, persisted in a folder, killed by its PID."""

    def __init__(self, location: Path, union: bool = False) -> None:
        self.location = location
        self.union = union
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def urls(self) -> publish.Endpoints:
        return publish.Endpoints.from_store(self.base + "/store")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [oxigraph_command(), "serve", "--location", str(self.location),
             "--bind", f"127.0.0.1:{self.port}"]
            + (["--union-default-graph"] if self.union else []),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/query?query=ASK%7B%7D", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("oxigraph did not start")

    def kill(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, store: Store) -> Iterator[Server]:
    """A server with the dataset (and its default territorial layer) published to it."""
    running = Server(tmp_path_factory.mktemp("oxigraph"))
    running.start()
    publish.publish(store, running.urls)
    yield running
    running.kill()


#: Every saved query with its defaults, and each parameter once (also run on the other
#: servers, tests/test_servers.py, and through grlc).
CASES = [(name, {}) for name in sorted(saved.catalogue())] + [
    ("who-signed", {"accord": ID + "accord/declaration-de-bethune-2023"}),
    ("signatory-mandates", {"accord": ID + "accord/declaration-de-dole-2024"}),
    ("intercommunalities-concerned", {"accord": ID + "accord/declaration-de-bethune-2023"}),
    ("speakers", {"event": ID + "event/signature-declaration-de-bethune-2023"}),
    ("person", {"name": "Sébastien Martin"}),
    ("person", {"person": ID + "person/yann-vincent"}),
    ("provenance", {"resource": ID + "region/32"}),
    ("territory", {"code": "200072460"}),
    ("office-holders", {"office": ID + "office/senateur-oise"}),
    ("person", {"name": 'x" } ; ?s ?p ?o . FILTER("1"="1'}),
    ("person", {"name": ") (UNDEF UNDEF) } #"}),
    ("person", {"name": 'Sébastien\\\n"} ; ?s ?p ?o #'}),
]
IDS = [f"{n}-{'-'.join(p) or 'defaults'}-{i}" for i, (n, p) in enumerate(CASES)]


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_every_saved_query_answers_the_same_on_the_endpoint(
    server: Server, store: Store, name: str, params: dict[str, str]
) -> None:
    query = saved.get(name)
    bindings = query.bindings(params)
    remote = endpoint.query(server.urls.query, query.text, bindings)
    local = store.query(query.text, bindings)
    assert remote.variables == local.variables
    assert remote.as_set() == local.as_set()
    assert len(remote.rows) == len(local.rows)


def test_cli_query_on_the_endpoint_prints_the_same_json(server: Server, capsys) -> None:
    assert main(["query", "who-signed", "--endpoint", server.urls.query, "--format", "json"]) == 0
    remote = capsys.readouterr().out
    assert main(["query", "who-signed", "--format", "json"]) == 0
    assert remote == capsys.readouterr().out


def graphs_on(server: Server) -> dict[str, int]:
    rows = endpoint.query(
        server.urls.query,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    ).rows
    return {str(g): int(n) for g, n in rows}


def test_publish_is_idempotent_and_leaves_no_staging_graph(tmp_path: Path, curated: Store):
    running = Server(tmp_path / "db")
    running.start()
    try:
        first = publish.publish(curated, running.urls)
        before = graphs_on(running)
        counts = publish.publish(curated, running.urls)
        assert counts == first and graphs_on(running) == before
        assert before == {iri: n for iri, n in counts.items() if iri}
        assert not any(iri.endswith("-staging") for iri in before)
        default = endpoint.query(running.urls.query, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        assert int(default.rows[0][0]) == len(curated) == counts[""]
    finally:
        running.kill()


def grown(curated: Store) -> Store:
    """Version 2: the curated layers and one more small layer (a test triple)."""
    version = Store()
    for name in curated.layer_names():
        version.add_graph(curated.stored_layer(name), publish.GRAPH_BASE + name)
    extra = Graph()
    extra.parse(data="<https://example.org/s> <https://example.org/p> 1 .", format="turtle")
    version.add_graph(extra, publish.GRAPH_BASE + "territories/2023")
    return version


def test_a_publish_killed_half_way_leaves_the_previous_version(
    tmp_path: Path, curated: Store
) -> None:
    running = Server(tmp_path / "db")
    running.start()
    try:
        publish.publish(curated, running.urls)  # version 1: no territorial layer
        first = graphs_on(running)
        # version 2 starts: one staging graph uploaded, then the server is killed
        layer = "territories/2023"
        iri = publish.GRAPH_BASE + layer
        new = grown(curated)
        publish.upload(running.urls, iri, publish.graphs(new)[iri])
        running.kill()
        running.start()
        after = {g: n for g, n in graphs_on(running).items() if not g.endswith("-staging")}
        assert after == first  # the live graphs are still version 1
        publish.publish(new, running.urls)  # published again: complete
        complete = graphs_on(running)
        assert complete[publish.GRAPH_BASE + layer] == len(new.stored_layer(layer)) == 1
        assert not any(g.endswith("-staging") for g in complete)
    finally:
        running.kill()


# ---------------------------------------------------------------------------
# Failure paths, against real conditions
# ---------------------------------------------------------------------------


class Broken(http.server.BaseHTTPRequestHandler):
    calls = 0
    delay = 0.0
    authorization: str | None = None

    def do_POST(self) -> None:
        type(self).calls += 1
        type(self).authorization = self.headers.get("Authorization")
        time.sleep(self.delay)
        self.send_response(500)
        self.end_headers()
        self.wfile.write(b"internal error")

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[type[Broken]]:
    handler = type("Stub", (Broken,), {"calls": 0, "delay": 0.0})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    handler.url = f"http://127.0.0.1:{httpd.server_address[1]}/query"
    yield handler
    httpd.shutdown()


def test_a_port_with_nothing_listening_is_a_clear_error(capsys, monkeypatch) -> None:
    monkeypatch.setattr(transport, "BACKOFF", 0.01)
    url = f"http://127.0.0.1:{free_port()}/query"
    assert main(["query", "who-signed", "--endpoint", url]) == 6
    err = capsys.readouterr().err
    assert "failed after 4 attempts" in err and "Traceback" not in err


def test_a_stopped_server_is_a_clear_error(tmp_path: Path, curated: Store, monkeypatch) -> None:
    monkeypatch.setattr(transport, "BACKOFF", 0.01)
    running = Server(tmp_path / "db")
    running.start()
    publish.publish(curated, running.urls)
    running.kill()
    with pytest.raises(EndpointError, match="failed after"):
        endpoint.query(running.urls.query, saved.get("who-signed").text)


def test_http_500_is_reported_once_with_the_servers_words(stub, capsys) -> None:
    assert main(["query", "who-signed", "--endpoint", stub.url]) == 6
    assert stub.calls == 1  # the server's verdict on this request: asking again changes nothing
    err = capsys.readouterr().err
    assert "HTTP 500" in err and "internal error" in err and "Traceback" not in err


def test_a_slow_answer_past_the_timeout(stub, capsys) -> None:
    stub.delay = 3.0
    started = time.monotonic()
    assert main(["query", "who-signed", "--endpoint", stub.url, "--timeout", "1"]) == 6
    assert "did not answer within 1 s" in capsys.readouterr().err
    assert time.monotonic() - started < 3


def test_credentials_are_sent_and_never_printed(stub, capsys, monkeypatch) -> None:
    monkeypatch.setattr(transport, "BACKOFF", 0.01)
    monkeypatch.setenv("ACCORDS_ENDPOINT_TOKEN", "s3cr3t-token")
    assert main(["query", "who-signed", "--endpoint", stub.url]) == 6
    assert stub.authorization == "Bearer s3cr3t-token"
    captured = capsys.readouterr()
    assert "s3cr3t" not in captured.out + captured.err


# ---------------------------------------------------------------------------
# accords serve
# ---------------------------------------------------------------------------


def test_serve_starts_answers_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "accords_kg.cli", "serve", "--port", str(port),
         "--territories", "none"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/query"
        deadline = time.monotonic() + 60
        while True:
            try:
                result = endpoint.query(url, saved.get("who-signed").text, retries=0)
                break
            except EndpointError:
                assert time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.2)
        assert [str(r[4]) for r in result.rows if str(r[1]) == "2023-12-18"] == [
            "Olivier Gacquerre", "Sébastien Martin", "Xavier Bertrand"
        ]  # fmt: skip
        named = endpoint.query(url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert {str(r[0]) for r in named.rows} == {
            publish.GRAPH_BASE + "ontology", publish.GRAPH_BASE + "data"
        }  # fmt: skip
        refused = urllib.request.Request(
            f"http://127.0.0.1:{port}/update", data=b"CLEAR ALL", method="POST"
        )
        refused.add_header("Content-Type", "application/sparql-update")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(refused, timeout=10)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
    assert f"http://127.0.0.1:{port}/query" in process.stderr.read()


# ---------------------------------------------------------------------------
# accords release
# ---------------------------------------------------------------------------


def test_release_is_reproducible_and_describes_itself_truly(
    tmp_path: Path, curated: Store, monkeypatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1702857600")  # 2023-12-18
    first = release(curated, tmp_path / "a", endpoint="http://127.0.0.1:7878/query")
    second = release(curated, tmp_path / "b", endpoint="http://127.0.0.1:7878/query")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert sorted(p.name for p in first) == [
        "accords-kg.jsonld", "accords-kg.nt.gz", "accords-kg.rdf", "accords-kg.trig",
        "accords-kg.ttl", "void.ttl",
    ]  # fmt: skip
    void = Graph().parse(tmp_path / "a" / "void.ttl", format="turtle")
    dcat = "http://www.w3.org/ns/dcat#"
    spdx = "http://spdx.org/rdf/terms#"
    for path in first[:-1]:
        dist = next(void.subjects(URIRef("http://purl.org/dc/terms/title"), Literal(path.name)))
        size = void.value(dist, URIRef(dcat + "byteSize"))
        checksum = void.value(void.value(dist, URIRef(spdx + "checksum")),
                              URIRef(spdx + "checksumValue"))  # fmt: skip
        assert int(size) == path.stat().st_size
        assert str(checksum) == hashlib.sha256(path.read_bytes()).hexdigest()
    triples = void.value(URIRef("https://w3id.org/accords-kg/dataset"),
                         URIRef("http://rdfs.org/ns/void#triples"))  # fmt: skip
    quads = pyoxigraph.parse(path=str(tmp_path / "a" / "accords-kg.ttl"),
                             format=pyoxigraph.RdfFormat.TURTLE)  # fmt: skip
    assert int(triples) == len(list(quads)) == len(curated)
    issued = void.value(URIRef("https://w3id.org/accords-kg/dataset"),
                        URIRef("http://purl.org/dc/terms/issued"))  # fmt: skip
    assert str(issued) == "2023-12-18"


def test_release_description_validates_against_the_dcat_ap_shapes(
    tmp_path: Path, curated: Store, monkeypatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    release(curated, tmp_path)
    shapes = Graph().parse(ROOT / "shapes" / "release" / "dcat-ap.ttl")
    void = Graph().parse(tmp_path / "void.ttl")
    conforms, _, text = shacl_validate(void, shacl_graph=shapes)
    assert conforms, text
    broken = Graph().parse(tmp_path / "void.ttl")
    broken.remove((None, URIRef("http://purl.org/dc/terms/license"), None))
    assert not shacl_validate(broken, shacl_graph=shapes)[0]
