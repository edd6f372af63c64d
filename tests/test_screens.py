"""The screens keep every node pyshacl finds fault with, so that validating only the kept
nodes (and the targets of unscreened shapes) gives pyshacl's own findings.

A screen (:mod:`accords_kg.validation.screens`) is an over-approximation of one node shape,
read from Oxigraph's indexes. Checked here against the reference, pyshacl on the whole graph
(:func:`validate_graph`): on every bad, coupled and good entry merged into the curated data,
on odd values written into the territorial layer (lexical forms rdflib reads otherwise, a
line break after a code, language tags in capitals…), and through ``validate_store`` on both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import SH, XSD, Graph, Literal, URIRef

from accords_kg.graph.convert import oxigraph_graph
from accords_kg.graph.load import parse_file
from accords_kg.graph.store import Store
from accords_kg.resources import GRAPH_BASE
from accords_kg.validation import focus, rules, screens, validate
from accords_kg.validation.report import Report
from accords_kg.validation.shacl import validate_graph
from accords_kg.validation.validate import shapes_for, snapshots, validate_store

ENTRIES = Path(__file__).resolve().parent / "entries"
ALL_ENTRIES = sorted(str(p.relative_to(ENTRIES)) for p in ENTRIES.glob("*/*.ttl"))
SHP = "https://w3id.org/accords-kg/shapes#"
ACC = "https://w3id.org/accords-kg/ontology#"
RULE = str(SH.SPARQLConstraintComponent)
EPCI_KIND = "https://w3id.org/accords-kg/epci-kind/"
ID = "https://w3id.org/accords-kg/id/"
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")


def _copy(store: Store) -> Store:
    """An in-memory copy of ``store``, layer by layer, to merge an entry into."""
    copy = Store()
    for name in store.layer_names():
        copy.add_graph(store.stored_layer(name), GRAPH_BASE + name)
    return copy


def _unkept(store: Store) -> dict[str, set[str]]:
    """Per snapshot: the findings of screened shapes whose focus node no screen keeps (but
    those of the SPARQL rules, which Oxigraph runs on the whole graph)."""
    missed: dict[str, set[str]] = {}
    for snapshot in snapshots(store):
        shapes = shapes_for(store, snapshot)
        screened, _ = screens.split(rules.split(shapes)[0])
        names = {str(s.shape) for s in screened}
        kept = {str(n) for n in screens.kept(store.oxigraph(), screened, snapshot)}
        whole = validate_graph(store.union(snapshot), shapes)
        missed[str(snapshot)] = {
            f"{f.focusNode} {f.shape} {f.constraint}"
            for f in whole.results
            if f.shape in names and f.focusNode not in kept and f.constraint != RULE
        }
    return missed


def _findings(report: Report) -> set:
    return set(report.results)


def test_the_shapes_of_the_territorial_layer_are_screened(store: Store) -> None:
    """The shapes whose targets number in the tens of thousands on France have a screen:
    without one, pyshacl validates every commune again (about a minute)."""
    core = rules.split(shapes_for(store, snapshots(store)[0]))[0]
    screened, rest = screens.split(core)
    names = {str(s.shape).removeprefix(SHP) for s in screened}
    assert {
        "CommuneShape",
        "ConceptShape",
        "DepartementShape",
        "EPCIMembersShape",
        "EPCIShape",
        "OrganizationShape",
        "PopulationShape",
        "RegionShape",
        "TerritorialLayerShape",
    } <= names
    assert (URIRef(SHP + "CommuneShape"), SH.targetClass, None) not in rest


def test_a_shape_the_screens_cannot_read_keeps_its_targets_for_pyshacl() -> None:
    """A parameter screens.py does not read (here sh:closed) leaves the shape to pyshacl on
    every target; the shapes it can read are screened beside it."""
    shapes = Graph().parse(
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<{SHP}Closed> a sh:NodeShape ; sh:targetClass <{ACC}Accord> ; sh:closed true .
<{SHP}Open> a sh:NodeShape ; sh:targetClass <{ACC}Accord> ;
    sh:property [ sh:path <{ACC}signature> ; sh:minCount 1 ] .""",
        format="turtle",
    )
    screened, rest = screens.split(shapes)
    assert [str(s.shape) for s in screened] == [SHP + "Open"]
    assert (URIRef(SHP + "Closed"), SH.targetClass, URIRef(ACC + "Accord")) in rest
    assert (URIRef(SHP + "Open"), SH.targetClass, None) not in rest


@pytest.mark.parametrize("name", ALL_ENTRIES)
def test_every_node_at_fault_in_an_entry_is_kept(name: str, curated: Store) -> None:
    merged = _copy(curated)
    merged.add_graph(parse_file(ENTRIES / name), GRAPH_BASE + "entry")
    assert _unkept(merged) == {"None": set()}


