"""SERVICE, however spelled, never leaves the machine: the guard decides on the parsed query.

Each reproducer is run three ways against a real local listener: through the guard alone,
through ``accords query --file`` on the embedded engine, and (in test_serve_hostile.py)
through ``accords serve``. The listener must see nothing; with ``--allow-service`` (or with
no guard at all) it does see the call, which shows what the refusal stopped."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from listener import listening
from rdflib import Literal

from accords_kg.cli import main
from accords_kg.errors import AccordsError, InputError, UsageError
from accords_kg.graph.store import Store
from accords_kg.sparql.bind import with_values
from accords_kg.sparql.guard import check_query, check_update

#: ``{u}`` is the listener's IRI. ``reaches``: whether Oxigraph, unguarded, calls it.
REPRODUCERS = [
    ("glued-silent", "SELECT * WHERE { SERVICESILENT {u} { ?s ?p ?o } }", True),
    ("glued-to-number", "SELECT * WHERE { ?x ?y 1SERVICE {u} { ?s ?p ?o } }", False),
    ("glued-to-string", 'SELECT * WHERE { ?x ?y "z"SERVICE {u} { ?s ?p ?o } }', False),
    ("lower-case", "select * where { service {u} { ?s ?p ?o } }", True),
    ("mixed-case", "SELECT * WHERE { sErViCe SiLeNt {u} { ?s ?p ?o } }", True),
    ("no-space", "SELECT * WHERE{SERVICE{u}{?s ?p ?o}}", True),
    ("escaped-keyword", "SELECT * WHERE { \\u0053ERVICE {u} { ?s ?p ?o } }", False),
    (
        "escaped-quote",
        'SELECT * WHERE { ?s ?p "\\u0022" SERVICE {u} { ?s ?p ?o } ?s ?p "\\u0022" }',
        True,
    ),
    ("escape-8-digits", "SELECT * WHERE { \\U00000053ERVICE {u} { ?s ?p ?o } }", False),
    ("variable", "SELECT * WHERE { VALUES ?e { {u} } SERVICE ?e { ?s ?p ?o } }", False),
    ("optional", "SELECT * WHERE { OPTIONAL { SERVICE {u} { ?s ?p ?o } } }", True),
    ("minus", "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE {u} { ?s ?p ?o } } }", True),
    ("exists", "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE {u} { ?a ?b ?c } } }", True),
    ("not-exists", "ASK { FILTER NOT EXISTS { SERVICE {u} { ?a ?b ?c } } }", True),
    ("union", "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE {u} { ?s ?p ?o } } }", True),
    ("graph", "SELECT * WHERE { GRAPH <http://g/> { SERVICE {u} { ?s ?p ?o } } }", True),
    ("subquery", "SELECT * WHERE { { SELECT * WHERE { SERVICE {u} { ?s ?p ?o } } } }", True),
    ("nested", "SELECT * WHERE { SERVICE SILENT {u} { SERVICE {u} { ?s ?p ?o } } }", True),
    ("comment-then", "SELECT * WHERE { # }\n SERVICE {u} { ?s ?p ?o } }", True),
    ("comment-ends-at-cr", "SELECT * WHERE { ?x ?y ?z # c\rSERVICE {u} { ?s ?p ?o }\n}", True),
]
#: What a refusal's message names.
WHY = ("SERVICE", "escape", "carriage return")
#: Texts that mention "service" without calling anything: they must still run.
HARMLESS = [
    'SELECT * WHERE { ?s <http://schema.org/serviceType> "customer service" }',
    "PREFIX schema: <http://schema.org/> SELECT ?service WHERE { ?service schema:serviceType ?t }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9/> { }",
    'SELECT * WHERE { ?s ?p "caf\\u00e9 service" }',
]


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[bytes]]]:
    with listening() as found:
        yield found


def spell(template: str, url: str) -> str:
    return template.replace("{u}", f"<{url}>")


def unguarded(query: str) -> None:
    """Run ``query`` on Oxigraph with no guard (a store of one triple), errors ignored."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://a/"), ox.NamedNode("http://b/"), ox.Literal('"')))
    try:
        answer = store.query(query)
        if not isinstance(answer, ox.QueryBoolean):
            list(answer)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass


