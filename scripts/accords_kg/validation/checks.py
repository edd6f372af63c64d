"""Checks on new entries that SHACL cannot express, reported like SHACL findings.

- **Official units exist.** With the territorial layer loaded, an entry may not declare a
  région, département, commune or EPCI that none of the loaded vintages has: a made-up code
  with a valid pattern (and Luhn key) would otherwise pass.
- **Each accord is covered in its vintage.** The loaded territorial graph of an accord's
  signing year's vintage must hold what its territories cover (all the communes of a région
  or département, a commune, an EPCI's members), else its coverage would read as nothing or
  as a part: the région (or vintage) is then added to ``data/territories/committed.json``
  and the layer rebuilt (``accords territories build``) before the accord.
- **No placeholder is left.** No ``@@…@@`` placeholder of the template may stay anywhere in
  an entry: in a literal, a datatype, or an IRI in any position (see :func:`placeholders`).
- **Evidence is verbatim.** An ``acc:evidence`` excerpt must occur in the text of a source it
  cites whose SHA-256 the graph records, wherever that text is at hand (the folder
  ``ACCORDS_KG_SOURCES``, else ``shared/sources`` beside the checkout).
- **Checksums are right.** A source ``source/KEY`` whose text is at hand (``KEY.txt`` in that
  folder) records that text's SHA-256 (``acc:sha256``), and no other.

The last two read files, which SHACL cannot: they run on an entry (with the data around it)
and on the whole dataset (:func:`held_texts`), so that ``accords validate`` reports them
as it reports the shapes.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from ..graph.convert import from_oxigraph_term, to_oxigraph_term
from ..graph.store import Store
from ..resources import GRAPH_BASE, ONTOLOGY_NS, home
from .report import Finding

ACC_EVIDENCE = URIRef(ONTOLOGY_NS + "evidence")
ACC_SHA256 = URIRef(ONTOLOGY_NS + "sha256")  # deprecated: SPDX's checksum is the model
SPDX_CHECKSUM = URIRef("http://spdx.org/rdf/terms#checksum")
SPDX_VALUE = URIRef("http://spdx.org/rdf/terms#checksumValue")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
OFFICIAL = tuple(URIRef(ONTOLOGY_NS + c) for c in ("Region", "Departement", "Commune", "EPCI"))
ACC_ACCORD = URIRef(ONTOLOGY_NS + "Accord")
ACC_CONCERNS = URIRef(ONTOLOGY_NS + "concerns")
ACC_SIGNED_DURING = URIRef(ONTOLOGY_NS + "signedDuring")
SCHEMA_START_DATE = URIRef("https://schema.org/startDate")
CHECKS = "https://w3id.org/accords-kg/shapes#"
SOURCE_IRI = "https://w3id.org/accords-kg/id/source/"
ORG_MEMBER_OF = "http://www.w3.org/ns/org#memberOf"
COMMUNE_COUNT = ONTOLOGY_NS + "communeCount"


def check_finding(focus, path, value, rule: str, fr: str, en: str, lang: str) -> Finding:
    return Finding(
        focusNode=str(focus),
        path=str(path),
        value=str(value),
        severity="Violation",
        message=fr if lang == "fr" else en,
        constraint=CHECKS + rule + "Constraint",
        shape=CHECKS + rule,
        messages=(("en", en), ("fr", fr)),
    )


def unknown_units(entry: Graph, store: Store, lang: str = "en") -> list[Finding]:
    """Territorial units the entry declares that the loaded layer does not have."""
    layers = store.territorial_layers()
    if not layers:
        return []
    found = []
    for cls in OFFICIAL:
        for unit in entry.subjects(RDF.type, cls):
            if not store.holds((unit, RDF.type, cls), layers):  # in any vintage loaded
                found.append(
                    check_finding(
                        unit,
                        RDF.type,
                        cls,
                        "OfficialUnitCheck",
                        f"{unit} n'existe pas dans les fichiers officiels chargés "
                        "(--territories) : un territoire se désigne par son code officiel.",
                        f"{unit} does not exist in the loaded official files (--territories): "
                        "a territory is named by its official code.",
                        lang,
                    )
                )
    return found


def _covered(engine: ox.Store, layer: str, unit: Node) -> bool:
    """Whether the graph ``layer`` (an IRI) holds what ``unit`` covers: for a région or a
    département, all its communes (the layer then states their number,
    ``acc:communeCount``, which the coverage queries read); for a commune or an EPCI, a
    commune that is the unit or a member of it. Index lookups, no SPARQL query."""
    graph, node = ox.NamedNode(layer), to_oxigraph_term(unit)
    if isinstance(node, ox.Literal):
        return False
    if next(iter(engine.quads_for_pattern(node, ox.NamedNode(COMMUNE_COUNT), None, graph)), None):
        return True
    commune = ox.NamedNode(ONTOLOGY_NS + "Commune")
    a, member_of = ox.NamedNode(str(RDF.type)), ox.NamedNode(ORG_MEMBER_OF)
    members = (q.subject for q in engine.quads_for_pattern(None, member_of, node, graph))
    return any(  # lazily: the first commune found answers
        next(iter(engine.quads_for_pattern(c, a, commune, graph)), None)
        for c in (node, *members)
        if not isinstance(c, ox.Literal)
    )


def _stored(store: Store, subject: Node | None, predicate: str, obj: Node | None) -> set[Node]:
    """The subjects (``subject`` None) or objects (``obj`` None) of the stored triples that
    match, in the union of the layers: index lookups, not a SPARQL query each."""
    pattern = [None if t is None else to_oxigraph_term(t) for t in (subject, None, obj)]
    if isinstance(pattern[0], ox.Literal):
        return set()
    pattern[1] = ox.NamedNode(predicate)
    found = store.oxigraph().quads_for_pattern(*pattern, ox.DefaultGraph())
    return {from_oxigraph_term(q.subject if subject is None else q.object) for q in found}


def _accords_touched(entry: Graph, store: Store) -> set[Node]:
    """The accords of the entry, and those whose ceremony's date the entry gives."""
    accords = set(entry.subjects(RDF.type, ACC_ACCORD)) | set(entry.subjects(ACC_SIGNED_DURING))
    for ceremony in set(entry.subjects(SCHEMA_START_DATE)):
        accords |= _stored(store, None, ACC_SIGNED_DURING, ceremony)
    return accords


