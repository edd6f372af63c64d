"""Untrusted input: hostile files are refused without reading local files or opening
connections; parameters never change a query's structure; SERVICE is refused."""

from __future__ import annotations

import contextlib
import http.server
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from accords_kg.cli import main
from accords_kg.errors import InputError, UsageError
from accords_kg.graph import turtle
from accords_kg.graph.load import parse_file
from accords_kg.graph.store import Store
from accords_kg.sparql import saved
from conftest import ROOT

HOSTILE = Path(__file__).parent / "hostile"


class Counter(http.server.BaseHTTPRequestHandler):
    """Counts every request; answers with a JSON-LD context, as a real server would."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Counter.requests.append(self.path)
        body = json.dumps({"@context": {"name": "http://xmlns.com/foaf/0.1/name"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def counting_server() -> Iterator[int]:
    """A local HTTP server on a free port; yields its port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def with_port(name: str, port: int, tmp_path: Path) -> Path:
    path = tmp_path / name
    path.write_text((HOSTILE / name).read_text().replace("@@PORT@@", str(port)))
    return path


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("xxe.rdf", "DOCTYPE or ENTITY declaration is refused"),
        ("billion-laughs.rdf", "DOCTYPE or ENTITY declaration is refused"),
        ("remote-context.jsonld", "neither inline nor bundled"),
        ("local-context.jsonld", "neither inline nor bundled"),
        ("import-context.jsonld", "@import is refused"),
        ("nested-remote-context.jsonld", "neither inline nor bundled"),
    ],
)
def test_hostile_files_are_refused_without_any_request(
    name: str, message: str, counting_server: int, tmp_path: Path, capsys
) -> None:
    Counter.requests.clear()
    path = with_port(name, counting_server, tmp_path)
    started = time.monotonic()
    code = main(["validate", str(path), "--territories", "none"])
    assert code == 2
    assert message in capsys.readouterr().err
    assert time.monotonic() - started < 10
    assert Counter.requests == []


def test_the_counting_server_does_count(counting_server: int) -> None:
    """The server above sees what rdflib fetches when left alone (so zero above means zero)."""
    Counter.requests.clear()
    text = (HOSTILE / "remote-context.jsonld").read_text()
    Graph().parse(data=text.replace("@@PORT@@", str(counting_server)), format="json-ld")
    assert Counter.requests == ["/context.jsonld"]


def test_bundled_context_is_used_without_fetching(tmp_path: Path) -> None:
    graph = parse_file(HOSTILE / "bundled-context.jsonld")
    names = [str(o) for o in graph.objects(None, None) if str(o) == "Personne Exemple"]
    assert names == ["Personne Exemple"]
    assert len(graph) == 3


def test_service_is_refused_unless_allowed(counting_server: int, tmp_path: Path, capsys) -> None:
    Counter.requests.clear()
    query = with_port("service.rq", counting_server, tmp_path)
    for engine in ("oxigraph", "rdflib"):
        code = main(["query", "--file", str(query), "--engine", engine, "--territories", "none"])
        assert code == 2
        assert "SERVICE" in capsys.readouterr().err
    assert Counter.requests == []
    # allowed, the call does reach the server (the refusal above is what stopped it)
    main(["query", "--file", str(query), "--allow-service", "--territories", "none"])
    capsys.readouterr()
    assert Counter.requests


def test_from_is_refused_on_rdflib_engine(tmp_path: Path, capsys) -> None:
    query = tmp_path / "from.rq"
    query.write_text("SELECT * FROM <http://127.0.0.1:9/x.ttl> WHERE { ?s ?p ?o }\n")
    code = main(["query", "--file", str(query), "--engine", "rdflib", "--territories", "none"])
    assert code == 2 and "FROM" in capsys.readouterr().err


def test_a_50_mb_file_is_refused_unread(tmp_path: Path, capsys) -> None:
    big = tmp_path / "big.ttl"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    started = time.monotonic()
    assert main(["validate", str(big), "--territories", "none"]) == 2
    assert "file too large" in capsys.readouterr().err
    assert time.monotonic() - started < 5


def test_deeply_nested_json_is_a_clear_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.jsonld"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        parse_file(deep)


@pytest.mark.parametrize("seed", range(8))
def test_random_bytes_give_a_clear_error(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    for suffix in (".ttl", ".nt", ".jsonld", ".trig", ".rdf"):
        path = tmp_path / f"random{suffix}"
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4000))))
        started = time.monotonic()
        with contextlib.suppress(InputError):
            parse_file(path)
        assert time.monotonic() - started < 5