@pytest.mark.parametrize(("template", "reaches"), [r[1:] for r in REPRODUCERS],
                         ids=[r[0] for r in REPRODUCERS])  # fmt: skip
def test_each_reproducer_is_refused_and_reaches_nothing(
    listener: tuple[str, list[bytes]], template: str, reaches: bool, tmp_path: Path, capsys
) -> None:
    url, seen = listener
    query = spell(template, url)
    seen.clear()
    with pytest.raises(AccordsError) as refused:
        check_query(query)
    assert refused.value.exit_code == 2
    assert any(word in str(refused.value) for word in WHY)
    path = tmp_path / "q.rq"
    path.write_text(query)
    for engine in ("oxigraph", "rdflib"):
        code = main(["query", "--file", str(path), "--engine", engine, "--territories", "none"])
        assert code == 2
        err = capsys.readouterr().err
        assert any(word in err for word in WHY)
    assert seen == []
    unguarded(query)  # what the guard stopped: the engine alone calls (or rejects) it
    assert bool(seen) == reaches


def test_allowed_service_does_reach_the_listener(
    listener: tuple[str, list[bytes]], tmp_path: Path, capsys
) -> None:
    url, seen = listener
    seen.clear()
    path = tmp_path / "q.rq"
    path.write_text(spell(REPRODUCERS[0][1], url))
    main(["query", "--file", str(path), "--allow-service", "--territories", "none"])
    capsys.readouterr()
    assert seen and seen[0].startswith((b"GET /sparql", b"POST /sparql"))


@pytest.mark.parametrize("query", HARMLESS)
def test_harmless_mentions_of_service_still_run(query: str) -> None:
    assert check_query(query) is None  # no refusal


@pytest.mark.parametrize(
    ("update", "refused"),
    [
        ("LOAD <http://127.0.0.1:9/x.ttl>", "LOAD"),
        ("load silent <http://127.0.0.1:9/x.ttl> INTO GRAPH <http://g/>", "LOAD"),
        ("INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
        (
            "DELETE WHERE { ?s ?p ?o } ; INSERT { ?s ?p ?o } WHERE { ?x ?y 1SERVICE <http://x/> "
            "{ ?s ?p ?o } }",
            "SERVICE",
        ),
        ("\\u004cOAD <http://127.0.0.1:9/x.ttl>", "escape"),
    ],
)
def test_updates_that_reach_out_are_refused(update: str, refused: str) -> None:
    with pytest.raises(AccordsError, match=refused):
        check_update(update)


def test_a_harmless_update_passes() -> None:
    assert check_update('INSERT DATA { <http://a/> <http://b/> "service load" }') is None


# ---------------------------------------------------------------------------
# Generated spellings
# ---------------------------------------------------------------------------


def _case(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from([c.lower(), c.upper()]) for c in word)).map("".join)


GLUE = ["", " ", "\n", "\t", "1", "1.5", '"x"', "'x'", "<http://a/>", "_:b", "?v", "(", ")", "."]
WRAPPERS = [
    "{}",
    "OPTIONAL {{ {} }}",
    "?a ?b ?c MINUS {{ {} }}",
    "FILTER EXISTS {{ {} }}",
    "FILTER NOT EXISTS {{ {} }}",
    "{{ ?a ?b ?c }} UNION {{ {} }}",
    "GRAPH ?g {{ {} }}",
    "{{ SELECT * WHERE {{ {} }} }}",
    "OPTIONAL {{ {{ SELECT * WHERE {{ FILTER NOT EXISTS {{ {} }} }} }} }}",
]


@st.composite
def spellings(draw: st.DrawFn, url: str) -> str:
    keyword = draw(_case("service"))
    silent = draw(st.sampled_from(["", " ", "\n"])) + draw(_case("silent"))
    silent = silent if draw(st.booleans()) else ""
    endpoint = draw(st.sampled_from([f"<{url}>", "?e"]))
    space = draw(st.sampled_from(["", " ", "\t"]))
    call = f"{draw(st.sampled_from(GLUE))}{keyword}{silent}{space}{endpoint}{space}{{ ?s ?p ?o }}"
    body = draw(st.sampled_from(WRAPPERS)).format(call)
    values = f"VALUES ?e {{ <{url}> }} " if endpoint == "?e" else ""
    return f"SELECT * WHERE {{ {values}{body} }}"