def uncovered_territories(entry: Graph, store: Store, lang: str = "en") -> list[Finding]:
    """Territories an accord of the entry concerns that have no commune in the loaded graph
    of the vintage of its signing year (the year of its ceremony's date)."""
    from ..graph.territories import graph_name  # the layer's naming; imported when checked

    layers = set(store.territorial_layers())
    found = []
    for accord in _accords_touched(entry, store) if layers else ():
        ceremonies = set(entry.objects(accord, ACC_SIGNED_DURING))
        stored = _stored(store, accord, ACC_SIGNED_DURING, None)
        ceremonies |= stored
        dates = {
            str(date)
            for ceremony in ceremonies
            for date in entry.objects(ceremony, SCHEMA_START_DATE)
        } | {str(d) for c in stored for d in _stored(store, c, SCHEMA_START_DATE, None)}
        units = set(entry.objects(accord, ACC_CONCERNS)) | _stored(
            store, accord, ACC_CONCERNS, None
        )
        for date, unit in ((d, u) for d in sorted(dates) for u in sorted(units)):
            vintage = date[:4]
            layer = GRAPH_BASE + graph_name(vintage)
            if graph_name(vintage) in layers and _covered(store.oxigraph(), layer, unit):
                continue
            found.append(
                check_finding(
                    accord,
                    ACC_CONCERNS,
                    unit,
                    "VintageCoverageCheck",
                    f"{unit} n'a aucune commune dans la couche territoriale chargée du millésime "
                    f"{vintage} (l'année de la signature) : ajoutez sa région à ce millésime dans "
                    "data/territories/committed.json puis lancez `accords territories build`.",
                    f"{unit} has no commune in the loaded territorial layer of vintage {vintage} "
                    "(the signing year): add its région to that vintage in "
                    "data/territories/committed.json, then run `accords territories build`.",
                    lang,
                )
            )
    return found


