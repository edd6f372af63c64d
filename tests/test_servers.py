"""The same answers on every SPARQL server: Oxigraph whose default graph is the union of its
named graphs, and Virtuoso from Debian (started here where `virtuoso-t` is installed) —
publish, then every saved query with and without parameters, row for row as embedded; a
switch whose answer is lost, behind a real proxy; hostile parameter values."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs

import pytest

from accords_kg.cli import main
from accords_kg.graph.store import Store
from accords_kg.publishing import publish
from accords_kg.sparql import endpoint, saved
from accords_kg.sparql.endpoint import EndpointError
from accords_kg.sparql.results import Result
from test_endpoint import CASES, IDS, Server, free_port, grown
from virtuoso import CREDENTIALS, Virtuoso, virtuoso_or_skip

ID = "https://w3id.org/accords-kg/id/"


def assert_same_rows(remote: Result, local: Result) -> None:
    """The same variables and the same rows, each as often (order aside)."""
    assert remote.variables == local.variables
    assert Counter(remote.rows) == Counter(local.rows)


@pytest.fixture(scope="module")
def union(tmp_path_factory: pytest.TempPathFactory, store: Store) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("union"), union=True)
    running.start()
    assert main(["publish", "--store", running.urls.store]) == 0  # auto: detects the union
    assert graphs_on(running.urls.query) == {
        publish.GRAPH_BASE + n: len(store.stored_layer(n)) for n in store.layer_names()
    }  # every layer once, no staging graph
    default = endpoint.query(running.urls.query, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    layers = sum(len(store.stored_layer(n)) for n in store.layer_names())
    assert int(default.rows[0][0]) == layers  # the named graphs' triples, and no copy
    yield running
    running.kill()


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_union_default_graph_answers_as_embedded(
    union: Server, store: Store, name: str, params: dict[str, str]
) -> None:
    query = saved.get(name)
    bindings = query.bindings(params)
    remote = endpoint.query(union.urls.query, query.text, bindings)
    assert_same_rows(remote, store.query(query.text, bindings))


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, store: Store) -> Iterator[Virtuoso]:
    running = virtuoso_or_skip(tmp_path_factory.mktemp("virtuoso"))
    try:
        with pytest.MonkeyPatch.context() as env:
            for name, value in CREDENTIALS.items():
                env.setenv(name, value)
            assert main(running.publish_args()) == 0  # Digest, COPY switch, union default
        assert not any(g.endswith("-staging") for g in graphs_on(running.query_url))
        yield running
    finally:
        running.stop()


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_virtuoso_answers_as_embedded(
    virtuoso: Virtuoso, store: Store, name: str, params: dict[str, str]
) -> None:
    query = saved.get(name)
    bindings = query.bindings(params)
    remote = endpoint.query(virtuoso.query_url, query.text, bindings)
    assert_same_rows(remote, store.query(query.text, bindings))


def test_virtuoso_cutting_an_answer_at_its_row_limit_is_an_error(virtuoso: Virtuoso) -> None:
    with pytest.raises(EndpointError, match="row limit"):  # more triples than its 100,000 rows
        endpoint.query(virtuoso.query_url, "SELECT * WHERE { ?s ?p ?o }")


TWO_TEXTS = """SELECT DISTINCT ?name WHERE {
  ?person <http://xmlns.com/foaf/0.1/name> ?name .
  FILTER (?name = ?__a || ?name = ?__b)
}"""


@pytest.mark.parametrize(
    "values",
    [
        (") (UNDEF UNDEF) } #", "Xavier Bertrand"),
        ('Xavier\\"} ; ?s ?p ?o #', '\\\n") } UNION { ?person ?p ?name } #'),
        ("Xavier Bertrand", "\t'\"\r\n\\u0022"),
    ],
)
def test_two_text_parameters_stay_two_terms(
    tmp_path: Path, union: Server, store: Store, values: tuple[str, str]
) -> None:
    path = tmp_path / "two.rq"
    path.write_text(TWO_TEXTS, encoding="utf-8")
    query = saved.parse_query_file(path)
    bindings = query.bindings({"a": values[0], "b": values[1]})
    remote = endpoint.query(union.urls.query, query.text, bindings)
    assert_same_rows(remote, store.query(query.text, bindings))
    expected = [("Xavier Bertrand",)] if "Xavier Bertrand" in values else []
    assert [tuple(str(t) for t in row) for row in remote.rows] == expected


# ---------------------------------------------------------------------------
# A switch whose answer is lost, behind a real proxy in front of a real Oxigraph
# ---------------------------------------------------------------------------


class DroppingProxy(http.server.BaseHTTPRequestHandler):
    """Forwards every request to ``upstream``; the first SPARQL Update (a form's ``update``)
    that switches (``COPY GRAPH``) is applied by the server, then the proxy closes the
    connection without an answer."""

    upstream = ""
    dropped = 0
    switches = 0
    refuse = False  # answer the switch with HTTP 500 instead, without forwarding it

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        form = parse_qs(body.decode()) if self.command == "POST" and body else {}
        switch = any(u.startswith("COPY GRAPH") for u in form.get("update", []))
        if self.refuse and switch:
            self.send_response(500)
            self.send_header("Content-Length", "7")
            self.end_headers()
            self.wfile.write(b"refused")
            return
        request = urllib.request.Request(self.upstream + self.path, data=body, method=self.command)
        for name in ("Content-Type", "Accept"):
            if self.headers.get(name):
                request.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, payload, kind = response.status, response.read(), response.headers
        except urllib.error.HTTPError as exc:
            status, payload, kind = exc.code, exc.read(), exc.headers
        if switch:
            type(self).switches += 1
            if not type(self).dropped:
                type(self).dropped += 1
                self.close_connection = True
                self.connection.close()  # applied upstream, answer lost
                return
        self.send_response(status)
        self.send_header("Content-Type", kind.get("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = _forward

    def log_message(self, *args: object) -> None:
        pass


def graphs_on(url: str) -> dict[str, int]:
    rows = endpoint.query(
        url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    ).rows
    return {str(g): int(n) for g, n in rows}


def test_a_lost_switch_answer_leaves_exactly_the_new_version(tmp_path: Path, curated: Store):
    running = Server(tmp_path / "db")
    running.start()
    handler = type("Proxy", (DroppingProxy,), {"upstream": running.base, "dropped": 0})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{proxy.server_address[1]}"
    new = grown(curated)
    try:
        publish.publish(curated, running.urls)  # version 1, straight to the server
        counts = publish.publish(new, publish.Endpoints.from_store(base + "/store"))
        assert handler.dropped == 1 and handler.switches == 2  # lost, then sent again
        expected = {publish.GRAPH_BASE + n: len(new.stored_layer(n)) for n in new.layer_names()}
        assert graphs_on(running.urls.query) == expected  # exactly version 2, no staging
        default = endpoint.query(running.urls.query, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
        assert int(default.rows[0][0]) == counts[""] == len(new)
        # a layer no longer published (--territories none) is dropped, not left behind
        publish.publish(curated, running.urls)
        assert graphs_on(running.urls.query) == {
            publish.GRAPH_BASE + n: len(curated.stored_layer(n)) for n in curated.layer_names()
        }
    finally:
        proxy.shutdown()
        running.kill()


def test_a_refused_switch_leaves_the_old_version_and_no_staging_graph(
    tmp_path: Path, curated: Store
) -> None:
    running = Server(tmp_path / "db")
    running.start()
    handler = type("Proxy", (DroppingProxy,), {"upstream": running.base, "refuse": True})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        publish.publish(curated, running.urls)
        before = graphs_on(running.urls.query)
        urls = publish.Endpoints.from_store(f"http://127.0.0.1:{proxy.server_address[1]}/store")
        with pytest.raises(EndpointError, match="HTTP 500"):
            publish.publish(grown(curated), urls)
        assert graphs_on(running.urls.query) == before  # version 1, and nothing staged left
    finally:
        proxy.shutdown()
        running.kill()


def test_an_answer_cut_at_the_row_limit_is_an_error(answer) -> None:
    answer.status, answer.body, answer.extra = (
        200,
        b'{"head": {"vars": []}}',
        {"X-SPARQL-MaxRows": "10000"},
    )
    with pytest.raises(EndpointError, match="row limit"):
        endpoint.query(f"http://127.0.0.1:{answer.port}/sparql", "SELECT * WHERE { ?s ?p ?o }")


def test_the_old_move_switch_would_have_emptied_the_store(tmp_path: Path, curated: Store) -> None:
    """Why the switch is COPY: a MOVE sent twice (applied, answer lost, retried) moves the
    emptied staging graphs over the live ones."""
    running = Server(tmp_path / "db")
    running.start()
    try:
        publish.publish(curated, running.urls)
        live = publish.GRAPH_BASE + "data"
        publish.upload(running.urls, live, publish.graphs(curated)[live])
        move = f"MOVE SILENT GRAPH <{publish.staging(live)}> TO GRAPH <{live}>"
        publish.update(running.urls, move)
        publish.update(running.urls, move)  # the retry
        assert publish.count(running.urls, live) == 0
        copy = publish.switch_update([live], [], "none", publish.GRAPH_BASE).split(" ;")[0]
        publish.upload(running.urls, live, publish.graphs(curated)[live])
        publish.update(running.urls, copy)
        publish.update(running.urls, copy)
        assert publish.count(running.urls, live) == len(curated.stored_layer("data")) > 0
    finally:
        running.kill()


# ---------------------------------------------------------------------------
# Endpoint errors, from a stub server that answers what a broken server answers
# ---------------------------------------------------------------------------


class Answer(http.server.BaseHTTPRequestHandler):
    status = 500
    body = b""
    extra: ClassVar[dict[str, str]] = {}
    headers_seen: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        self.headers_seen.append(dict(self.headers))
        if self.status == 401 and "Authorization" not in self.headers:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="sparql"')
            self.end_headers()
            return
        self.send_response(self.status if self.status != 401 else 500)
        self.send_header("Content-Type", "text/plain")
        for name, value in self.extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_PUT = do_POST

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def answer() -> Iterator[type[Answer]]:
    handler = type("Stub", (Answer,), {"headers_seen": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    handler.port = httpd.server_address[1]
    yield handler
    httpd.shutdown()


DIAGNOSTIC = b"Virtuoso S1T00 Error SR171: Transaction timed out\n\nSPARQL query:\nSELECT ...\n"


def test_a_server_timeout_is_reported_with_its_words_and_not_retried(answer, capsys) -> None:
    answer.body = DIAGNOSTIC
    url = f"http://127.0.0.1:{answer.port}/sparql"
    assert main(["query", "who-signed", "--endpoint", url]) == 6
    err = capsys.readouterr().err
    assert "HTTP 500" in err and "SR171: Transaction timed out" in err and "SPARQL query:" in err
    assert "Traceback" not in err and "did not answer" not in err
    assert len(answer.headers_seen) == 1  # a permanent error: asked once
    assert main(["query", "who-signed", "--endpoint", url, "--timeout", "30"]) == 6
    assert "did not answer" not in capsys.readouterr().err


def test_a_query_the_server_refuses_is_exit_2_with_its_words(answer, capsys) -> None:
    answer.status, answer.body = 400, b"Parser error:\n\n  unexpected '}' at line 3\n"
    assert main(["query", "who-signed", "--endpoint", f"http://127.0.0.1:{answer.port}/q"]) == 2
    err = capsys.readouterr().err
    assert "HTTP 400" in err and "Parser error:\n  unexpected '}' at line 3" in err
    assert len(answer.headers_seen) == 1 and "Traceback" not in err


def test_a_busy_server_is_retried(answer, capsys, monkeypatch) -> None:
    from accords_kg.sparql import transport

    monkeypatch.setattr(transport, "BACKOFF", 0.01)
    answer.status, answer.body = 503, b"overloaded"
    assert main(["query", "who-signed", "--endpoint", f"http://127.0.0.1:{answer.port}/q"]) == 6
    assert len(answer.headers_seen) == 4
    assert "HTTP 503" in capsys.readouterr().err


def test_credentials_in_the_url_answer_a_challenge_and_are_never_printed(answer, capsys) -> None:
    answer.status, answer.body = 401, b"boom"
    url = f"http://alice:s3cr3t-pw@127.0.0.1:{answer.port}/sparql"
    assert main(["query", "who-signed", "--endpoint", url]) == 6
    err = capsys.readouterr().err
    assert "s3cr3t" not in err and "alice" not in err and "***@127.0.0.1" in err
    assert "Authorization" not in answer.headers_seen[0]
    assert answer.headers_seen[1]["Authorization"].startswith("Basic ")


def test_a_redirect_does_not_carry_the_credentials_away(answer, capsys, monkeypatch) -> None:
    """urllib copies Authorization to wherever a 3xx points: redirects are refused."""
    elsewhere = type("Elsewhere", (Answer,), {"headers_seen": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), elsewhere)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        answer.status, answer.body = 302, b""
        answer.extra = {"Location": f"http://127.0.0.1:{httpd.server_address[1]}/steal"}
        monkeypatch.setenv("ACCORDS_ENDPOINT_TOKEN", "t0ken-s3cret")
        url = f"http://127.0.0.1:{answer.port}/sparql"
        assert main(["query", "who-signed", "--endpoint", url]) == 6
        err = capsys.readouterr().err
        assert "302" in err and "t0ken" not in err
        assert answer.headers_seen[0]["Authorization"] == "Bearer t0ken-s3cret"
        assert elsewhere.headers_seen == []  # nothing reached the other server
    finally:
        httpd.shutdown()


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://alice:pw@h:1/q", "http://***@h:1/q"),
        ("http://alice:p/w@h:1/q", "http://***@h:1/q"),  # an unencoded "/" in the password
        ("http://alice:p%40w@h:1/q?x=a@b", "http://***@h:1/q?x=a@b"),
        ("http://h:1/q?mail=a@b", "http://h:1/q?mail=a@b"),
    ],
)
def test_credentials_are_redacted_however_written(url: str, shown: str) -> None:
    from accords_kg.sparql.transport import redact

    assert redact(url) == shown


def test_percent_encoded_credentials_are_sent_decoded() -> None:
    from accords_kg.sparql.transport import credentials

    found = credentials("http://al%20ice:p%40ss%3Aw%2Fd@h:1/q")
    assert (found.url, found.user, found.password) == ("http://h:1/q", "al ice", "p@ss:w/d")


def test_a_port_with_nothing_listening(capsys, monkeypatch) -> None:
    from accords_kg.sparql import transport

    monkeypatch.setattr(transport, "BACKOFF", 0.01)
    url = f"http://u:pw@127.0.0.1:{free_port()}/query"
    assert main(["publish", "--store", url, "--territories", "none"]) == 6
    err = capsys.readouterr().err
    assert "failed after 4 attempts" in err and ":pw@" not in err


# ---------------------------------------------------------------------------
# TSV that parses, and the parameter suffixes grlc and BASIL use
# ---------------------------------------------------------------------------


def test_a_literal_with_newline_tab_and_quotes_round_trips_through_tsv(tmp_path: Path, capsys):
    import pyoxigraph

    awkward = 'line 1\nline 2\t"quoted" \\ \'single\' \\"\r end'
    # in a long ''' literal (a raw CR would be read as a line end)
    written = awkward.replace("\\", "\\\\").replace("'", "\\'").replace("\r", "\\r")
    path = tmp_path / "awkward.rq"
    path.write_text(f"SELECT ?text WHERE {{ VALUES ?text {{ '''{written}''' }} }}")
    assert main(["query", "--file", str(path), "--format", "tsv"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 2  # header and one row: nothing broke the line
    solutions = list(
        pyoxigraph.parse_query_results(out.encode(), format=pyoxigraph.QueryResultsFormat.TSV)
    )
    assert [s["text"].value for s in solutions] == [awkward]


def test_basil_suffixes(tmp_path: Path) -> None:
    path = tmp_path / "suffixes.rq"
    path.write_text(
        "SELECT * WHERE { ?s ?p ?_n_integer , ?__t_literal , ?_d_xsd_date , ?__i_iri , ?_plain }"
    )
    params = {p.name: (p.kind, p.datatype, p.required) for p in saved.parse_query_file(path).params}
    assert params == {
        "n": ("literal", "integer", True),
        "t": ("literal", None, False),
        "d": ("literal", "date", True),
        "i": ("iri", None, False),
        "plain": ("literal", None, True),
    }


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_rdflib_engine_answers_as_oxigraph(curated: Store, name: str, params: dict[str, str]):
    """The other embedded engine binds the same parameters to the same rows (on the curated
    layers: rdflib's engine takes minutes on the territorial one)."""
    query = saved.get(name)
    bindings = query.bindings(params)
    rdflib_rows = curated.query(query.text, bindings, engine="rdflib")
    assert_same_rows(rdflib_rows, curated.query(query.text, bindings))
