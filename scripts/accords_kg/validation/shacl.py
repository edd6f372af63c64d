"""The SHACL engines: pyshacl on the core constraints, one Oxigraph query per SHACL-SPARQL
rule (:mod:`.rules`), on a whole graph or on pieces of a stored one.

The ontology is part of the data graph, so that ``sh:class`` sees the subclass hierarchy
(a region is an organisation) without running inference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, SH, Graph
from rdflib.term import Node

from ..graph.convert import oxigraph_graph
from ..graph.store import Store
from ..resources import shape_files
from . import focus, rules
from .report import Finding, Report, collect, finding, rule_finding


def load_shapes(paths: Sequence[Path] | None = None) -> Graph:
    """The shapes graph of the project's shape files (or of ``paths``).

    Parsed by Oxigraph, then handed to rdflib term by term: five times faster than rdflib's
    Turtle parser, a third of what validating an entry costs."""
    engine = Store()
    for path in paths if paths is not None else shape_files():
        engine.add_file(Path(path), "urn:accords-kg:shapes")
    return engine.union()


def core_findings(
    data: Graph, core: Graph, shapes: Graph, lang: str, focus: set[Node] | None = None
) -> set[Finding]:
    """pyshacl's findings on ``data`` (of ``focus`` nodes only, if given)."""
    # imported here: a tenth of a second, which an entry the screens clear never needs
    from pyshacl import validate as shacl_validate

    _, results_graph, _ = shacl_validate(
        data, shacl_graph=core, inference="none", allow_warnings=True, advanced=False
    )
    # Only the report's own results: those nested under a sh:node failure (sh:detail) are
    # its explanation, not findings of their own.
    return {
        finding(results_graph, shapes, r, lang)
        for report in results_graph.subjects(RDF.type, SH.ValidationReport)
        for r in results_graph.objects(report, SH.result)
        if focus is None or results_graph.value(r, SH.focusNode) in focus
    }


def rule_findings(
    engine: ox.Store,
    sparql_rules: list[rules.SparqlRule],
    lang: str,
    focus: set[Node] | None,
    graphs: Sequence[str] | None = None,
) -> set[Finding]:
    return {rule_finding(r, lang) for r in rules.run(engine, sparql_rules, focus, graphs)}


def validate_graph(data: Graph, shapes: Graph | None = None, lang: str = "en") -> Report:
    """Validate ``data`` (which must include the ontology) against ``shapes``, all at once.

    pyshacl checks the core constraints on the whole graph; the SHACL-SPARQL rules run as one
    query each (:mod:`accords_kg.validation.rules`). This is the reference the faster paths
    (:func:`validate_store`, :func:`validate_entry`) are compared with.
    """
    shapes = shapes if shapes is not None else load_shapes()
    core, sparql_rules = rules.split(shapes)
    found = core_findings(data, core, shapes, lang)
    found |= rule_findings(oxigraph_graph(data), sparql_rules, lang, None)
    return collect(found)


#: A part of the dataset that is one consistent state of the world: the IRIs of its named
#: graphs, or None for the union of every layer (the store's default graph).
Snapshot = tuple[str, ...] | None


class Pieces:
    """Validates pieces of a stored dataset (of one of its snapshots): focus nodes, with the
    triples around them."""

    def __init__(
        self,
        engine: ox.Store,
        shapes: Graph,
        ontology: Graph,
        lang: str,
        snapshot: Snapshot = None,
    ) -> None:
        self.engine, self.shapes, self.ontology, self.lang = engine, shapes, ontology, lang
        self.snapshot = snapshot
        self.core, sparql_rules = rules.split(shapes)
        self.inverse = focus.inverse_predicates(self.core, [r.query for r in sparql_rules])

    def __call__(self, nodes: Iterable[Node]) -> set[Finding]:
        piece = set(nodes)
        around = focus.Neighbours(self.engine, graphs=self.snapshot)
        data = focus.neighbourhood(around, piece, self.inverse)
        data += self.ontology
        retargeted = focus.retarget(self.core, data, piece)
        return core_findings(data, retargeted, self.shapes, self.lang, piece)