#: Odd values written into a small territorial layer (Arras, its EPCI, département and
#: région): Turtle, with ``C`` the commune.
ODD_VALUES = {
    "a code with a final line break": 'C igeo:codeINSEE "62041\\n" .',
    "a code as an integer": "C igeo:codeINSEE 62041 .",
    "a second code": 'C igeo:codeINSEE "62042" .',
    "a code as a language string": 'C igeo:codeINSEE "62041"@fr .',
    "a SIREN with a letter": 'C acc:siren "21620041A" .',
    "a population with a leading zero": 'C acc:municipalPopulation "042337"^^xsd:integer .',
    "a population with a sign": 'C acc:municipalPopulation "+42337"^^xsd:integer .',
    "a population below zero": "C acc:municipalPopulation -1 .",
    "a population that is no integer": 'C acc:municipalPopulation "many"^^xsd:integer .',
    "a population as a decimal": "C acc:municipalPopulation 42337.0 .",
    "a vintage of five digits": 'C acc:populationVintage "02023"^^xsd:gYear .',
    "a vintage as a string": 'C acc:populationVintage "2023" .',
    "a name in capital FR too": 'C skos:prefLabel "Arras bis"@FR .',
    "a name in fr-FR only": 'C skos:prefLabel "Arras"@fr-FR .',
    "a name without a language": 'C skos:prefLabel "Arras" .',
    "a subdivision of a second région": "C igeo:subdivisionDe <region/27> .",
    "a subdivision of nothing known": "C igeo:subdivisionDe <elsewhere> .",
    "a département with a second région": "<departement/62> igeo:subdivisionDe <region/27> .",
    "an EPCI that is a commune": "C org:memberOf C .",
    "a blank classification": "C org:classification [] .",
    "an EPCI kind outside its scheme": "<epci/200033579> acc:epciKind <commune/62041> .",
    "an EPCI with a second kind": f"<epci/200033579> acc:epciKind <{EPCI_KIND}ca> .",
    "a source that is a literal": 'C prov:wasDerivedFrom "INSEE" .',
    "a département named by a blank node": "[] a acc:Departement .",
}
HEADER = """@base <https://w3id.org/accords-kg/id/> .
@prefix acc: <https://w3id.org/accords-kg/ontology#> .
@prefix igeo: <http://rdf.insee.fr/def/geo#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
LAYER = "territories/2023"
KEPT = ("commune/62041", "epci/200033579", "departement/62", "region/32")


@pytest.fixture(scope="module")
def small_layer(store: Store) -> Graph:
    """The committed 2023 layer's triples about Arras, its EPCI, département and région, the
    layer itself and its sources: small enough for pyshacl on the whole graph, each time."""
    full = store.stored_layer(LAYER)
    subjects = {URIRef(ID + k) for k in KEPT} | {URIRef(GRAPH_BASE + LAYER)}
    subjects |= {o for s in list(subjects) for o in full.objects(s, PROV_DERIVED)}
    small = Graph()
    for subject in subjects:
        small += full.triples((subject, None, None))
    return small


@pytest.mark.parametrize("name", list(ODD_VALUES))
def test_every_node_at_fault_with_an_odd_value_is_kept(
    name: str, curated: Store, small_layer: Graph
) -> None:
    changed = _copy(curated)
    changed.add_graph(small_layer, GRAPH_BASE + LAYER)
    before = validate_graph(changed.union(), shapes_for(changed))
    odd = ODD_VALUES[name].replace("C ", "<commune/62041> ")
    changed.add_graph(Graph().parse(data=HEADER + odd, format="turtle"), GRAPH_BASE + LAYER)
    assert _unkept(changed) == {"None": set()}
    whole = validate_graph(changed.union(), shapes_for(changed))
    assert _findings(validate_store(changed)) == _findings(whole)
    if name not in NO_FAULT:
        assert _findings(whole) - _findings(before), "the odd value is no fault: nothing compared"


#: Odd values that are no fault for pyshacl (rdflib reads "042337" as 42337; fr-FR is a
#: language of its own beside fr): the screens keep the commune all the same.
NO_FAULT = {"a population with a leading zero", "a population with a sign", "a name in fr-FR only"}


def _may_keep(store: Store, entry: Graph) -> bool:
    """Whether validate_entry hands ``entry``'s neighbourhood to pyshacl."""
    snapshot = snapshots(store)[0]
    core, sparql = rules.split(shapes_for(store, snapshot))
    neighbours = focus.Neighbours(store.oxigraph(), entry, (), snapshot)
    queries = [r.query for r in sparql]
    shared = focus.shared_predicates(queries)
    nodes = focus.affected(neighbours, entry, shared)
    data = focus.neighbourhood(
        neighbours, nodes, focus.inverse_predicates(core, queries), shared=shared
    )
    data += store.stored_layer("ontology")
    return validate._screens_may_keep(oxigraph_graph(data), data, core, nodes, entry)


def test_a_good_entry_is_cleared_without_pyshacl(store: Store) -> None:
    """The screens clear the good entry: pyshacl is neither run nor imported for it."""
    assert _may_keep(store, parse_file(ENTRIES / "good" / "complete-accord.ttl")) is False


def test_an_entry_oxigraph_would_rewrite_goes_to_pyshacl(store: Store) -> None:
    """1.00 is stored as 1 by Oxigraph: the screens would not read what pyshacl reads."""
    entry = parse_file(ENTRIES / "good" / "complete-accord.ttl")
    ceremony = next(entry.subjects(URIRef("https://schema.org/startDate")))
    entry.add((ceremony, URIRef(ACC + "minimumAttendance"), Literal("1.00", datatype=XSD.decimal)))
    assert _may_keep(store, entry) is True
    bad = parse_file(ENTRIES / "bad" / "ceremony-date-not-date.ttl")
    assert _may_keep(store, bad) is True  # kept by the screens: pyshacl reports it