#: A template placeholder: ``@@`` + a name without ``@`` or white space + ``@@``. An e-mail
#: address (one ``@``) is not one.
PLACEHOLDER = re.compile(r"@@[^@\s]+@@")


def _placeholders_in(node: Node) -> list[str]:
    """The placeholders written in one parsed term, in order, each once.

    An IRI is read as rdflib gives it (``<@@SOURCE_URL@@>`` is ``…/id/@@SOURCE_URL@@``
    relative to the ``@base``, and a prefixed name with escaped ``@`` signs is ``…/@@ROLE@@``)
    and percent-decoded (``%40%40ROLE%40%40``); a literal by its text and its datatype IRI.
    """
    iri = node.datatype if isinstance(node, Literal) else node
    texts = [str(node)] if isinstance(node, Literal) else []
    if isinstance(iri, URIRef):
        texts += [str(iri), unquote(str(iri))]
    found: list[str] = []
    for text in texts:
        for name in PLACEHOLDER.findall(text):
            if name not in found:
                found.append(name)
    return found


def placeholders(entry: Graph, lang: str = "en") -> list[Finding]:
    """Every term of the entry that still holds an ``@@…@@`` placeholder of the template.

    A check rather than a SHACL-SPARQL rule: a placeholder may sit in any position of any
    triple, a predicate or the subject of an untyped node included, and SHACL has no target
    for "every node" or "every predicate" (a SPARQL target would make every validation of an
    entry fall back to the whole graph, see :func:`.focus.bounded`); and only the
    entry can bring one, so a rule scanning every term of the dataset each time would look
    in the wrong place. The decision is on the parsed terms, not on the file's text: the
    template's comments name placeholders too, and an escaped or relative IRI only shows
    what it is once parsed.

    One finding per offending term: an object with its subject (focus node) and predicate
    (path); a predicate with its subject, itself as the path and the value; a subject as the
    focus node and the value, with no path (the node itself is wrong).
    """
    found: set[Finding] = set()
    for s, p, o in entry:
        for path, value in ((None, s), (p, p), (p, o)):
            names = _placeholders_in(value)
            if not names:
                continue
            listed = ", ".join(names)
            en = (
                f"Template placeholder left unfilled: {listed}. Replace it with what the "
                "source says, or delete the statement."
            )
            fr = (
                f"Espace réservé du modèle non rempli : {listed}. Remplacez-le par ce que dit "
                "la source, ou supprimez l'énoncé."
            )
            found.add(
                Finding(
                    focusNode=str(s),
                    path=None if path is None else str(path),
                    value=str(value),
                    severity="Violation",
                    message=fr if lang == "fr" else en,
                    constraint=CHECKS + "PlaceholderCheckConstraint",
                    shape=CHECKS + "PlaceholderCheck",
                    messages=(("en", en), ("fr", fr)),
                )
            )
    return sorted(found, key=lambda f: (f.focusNode, f.path or "", f.value or ""))


def sources_folder() -> Path | None:
    configured = os.environ.get("ACCORDS_KG_SOURCES")
    folder = Path(configured) if configured else home().parent / "shared" / "sources"
    return folder if folder.is_dir() else None


@cache
def _texts(folder: Path) -> dict[str, str]:
    """SHA-256 → text of every stored source file."""
    out = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix == ".txt":
            data = path.read_bytes()
            out[hashlib.sha256(data).hexdigest()] = data.decode("utf-8", errors="replace")
    return out


def unquoted_evidence(entry: Graph, data: Graph, lang: str = "en") -> list[Finding]:
    """Evidence excerpts of the entry found in none of the stored texts of the sources they
    cite."""
    rows = []
    for node, excerpt in entry.subject_objects(ACC_EVIDENCE):
        cited = set(entry.objects(node, PROV_DERIVED)) | set(data.objects(node, PROV_DERIVED))
        digests = {d for source in cited for d in _digests(source, entry) | _digests(source, data)}
        rows.append((node, excerpt, digests))
    return _unquoted(rows, lang)


