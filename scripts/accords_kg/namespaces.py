"""The prefixes the project writes in its dumps, in one place."""

from __future__ import annotations

from rdflib import Graph

PREFIXES: dict[str, str] = {
    "acc": "https://w3id.org/accords-kg/ontology#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "epcikind": "https://w3id.org/accords-kg/epci-kind/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "igeo": "http://rdf.insee.fr/def/geo#",
    "opengov": "http://www.w3.org/ns/opengov#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "person": "http://www.w3.org/ns/person#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "role": "https://w3id.org/accords-kg/role/",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "theme": "https://w3id.org/accords-kg/theme/",
    "void": "http://rdfs.org/ns/void#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def new_graph(identifier: str | None = None) -> Graph:
    """An empty graph with exactly the project's prefixes bound (none of rdflib's defaults)."""
    graph = Graph(identifier=identifier, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph
