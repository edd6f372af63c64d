"""Write the dataset in the standard RDF serialisations, byte-identical for the same input.

Oxigraph writes every format, straight from its store: no rdflib copy of the graph (which
took 15 to 50 s and up to 1 GB on the France-wide graph). The order is the project's own, so
that the same triples give the same bytes whatever the engine's internal order:

- the triples are sorted by their canonical N-Triples line, compared as UTF-8 bytes (hence
  by subject, then predicate, then object, each as N-Triples writes it). Oxigraph writes
  that text, Python sorts its lines as bytes: 2.5 s on France, where reading the terms
  and sorting them in Python took 4.6 s, and a SPARQL ``ORDER BY`` 24 s;
- the other formats re-read those sorted lines and hand them, in that order, to Oxigraph's
  writer, which groups a subject's triples (Turtle's ``;``, one RDF/XML element, one
  JSON-LD node);
- TriG writes one named graph per layer, the layers in name order;
- Turtle and TriG declare the project's prefixes (:data:`namespaces.PREFIXES`) in
  alphabetical order; RDF/XML declares them as Oxigraph orders them (the same each run).

JSON-LD is Oxigraph's writer's: expanded JSON-LD (full IRIs, no ``@context``: Oxigraph
0.5 does not compact, whatever prefixes it is given), on one line. A resource's description
(:func:`serialise_graph`, a few dozen triples) is compacted instead, as before. Each file
is written atomically, so that a failure never leaves a half-written dump.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ..files import write_atomic
from ..graph.convert import oxigraph_graph
from ..graph.store import Store
from ..namespaces import PREFIXES
from ..progress import Progress
from ..resources import GRAPH_BASE, ID_BASE


@dataclass(frozen=True)
class DumpFormat:
    name: str
    extension: str
    media_type: str
    oxigraph: ox.RdfFormat


FORMATS: dict[str, DumpFormat] = {
    f.name: f
    for f in (
        DumpFormat("turtle", ".ttl", "text/turtle", ox.RdfFormat.TURTLE),
        DumpFormat("ntriples", ".nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        DumpFormat("jsonld", ".jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
        DumpFormat("trig", ".trig", "application/trig", ox.RdfFormat.TRIG),
        DumpFormat("xml", ".rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    )
}

BASENAME = "accords-kg"

_PREFIXES = dict(sorted(PREFIXES.items()))


def sorted_lines(engine: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> list[bytes]:
    """The triples of ``graph`` as canonical N-Triples lines (without their ``\\n``), sorted
    as bytes. A line ends only at ``\\n``: N-Triples escapes ``\\n`` and ``\\r`` in literals,
    and U+2028, U+0085… stay inside their literal."""
    lines = engine.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph).split(b"\n")
    lines.pop()  # after the last \n
    lines.sort()
    return lines


def serialise(store: Store, fmt: str) -> bytes:
    """The dataset in format ``fmt`` (TriG keeps one named graph per layer; others merge)."""
    return next(serialise_each(store, [fmt]))[1]


def serialise_each(store: Store, formats: list[str]) -> Iterator[tuple[str, bytes]]:
    """(format, bytes) for each of ``formats``, in turn: the merged graph's sorted lines, the
    longest step, are made once for all of them."""
    union: list[bytes] | None = None
    for fmt in formats:
        if fmt == "trig":
            yield fmt, _trig(store)
            continue
        if union is None:
            union = sorted_lines(store.oxigraph(), ox.DefaultGraph())
        yield fmt, _write(union, fmt)


def serialise_graph(graph: Graph, fmt: str) -> bytes:
    """One small rdflib graph (a resource's description, which the site and ``accords
    serve`` offer) in format ``fmt`` (not TriG), byte-identical for the same triples.

    JSON-LD is compacted here, with the project's prefixes as its ``@context`` (rdflib's
    writer, then sorted), so that a client reads ``foaf:name`` rather than full IRIs:
    a description has a few dozen triples, where the dump's 360,000 would take rdflib a
    minute."""
    if fmt == "jsonld":
        return _compact_jsonld(graph)
    return _write(sorted_lines(oxigraph_graph(graph), ox.DefaultGraph()), fmt)


def _compact_jsonld(graph: Graph) -> bytes:
    """Compact JSON-LD of ``graph``: nodes sorted by ``@id``, each value list sorted."""
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
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _write(lines: list[bytes], fmt: str) -> bytes:
    """Sorted N-Triples ``lines`` written, in their order, in ``fmt``."""
    if fmt not in FORMATS or fmt == "trig":
        raise ValueError(f"unknown dump format {fmt!r}")
    text = b"\n".join(lines) + b"\n" if lines else b""
    if fmt == "ntriples":
        return text
    triples = ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    return _tidy(ox.serialize(triples, format=FORMATS[fmt].oxigraph, prefixes=_PREFIXES), fmt)


def _trig(store: Store) -> bytes:
    """TriG, one named graph per layer, in the layers' name order, each sorted."""
    engine = store.oxigraph()
    quads: list[bytes] = []
    for name in store.layer_names():
        graph = b" <" + (GRAPH_BASE + name).encode() + b"> .\n"
        # a canonical line ends with " ." : the graph goes before it (N-Quads)
        quads += [
            line[:-2] + graph for line in sorted_lines(engine, ox.NamedNode(GRAPH_BASE + name))
        ]
    parsed = ox.parse(b"".join(quads), format=ox.RdfFormat.N_QUADS)
    return _tidy(ox.serialize(parsed, format=ox.RdfFormat.TRIG, prefixes=_PREFIXES), "trig")


def _tidy(data: bytes, fmt: str) -> bytes:
    """Oxigraph's output, with two fixes: Turtle and TriG prefixes in alphabetical order (its
    header lists them in its hash map's order); in RDF/XML, a carriage return in a literal
    as ``&#13;`` (written raw, an XML reader would turn ``\\r\\n`` into ``\\n``; a raw
    ``\\r`` can only come from a literal's text, never from Oxigraph's markup)."""
    if fmt == "xml":
        return data.replace(b"\r", b"&#13;")
    if fmt not in ("turtle", "trig"):
        return data
    lines = data.split(b"\n", len(_PREFIXES))
    # the header: the leading "@prefix" lines (a triple never starts with "@")
    count = next((i for i, line in enumerate(lines) if not line.startswith(b"@prefix ")), 0)
    return b"\n".join([*sorted(lines[:count]), *lines[count:]])


def dump(store: Store, out_dir: Path, formats: list[str] | None = None) -> list[Path]:
    """Write one file per format into ``out_dir``; returns the paths written."""
    written = []
    names = formats or list(FORMATS)
    progress = Progress("dump")
    progress(0, len(names), names[0])
    for index, (name, data) in enumerate(serialise_each(store, names), start=1):
        path = out_dir / f"{BASENAME}{FORMATS[name].extension}"
        write_atomic(path, data)
        written.append(path)
        if index < len(names):
            progress(index, len(names), names[index])
    progress(len(names), len(names))
    return written
