"""SHACL-SPARQL constraints, each run as one query over the whole graph, by Oxigraph.

pyshacl runs a SPARQL constraint once per focus node, through rdflib's engine: on the
territorial layer (thousands of communes) that takes minutes (and the Luhn check alone, as
one query, 11 s in rdflib). The same ``sh:select`` run once with ``$this`` unbound returns
every violation at once; keeping the rows whose ``$this`` is a target of the shape gives the
same results (the rules here bind ``$this`` in a triple pattern and use no aggregate over it —
a test compares both on the curated graph). Oxigraph's engine runs them in milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import SH, Graph, Literal, URIRef
from rdflib.term import Node

from ..graph.convert import from_oxigraph_term


@dataclass(frozen=True)
class SparqlRule:
    """One ``sh:sparql`` constraint of one shape."""

    shape: URIRef
    target_classes: tuple[URIRef, ...]
    target_subjects_of: tuple[URIRef, ...]
    query: str
    messages: tuple[Literal, ...]
    severity: URIRef


@dataclass(frozen=True)
class RuleResult:
    focus: Node
    path: Node | None
    value: Node
    messages: tuple[Literal, ...]
    rule: SparqlRule


def split(shapes: Graph) -> tuple[Graph, list[SparqlRule]]:
    """The shapes without their SPARQL constraints (for pyshacl), and those constraints."""
    rules: list[SparqlRule] = []
    core = Graph()
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    for shape, constraint in shapes.subject_objects(SH.sparql):
        if not isinstance(shape, URIRef):
            raise ValueError("SPARQL constraints must sit on named shapes")
        select = str(shapes.value(constraint, SH.select))
        prefixes = "".join(
            sorted(  # the same text for the same shapes, whatever the parse order
                f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
                for holder in shapes.objects(constraint, SH.prefixes)
                for d in shapes.objects(holder, SH.declare)
            )
        )
        rules.append(
            SparqlRule(
                shape=shape,
                target_classes=tuple(sorted(shapes.objects(shape, SH.targetClass))),
                target_subjects_of=tuple(sorted(shapes.objects(shape, SH.targetSubjectsOf))),
                query=prefixes + re.sub(r"\$this\b", "?this", select),
                messages=tuple(m for m in shapes.objects(constraint, SH.message)),
                severity=shapes.value(shape, SH.severity) or SH.Violation,
            )
        )
    return core, sorted(rules, key=lambda r: str(r.shape))


def _targets(engine: ox.Store, rule: SparqlRule, graphs: list) -> set[Node]:
    """The rule's targets in the store: instances of its classes (and their subclasses)."""
    patterns = [f"{{ ?x a/rdfs:subClassOf* <{c}> }}" for c in rule.target_classes]
    patterns += [f"{{ ?x <{p}> [] }}" for p in rule.target_subjects_of]
    if not patterns:
        return set()
    query = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT DISTINCT ?x WHERE {{ {' UNION '.join(patterns)} }}"
    )
    return {from_oxigraph_term(row["x"]) for row in engine.query(query, default_graph=graphs)}


def _fill(template: Literal, row: dict[str, Node]) -> Literal:
    """Fill ``{?var}`` and ``{$var}`` from the solution, keeping the template's language."""

    def value(match: re.Match[str]) -> str:
        term = row.get(match.group(1))
        return "" if term is None else str(term)

    return Literal(re.sub(r"\{[?$](\w+)\}", value, str(template)), lang=template.language)


def run(
    engine: ox.Store,
    rules: list[SparqlRule],
    focus: set[Node] | None = None,
    graphs: Sequence[str] | None = None,
) -> list[RuleResult]:
    """Every result of every rule on the store's default graph, or on the union of the named
    ``graphs`` (IRIs) (for ``focus`` nodes only, if given)."""
    default = [ox.DefaultGraph()] if graphs is None else [ox.NamedNode(g) for g in graphs]
    results: list[RuleResult] = []
    for rule in rules:
        solutions = engine.query(rule.query, default_graph=default)
        names = [v.value for v in solutions.variables]
        targets: set[Node] | None = None  # read only if the rule returns a row: most do not
        for solution in solutions:
            if targets is None:
                targets = _targets(engine, rule, default)
                targets &= focus if focus is not None else targets
            row = {
                name: from_oxigraph_term(solution[name])
                for name in names
                if solution[name] is not None
            }
            focus_node = row.get("this")
            if focus_node not in targets:
                continue
            results.append(
                RuleResult(
                    focus=focus_node,
                    path=row.get("path"),
                    value=row.get("value", focus_node),
                    messages=tuple(_fill(m, row) for m in rule.messages),
                    rule=rule,
                )
            )
    return results
