"""Every term the data, shapes and queries use is declared; the ontology documents itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rns

from accords_kg.graph.load import parse_file
from conftest import ROOT

ACC = "https://w3id.org/accords-kg/ontology#"
#: Vocabularies whose complete term lists rdflib ships: checked against rdflib, independently.
CLOSED: list[type[rns.DefinedNamespace]] = [
    rns.DCTERMS, rns.FOAF, rns.ORG, rns.PROV, rns.SDO, rns.SKOS,
    rns.OWL, rns.RDF, rns.RDFS, rns.XSD, rns.SH, rns.DCAT, rns.VOID,
]  # fmt: skip
RDF, RDFS, OWL, SKOS, SH, DCTERMS = rns.RDF, rns.RDFS, rns.OWL, rns.SKOS, rns.SH, rns.DCTERMS
#: Vocabularies rdflib does not ship: their terms must be declared in our ontology.
DECLARED_HERE = (
    ACC,
    "http://spdx.org/rdf/terms#",
    "http://rdf.insee.fr/def/geo#",
    "http://www.w3.org/ns/person#",
    "http://www.w3.org/ns/opengov#",
)
CONCEPT_SPACES = (
    "https://w3id.org/accords-kg/role/",
    "https://w3id.org/accords-kg/theme/",
    "https://w3id.org/accords-kg/epci-kind/",
)


def ontology() -> Graph:
    graph = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        graph += parse_file(path)
    return graph


def used_terms(graph: Graph) -> set[URIRef]:
    """Predicates and classes (objects of rdf:type) of a graph."""
    terms = {p for p in graph.predicates() if isinstance(p, URIRef)}
    terms |= {o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}
    terms |= {o for o in graph.objects(None, SH.targetClass) if isinstance(o, URIRef)}
    terms |= {o for o in graph.objects(None, SH["class"]) if isinstance(o, URIRef)}
    terms |= {o for o in graph.objects(None, SH.path) if isinstance(o, URIRef)}
    return terms


def query_terms(text: str) -> set[URIRef]:
    """prefix:local terms written in a SPARQL query, expanded with its PREFIX lines."""
    prefixes = dict(re.findall(r"PREFIX\s+(\w*):\s*<([^>]+)>", text))
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    body = re.sub(r'"[^"]*"', '""', body)
    terms = set()
    for prefix, local in re.findall(r"\b([a-z]\w*):([A-Za-z_][\w-]*)", body):
        if prefix in prefixes:
            terms.add(URIRef(prefixes[prefix] + local))
    return terms


def is_declared(term: URIRef, declared: Graph) -> bool:
    text = str(term)
    if text.startswith(DECLARED_HERE):
        return (term, RDF.type, None) in declared
    if text.startswith(CONCEPT_SPACES):
        return (term, RDF.type, SKOS.Concept) in declared
    return any(term in namespace for namespace in CLOSED)


def all_files(folder: str, suffix: str) -> list[Path]:
    """Every file of ``folder`` and its subfolders (the territorial layer, the release shapes)."""
    return sorted((ROOT / folder).rglob(f"*{suffix}"))


@pytest.mark.parametrize("folder", ["data", "shapes", "ontology"])
def test_every_term_in_rdf_files_is_declared(folder: str) -> None:
    declared = ontology()
    for path in all_files(folder, ".ttl"):
        graph = parse_file(path, limit=1 << 30)  # the project's files: no entry's size limit
        unknown = sorted(str(t) for t in used_terms(graph) if not is_declared(t, declared))
        assert unknown == [], path.name


def test_every_term_in_saved_queries_is_declared() -> None:
    declared = ontology()
    for path in all_files("queries", ".rq"):
        terms = query_terms(path.read_text(encoding="utf-8"))
        unknown = sorted(str(t) for t in terms if not is_declared(t, declared))
        assert unknown == [], path.name


def test_a_misspelt_term_is_caught() -> None:
    declared = ontology()
    assert not is_declared(URIRef(ACC + "signatry"), declared)
    assert not is_declared(URIRef("https://schema.org/startdate"), declared)
    assert not is_declared(URIRef("http://www.w3.org/ns/org#postin"), declared)
    assert is_declared(URIRef("http://www.w3.org/ns/org#postIn"), declared)


def test_every_project_term_has_labels_and_definitions_in_french_and_english() -> None:
    graph = ontology()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = {s for kind in kinds for s in graph.subjects(RDF.type, kind) if str(s).startswith(ACC)}
    assert len(terms) >= 30
    for term in terms:
        for predicate in (RDFS.label, RDFS.comment):
            langs = {o.language for o in graph.objects(term, predicate) if isinstance(o, Literal)}
            assert {"fr", "en"} <= langs, f"{term} {predicate}"


def test_ontology_metadata() -> None:
    graph = ontology()
    onto = URIRef("https://w3id.org/accords-kg/ontology")
    assert (onto, RDF.type, OWL.Ontology) in graph
    for predicate in (DCTERMS.title, DCTERMS.license, DCTERMS.created, OWL.versionInfo):
        assert graph.value(onto, predicate) is not None, predicate
    titles = {o.language for o in graph.objects(onto, DCTERMS.title)}
    assert titles == {"fr", "en"}


def test_every_concept_has_french_and_english_labels() -> None:
    graph = ontology()
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 11
    for concept in concepts:
        langs = {o.language for o in graph.objects(concept, SKOS.prefLabel)}
        assert langs == {"fr", "en"}, concept


def test_every_concept_has_a_french_and_an_english_definition() -> None:
    graph = ontology()
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        langs = {o.language for o in graph.objects(concept, SKOS.definition)}
        assert langs == {"fr", "en"}, concept


def test_every_reused_term_declared_here_is_defined_in_french_and_english() -> None:
    """The ontology's header promises a definition for every term it declares: the terms of
    the vocabularies rdflib does not ship too (INSEE's, W3C Person, Popolo, SPDX)."""
    graph = ontology()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)
    terms = {
        s
        for kind in kinds
        for s in graph.subjects(RDF.type, kind)
        if str(s).startswith(DECLARED_HERE)
    }
    assert len(terms) >= 15
    for term in terms:
        langs = {o.language for o in graph.objects(term, RDFS.comment) if isinstance(o, Literal)}
        assert {"fr", "en"} <= langs, term