_EVIDENCE = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
SELECT ?node ?excerpt ?digest WHERE {
  ?node acc:evidence ?excerpt ;
    prov:wasDerivedFrom/(acc:sha256|spdx:checksum/spdx:checksumValue) ?digest .
}"""

_CHECKSUMS = """
PREFIX acc: <https://w3id.org/accords-kg/ontology#>
PREFIX spdx: <http://spdx.org/rdf/terms#>
SELECT ?source ?checksum ?digest WHERE {
  ?source a acc:Source .
  { ?source acc:sha256 ?digest }
  UNION { ?source spdx:checksum ?checksum . ?checksum spdx:checksumValue ?digest }
}"""


def held_texts(store: Store, lang: str = "en") -> list[Finding]:
    """The checks on held texts over the whole dataset: every excerpt verbatim, every
    checksum right."""
    digests: dict[tuple[Node, Node], set[str]] = {}
    for node, excerpt, digest in store.query(_EVIDENCE).rows:
        digests.setdefault((node, excerpt), set()).add(str(digest))
    rows = [(node, excerpt, found) for (node, excerpt), found in sorted(digests.items(), key=str)]
    sources = Graph()  # the sources' checksums, as the store records them
    for source, checksum, digest in store.query(_CHECKSUMS).rows:
        if checksum is None:
            sources.add((source, ACC_SHA256, digest))
        else:
            sources.add((source, SPDX_CHECKSUM, checksum))
            sources.add((checksum, SPDX_VALUE, digest))
    return _unquoted(rows, lang) + wrong_checksums(sources, lang)


def _digests(source: Node, graph: Graph) -> set[str]:
    """The SHA-256 a graph records for a source: its SPDX checksum, and the deprecated
    ``acc:sha256``."""
    found = {str(d) for d in graph.objects(source, ACC_SHA256)}
    for checksum in graph.objects(source, SPDX_CHECKSUM):
        found |= {str(d) for d in graph.objects(checksum, SPDX_VALUE)}
    return found


def wrong_checksums(graph: Graph, lang: str = "en") -> list[Finding]:
    """Sources ``source/KEY`` whose held text (``KEY.txt``) has another SHA-256 than one they
    record (as ``spdx:checksum`` or the deprecated ``acc:sha256``)."""
    folder = sources_folder()
    if folder is None:
        return []
    found = []
    recorded = [
        (source, predicate, digest)
        for source, predicate, digest in graph.triples((None, ACC_SHA256, None))
    ]
    recorded += [
        (source, SPDX_VALUE, digest)
        for source, checksum in graph.subject_objects(SPDX_CHECKSUM)
        for digest in graph.objects(checksum, SPDX_VALUE)
    ]
    for source, predicate, digest in sorted(recorded, key=str):
        key = str(source).removeprefix(SOURCE_IRI)
        path = folder / f"{key}.txt"
        if key == str(source) or "/" in key or not path.is_file() or path.is_symlink():
            continue
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != str(digest):
            found.append(
                check_finding(
                    source,
                    predicate,
                    digest,
                    "ChecksumCheck",
                    f"Le texte conservé de la source ({path.name}) a pour empreinte {actual}, "
                    "pas celle-ci.",
                    f"The source's held text ({path.name}) has the checksum {actual}, "
                    "not this one.",
                    lang,
                )
            )
    return found


def _unquoted(rows: list[tuple[Node, Node, set[str]]], lang: str) -> list[Finding]:
    """The (node, excerpt, digests of the sources it cites) whose excerpt is in none of the
    held texts among those digests (if any is held)."""
    folder = sources_folder()
    if folder is None:
        return []
    texts = _texts(folder)
    found = []
    for node, excerpt, digests in rows:
        held = [texts[d] for d in digests if d in texts]
        if held and not any(str(excerpt) in text for text in held):
            found.append(
                check_finding(
                    node,
                    ACC_EVIDENCE,
                    excerpt,
                    "VerbatimEvidenceCheck",
                    "L'extrait ne figure pas mot pour mot dans le texte de la source citée.",
                    "The excerpt is not found word for word in the cited source's text.",
                    lang,
                )
            )
    return found
