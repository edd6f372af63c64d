"""What the graph says about one resource, as RDF: the answer to ``Accept: text/turtle``.

A resource's description is its concise bounded description (CBD): every triple whose
subject it is, and, recursively, those of the blank nodes they reach. The graph states its
facts through statement nodes (a signature, a mandate, a ceremony…) rather than RDF
reification, so the description also takes the CBD of each statement node the resource
points to: an accord's Turtle then carries its signatures and ceremony with their sources
and evidence, as its page does. The ontology's IRI describes every term of its namespace
(``acc:Accord``… are fragments of it, so a client asking for one gets the ontology).

Triples come from the store's default graph: the union of the loaded layers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph

from ..graph.convert import from_oxigraph_term
from ..graph.store import Store
from ..namespaces import new_graph
from ..resources import ONTOLOGY_NS
from .dump import serialise_graph

ONTOLOGY_IRI = ONTOLOGY_NS.rstrip("#")

#: The classes of the nodes that carry a statement and its provenance.
STATEMENT_CLASSES = frozenset(
    {
        ONTOLOGY_NS + "Signature",
        ONTOLOGY_NS + "SigningCeremony",
        ONTOLOGY_NS + "Intervention",
        ONTOLOGY_NS + "Mandate",
        "https://schema.org/Quotation",
    }
)

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class RdfFormat:
    """An RDF serialisation a resource can be asked for."""

    name: str  # the name dump.serialise_graph knows
    extension: str
    media_type: str
    label: str


#: Formats offered by content negotiation, by file extension.
RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", ".ttl", "text/turtle", "Turtle"),
    RdfFormat("jsonld", ".jsonld", "application/ld+json", "JSON-LD"),
    RdfFormat("ntriples", ".nt", "application/n-triples", "N-Triples"),
)


def _cbd(engine: ox.Store, subject: ox.NamedNode | ox.BlankNode) -> list[ox.Quad]:
    """The CBD of ``subject`` in the default graph (no reification: the graph states none)."""
    quads: list[ox.Quad] = []
    seen: set[object] = set()
    todo: list[ox.NamedNode | ox.BlankNode] = [subject]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in engine.quads_for_pattern(node, None, None, ox.DefaultGraph()):
            quads.append(quad)
            if isinstance(quad.object, ox.BlankNode):
                todo.append(quad.object)
    return quads


def _is_statement(engine: ox.Store, node: object) -> bool:
    if not isinstance(node, ox.NamedNode):
        return False
    return any(
        quad.object.value in STATEMENT_CLASSES
        for quad in engine.quads_for_pattern(node, _RDF_TYPE, None, ox.DefaultGraph())
    )


def describe(store: Store, iri: str) -> Graph:
    """The description of ``iri`` (empty if the graph says nothing about it, or if ``iri`` is
    no IRI at all: a space, a quote, a brace or a stray ``%`` in a requested path)."""
    engine = store.oxigraph()
    quads: list[ox.Quad] = []
    try:
        subject = ox.NamedNode(iri)
    except ValueError:  # Oxigraph's own IRI parser: what it refuses, no graph can name
        return new_graph()
    if iri == ONTOLOGY_IRI:
        for quad in engine.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            subject = quad.subject
            if isinstance(subject, ox.NamedNode) and subject.value.startswith(ONTOLOGY_IRI):
                quads += _cbd(engine, subject)
    else:
        quads = _cbd(engine, subject)
        for node in sorted({q.object.value for q in quads if _is_statement(engine, q.object)}):
            quads += _cbd(engine, ox.NamedNode(node))
    graph = new_graph()
    for quad in quads:
        graph.add(
            (
                from_oxigraph_term(quad.subject),
                from_oxigraph_term(quad.predicate),
                from_oxigraph_term(quad.object),
            )
        )
    return graph


def serialise(graph: Graph, fmt: RdfFormat) -> bytes:
    """``graph`` in ``fmt``, the same bytes for the same triples."""
    return serialise_graph(graph, fmt.name)
