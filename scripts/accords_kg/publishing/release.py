"""``accords release``: every dump format and a DCAT + VoID description, byte-identical.

The files: Turtle, N-Triples gzipped (no timestamp in the gzip header), JSON-LD with its
context, TriG (one named graph per layer) and RDF/XML, plus ``void.ttl`` describing them: the
dataset (titles and descriptions in French and English, licence, publisher, version, issue
date), one ``dcat:Distribution`` per file (media type, byte size, SHA-256), ``void:triples``,
class and property partitions, and the SPARQL endpoint where one is given. The date is the one
given (``--date``), else ``SOURCE_DATE_EPOCH``, else the last commit of the checkout the files
come from, so that a rebuild gives the same bytes; with none of them (an installed copy, no
git), the release is refused rather than dated 1970-01-01.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import subprocess
from pathlib import Path

from rdflib import FOAF, OWL, RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, XSD

from .. import __version__
from ..errors import UsageError
from ..files import write_atomic
from ..graph import turtle
from ..graph.store import Store
from ..progress import Progress
from ..resources import home
from .dump import BASENAME, FORMATS, serialise_each

DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA = "https://www.iana.org/assignments/media-types/"
RELEASE = "https://w3id.org/accords-kg/dataset"
DATASET = URIRef(RELEASE)
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
PUBLISHER = URIRef("https://w3id.org/accords-kg/id/org/accords-kg")
DOWNLOADS = "https://w3id.org/accords-kg/dist/"

TITLES = {
    "fr": "accords-kg : accords de réindustrialisation des régions et intercommunalités",
    "en": "accords-kg: reindustrialisation accords of regions and intercommunalities",
}
DESCRIPTIONS = {
    "fr": "Graphe de connaissances des accords que les régions et les intercommunalités "
    "françaises signent pour la réindustrialisation : signataires, mandats, parties, "
    "cérémonies, territoires officiels et sources de chaque fait.",
    "en": "Knowledge graph of the accords French regions and intercommunalities sign for "
    "reindustrialisation: signatories, mandates, parties, ceremonies, official territories "
    "and the source of every fact.",
}


def release_date(root: Path | None = None) -> dt.date:
    """``SOURCE_DATE_EPOCH`` if set, else the date of the last commit of ``root`` (the files'
    checkout, not a repository that happens to hold an installed copy); else refused."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH") or _last_commit(root or home())
    if epoch is None:
        raise UsageError(
            "no release date: these files are not a git checkout; give --date YYYY-MM-DD or "
            "set SOURCE_DATE_EPOCH / pas de date de version : donner --date AAAA-MM-JJ"
        )
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH is not a Unix time: {epoch!r}") from None


