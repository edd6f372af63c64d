"""``accords add``: new entries into ``data/``, validated first, written all or nothing.

1. A lock (``data/.accords-add.lock``, ``flock``) makes concurrent adds take turns, each
   reading the data as the previous one left it.
2. An entry may not change an existing resource's type or labels unless ``replace`` (then
   its types or labels replace the old ones).
3. The entries are validated together with the dataset (as it will be), with the shapes
   ``accords validate`` uses; any violation stops everything (exit 1) before a byte is
   written.
4. Each new block goes to the file of its resource's kind (``people.ttl``, ``offices.ttl``…)
   or to ``into``; blocks the data already holds for a resource are rewritten in place. The
   file's header gains an ``@prefix`` line for every prefix the blocks use that it lacks.
   Blocks are found line by line, a line ending at ``\n`` only, and the writer escapes every
   other line break (``\r``, U+0085, U+2028…) inside a literal, so that no literal can end
   a block early and leave its tail behind as Turtle.
5. The whole data layer, as it will be written, must read back (as the store reads it) as
   exactly the graph that was validated — the old triples, less those ``replace`` removes,
   plus the entry's; else nothing is written (exit 3).
6. Every changed file is written to a temporary file and fsynced; a journal naming them is
   written and fsynced; then they are renamed over the originals and the journal removed.
   A process killed at any moment leaves either the old files or a journal from which
   :func:`recover` (run by the next ``add`` and by every load) finishes the renames. The
   files are then read back from the disk, and put back as they were if they differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, SKOS
from rdflib.term import Node

from .errors import AccordsError, InputError, OutputError, UsageError
from .files import commit, locked, recover
from .graph import turtle
from .graph.convert import from_oxigraph_term, rdflib_graph, to_oxigraph_term
from .graph.load import parse_file
from .graph.store import Store
from .resources import ID_BASE, checkout
from .validation.focus import Triple
from .validation.report import Report
from .validation.validate import validate_entry

ACC = "https://w3id.org/accords-kg/ontology#"
LABELS = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title)

#: The data file each kind of resource lives in (the first class that matches wins).
ROUTES: tuple[tuple[str, str], ...] = (
    ("http://www.w3.org/ns/person#Person", "people.ttl"),
    ("http://xmlns.com/foaf/0.1/Person", "people.ttl"),
    (ACC + "Office", "offices.ttl"),
    (ACC + "Mandate", "offices.ttl"),
    (ACC + "Source", "sources.ttl"),
    ("http://spdx.org/rdf/terms#Checksum", "sources.ttl"),  # beside the source it checks
    (ACC + "Accord", "accords.ttl"),
    (ACC + "Signature", "accords.ttl"),
    (ACC + "SigningCeremony", "accords.ttl"),
    (ACC + "Intervention", "accords.ttl"),
    ("https://schema.org/Quotation", "accords.ttl"),
    (ACC + "Presence", "accords.ttl"),
    (ACC + "InferredStatement", "accords.ttl"),
    ("http://www.w3.org/ns/org#Organization", "organisations.ttl"),
    (ACC + "Region", "organisations.ttl"),
    (ACC + "Departement", "organisations.ttl"),
    (ACC + "Commune", "organisations.ttl"),
    (ACC + "EPCI", "organisations.ttl"),
    (ACC + "Association", "organisations.ttl"),
    (ACC + "Company", "organisations.ttl"),
    (ACC + "Assembly", "organisations.ttl"),
)
DEFAULT_FILE = "accords.ttl"


class Refused(AccordsError):
    """The entries would redefine existing resources (exit 1); nothing was written."""

    exit_code = 1


@dataclass
class Outcome:
    report: Report
    written: list[Path]


def data_dir(root: Path | None = None) -> Path:
    return (root or checkout()) / "data"


# ---------------------------------------------------------------------------
# Where the triples go
# ---------------------------------------------------------------------------


def route(subject: Node, entry: Graph, data: Graph) -> str:
    classes = {str(c) for c in entry.objects(subject, RDF.type)}
    classes |= {str(c) for c in data.objects(subject, RDF.type)}
    for cls, name in ROUTES:
        if cls in classes:
            return name
    return DEFAULT_FILE


_BLOCK_START = re.compile(r"^<([^>]+)>", re.MULTILINE)


def _split_blocks(text: str) -> list[tuple[str | None, str]]:
    """The file as (subject key or None, text) chunks; a block runs to its line ending `` .``."""
    chunks: list[tuple[str | None, str]] = []
    lines = turtle.split_lines(text)
    i = 0
    while i < len(lines):
        match = _BLOCK_START.match(lines[i])
        if not match:
            chunks.append((None, lines[i]))
            i += 1
            continue
        j = i
        while not lines[j].rstrip().endswith(" .") and j + 1 < len(lines):
            j += 1
        chunks.append((match.group(1), "".join(lines[i : j + 1])))
        i = j + 1
    return chunks


def new_text(path: Path, entry: Graph, subjects: list[Node], data: Graph, replace: bool) -> str:
    """``path``'s text with the blocks of ``subjects`` merged in (rewritten where they exist),
    and an ``@prefix`` line in its header for every prefix the blocks use.

    The blocks use the project's prefixes, but for one the file binds to another namespace
    (then they write the full IRI); their resource IRIs are relative to the project's base,
    so a file with another ``@base`` is refused.
    """
    text = (
        path.read_text(encoding="utf-8")
        if path.exists()
        else turtle.header("Entries added with `accords add`.", prefixes=())
    )
    _, bases = turtle.directives(text)
    if bases - {ID_BASE}:
        raise InputError(
            f"{path.name} declares @base <{min(bases - {ID_BASE})}>: accords add writes resource "
            f"IRIs relative to <{ID_BASE}> / base différente de celle du projet"
        )
    writer = turtle.Writer(turtle.usable_prefixes(text))
    keys = {turtle.term(s).strip("<>"): s for s in subjects}
    out: list[str] = []
    done: set[Node] = set()
    for key, chunk in _split_blocks(text):
        subject = keys.get(key) if key else None
        if subject is None or subject in done:
            out.append(chunk)
            continue
        merged = Graph()
        for triple in data.triples((subject, None, None)):
            if (
                replace
                and triple[1] in (RDF.type, *LABELS)
                and ((subject, triple[1], None) in entry)
            ):
                continue
            merged.add(triple)
        for triple in entry.triples((subject, None, None)):
            merged.add(triple)
        out.append(writer.block(merged, subject))
        done.add(subject)
    rest = [s for s in subjects if s not in done]
    if rest:
        if not "".join(out).endswith("\n\n"):
            out.append("\n")
        out.append(writer.blocks(entry, rest))
    return turtle.declare("".join(out), writer.used)


def replaced(entry: Graph, data: Graph) -> list[tuple[Node, Node, Node]]:
    """The existing type and label triples that the entry's own replace (with ``replace``)."""
    return [
        triple
        for subject in set(entry.subjects())
        for predicate in (RDF.type, *LABELS)
        if (subject, predicate, None) in entry
        for triple in data.triples((subject, predicate, None))
    ]


