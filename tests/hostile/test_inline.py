"""Parameters written into the query for the embedded Oxigraph (``sparql.bind.inline``).

Oxigraph plans a query before applying ``substitutions``, so the store writes each bound term
where its variable stands. A value is anyone's text: whatever it holds, it must stay one
term, match only itself, and give the rows rdflib's engine gives with the same bindings.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from accords_kg.graph.store import Store
from accords_kg.sparql.bind import inline

NAMES = """PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT DISTINCT ?name WHERE {
  ?person foaf:name ?name .
  FILTER (?name = ?__a || ?name = $__b)  # ?__a in a comment stays
}
ORDER BY ?name"""

HOSTILE = [
    ") (UNDEF UNDEF) } #",
    '" } ?person ?p ?o . FILTER ("1" = "1',
    "Xavier Bertrand\n} UNION { ?s ?p ?name }",
    "?__b",
    "\\u0022 SERVICE <http://127.0.0.1:9/> {",
    "'''",
]


def test_only_the_variables_are_replaced() -> None:
    text = 'SELECT ?x WHERE { ?x <p> "?__a" , <urn:?__a> ; <q> ?__a , ?__ab , $__a } # ?__a'
    assert inline(text, {"__a": Literal("v")}) == (
        'SELECT ?x WHERE { ?x <p> "?__a" , <urn:?__a> ; <q> "v" , ?__ab , "v" } # ?__a'
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_value_matches_only_itself(store: Store, value: str) -> None:
    bindings = {"__a": Literal(value), "__b": Literal("Xavier Bertrand")}
    for engine in ("oxigraph", "rdflib"):
        rows = store.query(NAMES, bindings, engine=engine).rows
        assert [str(r[0]) for r in rows] == ["Xavier Bertrand"], engine


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_any_text_gives_rdflibs_rows(store: Store, value: str) -> None:
    bindings = {"__a": Literal(value), "__b": Literal(value)}
    assert store.query(NAMES, bindings).rows == store.query(NAMES, bindings, engine="rdflib").rows


def test_a_parameter_that_cannot_become_a_term_is_bound_instead(store: Store) -> None:
    """After ORDER BY a term is not allowed: the store binds the variable as before."""
    text = "SELECT * WHERE { ?__person <http://xmlns.com/foaf/0.1/name> ?name } ORDER BY ?__person"
    person = URIRef("https://w3id.org/accords-kg/id/person/xavier-bertrand")
    result = store.query(text, {"__person": person})
    assert [str(r[-1]) for r in result.rows] == ["Xavier Bertrand"]