@pytest.mark.parametrize("name", ["accords.ttl", "offices.ttl"])
def test_truncated_files_parse_or_fail_clearly(name: str, tmp_path: Path) -> None:
    text = (ROOT / "data" / name).read_bytes()
    for cut in range(0, len(text), max(1, len(text) // 40)):
        path = tmp_path / name
        path.write_bytes(text[:cut])
        try:
            parse_file(path)
        except InputError as exc:
            assert exc.path == str(path)


# ---------------------------------------------------------------------------
# Parameters: typed terms, never query text
# ---------------------------------------------------------------------------

INJECTIONS = [
    'x" } ; ?s ?p ?o . FILTER("1"="1',
    "x' } UNION { ?s ?p ?o } #",
    "> } ; DELETE WHERE { ?s ?p ?o } #",
    "<http://evil.example/> } SERVICE <http://127.0.0.1:9/> {",
    '\\" ) ) } } \\\\ \n\t\r',
    "?__name",
    "$this",
    "\u0000\u202e",
]
PARAMS = [(query.name, param) for query in saved.catalogue().values() for param in query.params]


@pytest.mark.parametrize(("query_name", "param"), PARAMS, ids=lambda v: getattr(v, "name", v))
def test_injection_strings_change_nothing(query_name: str, param, curated: Store) -> None:
    query = saved.get(query_name)
    benign = query.bindings({param.name: "http://example.org/nothing"
                             if param.kind == "iri" else "nothing-matches-this"})  # fmt: skip
    expected = curated.query(query.text, benign)
    for value in INJECTIONS:
        if param.kind == "iri":
            with pytest.raises(UsageError, match="absolute IRI"):
                query.bindings({param.name: value})
            continue
        result = curated.query(query.text, query.bindings({param.name: value}))
        assert result.variables == expected.variables
        assert result.rows == expected.rows  # nothing matches, the structure held


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_any_name_is_just_a_name(curated: Store, name: str) -> None:
    query = saved.get("person")
    rows = curated.query(query.text, query.bindings({"name": name})).rows
    people = {str(r[1]) for r in curated.query(query.text, query.bindings({})).rows}
    assert {str(r[1]) for r in rows} == ({name} & people)


# ---------------------------------------------------------------------------
# The Turtle writer: anything written reads back the same
# ---------------------------------------------------------------------------

keys = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}(/[a-z0-9%.:][a-z0-9_.:-]{0,8}){0,2}", fullmatch=True)
OTHER_IRIS = ["http://xmlns.com/foaf/0.1/name", "https://schema.org/startDate", "urn:x:é"]
iris = st.one_of(
    keys.map(lambda k: "https://w3id.org/accords-kg/id/" + k), st.sampled_from(OTHER_IRIS)
)
literals = st.one_of(
    st.text(max_size=30).map(lambda t: ("plain", t)),
    st.tuples(st.text(max_size=20), st.sampled_from(["fr", "en", "fr-be"])).map(
        lambda t: ("lang", t)
    ),
    st.integers().map(lambda i: ("int", i)),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(iris, iris, st.one_of(iris.map(lambda i: ("iri", i)), literals)),
                min_size=1, max_size=12))  # fmt: skip
def test_turtle_writer_round_trip(triples) -> None:
    """Any graph of named resources, written then read back, is the same graph and text."""
    from rdflib import XSD, Literal, URIRef

    graph = Graph()
    for s, p, (kind, o) in triples:
        if kind == "iri":
            obj = URIRef(o)
        elif kind == "plain":
            obj = Literal(o)
        elif kind == "lang":
            obj = Literal(o[0], lang=o[1])
        else:
            obj = Literal(o, datatype=XSD.integer)
        graph.add((URIRef(s), URIRef(p), obj))
    text = turtle.document(graph)
    back = Graph().parse(data=text, format="turtle")
    assert isomorphic(back, graph), text
    assert turtle.document(back) == text


def test_turtle_writer_refuses_an_invalid_iri() -> None:
    from rdflib import URIRef

    with pytest.raises(ValueError, match="not a valid IRI"):
        turtle.term(URIRef("http://example.org/a b"))


def test_timeout_stops_a_runaway_query(tmp_path: Path) -> None:
    """A cross product of the territorial layer with itself, stopped after one second."""
    import subprocess
    import sys

    query = tmp_path / "runaway.rq"
    query.write_text(
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER (STR(?c) = STR(?f)) }\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "accords_kg.cli", "query", "--file", str(query), "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 5
    assert "timeout of 1 s" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 60


def test_an_invalid_iri_in_an_entry_is_a_clear_error(tmp_path: Path, capsys) -> None:
    entry = tmp_path / "entry.ttl"
    entry.write_text('<http://example.org/a b> <http://example.org/p> "x" .\n')
    assert main(["validate", str(entry), "--territories", "none"]) == 2
    err = capsys.readouterr().err
    assert "not a valid IRI" in err and "Traceback" not in err


def test_an_ill_typed_date_is_reported_without_traceback(tmp_path: Path, capsys) -> None:
    entry = tmp_path / "entry.ttl"
    entry.write_text(
        "<https://w3id.org/accords-kg/id/event/signature-declaration-de-bethune-2023> "
        '<https://schema.org/startDate> "01/03/2024"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
    )
    assert main(["validate", str(entry), "--territories", "none", "--lang", "en"]) == 1
    captured = capsys.readouterr()
    assert "schema:startDate = 01/03/2024" in captured.out
    assert "Traceback" not in captured.err