def redefinitions(entry: Graph, data: Graph) -> list[str]:
    """The (subject, property) pairs where the entry changes an existing type or label."""
    found = []
    for subject in set(entry.subjects()):
        for predicate in (RDF.type, *LABELS):
            existing = set(data.objects(subject, predicate))
            added = set(entry.objects(subject, predicate)) - existing
            if existing and added:
                found.append(f"{subject} {predicate}")
    return sorted(found)


# ---------------------------------------------------------------------------
# The command's library entry point
# ---------------------------------------------------------------------------


def add(
    entries: Iterable[Path],
    territories: str = "hauts-de-france",
    into: str | None = None,
    replace: bool = False,
    lang: str = "en",
    root: Path | None = None,
) -> Outcome:
    """Validate ``entries`` with the dataset and, if they conform, write them into ``data/``."""
    folder = data_dir(root)
    if into is not None and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*\.ttl", into):
        raise UsageError(f"--into names a Turtle file of data/, such as accords.ttl: {into!r}")
    entries = [Path(e) for e in entries]
    if not entries:
        raise UsageError("nothing to add: give one or more entry files / aucune entrée")
    entry = Graph()
    for path in entries:  # before the lock: a bad entry keeps no other add waiting
        entry += parse_file(path)
    with locked(folder):
        recover(folder)
        store = Store.load(root, territories=territories)
        curated = store.stored_layer("data")
        changed = redefinitions(entry, curated)
        if changed and not replace:
            raise Refused(
                "the entries would change the type or labels of existing resources (give "
                "--replace to do so) / modification de types ou libellés existants refusée: "
                + "; ".join(changed)
            )
        removed = replaced(entry, curated) if replace else []
        report = validate_entry(store, entry, lang, removed=removed)
        if not report.conforms:
            return Outcome(report, [])
        files: dict[str, list[Node]] = {}
        for subject in sorted(set(entry.subjects()), key=turtle.term):
            if not isinstance(subject, URIRef):
                raise InputError("blank-node subjects cannot be added: name them with an IRI")
            files.setdefault(into or route(subject, entry, curated), []).append(subject)
        texts = {
            name: new_text(folder / name, entry, subjects, curated, replace)
            for name, subjects in files.items()
        }
        expected = _validated(curated, entry, removed)
        _must_read_back(folder, texts, expected)
        # a file the entry leaves as it is is not rewritten, nor said to be
        texts = {n: t for n, t in texts.items() if _bytes(folder / n) != t.encode("utf-8")}
        if not texts:
            return Outcome(report, [])
        before = {name: _bytes(folder / name) for name in texts}
        written = commit(folder, texts)
        try:
            _must_read_back(folder, {}, expected)
        except OutputError:
            _put_back(folder, before)
            raise
        return Outcome(report, written)


