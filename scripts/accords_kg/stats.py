"""Counts that describe the dataset: triples per layer, instances per class."""

from __future__ import annotations

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from .results import Result
from .store import Store


def triples_per_layer(store: Store) -> Result:
    rows = [
        (Literal(name), Literal(len(store.layer(name)), datatype=XSD.integer))
        for name in store.layer_names()
    ]
    # a triple stated in two layers (a région's name, curated and official) counts once
    rows.append((Literal("total (distinct)"), Literal(len(store), datatype=XSD.integer)))
    return Result(["layer", "triples"], rows)


def instances_per_class(store: Store) -> Result:
    counts: dict[URIRef, set] = {}
    for subject, _, cls, _ in store.dataset.quads((None, RDF.type, None, None)):
        if isinstance(cls, URIRef):
            counts.setdefault(cls, set()).add(subject)
    rows = [
        (cls, Literal(len(members), datatype=XSD.integer))
        for cls, members in sorted(counts.items(), key=lambda kv: (-len(kv[1]), str(kv[0])))
    ]
    return Result(["class", "instances"], rows)
