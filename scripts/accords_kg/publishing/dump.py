"""Write the dataset in the standard RDF serialisations, byte-identical for the same input.

rdflib serialises; this module makes the output reproducible (triples added in sorted
order, fixed prefixes, N-Triples lines and JSON-LD nodes sorted) and writes each file
atomically, so that a failure never leaves a half-written dump.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from rdflib import BNode, Dataset, Graph, URIRef

from ..files import write_atomic
from ..graph.store import Store
from ..namespaces import PREFIXES, new_graph
from ..progress import Progress
from ..resources import GRAPH_BASE, ID_BASE


@dataclass(frozen=True)
class DumpFormat:
    name: str
    extension: str
    media_type: str


FORMATS: dict[str, DumpFormat] = {
    f.name: f
    for f in (
        DumpFormat("turtle", ".ttl", "text/turtle"),
        DumpFormat("ntriples", ".nt", "application/n-triples"),
        DumpFormat("jsonld", ".jsonld", "application/ld+json"),
        DumpFormat("trig", ".trig", "application/trig"),
        DumpFormat("xml", ".rdf", "application/rdf+xml"),
    )
}

BASENAME = "accords-kg"


def sorted_copy(graph: Graph, identifier: str | None = None) -> Graph:
    """A copy of ``graph`` whose triples were added in sorted order, with the project's prefixes."""
    out = new_graph(identifier)
    for triple in sorted(graph, key=lambda t: tuple(n.n3() for n in t)):
        out.add(triple)
    return out


def serialise(store: Store, fmt: str) -> str:
    """The dataset in format ``fmt`` (TriG keeps one named graph per layer; others merge)."""
    if fmt == "trig":
        return _trig(store)
    return serialise_graph(store.union(), fmt)


def serialise_graph(graph: Graph, fmt: str) -> str:
    """One graph in format ``fmt`` (not TriG), byte-identical for the same triples."""
    if fmt == "ntriples":  # sorted lines: no sorted copy of the graph needed (memory)
        # lines end at \n only: rdflib leaves U+2028, U+0085… raw in literals
        lines = graph.serialize(format="nt").split("\n")
        return "\n".join(sorted(line for line in lines if line.strip())) + "\n"
    graph = sorted_copy(graph)
    if fmt == "turtle":
        return graph.serialize(format="turtle")
    if fmt == "jsonld":
        return _jsonld(graph)
    if fmt == "xml":
        return _rdfxml(graph)
    raise ValueError(f"unknown dump format {fmt!r}")


def _trig(store: Store) -> str:
    """TriG with the layers' named graphs in sorted order (rdflib's own order varies)."""
    header: set[str] = set()
    bodies: list[str] = []
    for name in store.layer_names():
        # one layer at a time, read from Oxigraph: not an rdflib copy of every layer at once
        layer = store.stored_layer(name)
        dataset = Dataset(default_union=False)
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace)
        target = dataset.graph(URIRef(GRAPH_BASE + name))
        for triple in sorted(layer, key=lambda t: tuple(n.n3() for n in t)):
            target.add(triple)
        lines = dataset.serialize(format="trig").split("\n")  # not at U+2028 in a literal
        header.update(line for line in lines if line.startswith("@prefix"))
        bodies.append("\n".join(line for line in lines if not line.startswith("@prefix")).strip())
    return "\n".join(sorted(header)) + "\n\n" + "\n\n".join(bodies) + "\n"


def _rdfxml(graph: Graph) -> str:
    """Flat RDF/XML, one ``rdf:Description`` per subject, all in sorted order.

    rdflib's RDF/XML writers order subjects and namespace declarations by hash, which
    varies between runs; this writer keeps the same bytes for the same triples.
    """
    namespaces = sorted(PREFIXES.items())
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    lines += [f'   xmlns:{prefix}="{escape(ns)}"' for prefix, ns in namespaces]
    lines[-1] += ">"
    by_subject: dict = {}
    for s, p, o in graph:
        by_subject.setdefault(s, []).append((p, o))
    for subject in sorted(by_subject, key=lambda n: n.n3()):
        about = (
            f'rdf:nodeID="{subject}"'
            if isinstance(subject, BNode)
            else f'rdf:about="{escape(subject)}"'
        )
        lines.append(f"  <rdf:Description {about}>")
        for predicate, obj in sorted(by_subject[subject], key=lambda t: (t[0].n3(), t[1].n3())):
            tag = _qname(predicate, namespaces)
            if isinstance(obj, URIRef):
                lines.append(f'    <{tag} rdf:resource="{escape(obj)}"/>')
            elif isinstance(obj, BNode):
                lines.append(f'    <{tag} rdf:nodeID="{obj}"/>')
            else:
                attrs = ""
                if obj.language:
                    attrs = f' xml:lang="{obj.language}"'
                elif obj.datatype:
                    attrs = f' rdf:datatype="{escape(obj.datatype)}"'
                lines.append(f"    <{tag}{attrs}>{escape(str(obj), {chr(13): '&#13;'})}</{tag}>")
        lines.append("  </rdf:Description>")
    lines.append("</rdf:RDF>")
    return "\n".join(lines) + "\n"


def _qname(iri: URIRef, namespaces: list[tuple[str, str]]) -> str:
    for prefix, namespace in namespaces:
        local = str(iri)[len(namespace) :]
        if str(iri).startswith(namespace) and re.fullmatch(r"[A-Za-z_][\w.-]*", local):
            return f"{prefix}:{local}"
    raise ValueError(f"no XML name for predicate {iri}: add its namespace to namespaces.PREFIXES")


def _jsonld(graph: Graph) -> str:
    context = dict(sorted({**PREFIXES, "id": ID_BASE}.items()))
    raw = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = raw.get("@graph", [raw] if "@id" in raw else [])
    for node in nodes:
        node.pop("@context", None)
        for key, value in node.items():
            if isinstance(value, list):
                node[key] = sorted(
                    value, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False)
                )
    nodes.sort(key=lambda n: n.get("@id", ""))
    doc = {"@context": context, "@graph": nodes}
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def dump(store: Store, out_dir: Path, formats: list[str] | None = None) -> list[Path]:
    """Write one file per format into ``out_dir``; returns the paths written."""
    written = []
    names = formats or list(FORMATS)
    progress = Progress("dump")
    for index, name in enumerate(names):
        progress(index, len(names), name)
        fmt = FORMATS[name]
        path = out_dir / f"{BASENAME}{fmt.extension}"
        write_atomic(path, serialise(store, name))
        written.append(path)
    progress(len(names), len(names))
    return written
