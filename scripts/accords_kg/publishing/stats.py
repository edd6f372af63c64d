"""Counts that describe the dataset: triples per layer, instances per class.

Counted by Oxigraph on the stored graphs, so that the France-wide layer takes a moment, not
the time to build rdflib copies of it.
"""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import XSD

from ..graph.store import Store
from ..resources import GRAPH_BASE
from ..sparql.results import Result


def triples_per_layer(store: Store) -> Result:
    rows = []
    for name in store.layer_names():
        answer = store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_BASE}{name}> {{ ?s ?p ?o }} }}"
        )
        rows.append((Literal(name), answer.rows[0][0]))
    # a triple stated in two layers (a région's name, curated and official) counts once
    rows.append((Literal("total (distinct)"), Literal(len(store), datatype=XSD.integer)))
    return Result(["layer", "triples"], rows)


def instances_per_class(store: Store) -> Result:
    return store.query(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?instances) "
        "WHERE { ?s a ?class . FILTER (isIRI(?class)) } "
        "GROUP BY ?class ORDER BY DESC(?instances) ?class"
    )