def _last_commit(root: Path) -> str | None:
    """The Unix time of the last commit of the repository whose top is ``root``, if it is one."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
        )
        return done.stdout.strip()

    try:
        if Path(git("rev-parse", "--show-toplevel")).resolve() != root.resolve():
            return None
        return git("log", "-1", "--format=%ct") or None
    except (OSError, subprocess.SubprocessError):
        return None


def dumps(store: Store) -> dict[str, tuple[bytes, str]]:
    """File name → (bytes, media type), for every dump format."""
    out = {}
    progress = Progress("release")
    names = list(FORMATS)
    progress(0, len(names), names[0])
    for index, (name, data) in enumerate(serialise_each(store, names), start=1):
        filename = BASENAME + FORMATS[name].extension
        if name == "ntriples":
            data = gzip.compress(data, compresslevel=9, mtime=0)
            filename += ".gz"
        out[filename] = (data, FORMATS[name].media_type)
        if index < len(names):
            progress(index, len(names), names[index])
    progress(len(FORMATS), len(FORMATS))
    return out


def _key(iri: URIRef) -> str:
    """A readable, unique key for a partition: the local name and a short hash."""
    local = str(iri).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    digest = hashlib.sha256(str(iri).encode()).hexdigest()[:8]
    return f"{local.lower()}-{digest}"


#: The entities of each class (an IRI), and the triples of each property, in the union of the
#: layers: counted by Oxigraph (an rdflib copy of the France-wide graph takes seconds).
_CLASSES = """SELECT ?term (COUNT(DISTINCT ?s) AS ?n)
WHERE { ?s a ?term FILTER isIRI(?term) } GROUP BY ?term"""
_PROPERTIES = "SELECT ?term (COUNT(*) AS ?n) WHERE { ?s ?term ?o } GROUP BY ?term"


def _counts(store: Store, query: str) -> list[tuple[URIRef, int]]:
    """The (IRI, count) rows of ``query``, sorted by IRI."""
    rows = store.query(query, source="release").rows
    return sorted((URIRef(term), int(n)) for term, n in rows)


def description(
    store: Store, files: dict[str, tuple[bytes, str]], issued: dt.date, endpoint: str | None
) -> Graph:
    """The DCAT + VoID graph of the dataset and its distributions."""
    g = Graph()
    date = Literal(issued.isoformat(), datatype=XSD.date)
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add((DATASET, RDF.type, VOID.Dataset))
    for lang in ("fr", "en"):
        g.add((DATASET, DCTERMS.title, Literal(TITLES[lang], lang=lang)))
        g.add((DATASET, DCTERMS.description, Literal(DESCRIPTIONS[lang], lang=lang)))
    g.add((DATASET, DCTERMS.license, LICENCE))
    g.add((DATASET, DCTERMS.publisher, PUBLISHER))
    g.add((PUBLISHER, RDF.type, FOAF.Organization))
    g.add((PUBLISHER, FOAF.name, Literal("accords-kg")))
    g.add((DATASET, DCTERMS.issued, date))
    g.add((DATASET, OWL.versionInfo, Literal(__version__)))
    g.add((DATASET, VOID.triples, Literal(len(store), datatype=XSD.integer)))
    if endpoint:
        g.add((DATASET, VOID.sparqlEndpoint, URIRef(endpoint)))
    for filename, (data, media) in sorted(files.items()):
        dist = URIRef(f"{RELEASE}/distribution/{filename.replace('.', '-')}")
        checksum = URIRef(f"{dist}/sha256")
        g.add((DATASET, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(filename)))
        g.add((dist, DCAT.downloadURL, URIRef(DOWNLOADS + filename)))
        g.add((dist, DCAT.mediaType, URIRef(IANA + media)))
        g.add((dist, DCAT.byteSize, Literal(len(data), datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, LICENCE))
        g.add((dist, DCTERMS.issued, date))
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        digest = hashlib.sha256(data).hexdigest()
        g.add((checksum, SPDX.checksumValue, Literal(digest, datatype=XSD.hexBinary)))
        if filename.endswith(".gz"):
            g.add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    for cls, entities in _counts(store, _CLASSES):
        part = URIRef(f"{RELEASE}/class/{_key(cls)}")
        g.add((DATASET, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(entities, datatype=XSD.integer)))
    for predicate, n in _counts(store, _PROPERTIES):
        part = URIRef(f"{RELEASE}/property/{_key(predicate)}")
        g.add((DATASET, VOID.propertyPartition, part))
        g.add((part, VOID.property, predicate))
        g.add((part, VOID.triples, Literal(n, datatype=XSD.integer)))
    return g


def release(
    store: Store,
    out: Path,
    endpoint: str | None = None,
    root: Path | None = None,
    issued: dt.date | None = None,
) -> list[Path]:
    """Write every dump and ``void.ttl`` into ``out``, dated ``issued`` (by default
    :func:`release_date`); returns the paths written."""
    issued = issued or release_date(root)  # before writing anything
    files = dumps(store)
    written = []
    for filename, (data, _) in sorted(files.items()):
        write_atomic(out / filename, data)
        written.append(out / filename)
    graph = description(store, files, issued, endpoint)
    text = turtle.document(graph, "DCAT and VoID description of this accords-kg release.")
    write_atomic(out / "void.ttl", text)
    written.append(out / "void.ttl")
    return written
