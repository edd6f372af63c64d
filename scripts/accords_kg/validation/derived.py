"""Checks on the figures the territorial layer's generator derives (:mod:`..graph.figures`).

- **Each figure is right.** In each vintage's graph, a région's or département's
  ``acc:communeCount`` and ``acc:communesPopulation`` are the number of communes that lie in
  it there and the sum of their municipal populations; an EPCI ``acc:hasMemberIn`` exactly
  the units with a figure where one of its member communes lies. Recomputed from the graph
  on whole-graph validation (a few grouped queries per vintage), since a hand edit or a
  stale generator could break them, and the coverage queries read them as they are. Every
  stated value is compared, so a second value, a value that is not an integer or a link to
  a unit without figures is reported too: no SHACL shape repeats it.
- **No entry states one.** They are computed, never written by hand: an entry stating one
  is refused. Nor can an entry change what they count: the shapes and the official-unit
  check keep it from adding a commune or moving one to another unit or EPCI.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from ..graph.convert import from_oxigraph_term
from ..graph.store import Store
from ..resources import GRAPH_BASE, ONTOLOGY_NS
from .checks import check_finding
from .report import Finding

COUNT = URIRef(ONTOLOGY_NS + "communeCount")
POPULATION = URIRef(ONTOLOGY_NS + "communesPopulation")
MEMBER_IN = URIRef(ONTOLOGY_NS + "hasMemberIn")
COMPUTED = (COUNT, POPULATION, MEMBER_IN)

_PREFIXES = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
# every stated figure, and every area with a figure: its communes and their population
_FIGURES = (
    _PREFIXES
    + """
SELECT ?unit ?path ?stated ?communes ?population WHERE {
  GRAPH %(layer)s {
    { ?unit acc:communeCount ?stated . BIND (acc:communeCount AS ?path) }
    UNION { ?unit acc:communesPopulation ?stated . BIND (acc:communesPopulation AS ?path) }
  }
  OPTIONAL {
    SELECT ?unit (COUNT(?commune) AS ?communes) (SUM(COALESCE(?value, 0)) AS ?population)
    WHERE {
      { SELECT DISTINCT ?unit WHERE { GRAPH %(layer)s { ?unit acc:communeCount [] } } }
      GRAPH %(layer)s {
        ?commune igeo:subdivisionDe ?unit .
        FILTER EXISTS { ?commune a acc:Commune }
        OPTIONAL { ?commune acc:municipalPopulation ?value }
      }
    }
    GROUP BY ?unit
  }
}"""
)
_STATED_REACH = (
    _PREFIXES + "SELECT ?epci ?unit WHERE { GRAPH %(layer)s { ?epci acc:hasMemberIn ?unit } }"
)
# where each EPCI has members (kept below for the units with figures: filtering here would
# make Oxigraph join every commune twice more)
_REACH = (
    _PREFIXES
    + """
SELECT DISTINCT ?epci ?unit WHERE {
  GRAPH %(layer)s { ?commune org:memberOf ?epci ; igeo:subdivisionDe ?unit }
}"""
)


def computed_terms(entry: Graph, lang: str = "en") -> list[Finding]:
    """Every triple of the entry that states a figure the layer's generator computes."""
    found = []
    for predicate in COMPUTED:
        for subject, value in sorted(entry.subject_objects(predicate), key=str):
            found.append(
                check_finding(
                    subject,
                    predicate,
                    value,
                    "ComputedTermCheck",
                    f"{predicate} est calculé par `accords territories build` à partir des "
                    "fichiers officiels : une entrée ne l'énonce pas.",
                    f"{predicate} is computed by `accords territories build` from the "
                    "official files: an entry does not state it.",
                    lang,
                )
            )
    return found


def layer_figures(store: Store, lang: str = "en") -> list[Finding]:
    """The derived figures of each loaded vintage's graph that its communes contradict."""
    engine = store.oxigraph()
    found: list[Finding] = []
    for name in store.territorial_layers():
        layer = {"layer": str(ox.NamedNode(GRAPH_BASE + name))}  # an IRI, checked and escaped
        with_figures: set[Node] = set()
        for row in engine.query(_FIGURES % layer):
            unit, path = from_oxigraph_term(row["unit"]), from_oxigraph_term(row["path"])
            if path == COUNT:
                with_figures.add(unit)
            counted = {COUNT: row["communes"], POPULATION: row["population"]}[path]
            truth = 0 if counted is None else int(counted.value)
            stated = from_oxigraph_term(row["stated"])
            if not (
                isinstance(stated, Literal) and type(stated.value) is int and stated.value == truth
            ):
                found.append(_wrong_figure(unit, path, stated, truth, name, lang))
        stated_pairs = _pairs(engine.query(_STATED_REACH % layer))
        computed = {p for p in _pairs(engine.query(_REACH % layer)) if p[1] in with_figures}
        found += [_wrong_reach(e, u, True, name, lang) for e, u in stated_pairs - computed]
        found += [_wrong_reach(e, u, False, name, lang) for e, u in computed - stated_pairs]
    return sorted(found, key=lambda f: (f.focusNode, f.path or "", f.value or ""))


def _pairs(rows: Iterable[ox.QuerySolution]) -> set[tuple[Node, Node]]:
    return {(from_oxigraph_term(r["epci"]), from_oxigraph_term(r["unit"])) for r in rows}


def _wrong_figure(
    unit: Node, path: Node, stated: Node, truth: int, layer: str, lang: str
) -> Finding:
    what_fr, what_en = (
        ("communes s'y trouvent", "communes lie in it")
        if path == COUNT
        else ("est la somme des populations municipales de ses communes",
              "is the sum of its communes' municipal populations")
    )  # fmt: skip
    return check_finding(
        unit,
        path,
        stated,
        "LayerFiguresCheck",
        f"Dans le graphe {layer}, {truth} {what_fr}, et non {stated}. Reconstruisez la "
        "couche (`accords territories build`).",
        f"In the graph {layer}, {truth} {what_en}, not {stated}. Rebuild the layer "
        "(`accords territories build`).",
        lang,
    )


def _wrong_reach(epci: Node, unit: Node, stated: bool, layer: str, lang: str) -> Finding:
    if stated:
        fr = f"aucune commune membre de {epci} ne se trouve dans {unit}"
        en = f"no member commune of {epci} lies in {unit}"
    else:
        fr = f"une commune membre de {epci} se trouve dans {unit}, ce qui n'est pas énoncé"
        en = f"a member commune of {epci} lies in {unit}, which is not stated"
    return check_finding(
        epci,
        MEMBER_IN,
        unit,
        "LayerFiguresCheck",
        f"Dans le graphe {layer}, {fr} (acc:hasMemberIn). Reconstruisez la couche "
        "(`accords territories build`).",
        f"In the graph {layer}, {en} (acc:hasMemberIn). Rebuild the layer "
        "(`accords territories build`).",
        lang,
    )