def _validated(curated: Graph, entry: Graph, removed: list[Triple]) -> Graph:
    """The data layer that was validated: the stored one, less ``removed``, plus the entry
    (its terms as the store reads them: Oxigraph's lower-case language tags…)."""
    graph = Graph()
    graph += curated
    for triple in removed:
        graph.remove(triple)
    for triple in entry:
        graph.add(tuple(from_oxigraph_term(to_oxigraph_term(t)) for t in triple))
    return graph


def layer_as_written(folder: Path, texts: dict[str, str]) -> Graph:
    """The data layer (``data/*.ttl``) as the store reads it, with ``texts`` (by file name) in
    place of their files."""
    paths = {p.name: p for p in sorted(folder.glob("*.ttl"))}
    paths.update({name: folder / name for name in texts})
    triples: list[ox.Triple] = []
    for name, path in sorted(paths.items()):
        data = texts[name].encode("utf-8") if name in texts else path.read_bytes()
        base = path.resolve().as_uri()
        try:
            triples += [q.triple for q in ox.parse(data, ox.RdfFormat.TURTLE, base_iri=base)]
        except SyntaxError as exc:
            raise OutputError(f"{name} would not read back: {exc} / relecture impossible") from None
    return rdflib_graph(triples)


def _must_read_back(folder: Path, texts: dict[str, str], expected: Graph) -> None:
    """Refuse (exit 3) unless the data layer with ``texts`` is exactly ``expected``: a
    triple that was not validated must never land in ``data/``, nor one be lost."""
    written = layer_as_written(folder, texts)
    if not isomorphic(written, expected):
        extra = {t for t in written if t not in expected}
        lost = {t for t in expected if t not in written}
        example = min(extra or lost or {("", "", "")}, key=str)
        raise OutputError(
            f"data/ as written would not be the graph that was validated ({len(extra)} "
            f"triple(s) more, {len(lost)} fewer, such as {' '.join(map(str, example))}): "
            "nothing written / données écrites différentes des données validées"
        )


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _put_back(folder: Path, before: dict[str, bytes | None]) -> None:
    """The files an add replaced, as they were (those it created, removed)."""
    commit(folder, {n: b.decode("utf-8") for n, b in before.items() if b is not None})
    for name, old in before.items():
        if old is None:
            (folder / name).unlink(missing_ok=True)
