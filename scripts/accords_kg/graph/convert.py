"""Terms and graphs between rdflib and Oxigraph.

rdflib is the project's API (parsers, serialisers, pyshacl); Oxigraph is its query engine.
Each conversion keeps blank node ids, so that both name the same nodes.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_oxigraph_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_oxigraph_term(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def oxigraph_graph(graph: Graph) -> ox.Store:
    """An in-memory Oxigraph store holding the triples of one rdflib graph (blank nodes keep
    their ids, so that results name the same nodes as rdflib does)."""
    store = ox.Store()
    store.bulk_extend(
        ox.Quad(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o)) for s, p, o in graph
    )
    return store


def rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    """An rdflib graph of Oxigraph triples: each term converted once, blank nodes keeping their
    ids (twice as fast as an N-Triples round trip, which would also rename them)."""
    graph = Graph()
    terms: dict[object, Node] = {}

    def term(t: object) -> Node:
        found = terms.get(t)
        if found is None:
            found = terms[t] = from_oxigraph_term(t)
        return found

    add = graph.store.add
    for t in triples:
        add((term(t.subject), term(t.predicate), term(t.object)), graph)
    return graph