_SETTINGS = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@given(data=st.data())
@_SETTINGS
def test_generated_spellings_are_refused_and_reach_nothing(
    listener: tuple[str, list[bytes]], data: st.DataObject
) -> None:
    url, seen = listener
    query = data.draw(spellings(url))
    seen.clear()
    with pytest.raises((UsageError, InputError)):
        check_query(query)
    with pytest.raises((UsageError, InputError)):  # the store's own way in: the same refusal
        _store().query(query)
    assert seen == []


@functools.cache
def _store() -> Store:
    return Store.load(territories="none")


#: Pieces of SPARQL where engines' readings could part: comments and what ends them,
#: strings of each quote, escapes, IRIs, names, braces.
PIECES = ["# c\r", "# c\n", "#", "\r", "\n", "\r\n", '"""', "'''", '"', "'", '"\\""', "<a#>"]
PIECES += ["\\u00e9", "\\", " . ", "?x ?y ", "ex:a ", "{", "}", "(", "1"]
_SOUP = st.lists(st.sampled_from(PIECES), max_size=3).map("".join)


@given(before=_SOUP, after=_SOUP)
@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_what_the_guard_lets_through_never_calls_out(
    listener: tuple[str, list[bytes]], before: str, after: str
) -> None:
    """A SERVICE call amid pieces of SPARQL: whatever the guard lets through, the engine
    runs without calling anything (either the guard saw the call, or Oxigraph does not)."""
    url, seen = listener
    query = (
        "PREFIX ex: <http://example.org/> "
        f"SELECT * WHERE {{ ?s ?p ?o {before} SERVICE <{url}> {{ ?s ?p ?o }} {after} }}"
    )
    try:
        check_query(query)
    except AccordsError:
        return
    seen.clear()
    unguarded(query)
    assert seen == []


# ---------------------------------------------------------------------------
# --endpoint: the guard runs before anything is sent
# ---------------------------------------------------------------------------

#: The endpoint client once dropped whole-line comments before sending: here the ``#`` line
#: closes a long string for the text as written, hiding the SERVICE in the next string;
#: without that line, the SERVICE is outside any string. The text sent must be the text read.
COMMENT_LINE_TRICK = (
    'SELECT * WHERE { ?s ?p """\n#""" .\n?s ?p """\nSERVICE {u} { ?a ?b ?c } ?x ?y\n'
    '""" . ?x ?y """#"""\n}\n'
)


def test_the_text_sent_is_the_text_checked() -> None:
    """The endpoint client sends the query as written — dropping its comment lines, as it
    once did, unhid a SERVICE the guard saw inside a string — and parameters only add a
    VALUES block before the top-level group's closing brace."""
    text = spell(COMMENT_LINE_TRICK, "http://127.0.0.1:9/sparql")
    check_query(text)  # SERVICE only inside strings: a harmless query, as written
    assert with_values(text, {}) == text
    end = text.rindex("}")
    block = '\n  VALUES (?x) { ("v") }\n'
    assert with_values(text, {"x": Literal("v")}) == text[:end].rstrip() + block + text[end:]


@pytest.mark.parametrize(
    "template", [r[1] for r in REPRODUCERS], ids=[r[0] for r in REPRODUCERS]
)  # fmt: skip
def test_a_query_for_an_endpoint_is_checked_before_it_is_sent(
    listener: tuple[str, list[bytes]], template: str, tmp_path: Path, capsys
) -> None:
    """The listener is the endpoint itself: a refused query never reaches it."""
    url, seen = listener
    seen.clear()
    path = tmp_path / "q.rq"
    path.write_text(spell(template, url))
    assert main(["query", "--file", str(path), "--endpoint", url]) == 2
    err = capsys.readouterr().err
    assert any(word in err for word in WHY), err
    assert seen == []


def test_a_refused_file_is_not_echoed(tmp_path: Path, capsys) -> None:
    """A file that is no query (here, a password-file line) is refused without its content."""
    path = tmp_path / "shadow"
    path.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\nservice\n")
    for extra in ([], ["--engine", "rdflib"], ["--endpoint", "http://127.0.0.1:9/q"]):
        assert main(["query", "--file", str(path), "--territories", "none", *extra]) == 2
        err = capsys.readouterr().err
        assert "SPARQL syntax error" in err and "SECRETHASH" not in err
